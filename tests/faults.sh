#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# faults: no stuck notes and no lost events when things go wrong.  Signals
# mid-play (file and stream): every note-on that arrived has its note-off
# and sustain is released, with the exit status of the signal; a second
# signal exits at once; the JACK server killed mid-play: midiplay says so
# and exits 1; bursts of 100000 events at one instant at periods 16 and
# 2048 (64 and 2048 on PipeWire): every event arrives, in order, at most
# 1000 per cycle; a real xrun
# (midiplay stopped for 0.3 s on an asynchronous server): the events it
# made late go out in order and are counted.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# balanced FILE: note-ons minus note-offs is 0 for every channel and key
# (a note-on of velocity 0 counts as a note-off), and every channel that
# sounded a note got CC 64 = 0 after its last note-on.
balanced() {
	awk '{ st = substr($2, 1, 1); ch = substr($2, 2, 1) }
	    st == "9" && $4 != "00" { n[ch " " $3]++; used[ch] = NR }
	    st == "8" || (st == "9" && $4 == "00") { n[ch " " $3]-- }
	    st == "B" && $3 == "40" && $4 == "00" { sus[ch] = NR }
	    END { for (k in n) if (n[k] != 0) { print "# sounding: " k; bad = 1 }
	          for (c in used) if (!(c in sus) || sus[c] < used[c]) { print "# no sustain off: " c; bad = 1 }
	          exit bad }' "$1"
}

tap_plan 19
jack_start 256 || exit 1

for sig in INT TERM HUP; do
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	rec_start "$tmp/rec" -t 1 || exit 1
	"$MIDIPLAY" -v -c recorder:in "$top_srcdir/samples/tempo.mid" 2>"$tmp/err" &
	pid=$!
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $pid
	sleep 1.2
	kill -$sig $pid
	wait $pid
	st=$?
	rec_wait 10 >/dev/null
	[ $st -eq $want ]
	tap_ok $? "SIG$sig mid-play: exit status $want (got $st)"
	balanced "$tmp/rec" && [ "$(wc -l <"$tmp/rec")" -gt 10 ]
	tap_ok $? "SIG$sig mid-play: no note left sounding, sustain released ($(wc -l <"$tmp/rec") events)"
done

# The stream too, with notes from `note` still pending.
rec_start "$tmp/rec" -t 1 || exit 1
mkfifo "$tmp/fifo"
"$MIDIPLAY" -v -c recorder:in - <"$tmp/fifo" 2>"$tmp/err" &
pid=$!
{ printf 'note 60 100 5\nch 2 on 64 90\n+0.1 ch 3 note 67 80 5\n'; sleep 3; } >"$tmp/fifo" &
writer=$!
jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $pid
sleep 0.7
kill -INT $pid
wait $pid
kill $writer 2>/dev/null
rec_wait 10 >/dev/null
balanced "$tmp/rec" && [ "$(grep -c '^[0-9]* 9' "$tmp/rec")" -eq 3 ]
tap_ok $? "SIGINT in a stream: the three notes sounding get their note-offs"

# A second signal exits at once, without waiting for the release.
"$MIDIPLAY" -v -W "$top_srcdir/samples/tempo.mid" 2>"$tmp/err" &
pid=$!
jl_await_line "$tmp/err" '^midiplay: waiting for a connection' 10 $pid
kill -INT $pid; kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ]
tap_ok $? "a second SIGINT exits at once with status 130 (got $st)"

# Bursts: 100000 note-ons at one instant, then their note-offs.
awk 'BEGIN { for (i = 0; i < 100000; i++)
    printf "@0.5 ch %d on %d %d\n", i % 16 + 1, i % 128, i % 127 + 1 }' >"$tmp/burst.txt"
# PipeWire has no synchronous mode: at a 16-frame period (a third of a
# millisecond) on a busy machine without real-time scheduling it misses
# cycles, and the recorder with them, whatever midiplay does; its burst
# runs at 64 frames instead.
small=16
jl_pipewire && small=64
for period in $small 2048; do
	jack_start $period || exit 1
	awk '{ printf "%X %02X %02X\n", 144 + ($3 - 1), $5, $6 }' "$tmp/burst.txt" >"$tmp/want"
	# burst: play it; succeed when every event arrived, in order, at most 1000 a cycle
	burst() {
		rec_start "$tmp/rec" -t 2 || exit 1
		timeout -s KILL 60 "$MIDIPLAY" -v -c recorder:in - <"$tmp/burst.txt" 2>"$tmp/err"
		st=$?
		rec_wait 30 >/dev/null
		awk '{ print $2, $3, $4 }' "$tmp/rec" >"$tmp/got"
		most=$(awk '{ n[$1]++ } END { m = 0; for (f in n) if (n[f] > m) m = n[f]; print m }' "$tmp/rec")
		cmp -s "$tmp/want" "$tmp/got" && [ "$most" -le 1000 ]
	}
	jl_exact burst
	cmp -s "$tmp/want" "$tmp/got"
	tap_ok $? "period $period: all 100000 events of a burst arrive, in order ($(wc -l <"$tmp/rec"))"
	first=$(head -1 "$tmp/rec" | cut -d' ' -f1)
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	# (at 0.5 s: time enough to read the 100000 lines first, even on
	# PipeWire, whose clock does not wait for a busy client)
	[ "$most" -le 1000 ] && [ $((first - zero)) -eq 24000 ]
	tap_ok $? "period $period: the first at frame 24000 (got $((first - zero))), at most 1000 in one cycle (most $most)"
	[ $st -eq 0 ] && grep -q ' [0-9]* carried' "$tmp/err"
	tap_ok $? "period $period: exit 0 (got $st), the carried events counted"
	[ $st -eq 0 ] || { sed 's/^/# /' "$tmp/err"; sed 's/^/# /' "$REC_ERR"; }
done

# The server dies mid-play: midiplay notices, says so, exits 1.
jack_start 256 || exit 1
rec_start "$tmp/rec" -t 1 || exit 1
"$MIDIPLAY" -v -c recorder:in "$top_srcdir/samples/tempo.mid" 2>"$tmp/err" &
pid=$!
jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $pid
sleep 0.7
kill -KILL "$JACKD_PID"
t0=$(date +%s%N)
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ms=$((($(date +%s%N) - t0) / 1000000))
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid
st=$?
wait "$JACKD_PID" 2>/dev/null
JACKD_PID=
jack_reclaim "$JACK_NAME"
[ $st -eq 1 ] && grep -q "the JACK server stopped or dropped midiplay" "$tmp/err"
tap_ok $? "server killed mid-play: a clear message, exit 1 (status $st)"
[ $ms -lt 1300 ]
tap_ok $? "server killed mid-play: noticed within a second, gone in ${ms} ms, no hang"

# A real xrun.  A synchronous server waits for a stopped client, so this
# one is asynchronous: while midiplay is stopped (SIGSTOP) the server goes
# on without it, its frames advance, and when it runs again the events
# due meanwhile are late.  An asynchronous server also loses events when
# the recorder itself runs late on a busy machine (see jacklib.sh), so an
# attempt where the recorder got fewer than it was sent is made again, up
# to three times, and each such attempt is shown.
awk 'BEGIN { for (i = 0; i < 200; i++)
    printf "@%.3f on %d 100\n@%.3f off %d 0\n", i * 0.01, i % 100, i * 0.01 + 0.005, i % 100 }' >"$tmp/xrun.txt"
awk '{ printf "%s %02X %02X\n", $2 == "on" ? "90" : "80", $3, $4 }' "$tmp/xrun.txt" >"$tmp/want"
rec_stop >/dev/null 2>&1   # the one of the server-kill test
JL_JACKD_OPTS=" "
attempt=0
while [ $attempt -lt 3 ]; do
	attempt=$((attempt + 1))
	jack_start 256 || exit 1
	rec_start "$tmp/rec" -t 2 || exit 1
	renice -n -10 -p "$REC_PID" >/dev/null 2>&1
	"$MIDIPLAY" -v -c recorder:in - <"$tmp/xrun.txt" 2>"$tmp/err" &
	pid=$!
	# (mid-play: the events run from 0 to 2 s)
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $pid
	sleep 0.5
	kill -STOP $pid
	sleep 0.3
	kill -CONT $pid
	wait $pid
	st=$?
	rec_wait 10 >/dev/null
	got=$(wc -l <"$tmp/rec")
	[ "$got" -eq 400 ] && break
	tap_diag "xrun attempt $attempt: the recorder got $got of 400 (asynchronous server)"
done
unset JL_JACKD_OPTS
awk '{ print $2, $3, $4 }' "$tmp/rec" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" && sort -c -s -n -k1,1 "$tmp/rec" 2>/dev/null
tap_ok $? "xrun: all 400 events arrive in order ($got)"
late=$(sed -n 's/.* sent, \([0-9]*\) late,.*/\1/p' "$tmp/err")
xruns=$(sed -n 's/.*, \([0-9]*\) xruns;.*/\1/p' "$tmp/err")
if jl_pipewire; then
	# PipeWire never calls a client's xrun callback (DESIGN.md): only
	# the late events can be counted there
	[ "${late:-0}" -gt 0 ]
	tap_ok $? "xrun: -v counts the late events (${late:-none}; PipeWire reports no xruns to clients)"
else
	[ "${late:-0}" -gt 0 ] && [ "${xruns:-0}" -gt 0 ]
	tap_ok $? "xrun: -v counts the late events (${late:-none}) and the xruns (${xruns:-none})"
fi
[ $st -eq 0 ]
tap_ok $? "xrun: exit status 0 (got $st)"
[ $st -eq 0 ] || sed 's/^/# /' "$tmp/err"
tap_exit
