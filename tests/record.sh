#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# record: --record OUT.mid plays as usual and writes what was actually
# sent, at the frames it went out.  The saved file must hold exactly
# what tests/recorder received on a private server, each event within
# half a tick (1/1920 s at 960 ticks a quarter and 120 bpm) of the frame
# the recorder saw, counted from playback time zero: for a file, a file
# with --clock, a live stream whose lines come with real pauses (one of
# them late), and a SIGINT mid-play, after which the file is complete
# and leaves no note on.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
data="$top_srcdir/tests/data"
samples="$top_srcdir/samples"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
check="$top_srcdir/tests/smfcheck.py"
. "$top_srcdir/tests/playlib.sh"

# same_as_received OUT.mid: the file holds what the recorder got
# ($tmp/got, frames from time zero), event for event.
same_as_received() {
	"$MIDIPLAY" --dump "$1" >"$tmp/saved.dump" 2>"$tmp/dump.err" &&
	    "$PYTHON3" "$check" frames "$tmp/saved.dump" 48000 "$tmp/got" "$1" >"$tmp/frames"
}

tap_plan 16
jack_start 256 || exit 1

# 1. A file.
rec_file() {
	rm -f "$tmp/r.mid"
	play_file "$samples/tempo.mid" --record "$tmp/r.mid"
	[ "$status" -eq 0 ] && same_as_received "$tmp/r.mid"
}
jl_exact rec_file
tap_ok $? "tempo.mid: the saved file is what the recorder received, each within half a tick ($(cat "$tmp/frames"))"
grep -q "r.mid: recorded $(wc -l <"$tmp/got") events" "$tmp/err" &&
    head -c 14 "$tmp/r.mid" | od -An -tx1 | tr -d ' \n' | grep -qx 4d546864000000060000000103c0
tap_ok $? "format 0, 960 ticks a quarter; -v counts the recorded events"

# 2. With --clock: the clock, Start and Stop are in it too.
rec_clock() {
	rm -f "$tmp/c.mid"
	play_file "$data/control.mid" --clock --start 2:1 --end 4:1 --record "$tmp/c.mid"
	[ "$status" -eq 0 ] && same_as_received "$tmp/c.mid"
}
jl_exact rec_clock
tap_ok $? "--clock --start --end: clock, Song Position, Continue and Stop recorded as sent ($(cat "$tmp/frames"))"
n=$(grep -c ' raw 0xF8$' "$tmp/saved.dump")
[ "$n" -gt 100 ] && grep -q ' raw 0xFC$' "$tmp/saved.dump"
tap_ok $? "the saved file holds the $n clocks and the Stop"

# 3. A live stream: lines written with real pauses, one of them with a
# time already past when it arrives (sent late, at the frame it really
# left).  The pauses count from time zero: how long midiplay takes to get
# there is the machine's.
live() {
	printf 'ch 2 on 60 100\n'
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10
	sleep 0.3
	printf 'off 60 0\n+0.1 note 64 90 0.2\n'
	sleep 0.6
	printf '@0.2 cc 7 99\n'
	sleep 0.2
	printf 'pb 8192\n+0.05 syx 0x7E 0x7F 0x09 0x01\n'
}
rec_live() {
	rm -f "$tmp/l.mid"
	: >"$tmp/rec"
	rec_start "$tmp/rec" -t 0 || return 1
	: >"$tmp/err"
	live | timeout -s KILL 30 "$MIDIPLAY" -v -c recorder:in --record "$tmp/l.mid" - 2>"$tmp/err"
	status=$?
	sleep 0.2
	rec_stop 10 >/dev/null
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	awk -v z="${zero:-0}" '{ $1 = $1 - z; print }' "$tmp/rec" >"$tmp/got"
	jl_pw_normalise "$tmp/got"
	[ "$status" -eq 0 ] && [ "$(wc -l <"$tmp/got")" -eq 7 ] && same_as_received "$tmp/l.mid"
}
jl_exact rec_live
tap_ok $? "a live stream with real pauses: saved as the recorder heard it ($(cat "$tmp/frames"))"
late=$(sed -n 's/.* sent, \([0-9]*\) late,.*/\1/p' "$tmp/err")
cc=$(awk '$2 == "B1" { print $1 }' "$tmp/got")
[ "${late:-0}" -ge 1 ] && [ "${cc:-0}" -gt 40000 ] && grep -q "@$(awk -v f="${cc:-0}" 'BEGIN { printf "%d", f / 48000 }')\.[0-9]* ch 2 cc 7 99" "$tmp/saved.dump"
tap_ok $? "the late @0.2 line: recorded where it went out (frame ${cc:-none}, $late late), not at 0.2 s"

# 4. SIGINT mid-play: the file is completed with the release's note-offs
# and sustain off; no note is left on in it.
rec_sigint() {
	rm -f "$tmp/s.mid"
	: >"$tmp/rec"
	rec_start "$tmp/rec" -t 0 || return 1
	"$MIDIPLAY" -v -c recorder:in --record "$tmp/s.mid" \
	    "$samples/tempo.mid" 2>"$tmp/err" &
	pid=$!
	# (2 s in all, from the start: not from the launch, which a loaded
	# machine can hold up)
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 "$pid"
	sleep 1.8
	kill -INT "$pid"
	wait "$pid"
	status=$?
	sleep 0.2
	rec_stop 10 >/dev/null
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	awk -v z="${zero:-0}" '{ $1 = $1 - z; print }' "$tmp/rec" >"$tmp/got"
	jl_pw_normalise "$tmp/got"
	[ "$status" -eq 130 ] && same_as_received "$tmp/s.mid"
}
jl_exact rec_sigint
tap_ok $? "SIGINT 1.8 s into playing: exit 130, the file holds what was heard, releases included ($(cat "$tmp/frames"))"
# note-ons minus note-offs per channel and key, in the saved file
"$PYTHON3" "$check" ticks "$tmp/s.mid" | awk '
	$3 == "on" && $5 > 0 { n[$2 " " $4]++ }
	$3 == "off" || ($3 == "on" && $5 == 0) { n[$2 " " $4]-- }
	$3 == "cc" && $4 == 64 { sus[$2] = $5 }
	END { for (k in n) if (n[k] != 0) bad++; for (c in sus) if (sus[c] >= 64) bad++; exit bad > 0 }'
tap_ok $? "no note left on and no sustain held in the saved file"
n=$("$PYTHON3" "$check" ticks "$tmp/s.mid" | wc -l)
m=$("$PYTHON3" "$check" ticks "$samples/tempo.mid" | wc -l)
[ "$n" -gt 5 ] && [ "$n" -lt "$m" ]
tap_ok $? "it stopped mid-play: $n events of the file's $m"

# 5. SIGTERM on a stream that is still writing: the same.
rec_sigterm() {
	rm -f "$tmp/t.mid"
	: >"$tmp/rec"
	rec_start "$tmp/rec" -t 0 || return 1
	{ printf 'on 60 100\ncc 64 127\n'; sleep 5; } |
	    "$MIDIPLAY" -v -c recorder:in --record "$tmp/t.mid" - 2>"$tmp/err" &
	pid=$!
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 "$pid"
	sleep 0.8
	kill -TERM "$pid"
	wait "$pid"
	sleep 0.2
	rec_stop 10 >/dev/null
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	awk -v z="${zero:-0}" '{ $1 = $1 - z; print }' "$tmp/rec" >"$tmp/got"
	same_as_received "$tmp/t.mid" &&
	    [ "$(cut -d' ' -f2- "$tmp/got" | tr '\n' ';')" = "90 3C 64;B0 40 7F;80 3C 00;B0 40 00;" ]
}
jl_exact rec_sigterm
tap_ok $? "SIGTERM on a live stream: the note-off and sustain off of the release are in the file ($(cat "$tmp/frames"))"

# 6. Bad names: refused before anything plays.
: >"$tmp/rec"
rec_start "$tmp/rec" -t 0 || exit 1
timeout -s KILL 20 "$MIDIPLAY" -c recorder:in --record "$tmp/nodir/x.mid" "$samples/scale.mid" 2>"$tmp/err"
st=$?
sleep 0.2
rec_stop 10 >/dev/null
[ $st -eq 1 ] && grep -q "nodir/x.mid: cannot create a file there: No such file or directory" "$tmp/err" &&
    [ ! -s "$tmp/rec" ]
tap_ok $? "--record where no file can be made: an error before anything plays, exit 1"
cp "$samples/scale.mid" "$tmp/in.mid"
timeout -s KILL 20 "$MIDIPLAY" --record "$tmp/in.mid" "$tmp/in.mid" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "is the file being played; --record needs another name" "$tmp/err" &&
    cmp -s "$tmp/in.mid" "$samples/scale.mid"
tap_ok $? "--record onto the file being played: refused, the file intact"
# a take already at OUT survives a run that ends before playing (here a
# -c NAME=PORT that names no output)
cp "$samples/scale.mid" "$tmp/take.mid"
timeout -s KILL 20 "$MIDIPLAY" -c nosuch=recorder:in --record "$tmp/take.mid" \
    "$samples/tempo.mid" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "take.mid: not written: nothing was played" "$tmp/err" &&
    cmp -s "$tmp/take.mid" "$samples/scale.mid"
tap_ok $? "a run that ends before playing: OUT not written, the take already there intact"
timeout -s KILL 20 "$MIDIPLAY" --record "$tmp/x.mid" --dump "$samples/scale.mid" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]
tap_ok $? "--record with --dump: a usage error"

# 7. No JACK server: the error, and no file.
# (PipeWire's libjack ignores JACK_DEFAULT_SERVER: a remote nothing runs)
env JACK_DEFAULT_SERVER="mptest-none-$$" PIPEWIRE_REMOTE="mptest-none-$$" \
    JACK_NO_START_SERVER=1 \
    "$MIDIPLAY" --record "$tmp/none.mid" "$samples/scale.mid" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no JACK server is running" "$tmp/err" && [ ! -e "$tmp/none.mid" ]
tap_ok $? "no JACK server: the usual error, no file written"

# 8. The saved file is read back by libsmf with midiplay's events.
"$top_builddir/tests/test-libsmf" "$tmp/r.mid" "$tmp/s.mid" >"$tmp/libsmf" 2>&1
tap_ok $? "libsmf reads the recorded files with the same events"
jack_stop
tap_exit
