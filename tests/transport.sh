#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# transport: midiplay --transport follows JACK transport, driven here by
# tests/transport (start, stop, locate).  The recorder stamps each event
# with its transport frame (-T), "-" when the transport stands; song time
# is transport frame / rate, so each event's transport frame must be its
# exact song frame, which tests/control_oracle.py computes (with --start
# for a locate, the state in effect there coming first).
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
data="$top_srcdir/tests/data"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
T=${TRANSPORT:-${builddir:-.}/transport}
f="$data/control.mid"

# expect START_SECONDS OFFSET_FRAME: the oracle's frames from there.
expect() {
	if [ "$1" = 0 ]; then
		"$PYTHON3" "$top_srcdir/tests/control_oracle.py" 48000 "$f"
	else
		"$PYTHON3" "$top_srcdir/tests/control_oracle.py" 48000 "$f" --start "$1"
	fi | awk -v o="$2" '{ $1 = $1 + o; print }'
}

# balanced FILE: every note-on recorded has its note-off.
balanced() {
	awk '{ st = substr($2, 1, 1); ch = substr($2, 2, 1) }
	    st == "9" && $4 != "00" { n[ch " " $3]++ }
	    st == "8" || (st == "9" && $4 == "00") { n[ch " " $3]-- }
	    END { for (k in n) if (n[k] != 0) { print "# sounding: " k; bad = 1 }
	          exit bad }' "$1"
}

tap_plan 11
jack_start 256 || exit 1
rec_start "$tmp/rec" -T -t 0 || exit 1
"$MIDIPLAY" -v --transport -c recorder:in "$f" 2>"$tmp/err" &
pid=$!
jl_await_line "$tmp/err" 'following the JACK transport' 10 $pid
sleep 0.3

# 1. From 0 for about a second, then stop.
"$T" locate 0 start wait-roll sleep 1200 stop wait-stop >"$tmp/t1" || exit 1
stop1=$(sed -n 2p "$tmp/t1")
sleep 0.3
# 2. Stopped, locate to bar 3 (4.0 s, frame 192000), roll, stop.
"$T" locate 192000 sleep 100 start wait-roll sleep 1000 stop wait-stop >"$tmp/t2" || exit 1
stop2=$(sed -n 2p "$tmp/t2")
sleep 0.3
# 3. Rolling from 192000, locate to 2.0 s (frame 96000), roll on, stop.
"$T" locate 192000 sleep 100 start wait-roll sleep 500 locate 96000 sleep 100 wait-roll sleep 600 stop wait-stop >"$tmp/t3" || exit 1
stop3=$(sed -n 3p "$tmp/t3")
sleep 0.3
kill -INT $pid
wait $pid
st=$?
sleep 0.2
rec_stop >/dev/null

# Split what the recorder saw into its rolling stretches.
awk -v d="$tmp" '$1 == "-" { if (!stood) n++; stood = 1; print > (d "/stood" n); next }
    { if (stood || s == 0) s++; stood = 0; print > (d "/seg" s) }' "$tmp/rec"
ls "$tmp" | grep -c '^seg' >"$tmp/nseg"

expect 0 0 | awk -v s="$stop1" '$1 < s' >"$tmp/want1"
tap_diff "$tmp/want1" "$tmp/seg1" "rolling from 0 to $stop1: every event at its song frame"
cat "$tmp/seg1" "$tmp/stood1" | sed 's/^-/0/' >"$tmp/all1"
balanced "$tmp/all1"
tap_ok $? "stop: the notes sounding were released ($(grep -c . "$tmp/stood1") events while it stood)"

expect 4 192000 | awk -v s="$stop2" '$1 < s' >"$tmp/want2"
tap_diff "$tmp/want2" "$tmp/seg2" "locate to 192000 while stopped, roll to $stop2: the state at bar 3 first, then every event at its song frame"
head -9 "$tmp/seg2" | awk '$1 != 192000 || $2 ~ /^9/ { bad = 1 } END { exit bad }'
tap_ok $? "the chased state (bank, program, controllers, RPN, pitch bend) at exactly frame 192000"

expect 4 192000 >"$tmp/want3a"
n3a=$(wc -l <"$tmp/seg3")
head -n "$n3a" "$tmp/want3a" | diff - "$tmp/seg3" >/dev/null
tap_ok $? "rolling again from 192000: $n3a events at their song frames until the locate"
cat "$tmp/seg3" "$tmp/stood3" | sed 's/^-/0/' >"$tmp/all3"
balanced "$tmp/all3"
tap_ok $? "locate while rolling: the notes sounding were released"
expect 2 96000 | awk -v s="$stop3" '$1 < s' >"$tmp/want4"
tap_diff "$tmp/want4" "$tmp/seg4" "and from 96000 to $stop3: the state at 2.0 s, then every event at its song frame"

[ $st -eq 130 ] && [ "$(cat "$tmp/nseg")" -eq 4 ]
tap_ok $? "runs until interrupted: exit $st after 4 rolling stretches ($(cat "$tmp/nseg"))"
[ $st -eq 130 ] || sed 's/^/# /' "$tmp/err"

# --clock: Start and clocks from the song position, Stop when it stands,
# Continue when it rolls on from where it stood.
rec_start "$tmp/crec" -T -t 0 || exit 1
"$MIDIPLAY" -v --transport --clock --channels 16 -c recorder:in "$f" 2>"$tmp/err" &
pid=$!
# (until it follows: a fixed wait here was once too short on a loaded
# machine, in rtcheck.sh's like case)
jl_await_line "$tmp/err" 'following the JACK transport' 10 $pid
sleep 0.3
"$T" locate 0 start wait-roll sleep 500 stop wait-stop sleep 300 start wait-roll sleep 300 stop wait-stop >"$tmp/tc" || exit 1
sleep 0.3
kill -INT $pid
wait $pid
rec_stop >/dev/null
s1=$(sed -n 2p "$tmp/tc")
r2=$(sed -n 3p "$tmp/tc")
s2=$(sed -n 4p "$tmp/tc")
awk -v s="$s1" 'BEGIN { print "0 FA" } END { for (f = 0; f < s; f += 1000) print f, "F8" }' /dev/null >"$tmp/want"
awk -v s="$s1" '$1 != "-" && $1 < s' "$tmp/crec" >"$tmp/got"
tap_diff "$tmp/want" "$tmp/got" "--clock: Start, then a clock every 1000 frames (120 bpm) up to the stop at $s1"
grep -q '^- FC$' "$tmp/crec"
tap_ok $? "--clock: Stop when the transport stands"
awk -v r="$r2" -v s="$s2" 'BEGIN { print r, "FB"; for (f = r + (1000 - r % 1000) % 1000; f < s; f += 1000) print f, "F8" }' >"$tmp/want"
awk -v r="$r2" '$1 != "-" && $1 >= r' "$tmp/crec" >"$tmp/got"
tap_diff "$tmp/want" "$tmp/got" "--clock: Continue where it rolls on ($r2), clocks on the same grid"
