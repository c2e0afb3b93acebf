#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# budget: --cycle-limit EVENTS[/BYTES], the per-cycle budget of the output
# (for netjack2, whose network MIDI buffer is 4 x period bytes a port and
# unchecked).  What exceeds it waits for the next cycle, in order, and is
# counted; nothing is dropped.  An event too big for any cycle's budget
# is refused with an error naming where it came from, and the rest plays.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
data="$top_srcdir/tests/data"
. "$top_srcdir/tests/playlib.sh"

tap_plan 10

jack_start 256 || exit 1
# play_budget ARGS...: burst-3000 with a budget; ok when as carried() says
play_budget() {
	play_file "$data/burst-3000.mid" --cycle-limit "$1"
	cmp -s "$tmp/want" "$tmp/got" && [ "$status" -eq 0 ]
}
carried "$data/burst-3000.mid" 256 64 960 >"$tmp/want"
jl_pw_normalise "$tmp/want"
jl_exact play_budget 64/960
tap_diff "$tmp/want" "$tmp/got" \
    "--cycle-limit 64/960: all 6000 events of a 3000-note burst, 64 a cycle, in order"
most=$(awk '{ n[$1]++ } END { m = 0; for (f in n) if (n[f] > m) m = n[f]; print m }' "$tmp/got")
[ "$status" -eq 0 ] && [ "$most" -eq 64 ]
tap_ok $? "exit 0; no cycle carries more than 64 (most: $most)"
# 3000 note-ons take 47 cycles, the first 46 held some back; the
# note-offs the same
grep -q 'held events back in 92 cycles' "$tmp/err"
tap_ok $? "-v says in how many cycles the budget held events back"

# bytes bind: 120 bytes are 10 three-byte events
carried "$data/burst-3000.mid" 256 1000 120 >"$tmp/want"
jl_pw_normalise "$tmp/want"
jl_exact play_budget 1000/120
tap_diff "$tmp/want" "$tmp/got" \
    "--cycle-limit 1000/120: 10 events a cycle, the note-offs after the burst, in order"

# SysEx counts its bytes: under 30 bytes a cycle, sysex.mid's 6- and
# 9-byte messages go one a cycle, its 3-byte ones two, and its 202-byte
# one is refused (with its byte offset), the rest playing on.
carried "$data/sysex.mid" 256 1000 30 >"$tmp/want"
play_budget_sysex() {
	play_file "$data/sysex.mid" --cycle-limit 1000/30
	cmp -s "$tmp/want" "$tmp/got" && [ "$status" -eq 1 ]
}
jl_exact play_budget_sysex
tap_diff "$tmp/want" "$tmp/got" \
    "--cycle-limit 1000/30: SysEx messages count 12 bytes plus their data"
[ "$status" -eq 1 ] && grep -q "sysex.mid: byte [0-9]*: an event of 202 bytes takes 214 bytes" "$tmp/err"
tap_ok $? "the 202-byte message is refused, naming the file and byte; exit 1"

# An event no cycle can hold: refused, named, the rest plays, exit 1.
syx=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf " 0x%02X", i; }')
printf 'on 60 100\n+0.01 syx%s\n+0.01 off 60 0\n' "$syx" >"$tmp/in.txt"
: >"$tmp/rec"
rec_start "$tmp/rec" -t 0 || exit 1
timeout -s KILL 20 "$MIDIPLAY" -v --cycle-limit 10/100 -c recorder:in - \
    <"$tmp/in.txt" 2>"$tmp/err"
st=$?
sleep 0.2
rec_stop 10 >/dev/null
[ "$st" -eq 1 ] && grep -q "^midiplay: <stdin>: line 2: an event of 102 bytes takes 114 bytes .*(100); not sent" "$tmp/err"
ok=$?
tap_ok $ok "a 102-byte SysEx under a 100-byte budget: refused with the line named, exit 1 (got $st)"
[ $ok -eq 0 ] || sed 's/^/# /' "$tmp/err"
[ "$(cut -d' ' -f2- "$tmp/rec" | tr '\n' ';')" = "90 3C 64;80 3C 00;" ]
tap_ok $? "the note before it and the note-off after it arrive"

for bad in 0 x 10/8 10/ 100001 64/2000000; do
	timeout 10 "$MIDIPLAY" --cycle-limit "$bad" --dump "$data/f0-basic.mid" >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q -- "--cycle-limit wants" "$tmp/err" || break
done
[ "$bad" = 64/2000000 ] && grep -q -- "--cycle-limit wants" "$tmp/err"
tap_ok $? "--cycle-limit 0, x, 10/8, 10/, 100001 and 64/2000000: usage errors"
timeout 10 "$MIDIPLAY" --transport --clock --cycle-limit 1000/20 "$data/f0-basic.mid" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "keeps room for Stop and Continue" "$tmp/err"
tap_ok $? "--transport --clock under a budget too small to keep room for Stop: a usage error"
tap_exit
