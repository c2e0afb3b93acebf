#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rtcheck: midiplay's JACK process callback never allocates, locks or makes
# a system call.  midiplay runs on a private JACK server with
# tests/rtcheck.so preloaded: it wraps the process callback and counts the
# calls of the allocator, the pthread locks, semaphores, stdio output and
# the libc system call wrappers made while the callback runs (see
# tests/rtcheck.c).  Each run must show cycles > 0 (the wrapper really
# ran, so the test cannot pass by seeing nothing) and total == 0.  A last
# run with RTCHECK_SELFTEST=1 proves that the checker does see a call.
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/tests/jacklib.sh"
jack_require
MIDIPLAY=${MIDIPLAY:-${top_builddir:-$top_srcdir}/src/midiplay}
unset RTCHECK_SELFTEST RTCHECK_OUT     # set per run below, never inherited

so_dir=$(cd "${builddir:-$(dirname "$0")}" && pwd) || exit 1
so="$so_dir/rtcheck.so"
if [ ! -f "$so" ]; then
	echo "Bail out! $so is not built"
	exit 1
fi

tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# count FILE KEY: the number on FILE's "KEY N" line, or -1 without one.
count() {
	if [ -f "$1" ]; then
		awk -v k="$2" '$1 == k { n = $2 } END { print (n == "" ? -1 : n) }' "$1"
	else
		echo -1
	fi
}

# report FILE: FILE as TAP comments, or say that there is none.
report() {
	if [ -f "$1" ]; then
		tap_diag "the checker's report:"
		_jl_catlog "$1"
	else
		tap_diag "no report from the checker: rtcheck.so did not wrap a process callback"
	fi
}

# checked NAME [ENV=VALUE...] -- MIDIPLAY ARGS: run midiplay -v under the
# checker, into the recorder; leaves $tmp/NAME.rt (the report),
# $tmp/NAME.err (midiplay's stderr), $tmp/NAME.rec and $status.
checked() {
	name=$1
	shift
	envs=
	while [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	shift
	: >"$tmp/$name.rec"
	rm -f "$tmp/$name.rt"
	rec_start "$tmp/$name.rec" -t 1.5 || { status=1; return 1; }
	# shellcheck disable=SC2086 # $envs is split on purpose
	timeout -s KILL 60 env $envs LD_PRELOAD="$so${LD_PRELOAD:+ $LD_PRELOAD}" \
	    RTCHECK_OUT="$tmp/$name.rt" "$MIDIPLAY" -v -c recorder:in "$@" \
	    2>"$tmp/$name.err"
	status=$?
	rec_wait 20 >/dev/null
}

# verdict NAME DESC WANT_STATUS: two tests, "the checker ran" (exit status
# WANT_STATUS and cycles > 0) and "nothing forbidden" (total == 0).
# interrupt PID: SIGINT, up to 20 s to end (then SIGKILL); its exit
# status in $status.
interrupt() {
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1"
	wait "$1"
	status=$?
}

verdict() {
	cycles=$(count "$tmp/$1.rt" cycles)
	total=$(count "$tmp/$1.rt" total)
	[ "$status" -eq "$3" ] && [ "$cycles" -gt 0 ]
	tap_ok $? "$2: ran under the checker, exit status $status, $cycles cycles through the wrapper"
	if [ "$cycles" -le 0 ] || [ "$status" -ne "$3" ]; then
		tap_diag "wanted exit status $3"
		report "$tmp/$1.rt"
		tap_diag "midiplay's stderr:"
		head -n 60 "$tmp/$1.err" | sed 's/^/# /'
	fi
	[ "$total" -eq 0 ]
	tap_ok $? "$2: no allocation, lock or system call in the callback (total $total)"
	if [ "$total" -ne 0 ]; then
		report "$tmp/$1.rt"
		tap_diag "midiplay's stderr (with the stacks of the first calls):"
		head -n 200 "$tmp/$1.err" | sed 's/^/# /'
	fi
}

tap_plan 24
jack_start 256 || exit 1

# (a) 3000 note-ons at one instant: cycles fill up and carry the rest.
checked burst -- "$top_srcdir/tests/data/burst-3000.mid"
verdict burst "burst-3000.mid" 0
grep -q ' 4000 carried' "$tmp/burst.err" && [ "$(wc -l <"$tmp/burst.rec")" -eq 6000 ]
tap_ok $? "burst-3000.mid: full cycles carried 4000 events, all 6000 arrived"

# (a') the same burst under a budget of 64 events and 960 bytes a cycle
checked budget -- --cycle-limit 64/960 "$top_srcdir/tests/data/burst-3000.mid"
verdict budget "burst-3000.mid with --cycle-limit 64/960" 0
grep -q 'held events back in 92 cycles' "$tmp/budget.err" &&
    [ "$(wc -l <"$tmp/budget.rec")" -eq 6000 ]
tap_ok $? "--cycle-limit: 92 cycles at the budget, all 6000 events arrived"

# (a2) several ports: 4 tracks to 4 ports (all connected to the
# recorder by -c) under a budget that makes each port carry, through the
# ports' own carries
checked split -- --split track --cycle-limit 500 "$top_srcdir/tests/data/burst-4ports.mid"
verdict split "burst-4ports.mid, --split track --cycle-limit 500" 0
[ "$(wc -l <"$tmp/split.rec")" -eq 6000 ] && grep -q ' 6000 events sent' "$tmp/split.err"
tap_ok $? "--split track: 6000 events sent over 4 ports, all received"

# (a3) a stream whose port is made while it plays: its lines come half a
# second after the first (what the input holds at the start is taken
# before time zero, and its ports made then)
mkfifo "$tmp/ports.fifo"
{ printf 'on 60 100\n'; sleep 0.5
  printf 'port drums\n+0.1 ch 10 on 36 100\n+0.1 off 36 0\nport out\n+0.1 ch 1 off 60 0\n'
} >"$tmp/ports.fifo" &
writer=$!
checked sports -- - <"$tmp/ports.fifo"
wait "$writer"
verdict sports "a stream making a port while it plays" 0
[ "$(wc -l <"$tmp/sports.rec")" -eq 4 ] &&
    awk '/^midiplay: playing from frame/ { p = 1 }
	/^midiplay: connected midiplay:drums/ { c = 1; late = p }
	END { exit !(c && late) }' "$tmp/sports.err"
tap_ok $? "a stream making a port while it plays: made after time zero, all 4 events received"

# (b) an ordinary file
checked drums -- "$top_srcdir/samples/drums.mid"
verdict drums "drums.mid" 0

# (b') the same, recording what is sent (--record): the callback hands
# every event back through the second ring
checked record -- --record "$tmp/record.mid" "$top_srcdir/samples/drums.mid"
verdict record "drums.mid with --record" 0
[ "$("$MIDIPLAY" --dump "$tmp/record.mid" | wc -l)" -eq "$(wc -l <"$tmp/record.rec")" ]
tap_ok $? "--record: the saved file holds as many events as the recorder received"

# (c) a stream with a panic, stopped by SIGINT while a note sounds: the
# panic and the release on stop both run in the callback.
printf '@0 on 60 100\n@0.2 panic\n@0.3 on 61 100\n@5 off 61 0\n' >"$tmp/sig.in"
: >"$tmp/sig.rec"
rm -f "$tmp/sig.rt"
status=1
if rec_start "$tmp/sig.rec" -t 1.5; then
	env LD_PRELOAD="$so${LD_PRELOAD:+ $LD_PRELOAD}" RTCHECK_OUT="$tmp/sig.rt" \
	    "$MIDIPLAY" -v -c recorder:in - <"$tmp/sig.in" 2>"$tmp/sig.err" &
	pid=$!
	sleep 1
	# on a slow machine, wait (10 s) for note 61 to sound first
	jl_await_line "$tmp/sig.rec" ' 90 3D 64$' 10 "$pid"
	interrupt "$pid"
	rec_wait 20 >/dev/null
fi
verdict sig "stream with a panic, then SIGINT" 130
# the panic's controllers, then the release on stop: 61's note-off, sustain off
n=$(awk '$2 == "B0" && $3 == "7B"' "$tmp/sig.rec" | wc -l)
[ "$n" -eq 1 ] && tail -n 2 "$tmp/sig.rec" | awk '{ print $2, $3, $4 }' |
    tr '\n' ' ' | grep -qx '80 3D 00 B0 40 00 '
tap_ok $? "stream: the panic and the release on SIGINT were sent through the checked callback"

# (e) following the transport, with clock: start, stop, locate while
# stopped and while rolling, all through the checked callback.
: >"$tmp/tr.rec"
rm -f "$tmp/tr.rt"
status=1
if rec_start "$tmp/tr.rec" -t 0; then
	env LD_PRELOAD="$so${LD_PRELOAD:+ $LD_PRELOAD}" RTCHECK_OUT="$tmp/tr.rt" \
	    "$MIDIPLAY" -v --transport --clock -c recorder:in \
	    "$top_srcdir/tests/data/control.mid" 2>"$tmp/tr.err" &
	pid=$!
	# until it follows (its callback runs): under the checker on a busy
	# PipeWire that took more than the second once waited here, and the
	# whole transport session below was over before it began
	jl_await_line "$tmp/tr.err" 'following the JACK transport' 10 "$pid"
	"${TRANSPORT:-${builddir:-.}/transport}" locate 0 start wait-roll \
	    sleep 400 stop wait-stop locate 96000 start wait-roll sleep 300 \
	    locate 24000 wait-roll sleep 300 stop wait-stop >/dev/null
	interrupt "$pid"
	rec_stop 20 >/dev/null
fi
verdict tr "--transport --clock: start, stop, locate, SIGINT" 130
n=$(grep -c ' F8$' "$tmp/tr.rec")
[ "$n" -gt 30 ]
tap_ok $? "--transport: events and $n clocks were sent through the checked callback"

# (d) the checker can fail: the wrapper calls malloc and free itself, once,
# inside the callback's flag.
printf '@0 on 60 100\n@0.1 off 60 0\n' >"$tmp/self.in"
checked self RTCHECK_SELFTEST=1 -- - <"$tmp/self.in"
cycles=$(count "$tmp/self.rt" cycles)
total=$(count "$tmp/self.rt" total)
[ "$status" -eq 0 ] && [ "$cycles" -gt 0 ] && [ "$total" -ge 2 ] &&
    [ "$(count "$tmp/self.rt" malloc)" -ge 1 ] &&
    [ "$(count "$tmp/self.rt" free)" -ge 1 ]
tap_ok $? "self-test: a malloc and free in the callback are caught (total $total, $cycles cycles)"
[ "$total" -lt 2 ] && report "$tmp/self.rt"

jack_stop
tap_exit
