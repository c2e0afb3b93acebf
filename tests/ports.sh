#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ports: several output ports.  --split track (a port per track, named
# after it), --split channel (ch1 ... ch16), the SMF port event (FF 21:
# port1 ...), and a stream's "port NAME" lines, each port recorded by a
# recorder of its own on a private server: every recorder gets exactly
# its port's events, at their frames (what --dump says, split at its
# "port" lines, turned into frames by tests/oracle.py).  Also -c
# NAME=PORT, -W with several ports, a SIGINT leaving no note on at any
# port, a 3000-note burst over 4 ports, --export and --record writing a
# track a port.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
data="$top_srcdir/tests/data"
tmp=$(mktemp -d)
RECS=
trap 'recs_stop; jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# recs_start NAME...: a recorder for each NAME (client NAME, port
# NAME:in), recording to $tmp/NAME.rec; waits until each is ready.
recs_start() {
	for _n in "$@"; do
		: >"$tmp/$_n.rec"
		"$RECORDER" -n "$_n" -o "$tmp/$_n.rec" -t 0 </dev/null 2>"$tmp/$_n.err" &
		RECS="$RECS $!"
	done
	for _n in "$@"; do
		jl_await_line "$tmp/$_n.err" '^ready$' 10 ||
		    { tap_diag "recorder $_n not ready"; return 1; }
	done
}

# recs_stop: stop the recorders (they drain and exit).
recs_stop() {
	for _p in $RECS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $RECS; do
		wait "$_p" 2>/dev/null
	done
	RECS=
}

# split_dump DUMP: the --dump lines DUMP holds, a file a port
# ($tmp/want-PORT.dump; "out" before any port line).
split_dump() {
	rm -f "$tmp"/want-*.dump
	awk -v d="$tmp" 'BEGIN { p = "out" } /^port / { p = $2; next }
	    { print > (d "/want-" p ".dump") }' "$1"
}

# same_frames PORT REC: the recorder REC got what the dump says of PORT,
# frames counted from time zero ($zero).
same_frames() {
	"$PYTHON3" "$top_srcdir/tests/oracle.py" dump2frames 48000 \
	    <"$tmp/want-$1.dump" >"$tmp/want-$1.frames"
	jl_pw_normalise "$tmp/want-$1.frames"
	awk -v z="$zero" '{ $1 = $1 - z; print }' "$tmp/$2.rec" >"$tmp/got-$2"
	jl_pw_normalise "$tmp/got-$2"
	cmp -s "$tmp/want-$1.frames" "$tmp/got-$2"
}

# play_ports "PORT=REC ..." ARGS...: record each PORT with REC (connected
# by -c PORT=REC:in), play ARGS; $status, $zero; succeed when every
# recorder got its port's events at their frames.  midiplay's stdin is
# the file $ports_in (default /dev/null), opened afresh for each run:
# jl_exact may run it again, and a redirection of jl_exact itself would
# give the second run what the first left of it, nothing.
play_ports() {
	_pairs=$1
	shift
	_recs=
	_cs=
	for _pr in $_pairs; do
		_recs="$_recs ${_pr#*=}"
		_cs="$_cs -c $_pr:in"
	done
	# shellcheck disable=SC2086 # split on purpose
	recs_start $_recs || return 1
	# shellcheck disable=SC2086
	timeout -s KILL 60 "$MIDIPLAY" -v $_cs "$@" <"${ports_in:-/dev/null}" \
	    2>"$tmp/err"
	status=$?
	sleep 0.2
	recs_stop
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	[ -n "$zero" ] || zero=0
	_ok=0
	for _pr in $_pairs; do
		same_frames "${_pr%=*}" "${_pr#*=}" || _ok=1
	done
	return $_ok
}

# diff_ports "PORT=REC ...": show what differs, as TAP comments.
diff_ports() {
	for _pr in $1; do
		cmp -s "$tmp/want-${_pr%=*}.frames" "$tmp/got-${_pr#*=}" ||
		    diff "$tmp/want-${_pr%=*}.frames" "$tmp/got-${_pr#*=}" |
		    head -n 8 | sed "s/^/# ${_pr%=*}: /"
	done
	return 0
}

tap_plan 26
jack_start 256 || exit 1

# 1. --split track: four ports named after the tracks.
"$MIDIPLAY" --dump --split track "$data/ports-tracks.mid" >"$tmp/dump"
split_dump "$tmp/dump"
pairs="Piano-Right=r1 Bass=r2 Piano-Right-2=r3 track-5=r4"
jl_exact play_ports "$pairs" --split track "$data/ports-tracks.mid"
tap_ok $? "--split track: each of 4 recorders gets exactly its track's events, at their frames"
diff_ports "$pairs"
[ "$status" -eq 0 ] && [ "$(ls "$tmp"/want-*.dump | wc -l)" -eq 4 ]
tap_ok $? "--split track: exit 0; the track with no MIDI event (Strings) has no port"

# 2. -c NAME=PORT naming no output: an error before playing, listing them.
timeout 20 "$MIDIPLAY" -c Drums=r1:in --split track "$data/ports-tracks.mid" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "no output is named 'Drums'" "$tmp/err" &&
    grep -qx '  Piano-Right-2' "$tmp/err"
tap_ok $? "-c Drums=...: no such output, the outputs listed, exit 1 (got $st)"

# 3. Port events (FF 21), no --split: port1, port2, port3; a track that
# changes port mid-way, a SysEx on its track's port.
"$MIDIPLAY" --dump "$data/ports-ff21.mid" >"$tmp/dump"
split_dump "$tmp/dump"
pairs="port1=r1 port2=r2 port3=r3"
jl_exact play_ports "$pairs" "$data/ports-ff21.mid"
tap_ok $? "FF 21: port1, port2, port3 each get their events at their frames"
diff_ports "$pairs"
grep -q 'F0 7E 7F 09 01 F7' "$tmp/got-r2" && ! grep -q F0 "$tmp/got-r1" &&
    grep -q ' 91 41 50$' "$tmp/got-r3" && ! grep -q ' 91 41 50$' "$tmp/got-r2"
tap_ok $? "FF 21: the SysEx on port2 only; the note after the mid-track port event on port3"

# 4. --split channel: 16 ports; 4 of them recorded.
"$MIDIPLAY" --dump --split channel "$data/ports-16ch.mid" >"$tmp/dump"
split_dump "$tmp/dump"
pairs="ch1=r1 ch5=r2 ch10=r3 ch16=r4"
lsp_ports() {
	recs_start r1 r2 r3 r4 || return 1
	"$MIDIPLAY" -v -W -c ch1=r1:in --split channel "$data/ports-16ch.mid" \
	    2>"$tmp/lsp.err" &
	_mp=$!
	# (all its ports are made before it waits for their connections)
	jl_await_line "$tmp/lsp.err" '^midiplay: waiting for a connection' 10 \
	    $_mp
	jack_lsp | grep -c '^midiplay:ch[0-9]*$' >"$tmp/nports"
	kill -INT $_mp
	wait $_mp
	recs_stop
}
lsp_ports
[ "$(cat "$tmp/nports")" -eq 16 ]
tap_ok $? "--split channel: 16 ports midiplay:ch1 ... ch16 ($(cat "$tmp/nports"))"
jl_exact play_ports "$pairs" --split channel "$data/ports-16ch.mid"
tap_ok $? "--split channel: ch1, ch5, ch10, ch16 each get their channel's events at their frames"
diff_ports "$pairs"
n=$(cat "$tmp"/got-r1 "$tmp"/got-r2 "$tmp"/got-r3 "$tmp"/got-r4 | grep -c 'F0 7E 7F 09 01 F7')
grep -q 'F0 43 10 4C' "$tmp/got-r2" && ! grep -q 'F0 43 10 4C' "$tmp/got-r1" && [ "$n" -eq 4 ]
tap_ok $? "--split channel: a SysEx after a channel prefix (FF 20) to ch5 only; one with none to every port"

# 5. A stream with port lines: ports made as they are named, -c NAME=PORT
# connecting each as it comes; written ahead with @ times, every event at
# its frame.
cat >"$tmp/ports.txt" <<'EOF'
@0.2 on 60 100
port drums
ch 10
@0.2 on 36 120
@0.3 off 36 0
port bass
@0.25 ch 2 note 40 90 0.5
port out
@0.4 off 60 0
port drums
@0.6 on 38 100 +0.1 off 38 0
EOF
"$MIDIPLAY" --dump - <"$tmp/ports.txt" >"$tmp/dump"
split_dump "$tmp/dump"
pairs="out=r1 drums=r2 bass=r3"
ports_in=$tmp/ports.txt
jl_exact play_ports "$pairs" -
st=$?
ports_in=
tap_ok $st "stream: out, drums and bass made as named, each event at its frame"
diff_ports "$pairs"
grep -q "connected midiplay:drums to r2:in" "$tmp/err" && [ "$status" -eq 0 ]
tap_ok $? "stream: the port made mid-stream was connected by -c drums=r2:in, exit 0"
sed 's/^/# /' "$tmp/err" | head -n 12

# 5b. --dump of a split file, piped into the stream, plays to the same ports.
"$MIDIPLAY" --dump --split track "$data/ports-tracks.mid" >"$tmp/tracks.txt"
split_dump "$tmp/tracks.txt"
pairs="Piano-Right=r1 Bass=r2 Piano-Right-2=r3 track-5=r4"
ports_in=$tmp/tracks.txt
jl_exact play_ports "$pairs" -
st=$?
ports_in=
tap_ok $st "midiplay --dump --split track | midiplay -: the same ports get the same events at the same frames"
diff_ports "$pairs"
# The lines stdin held at the start were taken before time zero: each of
# the four ports was connected before midiplay said it was playing.
awk '/^midiplay: connected midiplay:/ { if (!p) n++ }
	/^midiplay: playing from frame/ { p = 1 }
	END { exit !(p && n == 4) }' "$tmp/err"
tap_ok $? "stream from a file: its 4 ports were made and connected before time zero ($(grep -c '^midiplay: connected' "$tmp/err") connections)"

# 6. Bad port lines.
printf 'port a:b\nport\nport %s\non 60 100\n' "$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "x" }')" >"$tmp/bad.txt"
"$MIDIPLAY" --dump - <"$tmp/bad.txt" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "<stdin>:1:6: bad port name 'a:b'" "$tmp/err" &&
    grep -q "<stdin>:2:1: port needs 1 argument" "$tmp/err" &&
    grep -q "<stdin>:3:6: bad port name" "$tmp/err" &&
    [ "$(cat "$tmp/out")" = "@0.000000000 ch 1 on 60 100" ]
tap_ok $? "bad port names: line and column, the rest plays, exit 1"
awk 'BEGIN { for (i = 1; i <= 66; i++) print "port p" i; print "on 60 1" }' >"$tmp/many.txt"
"$MIDIPLAY" --dump - <"$tmp/many.txt" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "<stdin>:64:1: a port 'p64' would be the 65th output; at most 64" "$tmp/err" &&
    [ "$(cat "$tmp/out")" = "$(printf 'port p63\n@0.000000000 ch 1 on 60 1')" ]
tap_ok $? "a 65th port: refused with its line, the commands after it go on where they were"

# 7. SIGINT mid-play: no note left on, no sustain held, at any port.
sigint_ports() {
	recs_start r1 r2 r3 r4 || return 1
	"$MIDIPLAY" -v -c Piano-Right=r1:in -c Bass=r2:in -c Piano-Right-2=r3:in \
	    -c track-5=r4:in --split track "$data/ports-tracks.mid" 2>"$tmp/err" &
	_mp=$!
	jl_await_line "$tmp/err" '^midiplay: playing from frame' 10 $_mp
	sleep 1
	kill -INT $_mp
	wait $_mp
	status=$?
	sleep 0.2
	recs_stop
	_bad=0
	for r in r1 r2 r3 r4; do
		awk '$2 ~ /^9/ && $4 != "00" { n[substr($2, 2) $3]++ }
		    $2 ~ /^8/ || ($2 ~ /^9/ && $4 == "00") { n[substr($2, 2) $3]-- }
		    $2 ~ /^B/ && $3 == "40" { s[$2] = $4 }
		    END { for (k in n) if (n[k] != 0) bad = 1
		          for (c in s) if (s[c] != "00") bad = 1; exit bad }' "$tmp/$r.rec" || _bad=1
	done
	[ "$status" -eq 130 ] && [ $_bad -eq 0 ] && grep -q ' B0 40 00$' "$tmp/r1.rec"
}
jl_exact sigint_ports
tap_ok $? "SIGINT at 1.3 s: exit 130, every port's notes released (and Piano-Right's sustain), none left on"

# 8. A burst of 3000 notes over 4 ports: 750 a port at one instant, all
# in that cycle (each port has its own cap of 1000), in order.
"$MIDIPLAY" --dump --split track "$data/burst-4ports.mid" >"$tmp/dump"
split_dump "$tmp/dump"
pairs="A=r1 B=r2 C=r3 D=r4"
jl_exact play_ports "$pairs" --split track "$data/burst-4ports.mid"
tap_ok $? "burst of 3000 notes over 4 ports: each port's 1500 events arrive whole, at their frames"
diff_ports "$pairs"
grep -q ' 6000 events sent, 0 late, 0 carried' "$tmp/err"
tap_ok $? "midiplay's count agrees: none late or carried (750 a port in one cycle, under each port's cap)"
grep ' sent' "$tmp/err" | sed 's/^/# /'

# 9. Each port has its own budget: the same burst under --cycle-limit 500.
carried_ports() {
	play_ports "$pairs" --split track --cycle-limit 500 "$data/burst-4ports.mid"
	_ok=0
	: >"$tmp/pc"
	for pr in $pairs; do
		cut -d' ' -f2- "$tmp/want-${pr%=*}.frames" >"$tmp/wb"
		cut -d' ' -f2- "$tmp/got-${pr#*=}" | cmp -s - "$tmp/wb" || _ok=1
		awk '{ n[$1]++ } END { for (f in n) print f, n[f] }' "$tmp/got-${pr#*=}" >>"$tmp/pc"
	done
	sort -n -u "$tmp/pc" >"$tmp/per-cycle"
	[ $_ok -eq 0 ] && [ "$(tr '\n' ' ' <"$tmp/per-cycle")" = "0 500 256 250 24000 500 24064 250 " ]
}
jl_exact carried_ports
tap_ok $? "--cycle-limit 500 with 4 ports: each port 500 in the cycle, 250 in the next, in order"
sed 's/^/# /' "$tmp/per-cycle" | sort -u | head -n 8

# 10. -W with 4 ports: nothing plays until the last is connected.
wait_ports() {
	recs_start r1 r2 r3 r4 || return 1
	"$MIDIPLAY" -v -W --split track "$data/ports-tracks.mid" 2>"$tmp/err" &
	_mp=$!
	jl_await_line "$tmp/err" '^midiplay: waiting for a connection' 10 $_mp
	jack_connect midiplay:Piano-Right r1:in && jack_connect midiplay:Bass r2:in &&
	    jack_connect midiplay:Piano-Right-2 r3:in
	sleep 0.6
	# nothing reached the 3 recorders connected (they write as they
	# receive), and midiplay did not start
	if [ -s "$tmp/r1.rec" ] || [ -s "$tmp/r2.rec" ] || [ -s "$tmp/r3.rec" ] ||
	    grep -q 'playing from frame' "$tmp/err"; then
		kill -KILL $_mp
		recs_stop
		return 2
	fi
	jack_connect midiplay:track-5 r4:in
	wait $_mp
	status=$?
	sleep 0.2
	recs_stop
	[ "$status" -eq 0 ] && grep -q 'playing from frame' "$tmp/err" &&
	    [ -s "$tmp/r1.rec" ] && [ -s "$tmp/r4.rec" ]
}
wait_ports
st=$?
tap_ok $st "-W with 4 ports: waits while 3 are connected, plays once the 4th is (got $st)"

# 11. --export with --split: format 1, a track a port, named, with its
# port event; played back as a file it goes to the same ports (FF 21).
"$MIDIPLAY" --export "$tmp/split.mid" --split track "$data/ports-tracks.mid"
"$PYTHON3" - "$tmp/split.mid" >"$tmp/names" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
fmt, n, div = struct.unpack(">HHH", d[8:14])
print(fmt, n, div)
pos = 14
for i in range(n):
    ln = struct.unpack(">I", d[pos + 4:pos + 8])[0]
    body = d[pos + 8:pos + 8 + ln]
    # the first two events: delta 0, FF 03 name, then delta 0, FF 21 01 n
    assert body[0] == 0 and body[1] == 0xFF and body[2] == 0x03
    nl = body[3]
    name = body[4:4 + nl].decode()
    rest = body[4 + nl:]
    assert rest[:4] == b"\x00\xff\x21\x01"
    print(name, rest[4])
    pos += 8 + ln
EOF
printf '1 4 480\nPiano-Right 0\nBass 1\nPiano-Right-2 2\ntrack-5 3\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/names" "--export --split track: format 1, a track a port, its name and port event first"
"$MIDIPLAY" --dump --split track "$data/ports-tracks.mid" | grep -v '^port ' >"$tmp/want"
"$MIDIPLAY" --dump "$tmp/split.mid" | grep -v '^port ' >"$tmp/got"
"$MIDIPLAY" --dump "$tmp/split.mid" | grep -c '^port ' >"$tmp/nport"
cmp -s "$tmp/want" "$tmp/got" && [ "$(cat "$tmp/nport")" -gt 4 ]
tap_ok $? "the exported file holds the same events, and plays to 4 ports by its port events"
printf 'on 60 100\nport drums\n+0.5 ch 10 note 36 100 0.1\nport out\n+0.5 ch 1 off 60 0\n' |
    "$MIDIPLAY" --export "$tmp/sp.mid" -
"$PYTHON3" - "$tmp/sp.mid" >"$tmp/names" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
print(*struct.unpack(">HHH", d[8:14]))
EOF
[ "$(cat "$tmp/names")" = "1 2 960" ] &&
    [ "$("$MIDIPLAY" --dump "$tmp/sp.mid" | tr '\n' ';')" = "$(printf 'port port1;@0.000000000 ch 1 on 60 100;port port2;@0.500000000 ch 10 on 36 100;@0.600000000 ch 10 off 36 0;port port1;@1.000000000 ch 1 off 60 0;')" ]
tap_ok $? "--export of a stream with port lines: format 1, a track a port, the events in them"

# 12. --record with several ports: a track a port, what each got.
rec_ports() {
	rm -f "$tmp/rp.mid"
	play_ports "Piano-Right=r1 Bass=r2 Piano-Right-2=r3 track-5=r4" --split track \
	    --record "$tmp/rp.mid" "$data/ports-tracks.mid" &&
	    "$MIDIPLAY" --dump "$tmp/rp.mid" >"$tmp/rp.dump" &&
	    split_dump "$tmp/rp.dump" || return 1
	# (played back, the recorded file's ports are its port events')
	: >"$tmp/frames"
	for i in 1 2 3 4; do
		"$PYTHON3" "$top_srcdir/tests/smfcheck.py" frames "$tmp/want-port$i.dump" \
		    48000 "$tmp/got-r$i" "$tmp/rp.mid" >>"$tmp/frames" || return 1
	done
}
"$MIDIPLAY" --dump --split track "$data/ports-tracks.mid" >"$tmp/dump"
split_dump "$tmp/dump"
jl_exact rec_ports
tap_ok $? "--record with 4 ports: a track a port, each holding what its recorder got ($(tr '\n' ' ' <"$tmp/frames"))"

# 13. Usage errors.
bad=
for args in "--split" "--split tracks" "--split track -" "-c =x" "-c a b=x"; do
	# shellcheck disable=SC2086 # split on purpose
	"$MIDIPLAY" --dump $args "$data/ports-tracks.mid" </dev/null >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] || bad="$bad [$args]"
done
[ -z "$bad" ]
tap_ok $? "--split without track or channel, with a stream; -c with an empty name: usage errors${bad:+ (not:$bad)}"

# 14. Without --split and port events: one port, out, as always.
jack_start 256 || exit 1
recs_start r1 || exit 1
"$MIDIPLAY" -v -W --split track "$data/burst-3000.mid" 2>"$tmp/lsp.err" &
mp=$!
jl_await_line "$tmp/lsp.err" '^midiplay: waiting for a connection' 10 $mp
jack_lsp | grep '^midiplay:' >"$tmp/lsp"
kill -INT $mp
wait $mp
recs_stop
[ "$(cat "$tmp/lsp")" = "midiplay:track-1" ]
tap_ok $? "--split track of a format 0 file without a name: one port, track-1 ($(tr '\n' ' ' <"$tmp/lsp"))"
recs_start r1 || exit 1
"$MIDIPLAY" -v -W "$data/control.mid" 2>"$tmp/lsp.err" &
mp=$!
jl_await_line "$tmp/lsp.err" '^midiplay: waiting for a connection' 10 $mp
jack_lsp | grep '^midiplay:' >"$tmp/lsp"
kill -INT $mp
wait $mp
recs_stop
[ "$(cat "$tmp/lsp")" = "midiplay:out" ]
tap_ok $? "a file without port events, no --split: the one port midiplay:out"
jack_stop
tap_exit
