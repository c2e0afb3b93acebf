#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# export: --export OUT.mid writes what would be played as a Standard MIDI
# File instead of playing.  The written files are read back by midiplay,
# by tests/oracle.py (a reader of its own), by libsmf and by mido, and one
# is played on a private JACK server; bad input and a full disk leave no
# half-written file.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
data="$top_srcdir/tests/data"
samples="$top_srcdir/samples"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
check="$top_srcdir/tests/smfcheck.py"
mp() { timeout -s KILL 60 "$MIDIPLAY" "$@"; }

# Debian's mido belongs to /usr/bin/python3; the first python3 on PATH
# may be another one.
MIDO_PYTHON=
for py in /usr/bin/python3 "$PYTHON3" python3; do
	if "$py" -c 'import mido' 2>/dev/null; then
		MIDO_PYTHON=$py
		break
	fi
done
[ -n "$MIDO_PYTHON" ] || tap_bail "mido is not installed (apt-get install python3-mido)"

tap_plan 34

# 1. A file exported as it is plays exactly as the file: --dump of the
# export is --dump of the file, byte for byte, for every file that plays.
bad=
n=0
for f in "$data"/*.mid "$samples"/*.mid; do
	mp --dump "$f" >"$tmp/want" 2>/dev/null || continue
	n=$((n + 1))
	b=$(basename "$f" .mid)
	if ! mp --export "$tmp/$b.mid" "$f" 2>"$tmp/err" ||
	    ! mp --dump "$tmp/$b.mid" >"$tmp/got" 2>>"$tmp/err" ||
	    ! cmp -s "$tmp/want" "$tmp/got"; then
		bad="$bad $b"
	fi
done
[ "$n" -ge 25 ] && [ -z "$bad" ]
tap_ok $? "$n files exported unchanged: the same events at the same times${bad:+ (not:$bad)}"

# 2. The tracks, format and division are kept.
"$PYTHON3" "$check" ticks "$data/control.mid" >"$tmp/want"
"$PYTHON3" "$check" ticks "$tmp/control.mid" >"$tmp/got"
head -c 14 "$tmp/control.mid" | od -An -tx1 | tr -d ' \n' >"$tmp/hd"
[ "$(cat "$tmp/hd")" = "$(head -c 14 "$data/control.mid" | od -An -tx1 | tr -d ' \n')" ]
tap_ok $? "control.mid: format, track count and division kept ($(cat "$tmp/hd"))"
tap_diff "$tmp/want" "$tmp/got" "control.mid: every event at the tick it had (read by tests/oracle.py)"

# 3. Every exported file is read back by libsmf with the same events as
# midiplay reads (the files libsmf reads at all: not SMPTE, no F7
# packets, no meta event of 128 bytes or more, no delta past 2^31).
set --
for b in after-eot all-messages burst-3000 control f0-basic f1-tempo-many \
    f2-seq fewer-tracks half-frames long-tempo mthd-long no-eot rmid \
    rs-after-meta running-status trailing-bytes unknown-chunk vel0 drums \
    scale tempo; do
	set -- "$@" "$tmp/$b.mid"
done
"$top_builddir/tests/test-libsmf" "$@" >"$tmp/libsmf" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c '^ok' "$tmp/libsmf")" -eq $# ]
tap_ok $? "libsmf reads the $# exported files with midiplay's events (exit $st)"
grep -v '^ok' "$tmp/libsmf" | grep -v '^1\.\.' | head -n 5 | sed 's/^/# /'

# 4. ... and mido too (times to the microsecond).
bad=
for b in control tempo drums f1-tempo-many all-messages; do
	"$MIDO_PYTHON" "$check" mido "$tmp/$b.mid" >"$tmp/mido" 2>"$tmp/err" || { bad="$bad $b"; continue; }
	mp --dump "$tmp/$b.mid" >"$tmp/mine"
	"$PYTHON3" "$check" same "$tmp/mido" "$tmp/mine" 0.000002 >"$tmp/same" ||
	    bad="$bad [$b: $(cat "$tmp/same")]"
done
[ -z "$bad" ]
tap_ok $? "mido reads 5 exported files with the same events at the same times (to 2 us: mido adds floats)${bad:+ $bad}"

# 5. With playback control, the export holds what that command plays:
# each event within half a tick of where it plays, read by the oracle.
# A start or an end in seconds between two ticks moves the output by less
# than a tick there (the output keeps the file's grid), so those cases get
# one tick.
bad=
for args in "--tempo 0.5" "--tempo 1.25" "--bpm 77.5" "--start 2:1" \
    "--start 3:2:40" "--end 4:2" "--start 2:1 --end 4:2 --loop 3" \
    "--loop 3" "--tracks 2,4" "--tracks 1-3 --start 5:1" "--channels 10" \
    "--channels 1,2 --loop 2 --end 3:1" "--transpose 8" \
    "--transpose -5 --channels 2" "--tempo 0.8 --start 2:1 --end 5:1 --loop 2" \
    "1 --start 1.3" "1 --end 2.71 --loop 2" "1 --tempo 1.5 --start 0.9"; do
	tol=0.5
	case $args in 1\ *) tol=1; args=${args#1 } ;; esac
	for f in "$data/control.mid" "$samples/tempo.mid"; do
		# shellcheck disable=SC2086 # split on purpose
		mp --dump $args "$f" >"$tmp/want" 2>/dev/null
		# shellcheck disable=SC2086
		mp --export "$tmp/c.mid" $args "$f" 2>/dev/null &&
		    "$PYTHON3" "$check" near "$tmp/want" "$tmp/c.mid" "$tol" >"$tmp/near" ||
		    bad="$bad [$args $(basename "$f"): $(cat "$tmp/near")]"
	done
done
[ -z "$bad" ]
tap_ok $? "18 sets of control options on 2 files: each event within half a tick${bad:+ $bad}"
mp --dump --start 9:1 --end 17:1 --transpose 2 "$samples/tempo.mid" >"$tmp/want"
mp --export "$tmp/chorus.mid" --start 9:1 --end 17:1 --transpose 2 "$samples/tempo.mid" &&
    mp --dump "$tmp/chorus.mid" >"$tmp/got"
tap_diff "$tmp/want" "$tmp/got" "--start 9:1 --end 17:1 --transpose 2: exactly what that command plays"

# 6. Round trip through the stream: --dump X | --export Y -, then --dump Y:
# the same events, each within half a tick of its time (at 960 ticks a
# quarter and 120 bpm, a tick is 1/1920 s).
bad=
for f in "$data/control.mid" "$data/f1-tempo-many.mid" "$data/all-messages.mid" \
    "$data/sysex.mid" "$samples/tempo.mid" "$samples/drums.mid"; do
	mp --dump "$f" >"$tmp/want"
	mp --export "$tmp/s.mid" - <"$tmp/want" 2>"$tmp/err" &&
	    "$PYTHON3" "$check" near "$tmp/want" "$tmp/s.mid" >"$tmp/near" ||
	    bad="$bad [$(basename "$f"): $(cat "$tmp/near" "$tmp/err")]"
	mp --dump "$tmp/s.mid" >"$tmp/back" 2>/dev/null
	"$PYTHON3" "$check" near "$tmp/back" "$tmp/s.mid" 0 >/dev/null ||
	    bad="$bad [$(basename "$f"): midiplay reads it otherwise than the oracle]"
done
[ -z "$bad" ]
tap_ok $? "6 files through --dump | --export -: each event within half a tick${bad:+ $bad}"
head -c 14 "$tmp/s.mid" | od -An -tx1 | tr -d ' \n' >"$tmp/hd"
[ "$(cat "$tmp/hd")" = 4d546864000000060000000103c0 ]
tap_ok $? "a stream becomes format 0, one track, 960 ticks a quarter ($(cat "$tmp/hd"))"
bad=
for s in melody drums sweep; do
	mp --dump - <"$samples/$s.txt" >"$tmp/want"
	mp --export "$tmp/s.mid" - <"$samples/$s.txt" &&
	    "$PYTHON3" "$check" near "$tmp/want" "$tmp/s.mid" >/dev/null || bad="$bad $s"
done
[ -z "$bad" ]
tap_ok $? "samples/melody, drums and sweep.txt exported: each event within half a tick${bad:+ (not:$bad)}"

# 7. Beats land exactly on ticks, tempo changes become tempo events where
# they take effect, every note gets its note-off, --ppq sets the grid.
cat >"$tmp/beats.txt" <<'EOF'
tempo 90
on C3 100
+1b off C3 0
+0.5b note E3 90 1b
+1.5b tempo 137.5
+1b note G3 80 0.25b
+2b cc 7 100
EOF
mp --export "$tmp/b.mid" - <"$tmp/beats.txt" 2>"$tmp/err"
"$PYTHON3" "$check" ticks "$tmp/b.mid" >"$tmp/got"
cat >"$tmp/want" <<'EOF'
0 ch 1 on 60 100
960 ch 1 off 60 0
1440 ch 1 on 64 90
2400 ch 1 off 64 0
3840 ch 1 on 67 80
4080 ch 1 off 67 0
5760 ch 1 cc 7 100
EOF
tap_diff "$tmp/want" "$tmp/got" "a stream in beats lands exactly on ticks, through a tempo change"
"$MIDO_PYTHON" -c '
import sys, mido
f = mido.MidiFile(sys.argv[1]); t = 0; out = []
for m in f.tracks[0]:
    t += m.time
    if m.type == "set_tempo": out.append("%d %d" % (t, m.tempo))
print(f.type, f.ticks_per_beat, " ".join(out))' "$tmp/b.mid" >"$tmp/got"
echo "0 960 0 666667 2880 436364" >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "its tempo events where the commands take effect (mido: type, ppq, tick tempo...)"
mp --export "$tmp/p.mid" --ppq 96 - <"$tmp/beats.txt" &&
    "$PYTHON3" "$check" ticks "$tmp/p.mid" | cut -d' ' -f1 | tr '\n' ' ' >"$tmp/got"
[ "$(cat "$tmp/got")" = "0 96 144 240 384 408 576 " ]
tap_ok $? "--ppq 96: the same on a grid of 96 ($(cat "$tmp/got"))"

# 8. Seconds land on the nearest tick; -v says how far rounding moved any.
printf '@0.0001 on 60 100\n@0.3337 off 60 0\n' >"$tmp/sec.txt"
mp -v --export "$tmp/sec.mid" - <"$tmp/sec.txt" 2>"$tmp/err"
"$PYTHON3" "$check" ticks "$tmp/sec.mid" | cut -d' ' -f1 | tr '\n' ' ' >"$tmp/got"
[ "$(cat "$tmp/got")" = "0 641 " ] &&
    grep -q "sec.mid: 3 events in 1 track (format 0, division 960); largest rounding error 0.154167 ms (0.2960 tick)" "$tmp/err"
tap_ok $? "seconds to the nearest tick (0 641), -v: the largest rounding error ($(cat "$tmp/got"))"
sed 's/^/# /' "$tmp/err"

# 9. Notes left on by 'on' stay on, with a warning, or get note-offs.
printf 'on 60 100\n+0.5 cc 64 127\n+0.5 on 64 90\n' >"$tmp/on.txt"
mp --export "$tmp/on.mid" - <"$tmp/on.txt" 2>"$tmp/err"
st=$?
"$PYTHON3" "$check" ticks "$tmp/on.mid" >"$tmp/got"
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/got")" -eq 3 ] &&
    grep -q "warning: 2 notes left sounding at the end" "$tmp/err"
tap_ok $? "notes left on stay on in the file, with a warning, exit 0"
mp --export "$tmp/on.mid" --release - <"$tmp/on.txt"
"$PYTHON3" "$check" ticks "$tmp/on.mid" | tail -n 3 >"$tmp/got"
printf '1920 ch 1 off 60 0\n1920 ch 1 off 64 0\n1920 ch 1 cc 64 0\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "--release: note-offs and sustain off after the last event"

# 10. The exported file plays at the frames the stream asked for, within
# half a tick: tests/recorder on a private server.
cat >"$tmp/live.txt" <<'EOF'
tempo 100
@0.01 on C3 100
+1b off C3 0
+0.333 note D3 90 0.5b
@1.6661 cc 1 64
+0.25b tempo 63
+1b note E3 80 250ms
+0.1 syx 0x43 0x10 0x4C 0x00 0x00 0x7E 0x00
EOF
mp --dump - <"$tmp/live.txt" >"$tmp/live.dump"
mp --export "$tmp/live.mid" - <"$tmp/live.txt"
jack_start 256 || exit 1
. "$top_srcdir/tests/playlib.sh"
play_live() {
	play_file "$tmp/live.mid"
	[ "$status" -eq 0 ] && "$PYTHON3" "$check" frames "$tmp/live.dump" 48000 \
	    "$tmp/got" "$tmp/live.mid" >"$tmp/frames"
}
jl_exact play_live
tap_ok $? "the exported stream played: every event at its frame within half a tick ($(cat "$tmp/frames"))"
jack_stop

# 11. Bad input.
printf 'on 60 100\n+0.5 off 60 0 bogus\n+0.5 cc 300 1\n+1 off 60 0\n' >"$tmp/bad.txt"
mp --export "$tmp/bad.mid" - <"$tmp/bad.txt" 2>"$tmp/err"
st=$?
"$PYTHON3" "$check" ticks "$tmp/bad.mid" >"$tmp/got"
[ $st -eq 1 ] && grep -q '^midiplay: <stdin>:2:' "$tmp/err" &&
    grep -q '^midiplay: <stdin>:3:' "$tmp/err" &&
    [ "$(cut -d' ' -f1 "$tmp/got" | tr '\n' ' ')" = "0 1920 " ]
tap_ok $? "bad stream lines: reported as LINE:COL, the rest written, exit 1 (got $st)"

mp --export "$tmp/nodir/x.mid" - <"$tmp/beats.txt" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "nodir/x.mid: cannot create a file there: No such file or directory" "$tmp/err" &&
    [ ! -e "$tmp/nodir" ]
tap_ok $? "OUT in a directory that does not exist: a clear error, exit 1"
mkdir "$tmp/adir"
mp --export "$tmp/adir" - <"$tmp/beats.txt" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "adir: is a directory" "$tmp/err" &&
    [ -z "$(ls -A "$tmp/adir")" ] && [ -z "$(ls -A "$tmp" | grep '^\.adir')" ]
tap_ok $? "OUT a directory: a clear error, exit 1, no temporary file left"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	mp --export "$tmp/ro/x.mid" - <"$tmp/beats.txt" 2>"$tmp/err"
	st=$?
	[ $st -eq 1 ] && grep -q "ro/x.mid: cannot create a file there: Permission denied" "$tmp/err"
	tap_ok $? "OUT in a directory without write permission: a clear error, exit 1"
else
	# root writes anywhere: a read-only place it cannot write is /proc
	mp --export /proc/midiplay-test.mid - <"$tmp/beats.txt" 2>"$tmp/err"
	st=$?
	[ $st -eq 1 ] && grep -q "/proc/midiplay-test.mid: cannot create a file there" "$tmp/err"
	tap_ok $? "OUT where no file can be made (/proc, as root): a clear error, exit 1"
fi

cp "$samples/tempo.mid" "$tmp/in.mid"
ln "$tmp/in.mid" "$tmp/hard.mid"
ln -s in.mid "$tmp/soft.mid"
bad=
for out in "$tmp/in.mid" "$tmp/hard.mid" "$tmp/soft.mid" "$tmp/../$(basename "$tmp")/in.mid"; do
	mp --export "$out" "$tmp/in.mid" 2>"$tmp/err"
	[ $? -eq 1 ] && grep -q "is the file being read; --export needs another name" "$tmp/err" &&
	    cmp -s "$tmp/in.mid" "$samples/tempo.mid" || bad="$bad $out"
done
[ -z "$bad" ]
tap_ok $? "OUT is the input (same name, a hard link, a symlink, another path): refused, input intact${bad:+ (not:$bad)}"

# A full disk: a file size limit (ulimit -f, in blocks of 1 KB) smaller
# than the file.  The write fails with EFBIG; nothing is left behind, and
# a file already at OUT is left as it was.
python3_big() {
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "+0.01 note %d 100 5ms\n", 30 + i % 60 }'
}
python3_big >"$tmp/big.txt"
echo "an old file" >"$tmp/full.mid"
(ulimit -f 64; exec "$MIDIPLAY" --export "$tmp/full.mid" - <"$tmp/big.txt") 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "full.mid: cannot write it: File too large; nothing was written" "$tmp/err" &&
    [ "$(cat "$tmp/full.mid")" = "an old file" ] && [ -z "$(ls -A "$tmp" | grep '^\.full')" ]
tap_ok $? "disk full (ulimit -f 64): a clear error, exit 1, OUT unchanged, no temporary file (got $st)"
sed 's/^/# /' "$tmp/err"
(ulimit -f 64; exec "$MIDIPLAY" --export "$tmp/new.mid" - <"$tmp/big.txt") 2>/dev/null
[ ! -e "$tmp/new.mid" ] && [ -z "$(ls -A "$tmp" | grep '^\.new')" ]
tap_ok $? "disk full, no OUT before: still none after"
mp --export "$tmp/big.mid" - <"$tmp/big.txt" && [ "$(mp --dump "$tmp/big.mid" | wc -l)" -eq 40000 ]
tap_ok $? "without the limit the same stream is written whole (40000 events)"

# A broken file: what plays before the error is written, with the
# note-offs the player sends there; exit 1.
mp --export "$tmp/broken.mid" "$data/bad-data.mid" 2>"$tmp/err"
st=$?
"$PYTHON3" "$check" ticks "$tmp/broken.mid" | tail -n 2 >"$tmp/got"
[ $st -eq 1 ] && grep -q "bad-data.mid: track 1 at byte 47" "$tmp/err" &&
    grep -q "broken.mid: written up to the error above" "$tmp/err" &&
    grep -q ' off ' "$tmp/got"
tap_ok $? "a broken event: written up to it, sounding notes released there, exit 1 (got $st)"

# 12. Usage errors.
bad=
for args in "-c x" "-W" "--clock" "--loop" "--dump" "--transport" "--record $tmp/r.mid" "--ppq 96" "--latency 5ms" "--cycle-limit 64/960"; do
	# shellcheck disable=SC2086 # split on purpose
	mp --export "$tmp/u.mid" $args "$data/control.mid" >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "Try 'midiplay --help'" "$tmp/err" || bad="$bad [$args]"
done
for args in "--ppq 0" "--ppq 32768" "--ppq x"; do
	# shellcheck disable=SC2086
	mp --export "$tmp/u.mid" $args - </dev/null >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] || bad="$bad [$args]"
done
mp --ppq 96 - </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || bad="$bad [--ppq without --export]"
[ -z "$bad" ] && [ ! -e "$tmp/u.mid" ]
tap_ok $? "--export with -c, -W, --clock, --loop for ever, --dump, --transport, --record, --latency, --cycle-limit; --ppq on a file, out of range or alone: usage errors${bad:+ (not:$bad)}"

# 13. No JACK server is needed.
env JACK_DEFAULT_SERVER="mptest-none-$$" JACK_NO_START_SERVER=1 \
    "$MIDIPLAY" --export "$tmp/nojack.mid" "$samples/scale.mid" 2>"$tmp/err"
[ $? -eq 0 ] && [ -s "$tmp/nojack.mid" ] && [ ! -s "$tmp/err" ]
tap_ok $? "no JACK server needed, nothing printed without -v"

# 14. The written file's mode is a new file's (umask), not mkstemp's 0600.
(umask 022; "$MIDIPLAY" --export "$tmp/mode.mid" "$samples/scale.mid")
[ "$(stat -c %a "$tmp/mode.mid")" = 644 ]
tap_ok $? "the file gets the mode of a new file under the umask (644 under 022)"

# 15. Format 2 plays its patterns one after another: written as format 1
# on that one timeline.
mp --dump "$data/f2-seq.mid" >"$tmp/want"
mp --dump "$tmp/f2-seq.mid" >"$tmp/got"
[ "$(head -c 10 "$tmp/f2-seq.mid" | tail -c 2 | od -An -tx1 | tr -d ' ')" = 0001 ]
tap_ok $? "format 2 is written as format 1"
tap_diff "$tmp/want" "$tmp/got" "format 2: the patterns one after another, as played"

# 16. The largest error of a file with --tempo, in -v.
mp -v --export "$tmp/t.mid" --tempo 0.75 "$samples/tempo.mid" 2>"$tmp/err"
grep -q "t.mid: [0-9]* events in 3 tracks (format 1, division 480); largest rounding error 0.00" "$tmp/err"
tap_ok $? "--tempo 0.75: tempo events scaled, rounding error under 0.01 ms ($(sed -n 's/.*largest rounding error //p' "$tmp/err"))"

# 17. SysEx, system messages and raw bytes survive (all-messages.mid).
mp --dump "$data/all-messages.mid" >"$tmp/want"
mp --dump "$tmp/all-messages.mid" >"$tmp/got"
tap_diff "$tmp/want" "$tmp/got" "all-messages.mid: SysEx, system messages and escapes as they were"

# 18. An End-of-Track far after the last event written: --channels 1
# leaves out the channel 2 messages that filled 11 * 0x0fffffff ticks, so
# the file needs empty meta events to reach the End-of-Track's tick.
"$MIDO_PYTHON" - "$tmp/gap.mid" <<'EOF_PY'
import sys, mido
t = mido.MidiTrack([mido.Message("note_on", note=60, velocity=100, time=0),
                    mido.Message("note_off", note=60, time=96)])
t += [mido.Message("control_change", channel=1, control=7, value=100,
                   time=0x0fffffff) for _ in range(11)]
t.append(mido.MetaMessage("end_of_track", time=0))
f = mido.MidiFile(type=0, ticks_per_beat=96)
f.tracks.append(t)
f.save(sys.argv[1])
EOF_PY
mp --export "$tmp/gap-out.mid" --channels 1 "$tmp/gap.mid" 2>"$tmp/err"
st=$?
got=$("$MIDO_PYTHON" -c '
import sys, mido
t = mido.MidiFile(sys.argv[1]).tracks[0]
print(sum(m.time for m in t), t[-1].type)' "$tmp/gap-out.mid")
[ $st -eq 0 ] && [ "$got" = "$((96 + 11 * 0x0fffffff)) end_of_track" ] &&
    [ "$(mp --dump "$tmp/gap-out.mid")" = "$(mp --dump --channels 1 "$tmp/gap.mid")" ]
tap_ok $? "an End-of-Track 2.95e9 ticks after the last event written: at its tick ($got), exit $st"
tap_exit
