#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# limits: bounded resources.  An SMF with 65535 real tracks, one announcing
# 65535 with one present, a 3 MB stream line, and more stream events
# pending at once than midiplay keeps in memory (input then waits, and
# nothing is lost).  No JACK needed: --dump runs the same readers.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
n=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
echo "1..7"

"$PYTHON3" - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def trk(body):
    return b"MTrk" + struct.pack(">I", len(body)) + body
eot = b"\x00\xff\x2f\x00"
# 65535 tracks, each one note on its own key and channel, then End-of-Track
tracks = b"".join(trk(bytes([0, 0x90 | (i % 16), i % 128, 1 + i % 127, 0x60, 0x80 | (i % 16), i % 128, 0]) + eot)
                  for i in range(65535))
open(d + "/many.mid", "wb").write(b"MThd" + struct.pack(">IHHH", 6, 1, 65535, 96) + tracks)
open(d + "/announced.mid", "wb").write(b"MThd" + struct.pack(">IHHH", 6, 1, 65535, 96) +
                                      trk(b"\x00\x90\x3c\x64\x60\x80\x3c\x00" + eot))
PY

"$MIDIPLAY" --dump "$tmp/many.mid" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 131070 ] && [ ! -s "$tmp/err" ]
ok $? "65535 tracks: all 131070 events, exit 0 (got $st)"
head -1 "$tmp/out" | grep -qx '@0.000000000 ch 1 on 0 1' &&
    tail -1 "$tmp/out" | grep -qx '@0.500000000 ch 15 off 126 0'
ok $? "65535 tracks: merged in time, then track order"

"$MIDIPLAY" --dump "$tmp/announced.mid" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ] &&
    grep -q "warning: the header announces 65535 tracks, only 1 are present" "$tmp/err"
ok $? "65535 tracks announced, 1 present: a warning, it plays"

# a 3 MB line, then a good one
{ head -c 3000000 /dev/zero | tr '\0' 'a'; printf '\non 60 1\n'; } >"$tmp/long.txt"
"$MIDIPLAY" --dump - <"$tmp/long.txt" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ "$(cat "$tmp/err")" = "midiplay: <stdin>:1:1: line longer than 1048576 bytes" ]
ok $? "a 3 MB line: one error naming it, exit 1"
grep -qx '@0.000000000 ch 1 on 60 1' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ]
ok $? "a 3 MB line: the next line plays"

# A score of 4500000 events written ahead: more than the 4194304 kept in
# memory at once.  Reading waits, and everything comes out, in order.
awk 'BEGIN { for (i = 0; i < 4500000; i++) printf "@%d.%09d on %d 1\n", 1000 + int(i / 1000000000), i % 1000000000, i % 128 }' >"$tmp/many.txt"
"$MIDIPLAY" --dump - <"$tmp/many.txt" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 4500000 ]
ok $? "4500000 pending events: all out, exit 0 (got $st)"
sort -c "$tmp/out" 2>/dev/null || { cut -d' ' -f1 "$tmp/out" | sort -c; }
ok $? "4500000 pending events: in time order"
