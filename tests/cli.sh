#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli: the command line as a user meets it: help, version, usage errors,
# no server, listing ports, connecting by name or part of one, no match,
# the client name, and --wait.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
song="$top_srcdir/tests/data/f0-basic.mid"
# nothing here may hang: every player gets at most 20 s
mp() { timeout -s KILL 20 "$MIDIPLAY" "$@"; }

tap_plan 24

mp --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^usage: midiplay \[options\] FILE' "$tmp/out" &&
    grep -q -- '--connect \[NAME=\]PORT' "$tmp/out" && grep -q -- '--dump' "$tmp/out"
tap_ok $? "--help prints the usage and the options, exit 0"
mp -V >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -qx 'midiplay [0-9.]*' "$tmp/out" &&
    grep -q '^License GPL-2.0-or-later' "$tmp/out"
tap_ok $? "-V prints the version and the licence, exit 0"

for args in "" "--bogus $song" "-c" "$song $song" "-x $song" "-l $song" \
    "-l --export $tmp/x.mid" "-l --record $tmp/x.mid" "-l --dump"; do
	# shellcheck disable=SC2086
	mp $args >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 2 ] && grep -q "^midiplay: " "$tmp/err" &&
	    grep -q "Try 'midiplay --help'" "$tmp/err" && [ ! -s "$tmp/out" ]
	tap_ok $? "usage error '$args': a message, exit 2 (got $st)"
done

mp --dump "$tmp/missing.mid" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "missing.mid: No such file or directory" "$tmp/err"
tap_ok $? "a missing file: named in the error, exit 1"

# No server: a private name that nothing runs under.
start=$(date +%s%N)
env JACK_DEFAULT_SERVER="mptest-none-$$" JACK_NO_START_SERVER=1 \
    timeout -s KILL 20 "$MIDIPLAY" "$song" >"$tmp/out" 2>"$tmp/err"
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $st -eq 1 ] && grep -q "no JACK server is running" "$tmp/err" &&
    grep -q "pw-jack" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ]
tap_ok $? "no server: one clear line saying how to start one, exit 1"
[ $ms -lt 1000 ]
tap_ok $? "no server: it says so within a second (${ms} ms)"

jack_start 256 || exit 1
rec_start "$tmp/rec" -A -n "Fancy Synth" -t 1 || exit 1
mp -l >"$tmp/out" 2>"$tmp/err"
# (PipeWire gives ports an alias, and its jack_port_get_aliases was seen
# to fill only the second buffer: no empty "()" may show)
[ $? -eq 0 ] && grep -Eqx "Fancy Synth:in( \([^()]+\))?" "$tmp/out" &&
    ! grep -q "Fancy Synth:audio" "$tmp/out"
tap_ok $? "-l lists the MIDI inputs there are (and not the audio ones)"

mp -c nowhere "$song" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no MIDI input port matches 'nowhere'" "$tmp/err" &&
    grep -q "^Fancy Synth:in" "$tmp/err"
tap_ok $? "-c with no match: an error listing the MIDI inputs, exit 1"

mp -c "Fancy Synth:audio" "$song" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "Fancy Synth:audio is not a MIDI input port" "$tmp/err"
tap_ok $? "-c naming an audio port exactly: refused, exit 1"

# part of the name, in another case
mp -c "fancy s" "$song" 2>"$tmp/err"
st=$?
rec_wait 10 >/dev/null
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/rec")" -eq 12 ]
tap_ok $? "-c 'fancy s' connects to 'Fancy Synth:in' and all 12 events arrive"

rec_start "$tmp/rec" -n "Fancy Synth" -t 1 || exit 1
mp -c "Fancy Synth:in" -n "my player" -v "$song" 2>"$tmp/err"
st=$?
rec_wait 10 >/dev/null
[ $st -eq 0 ] && grep -q "connected my player:out to Fancy Synth:in" "$tmp/err" &&
    [ "$(wc -l <"$tmp/rec")" -eq 12 ]
tap_ok $? "-n names the client: 'my player:out' plays into the exact port"

# --wait: nothing plays until someone connects the output.
rec_start "$tmp/rec" -n "Fancy Synth" -t 1 || exit 1
mp -W -v "$song" 2>"$tmp/err" &
pid=$!
jl_await_line "$tmp/err" '^midiplay: waiting for a connection' 10 $pid
sleep 1
kill -0 $pid 2>/dev/null && [ ! -s "$tmp/rec" ]
tap_ok $? "-W: still waiting a second later, nothing sent"
jack_connect midiplay:out "Fancy Synth:in"
wait $pid
st=$?
rec_wait 10 >/dev/null
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/rec")" -eq 12 ] &&
    grep -q "waiting for a connection to midiplay:out" "$tmp/err"
tap_ok $? "-W: plays all 12 events once connected by hand, exit 0"

# Two players may not share a name; the second is told so.
rec_start "$tmp/rec" -n "Fancy Synth" -t 1 || exit 1
mp -v -c "Fancy" "$song" 2>"$tmp/first.err" &
pid=$!
jl_await_line "$tmp/first.err" '^midiplay: playing from frame' 10 $pid
mp -c "Fancy" "$song" 2>"$tmp/err"
st=$?
wait $pid
rec_wait 10 >/dev/null
[ $st -eq 1 ] && grep -q "a JACK client named 'midiplay' already exists" "$tmp/err"
st=$?
tap_ok $st "a second midiplay of the same name: told to use -n, exit 1"

# SIGINT while playing: notes released, exit 130.
rec_start "$tmp/rec" -n "Fancy Synth" -t 1 || exit 1
# (not through timeout(1): a background job starts with SIGINT ignored, and
# timeout would then not pass it on)
"$MIDIPLAY" -v -c "Fancy" "$top_srcdir/samples/scale.mid" 2>"$tmp/err" &
pid=$!
jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $pid
sleep 0.9
kill -INT $pid
wait $pid
st=$?
rec_wait 10 >/dev/null
[ $st -eq 130 ]
tap_ok $? "SIGINT: exit status 130 (got $st)"
awk '$2 ~ /^9/ && $4 != "00" { n[$2 " " $3]++ } $2 ~ /^8/ || ($2 ~ /^9/ && $4 == "00") { n["9" substr($2, 2) " " $3]-- }
    END { for (k in n) if (n[k] != 0) bad = 1; exit bad }' "$tmp/rec" &&
    grep -q ' B0 40 00$' "$tmp/rec"
tap_ok $? "SIGINT: every note-on that arrived has its note-off, and sustain off"
