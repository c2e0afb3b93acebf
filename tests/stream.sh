#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stream: `midiplay -` on a private JACK server, recorded by tests/recorder:
# exact frames for "@" times and for a score written ahead with "+" waits,
# an SMF dumped and piped back, bad lines skipped (or --strict stopping),
# note durations, panic, and what is left sounding at the end.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/playlib.sh"
trap 'exit 1' HUP INT TERM

# stream_play INPUT [MIDIPLAY ARGS]: pipe INPUT (a file) into midiplay -;
# leaves $tmp/got ("FRAME-ZERO BYTES"), $tmp/err and $status.
stream_play() {
	in=$1
	shift
	play_file - "$@" <"$in"
}

# stream_exact INPUT [MIDIPLAY ARGS]: stream_play, then succeed when
# $tmp/got equals $tmp/want (both as PipeWire delivers: jl_pw_normalise)
# and midiplay exited 0.
stream_exact() {
	stream_play "$@"
	jl_pw_normalise "$tmp/want" "$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" && [ "$status" -eq 0 ]
}

# relative FILE: frames minus the first one
relative() {
	awk 'NR == 1 { z = $1 } { $1 = $1 - z; print }' "$1"
}

tap_plan 25
jack_start 256 || exit 1

printf '@0.5 on 60 1\n@1.5 off 60 0\n' >"$tmp/in"
printf '24000 90 3C 01\n72000 80 3C 00\n' >"$tmp/want"
jl_exact stream_exact "$tmp/in"
tap_diff "$tmp/want" "$tmp/got" "@0.5 and @1.5 arrive at frames 24000 and 72000, 48000 apart"
tap_ok $status "exit status 0"

# A score written ahead with waits: exact to the frame, relative to its
# first event (which plays one latency after the first line arrived).
printf '%s\n' "on 60 100" "+0.5 off 60 0" "+250ms on 62 90" "+250000us off 62 0" \
    "tempo 90" "+1b on 64 80" "+0.5b off 64 0" "wait 10us cc 1 20" \
    "+00:00:01.060 cc 1 30" "+01.060 cc 1 40" "+0.000020833 cc 1 50" >"$tmp/in"
"$MIDIPLAY" --dump - <"$tmp/in" | "$PYTHON3" "$top_srcdir/tests/oracle.py" dump2frames 48000 >"$tmp/want.abs"
relative "$tmp/want.abs" >"$tmp/want"
# score_exact: play the score; succeed when it arrived exact, relative to its first event
score_exact() {
	stream_play "$tmp/in"
	relative "$tmp/got" >"$tmp/got.rel"
	cmp -s "$tmp/want" "$tmp/got.rel"
}
jl_exact score_exact
tap_diff "$tmp/want" "$tmp/got.rel" "a score written ahead with +, wait and beats plays exact to the frame"

# An SMF through --dump and back: the same events at the same frames.
"$MIDIPLAY" --dump "$top_srcdir/samples/drums.mid" >"$tmp/drums.txt"
"$PYTHON3" "$top_srcdir/tests/oracle.py" frames 48000 "$top_srcdir/samples/drums.mid" >"$tmp/want"
jl_exact stream_exact "$tmp/drums.txt"
tap_diff "$tmp/want" "$tmp/got" "midiplay --dump drums.mid | midiplay - sends what drums.mid sends, to the frame"
tap_ok $status "exit status 0"

# Times on half frames, printed to the nanosecond by --dump, still land on
# the frame the file gives them (round(t x rate), halves up).
"$MIDIPLAY" --dump "$top_srcdir/tests/data/half-frames.mid" >"$tmp/half.txt"
"$PYTHON3" "$top_srcdir/tests/oracle.py" frames 48000 "$top_srcdir/tests/data/half-frames.mid" >"$tmp/want"
jl_exact stream_exact "$tmp/half.txt"
tap_diff "$tmp/want" "$tmp/got" "half frames through --dump and back: the file's own frames"
tap_ok $status "exit status 0"

# Bad lines are reported and skipped whole; the rest plays; exit 1.
printf '@0 on 60 100\n@0.1 on 61 200\n@0.1 bogus\n@0.2 ch 5 on 62 100 cc 300 1\n@0.3 off 60 0\n' >"$tmp/in"
stream_play "$tmp/in"
printf '0 90 3C 64\n14400 80 3C 00\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "bad lines send nothing of themselves, the good ones play"
[ $status -eq 1 ] && grep -q '^midiplay: <stdin>:2:12: ' "$tmp/err" &&
    grep -q '^midiplay: <stdin>:3:6: ' "$tmp/err" && grep -q '^midiplay: <stdin>:4:' "$tmp/err"
tap_ok $? "each bad line named as <stdin>:LINE:COL, exit 1"

# --strict stops at the first bad line and releases what sounds.
printf '@0 on 60 100\n@0 cc 64 127\n@0.1 on 61 200\n@0.2 on 62 100\n' >"$tmp/in"
stream_play "$tmp/in" --strict
awk '{ print $2, $3, $4 }' "$tmp/got" >"$tmp/got.bytes"
printf '90 3C 64\nB0 40 7F\n80 3C 00\nB0 40 00\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got.bytes" "--strict: stops at the bad line, note-off and sustain off sent"
[ $status -eq 1 ]
tap_ok $? "--strict: exit status 1"

# note sends its own note-off DUR later, even after the end of input.
printf '@0 note 60 100 0.5\n@0.25 note 60 90 0.5\n' >"$tmp/in"
stream_play "$tmp/in"
printf '0 90 3C 64\n12000 80 3C 00\n12000 90 3C 5A\n36000 80 3C 00\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "note: each note-on gets one note-off; a repeat moves the first one before it"
tap_ok $status "note: all pending note-offs sent before exit 0"

# An explicit on left sounding stays, with a warning; --release ends it.
printf '@0 on 60 100\n@0.1 on 64 100\n@0.1 off 64 0\n' >"$tmp/in"
stream_play "$tmp/in"
[ "$(wc -l <"$tmp/got")" -eq 3 ] && grep -q "1 note left sounding" "$tmp/err" && [ $status -eq 0 ]
tap_ok $? "an explicit on left sounding: sent as is, a warning, exit 0"
stream_play "$tmp/in" --release
awk '{ print $2, $3, $4 }' "$tmp/got" | tail -2 >"$tmp/got.bytes"
printf '80 3C 00\nB0 40 00\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got.bytes" "--release: its note-off and sustain off at the end"
tap_ok $status "--release: exit status 0"

# panic: note-offs for what sounds, then CC 64, 120, 121, 123 everywhere.
printf '@0 on 60 100\n@0 ch 3 on 64 100\n@0.1 panic\n@0.2 on 70 1\n' >"$tmp/in"
stream_play "$tmp/in"
awk '$1 == 4800' "$tmp/got" | head -2 >"$tmp/got.offs"
printf '4800 80 3C 00\n4800 82 40 00\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got.offs" "panic: the sounding notes' note-offs first"
n=$(awk '$1 == 4800 && $2 ~ /^B/' "$tmp/got" | wc -l)
[ "$n" -eq 64 ] && awk '$1 == 4800 && $2 ~ /^B/ { print $3 }' "$tmp/got" | sort -u | tr '\n' ' ' | grep -qx '40 78 79 7B '
tap_ok $? "panic: then CC 64, 120, 121, 123 = 0 on all 16 channels ($n controllers)"
tail -1 "$tmp/got" | grep -qx '9600 92 46 01'
tap_ok $? "panic: and playing goes on after it"

# Live: lines written 0.2 s apart, as a script would, all arrive.
rec_start "$tmp/rec" -t 1.5 || exit 1
( for k in 60 61 62 63 64; do echo "on $k 100"; echo "off $k 0"; sleep 0.2; done ) |
    timeout -s KILL 30 "$MIDIPLAY" -c recorder:in - 2>"$tmp/err"
st=$?
rec_wait 20 >/dev/null
[ "$(wc -l <"$tmp/rec")" -eq 10 ] && [ $st -eq 0 ]
tap_ok $? "live lines: all 10 events arrive, exit 0"

# raw may send any bytes, a "note-on" with a key of 0x90 too: it goes out
# as it is, and nothing that tracks notes indexes by such a key (the
# sanitizer build checks the bounds).
printf 'raw 0x90 0x90 2\nch 16 on 60 100\n+0.1 raw 0x9F 0xFF 0x7F\nch 16 off 60 0\n' >"$tmp/in"
stream_play "$tmp/in"
printf '90 90 02\n9F 3C 64\n9F FF 7F\n8F 3C 00\n' >"$tmp/want"
cut -d' ' -f2- "$tmp/got" >"$tmp/got.bytes"
[ "$status" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got.bytes"
tap_ok $? "raw note-ons with keys of 0x80 and more go out as they are, exit $status"

# The thread reading the stream asks for real-time scheduling (SCHED_FIFO)
# and -v says whether it got it; without the right to it, it plays all the
# same.  Expected here: what chrt says this user may do.
live_v() {
	rec_start "$tmp/rec" -t 1 || exit 1
	( echo "on 60 100"; sleep 0.1; echo "off 60 0" ) |
	    timeout -s KILL 30 "$@" -v -c recorder:in - 2>"$tmp/err"
	status=$?
	rec_wait 20 >/dev/null
}
if chrt -f 1 true 2>/dev/null; then
	want='reading the stream at real-time priority 1$'
else
	want='reading the stream without real-time priority'
fi
live_v "$MIDIPLAY"
grep -q "^midiplay: $want" "$tmp/err"
tap_ok $? "-v: $(grep 'reading the stream' "$tmp/err" | head -1)"
[ "$(wc -l <"$tmp/rec")" -eq 2 ] && [ $status -eq 0 ]
tap_ok $? "both events arrive, exit $status"
# No right to it: RLIMIT_RTPRIO 0 and, for root, no CAP_SYS_NICE.
live_v sh -c 'ulimit -r 0 || exit 125
	[ "$(id -u)" -eq 0 ] && exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice "$@"
	exec "$@"' nort "$MIDIPLAY"
grep -q '^midiplay: reading the stream without real-time priority: Operation not permitted' "$tmp/err"
tap_ok $? "without the right: $(grep 'reading the stream' "$tmp/err" | head -1)"
[ "$(wc -l <"$tmp/rec")" -eq 2 ] && [ $status -eq 0 ]
tap_ok $? "without the right: both events arrive all the same, exit $status"
