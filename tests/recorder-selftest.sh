#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# recorder-selftest.sh - TAP test proving that tests/recorder stamps every event
# with its exact absolute frame and records its bytes unchanged.
#
# For each period (64, 256, 1024 frames at 48 kHz) a private dummy jackd is
# started, tests/midisend writes known events at known offsets of one cycle
# and prints that cycle's start frame; the recorder must report exactly
# cycle_start + offset for every event, in order, with the same bytes.
# Two ways of connecting are checked:
#   A. midisend connects itself to recorder:in and sends two cycles later;
#   B. the recorder connects (-c midisend:out) and midisend (-w -k 0) sends in
#      the very cycle whose process callback first sees its port connected.
#      On PipeWire (MP_JACK=pipewire) midisend lets two cycles go by first
#      (-k 2, as in A): there a port reads as connected once the writer's own
#      end of the link is set up, while the reader's end and the daemon's
#      "reader runs after writer" dependency arrive by separate messages
#      (pipewire-jack.c client_node_port_set_mix_info/port_set_io,
#      impl-link.c pw_impl_link_activate), so an event written in that
#      first cycle is, now and then, lost or read a cycle late, with no
#      missed cycle in the daemon's log.  The frames are checked just as
#      exactly.
#
# The servers run in synchronous mode (jackd -S) unless JL_JACKD_OPTS says
# otherwise: in the default asynchronous mode, when an xrun happens (common at
# period 64 without real-time scheduling, especially while clients connect),
# jackd2 may run a client's process callback twice in one cycle or let a
# downstream client run after the frame counter moved on, so an event can be
# stamped one period late or lost.  That is JACK scheduling, not the recorder.
#
# Environment: srcdir (where jacklib.sh is), builddir (where recorder and
# midisend are), or RECORDER / MIDISEND with the programs' paths;
# JL_JACKD_OPTS (default "-S"; set it empty for asynchronous mode).

srcdir=${srcdir:-$(dirname "$0")}
# shellcheck source=tests/jacklib.sh
. "$srcdir/jacklib.sh"

jack_require
MIDISEND=${MIDISEND:-${builddir:-.}/midisend}
JL_JACKD_OPTS=${JL_JACKD_OPTS--S}

work=$(mktemp -d "${TMPDIR:-/tmp}/recselftest.XXXXXX") || exit 1
trap 'jack_stop; rm -rf "$work"' EXIT
trap 'exit 1' HUP INT PIPE TERM

periods="64 256 1024"
per_period=11
tap_plan $((3 * per_period))

# spaced HEX: "903C64" -> "90 3C 64"
spaced() {
	printf '%s\n' "$1" | sed 's/../& /g; s/ $//'
}

# fail_rest N DESC: report N failed tests (when the server could not start).
fail_rest() {
	_k=0
	while [ "$_k" -lt "$1" ]; do
		tap_ok 1 "$2"
		_k=$((_k + 1))
	done
}

# A SysEx message of the largest size midiplay sends: F0, 16384 data bytes, F7.
bigsyx="F0$(awk 'BEGIN { for (i = 0; i < 16384; i++) printf "%02X", i % 128 }')F7"

for p in $periods; do
	jack_start "$p"
	st=$?
	if jl_pipewire; then
		tap_ok $st "period $p: private pipewire $JACK_NAME started (dummy driver)"
	else
		tap_ok $st "period $p: private jackd $JACK_NAME started (options: ${JL_JACKD_OPTS:-none})"
	fi
	if [ $st -ne 0 ]; then
		fail_rest $((per_period - 1)) "period $p: not run (no server)"
		continue
	fi

	# --- A: midisend connects to recorder:in -------------------------------
	# offset:bytes, in the order the recorder must report them
	events="0:903C64 0:B07B00 1:C005 $((p / 4)):F8 $((p / 2)):$bigsyx $((p / 2)):F7F0 $((p - 1)):803C00"
	rec_start "$work/a-$p.out"
	tap_ok $? "period $p A: recorder ready"

	set --
	n=0
	for e in $events; do
		set -- "$@" -e "$e"
		n=$((n + 1))
	done
	start=$("$MIDISEND" -c recorder:in "$@" 2>"$work/a-$p.send.err")
	st=$?
	case $start in '' | *[!0-9]*) st=1 ;; esac
	tap_ok $st "period $p A: midisend sent at cycle start frame ${start:-?}"
	[ $st -eq 0 ] || { _jl_catlog "$work/a-$p.send.err"; start=0; }

	sleep 0.1
	rec_stop 10
	tap_ok $? "period $p A: recorder exit status ${REC_STATUS:-?}"
	grep -qx "recorder: $n events" "$REC_ERR"
	tap_ok $? "period $p A: recorder counted $n events"
	grep 'xruns' "$REC_ERR" | sed 's/^/# /'

	: >"$work/a-$p.exp"
	for e in $events; do
		printf '%s %s\n' "$((start + ${e%%:*}))" "$(spaced "${e#*:}")" >>"$work/a-$p.exp"
	done
	tap_diff "$work/a-$p.exp" "$work/a-$p.out" "period $p A: frames equal cycle start + offset, bytes equal"

	# --- B: the recorder connects to midisend:out (-c) ----------------------
	skip=0
	jl_pipewire && skip=2
	"$MIDISEND" -w -k "$skip" -e "0:9045 7F" -e "$((p - 1)):80457F" >"$work/b-$p.start" 2>"$work/b-$p.send.err" &
	send_pid=$!
	rec_start "$work/b-$p.out" -c midisend:out
	tap_ok $? "period $p B: recorder connected to midisend:out and ready"
	wait $send_pid
	st=$?
	start=$(cat "$work/b-$p.start")
	case $start in '' | *[!0-9]*) st=1 ;; esac
	tap_ok $st "period $p B: midisend sent $skip cycle(s) after its first connected one, frame ${start:-?}"
	[ $st -eq 0 ] || { _jl_catlog "$work/b-$p.send.err"; start=0; }
	sleep 0.1
	rec_stop 10
	tap_ok $? "period $p B: recorder exit status ${REC_STATUS:-?}"
	printf '%s 90 45 7F\n%s 80 45 7F\n' "$((start + 0))" "$((start + p - 1))" >"$work/b-$p.exp"
	tap_diff "$work/b-$p.exp" "$work/b-$p.out" "period $p B: frames equal cycle start + offset, bytes equal"

	pid=$JACKD_PID name=$JACK_NAME
	jack_stop
	! kill -0 "$pid" 2>/dev/null && ! _jl_running "$name"
	tap_ok $? "period $p: ${MP_JACK:-jackd} $name stopped"
done

tap_exit
