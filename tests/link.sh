#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# link: midiplay --link on an Ableton Link session, against a real peer.
#
# Everything runs inside a private network namespace with lo alone
# (tests/netns.sh): midiplay's Link and tests/linkpeer, which stands in
# for Live (it joins the session, logs its timeline, proposes tempi,
# starts and stops).  The recorder (-J) stamps each event with its time on
# CLOCK_MONOTONIC_RAW (libjack's jack_frames_to_time plus the offset
# between JACK's clock and that one, read in the same cycle), and
# tests/linkoracle.py turns it into the peer's beat with the peer's
# logged timeline: none of midiplay's own mapping is used to check it.
#
# Cases: alone (exact frames, as with --bpm); follow (the peer changes
# tempo mid-file, --clock too: every event within 0.002 beat of its
# session beat, the first on a bar); --offset; JACK's playback latency
# (the recorder says it is heard 480 frames late) and the capture latency
# midiplay reports; --link-wait; publish (the peer takes the file's
# tempo map); start/stop sync, with --record through the restarts; a
# stream with +1b waits and a tempo proposal; beats and seconds mixed in
# a stream.  (The real-time rule with --link is tests/link-rtcheck.sh.)
# MP_JACK=pipewire runs it on PipeWire's libjack, whose clock is
# CLOCK_MONOTONIC, not Link's (the case that catches a missing offset).
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/tests/netns.sh"
netns_enter "$0" "$@"
. "$top_srcdir/tests/jacklib.sh"
jack_require
. "$top_srcdir/tests/linklib.sh"

rel_frames() {
	awk 'NR == 1 { z = $1 } { $1 = $1 - z; NF = NF - 1; print }' "$1"
}

tap_plan 29
jack_start 256 || tap_bail "cannot start a JACK server"
scale=$top_srcdir/samples/scale.mid
tempo=$top_srcdir/samples/tempo.mid

# --- alone: the session is ours; frames exactly as with --bpm -----------
alone() {
	play alone -- "$@" || return 1
	[ "$status" -eq 0 ] || return 1
	: >"$tmp/bpm.rec"
	rec_start "$tmp/bpm.rec" -J -t 1.5 || return 1
	timeout -s KILL 60 "$MIDIPLAY" -c recorder:in "$@" 2>"$tmp/bpm.err"
	rec_wait 30 >/dev/null
	rel_frames "$tmp/alone.rec" >"$tmp/alone.rel"
	rel_frames "$tmp/bpm.rec" >"$tmp/bpm.rel"
	cmp -s "$tmp/alone.rel" "$tmp/bpm.rel"
}
jl_exact alone --bpm 120 "$scale"
grep -q 'Link: no other peer: playing on our own grid at 120.00 bpm' \
    "$tmp/alone.err" && [ "$status" -eq 0 ]
tap_ok $? "alone: --link plays at once on its own grid, and says so"
[ "$status" -eq 0 ] || fail_log alone
tap_diff "$tmp/bpm.rel" "$tmp/alone.rel" \
    "alone: scale.mid's $(wc -l <"$tmp/bpm.rel") events on the frames of --bpm 120"
jl_exact alone --bpm 92.5 "$tempo"
tap_diff "$tmp/bpm.rel" "$tmp/alone.rel" \
    "alone: tempo.mid at --bpm 92.5, $(wc -l <"$tmp/bpm.rel") events on the frames of --bpm 92.5"

# --- follow: the peer changes tempo mid-file; --clock bridges ----------
"$MIDIPLAY" --dump --bpm 60 --clock "$scale" >"$tmp/scale-clock.exp"
# A peer's change reaches midiplay when Link sends the peer's state, at
# most every 50 ms, and the cycle under way keeps the old tempo: in the
# 60 ms and a period after it, events may be off by up to 10 bpm times
# that (0.011 beat); all others, 0.002.
follow() {
	peer_start follow -b 150 +3:tempo:140 +40:quit
	play follow -- --clock "$scale"
	peer_stop
	judge follow "$tmp/scale-clock.exp" --window-us "$(did follow tempo)" \
	    65333 0.011
}
jl_exact follow
st=$?
[ "$status" -eq 0 ] && grep -q 'Link: 1 peer at 150.00 bpm' "$tmp/follow.err"
st2=$?
tap_ok $st2 "follow: joined the peer's session at 150 bpm and played to the end"
[ $st2 -eq 0 ] || fail_log follow
set -- $(rec_times follow)
at=$(did follow tempo)
[ -n "$at" ] && [ -n "$1" ] && awk -v a="$at" -v f="$1" -v l="$2" \
    'BEGIN { exit !(f < a && a < l) }'
tap_ok $? "follow: the peer went from 150 to 140 bpm while the file played"
tap_ok $st "follow: every note and clock within 0.002 beat of its session beat (0.011 beat in the 65 ms after the peer's change), the first on a bar"
say follow

# --- --offset: heard DUR later than JACK can see, so sent DUR earlier ---
offset() {
	peer_start offset -b 150 +40:quit
	play offset -- --offset 7ms --start 2:1 --transpose 2 --bpm 128 "$scale"
	peer_stop
	"$PYTHON3" "$oracle" peer-tempos "$tmp/offset.peer" >"$tmp/offset.tempos"
	judge offset "$tmp/offset.exp" --shift-us 7000
}
"$MIDIPLAY" --dump --bpm 60 "$scale" >"$tmp/scale.exp"
"$MIDIPLAY" --dump --bpm 60 --start 2:1 --transpose 2 "$scale" >"$tmp/offset.exp"
jl_exact offset
tap_ok $? "--offset 7ms --start 2:1 --transpose 2: every note 7 ms ahead of its session beat, within 0.002 beat"
tr '\n' ' ' <"$tmp/offset.tempos" | grep -q '^150.0000 128.0000 $'
tap_ok $? "--bpm 128 with a peer at 150: proposed once, the session took it ($(tr '\n' ' ' <"$tmp/offset.tempos"))"
say offset

# --- latency: JACK's playback latency, and what midiplay adds ----------
latency() {
	peer_start latency -b 150 +40:quit
	: >"$tmp/latency.rec"
	# a synth heard 10 ms after it receives (480 frames)
	rec_start "$tmp/latency.rec" -J -L 480 -t 1.5 || return 1
	timeout -s KILL 90 "$MIDIPLAY" -v --link -c recorder:in --end 3:1 \
	    "$scale" 2>"$tmp/latency.err"
	status=$?
	rec_wait 30 >/dev/null
	peer_stop
	judge latency "$tmp/wait.exp" --shift-us 10000
}
"$MIDIPLAY" --dump --bpm 60 --end 3:1 "$scale" >"$tmp/wait.exp"
jl_exact latency
st=$?
grep -q 'output latency 10000 us' "$tmp/latency.err"
tap_ok $? "latency: the output's playback latency, 480 frames, is seen"
tap_ok $st "latency: every note sent 10 ms early, heard on its session beat within 0.002 beat"
say latency
# a stream's --latency: the port's capture latency (jack_lsp -l)
(sleep 3; echo "on 60 1") | timeout -s KILL 30 "$MIDIPLAY" --link \
    --latency 20ms - 2>/dev/null &
_mp=$!
_i=0
while [ $_i -lt 50 ] && ! jack_lsp -l midiplay:out 2>/dev/null |
    grep -q 'capture latency = \[ 960 960 \]'; do
	sleep 0.1
	_i=$((_i + 1))
done
jack_lsp -l midiplay:out >"$tmp/lsp" 2>&1
wait $_mp
grep -q 'capture latency = \[ 960 960 \] frames' "$tmp/lsp"
st=$?
tap_ok $st "latency: a stream's --latency 20ms is the port's capture latency, 960 frames"
[ $st -eq 0 ] || _jl_catlog "$tmp/lsp"

# --- --link-wait: a peer that comes later ------------------------------
wait_run() {
	: >"$tmp/wait.peer"
	play wait -- --link-wait --end 3:1 "$scale" &
	_bg=$!
	sleep 1.5
	"$LINKPEER" -o "$tmp/wait.peer" -b 150 +40:quit &
	PEER_PID=$!
	wait $_bg
	status=$(cat "$tmp/wait.status" 2>/dev/null || echo 1)
	peer_stop
	judge wait "$tmp/wait.exp"
}
jl_exact wait_run
st=$?
grep -q 'Link: waiting for another peer' "$tmp/wait.err" &&
    ! grep -q 'no other peer' "$tmp/wait.err" &&
    grep -q '^peers 1' "$tmp/wait.peer" && [ "$status" -eq 0 ]
st2=$?
tap_ok $st2 "--link-wait: waited for the peer that came 1.5 s later, then played"
[ $st2 -eq 0 ] || fail_log wait
tap_ok $st "--link-wait: on the shared grid, within 0.002 beat, the first on a bar"
say wait

# --- publish: the file leads the session's tempo ------------------------
"$MIDIPLAY" --dump --bpm 60 --end 5:1 "$tempo" >"$tmp/tempo.exp"
"$PYTHON3" "$oracle" tempos "$tempo" --before-tick 7680 >"$tmp/file.tempos"
publish() {
	peer_start publish -b 150 +40:quit
	play publish -- --link-publish --end 5:1 "$tempo"
	peer_stop
	"$PYTHON3" "$oracle" peer-tempos "$tmp/publish.peer" >"$tmp/peer.tempos"
	judge publish "$tmp/tempo.exp"
}
jl_exact publish
st=$?
[ "$status" -eq 0 ]
tap_ok $? "publish: --link-publish played tempo.mid's first 4 bars"
[ "$status" -eq 0 ] || fail_log publish
# the file's tempi, in order, as one run of the peer's
n=$(wc -l <"$tmp/file.tempos")
tr '\n' ' ' <"$tmp/file.tempos" >"$tmp/file.line"
tr '\n' ' ' <"$tmp/peer.tempos" >"$tmp/peer.line"
[ "$n" -gt 5 ] && grep -qF -- "$(cat "$tmp/file.line")" "$tmp/peer.line"
st2=$?
tap_ok $st2 "publish: the peer took the file's $n tempi, in order"
[ $st2 -eq 0 ] || tap_diag "file: $(cat "$tmp/file.line")" "peer: $(cat "$tmp/peer.line")"
tap_ok $st "publish: every note within 0.002 beat of its session beat, the first on a bar"
say publish

# --- start/stop sync ----------------------------------------------------
sync_run() {
	peer_start sync -s -b 150 +1:start +4:stop +5.5:start +60:quit
	: >"$tmp/sync.rec"
	rec_start "$tmp/sync.rec" -J -t 0 || return 1
	rm -f "$tmp/sync.mid"
	"$MIDIPLAY" -v --link --link-start-stop -c recorder:in \
	    --record "$tmp/sync.mid" "$scale" 2>"$tmp/sync.err" &
	_mp=$!
	# until the second start has played the whole file (or 40 s)
	_i=0
	while [ $_i -lt 400 ]; do
		_s=$(did sync start 2)
		if [ -n "$_s" ] && [ "$(awk -v s="$_s" \
		    '{ t = $NF; sub("@", "", t) } t >= s' "$tmp/sync.rec" |
		    wc -l)" -ge 31 ]; then
			break
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.5
	kill -INT $_mp
	wait $_mp
	status=$?
	rec_stop 10 >/dev/null
	peer_stop
	s1=$(did sync start 1)
	s2=$(did sync start 2)
	stop=$(did sync stop 1)
	[ -n "$s1" ] && [ -n "$s2" ] && [ -n "$stop" ] || return 1
	# The peer starts now, as Live does, and its start reaches midiplay
	# when Link sends the peer's state (as in follow: 65 ms at most).
	# Where the next bar came sooner than that, midiplay starts late and
	# what was due goes out at once: in the 65 ms after a start, events
	# may be that late (0.17 beat at 150 bpm).
	judge sync "$tmp/scale.exp" --before-us "$stop" --prefix \
	    --window-us "$s1" 65333 0.17
	sync1=$?
	mv "$tmp/sync.verdict" "$tmp/sync1.verdict"
	# (less the sustain off of the release at SIGINT, after the end)
	awk '!($2 == "B0" && $3 == "40")' "$tmp/sync.rec" >"$tmp/sync.rec2"
	mv "$tmp/sync.rec" "$tmp/sync.all"
	mv "$tmp/sync.rec2" "$tmp/sync.rec"
	judge sync "$tmp/scale.exp" --after-us "$s2" \
	    --window-us "$s2" 65333 0.17
	sync2=$?
	mv "$tmp/sync.all" "$tmp/sync.rec"
	[ $sync1 -eq 0 ] && [ $sync2 -eq 0 ]
}
sync1=1
sync2=1
jl_exact sync_run
[ "$status" -eq 130 ] && grep -q 'Link: playing when the session plays' "$tmp/sync.err"
tap_ok $? "start/stop: waited for the session, followed it until SIGINT (exit $status)"
[ "$status" -eq 130 ] || fail_log sync
# between the stop and the next start: note-offs and sustain off only,
# and as many note-offs as note-ons before them
awk -v a="$stop" -v b="$s2" '{ t = $NF; sub("@", "", t) }
	t < b && ($2 ~ /^9/) { on++ } t < b && ($2 ~ /^8/) { off++ }
	t >= a && t < b && !($2 ~ /^8/ || ($2 == "B0" && $3 == "40")) { bad++ }
	t >= a && t < b { n++ }
	END { exit !(n > 0 && !bad && on == off) }' "$tmp/sync.rec"
tap_ok $? "start/stop: the stop released the sounding notes, and nothing else played until the next start"
tap_ok $sync1 "start/stop: the first start played on a bar, every note within 0.002 beat (0.17 beat in the 65 ms after the peer's start), until the stop"
_jl_catlog "$tmp/sync1.verdict"
tap_ok $sync2 "start/stop: the next start played the file again from its start, on a bar, within 0.002 beat (0.17 beat in the 65 ms after the peer's start)"
say sync
# --record through the restarts: the file holds what the recorder got,
# timed from the session's first start (its first event in that cycle,
# where the start's beat fell), the second pass after the first, not
# over it.  Each time in the file is on the tick (25 frames) nearest its
# frame: counted from the first event, within a tick of the recorder's.
: >"$tmp/sync.frames"
"$MIDIPLAY" --dump "$tmp/sync.mid" 2>/dev/null |
    "$PYTHON3" "$top_srcdir/tests/oracle.py" dump2frames 48000 >"$tmp/sync.frames"
rel_frames "$tmp/sync.rec" >"$tmp/sync.got"
z=$(awk 'NR == 1 { print $1 }' "$tmp/sync.frames")
paste -d '|' "$tmp/sync.frames" "$tmp/sync.got" | awk -F '|' '
	{ split($1, w, " "); split($2, g, " ")
	  if (NR == 1) z = w[1]
	  d = (w[1] - z) - g[1]; if (d < 0) d = -d
	  if (d > worst) worst = d
	  sub(/^[0-9]+ /, "", $1); sub(/^[0-9]+ /, "", $2)
	  if ($1 != $2 || d > 25) bad++ }
	END { printf "%d events, %d off, worst %d frames", NR, bad, worst
	      exit !(NR > 31 && !bad) }' >"$tmp/sync.cmp"
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/sync.frames")" -eq "$(wc -l <"$tmp/sync.got")" ] &&
    [ -n "$z" ] && [ "$z" -lt 269 ]
tap_ok $? "start/stop with --record: the file holds what went out through both starts, from the first (first event at frame ${z:-?}; $(cat "$tmp/sync.cmp"))"

# --- a stream: +1b waits on the session's beats, tempo proposes ---------
"$PYTHON3" - "$tmp/stream.in" "$tmp/stream.exp" <<'EOF'
import sys
lines, exp, b = ["tempo 130"], [], 0.0
for i in range(10):
    if i % 2:
        lines.append("+1b on %d 100" % (60 + i))
        lines.append("+0.5b off %d 0" % (60 + i))
    else:
        lines.append("+1b note %d 100 0.5b" % (60 + i))
        lines.append("+0.5b")
    b += 1
    exp.append("@%.9f ch 1 on %d 100" % (b, 60 + i))
    b += 0.5
    exp.append("@%.9f ch 1 off %d 0" % (b, 60 + i))
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
open(sys.argv[2], "w").write("\n".join(exp) + "\n")
EOF
stream_run() {
	peer_start stream -b 150 +4:tempo:104 +40:quit
	play stream -- -
	peer_stop
	"$PYTHON3" "$oracle" peer-tempos "$tmp/stream.peer" >"$tmp/stream.tempos"
	# (as in follow: 26 bpm for 65 ms is 0.029 beat)
	judge stream "$tmp/stream.exp" --window-us "$(did stream tempo)" \
	    65333 0.029
}
jl_exact stream_run
st=$?
[ "$status" -eq 0 ]
tap_ok $? "stream: played to the end"
[ "$status" -eq 0 ] || fail_log stream
# (130 bpm is 461538 us a beat: Link's 130.00013)
tr '\n' ' ' <"$tmp/stream.tempos" | grep -q '130\.000[0-9] .*104\.000[0-9]'
tap_ok $? "stream: its tempo command proposed 130 bpm to the session (then the peer's 104)"
tap_ok $st "stream: every +1b, +0.5b and note of 0.5b within 0.002 beat of its session beat (0.029 beat in the 65 ms after the peer's change), the first on a bar"
say stream

# --- a stream that mixes beats and seconds, alone at 120 bpm ------------
printf '+1b on 72 100 +0.25 off 72 0\n+1b on 74 100 +0.5 off 74 0\n' \
    >"$tmp/mixed.in"
mixed() {
	play mixed -- - || return 1
	[ "$status" -eq 0 ] || return 1
	awk 'NR == 1 { a = $1 } NR == 2 { b = $1 } NR == 3 { c = $1 }
	    NR == 4 { d = $1 } END { exit !(NR == 4 && b - a == 12000 &&
	    c - a == 36000 && d - c == 24000) }' "$tmp/mixed.rec"
}
jl_exact mixed
tap_ok $? "stream: seconds after a beat stay seconds, a beat after seconds counts from there (frames $(cut -d' ' -f1 "$tmp/mixed.rec" | tr '\n' ' '))"

# --- errors ---------------------------------------------------------------
"$MIDIPLAY" --link --start 12.5 "$scale" >/dev/null 2>"$tmp/e1"
[ $? -eq 2 ] && grep -q 'position is bar:beat' "$tmp/e1"
tap_ok $? "--link --start 12.5: a usage error, positions are bars and beats"
"$MIDIPLAY" --link-publish "$scale" >/dev/null 2>"$tmp/e2"
[ $? -eq 2 ] && grep -q 'go with --link' "$tmp/e2"
tap_ok $? "--link-publish without --link: a usage error"
"$MIDIPLAY" --link --link-start-stop - </dev/null >/dev/null 2>"$tmp/e3"
[ $? -eq 2 ] && grep -q 'are for files' "$tmp/e3"
tap_ok $? "--link-start-stop with a stream: a usage error"
"$MIDIPLAY" --link "$top_srcdir/tests/data/smpte-25.mid" >/dev/null 2>"$tmp/e4"
[ $? -eq 1 ] && grep -q 'smpte-25.mid: --link needs a file whose time is in beats' "$tmp/e4"
tap_ok $? "--link on a file timed in SMPTE frames: an error naming the file"

peer_stop
jack_stop
tap_exit
