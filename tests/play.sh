#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# play: midiplay on a private JACK server (dummy backend), recorded by
# tests/recorder, every event compared to the frame with the exact schedule
# that tests/oracle.py computes with fractions: frame - zero, where zero is
# the frame midiplay -v reports as playback time zero.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
trap jack_stop EXIT
trap 'exit 1' HUP INT TERM

data="$top_srcdir/tests/data"
samples="$top_srcdir/samples"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT

. "$top_srcdir/tests/playlib.sh"

# oracle RATE FILE: the oracle's frames for FILE in $tmp/want (on PipeWire,
# with note-on velocity 0 as PipeWire delivers it: jl_pw_normalise).
oracle() {
	"$PYTHON3" "$top_srcdir/tests/oracle.py" frames "$1" "$2" >"$tmp/want"
	jl_pw_normalise "$tmp/want"
}

# play_exact FILE RATE: play FILE; succeed when it arrived as the oracle says.
play_exact() {
	play_file "$1"
	oracle "$2" "$1"
	cmp -s "$tmp/want" "$tmp/got" && [ "$status" -eq 0 ]
}

# check FILE RATE DESC: what the recorder saw equals the oracle's frames.
check() {
	jl_exact play_exact "$1" "$2"
	tap_diff "$tmp/want" "$tmp/got" "$3"
	tap_ok $status "$(basename "$1"): exit status 0"
}

tap_plan 28

for period in $(jl_small_period) 256 1024; do
	jack_start "$period" || exit 1
	check "$data/f1-tempo-many.mid" 48000 \
	    "period $period: format 1, 42 tempo changes over 3 tracks, every frame exact"
	check "$samples/drums.mid" 48000 \
	    "period $period: drums.mid, every frame exact"
	jack_stop
done

jack_start 256 || exit 1
check "$data/smpte-2997.mid" 48000 "SMPTE -29 (30000/1001 fps), every frame exact"
check "$data/smpte-25.mid" 48000 "SMPTE -25, format 1, every frame exact"
check "$data/half-frames.mid" 48000 "events exactly on half frames round up"
check "$data/sysex.mid" 48000 \
    "SysEx messages, joined packets and escapes, bytes and frames exact"

# 3000 note-ons at one instant: 1000 go out in their cycle, the rest at the
# start of the next cycles, all of them, in order.
# burst_frames: the frames in $tmp/got are those of a burst carried 1000
# per cycle.  At period 256: cycles start at 0, 256, 512, ...; 24000 is
# inside the cycle that starts at 23808, so its carried events go at 24064
# and 24320.
burst_frames() {
	awk 'BEGIN { split("0 256 512 24000 24064 24320", want, " ") }
	    $1 != want[int((NR - 1) / 1000) + 1] { bad = 1 } END { exit bad }' "$tmp/got"
}
# play_burst: play burst-3000.mid; succeed when the bytes and frames are right.
play_burst() {
	play_file "$data/burst-3000.mid"
	oracle 48000 "$data/burst-3000.mid"
	cut -d' ' -f2- "$tmp/want" >"$tmp/want.bytes"
	cut -d' ' -f2- "$tmp/got" >"$tmp/got.bytes"
	cmp -s "$tmp/want.bytes" "$tmp/got.bytes" && burst_frames
}
jl_exact play_burst
tap_diff "$tmp/want.bytes" "$tmp/got.bytes" \
    "burst of 3000 notes at one instant: all 6000 events arrive, in order"
burst_frames
tap_ok $? "1000 in the due cycle, the next 1000 at the start of each following cycle"
per_cycle=$(awk '{ n[$1]++ } END { m = 0; for (f in n) if (n[f] > m) m = n[f]; print m }' "$tmp/got")
[ "$per_cycle" -le 1000 ]
tap_ok $? "no cycle carries more than 1000 events (most: $per_cycle)"
grep -q ' 4000 carried' "$tmp/err"
tap_ok $? "midiplay -v reports the 4000 carried events"
jack_stop

jack_start 256 44100 || exit 1
check "$samples/tempo.mid" 44100 "44.1 kHz: tempo.mid with 48 tempo changes mid-note, every frame exact"
jack_stop

# A broken event stops playback there: the events before it, then note-offs
# for the notes left sounding and sustain off, at the last event's frame.
jack_start 256 || exit 1
# play_bad: play bad-data.mid; succeed when it arrived as expected.
play_bad() {
	play_file "$data/bad-data.mid"
	{
		"$PYTHON3" "$top_srcdir/tests/oracle.py" frames 48000 "$data/bad-data.mid" 2>/dev/null
		printf '24000 80 3C 00\n24000 80 40 00\n24000 B0 40 00\n'
	} >"$tmp/want"
	jl_pw_normalise "$tmp/want"
	cmp -s "$tmp/want" "$tmp/got"
}
jl_exact play_bad
tap_diff "$tmp/want" "$tmp/got" \
    "a broken event: what came before it, then the sounding notes released"
[ "$status" -eq 1 ] && grep -q 'bad-data.mid: track 1 at byte 47: ' "$tmp/err"
tap_ok $? "exit status 1 with the error naming file, track and byte"
jack_stop
