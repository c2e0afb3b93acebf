#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# control: --tempo, --bpm, --start, --end, --loop, --tracks, --channels,
# --transpose and --clock.  What midiplay sends is compared with
# tests/control_oracle.py, a second implementation in exact fractions:
# first as --dump text (no JACK), then, for the issue's cases, as frames
# a recorder received from midiplay on a private JACK server.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
data="$top_srcdir/tests/data"
samples="$top_srcdir/samples"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$top_srcdir/tests/playlib.sh"

oracle() {
	"$PYTHON3" "$top_srcdir/tests/control_oracle.py" "$@"
}

# dump_case FILE ARGS...: --dump equals the oracle's, exit 0.
dump_case() {
	f=$1
	shift
	oracle dump "$f" "$@" >"$tmp/want"
	"$MIDIPLAY" --dump "$@" "$f" >"$tmp/got" 2>"$tmp/err"
	st=$?
	tap_diff "$tmp/want" "$tmp/got" "--dump $* $(basename "$f"): as the oracle ($(wc -l <"$tmp/want") events)"
}

# played ARGS...: play control.mid; succeed when the frames at 48 kHz
# are the oracle's (on PipeWire, as it delivers them: jl_pw_normalise).
played() {
	play_file "$data/control.mid" "$@"
	oracle 48000 "$data/control.mid" "$@" >"$tmp/want"
	jl_pw_normalise "$tmp/want"
	[ "$status" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got"
}

# play_case ARGS...: the same as a test.
play_case() {
	jl_exact played "$@"
	tap_ok $? "played $*: every frame as the oracle ($(wc -l <"$tmp/want") events), exit $status"
	cmp -s "$tmp/want" "$tmp/got" || diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/# /'
}

tap_plan 41

for args in "" "--tempo 0.5" "--tempo 2" "--tempo 1.25" "--bpm 90" \
    "--bpm 77.5" "--start 2:1" "--start 1.3" "--start 3:2:40" "--end 4:2" \
    "--end 2.71" "--start 2:1 --end 4:2 --loop 3" "--loop 3" \
    "--tracks 2,4" "--tracks 1-3 --start 5:1" "--channels 10" \
    "--channels 1,2 --loop 2 --end 3:1" "--transpose 8" \
    "--transpose -5 --channels 2" "--clock" "--clock --start 2:3 --end 5:1 --loop 2" \
    "--clock --tempo 1.5 --start 3.1" "--bpm 77.5 --clock --start 4:2:7"; do
	# shellcheck disable=SC2086 # split on purpose
	dump_case "$data/control.mid" $args
done
dump_case "$samples/tempo.mid" --clock --start 3:2 --end 6:1 --loop 2 --tempo 0.8
dump_case "$samples/tempo.mid" --start 2.2 --transpose 3 --tracks 2

# The chased state comes first, at time zero, before any note.
"$MIDIPLAY" --dump --start 2:1 "$data/control.mid" | sed -n '1,9p' >"$tmp/got"
cat >"$tmp/want" <<'END'
@0.000000000 ch 1 cc 0 1
@0.000000000 ch 1 cc 32 2
@0.000000000 ch 1 pc 6
@0.000000000 ch 1 cc 7 90
@0.000000000 ch 1 cc 64 127
@0.000000000 ch 1 cc 101 0
@0.000000000 ch 1 cc 100 0
@0.000000000 ch 1 cc 6 12
@0.000000000 ch 1 pb 9000
END
tap_diff "$tmp/want" "$tmp/got" "--start 2:1: bank, program, controllers, RPN and pitch bend in effect there come first"

"$MIDIPLAY" --dump --transpose 8 "$data/control.mid" >/dev/null 2>"$tmp/err"
grep -q "byte 552: warning: note 120 transposed by 8 is out of 0-127; dropped" "$tmp/err"
tap_ok $? "--transpose: a note pushed out of 0-127 is dropped with a warning naming its byte"

"$MIDIPLAY" --dump --clock --start 3:2 "$samples/drums.mid" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "drums.mid: --start is past the end of the file" "$tmp/err"
tap_ok $? "--start past the end: an error, exit 1 (got $st)"

"$MIDIPLAY" --dump --clock "$data/smpte-25.mid" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "clock needs a file whose time is in beats" "$tmp/err"
tap_ok $? "--clock on an SMPTE file: an error, exit 1 (got $st)"

bad=0
for args in "--tempo 0" "--tempo x" "--bpm 0" "--start 1:0" "--end 2:" \
    "--loop 0" "--tracks 0" "--channels 17" "--transpose 200" \
    "--start 3 --end 2"; do
	# shellcheck disable=SC2086
	"$MIDIPLAY" --dump $args "$data/control.mid" >/dev/null 2>&1
	st=$?
	[ $st -ne 0 ] || { tap_diag "'$args' was accepted"; bad=1; }
done
echo "on 60 1" | "$MIDIPLAY" --tempo 2 - >/dev/null 2>&1
[ $? -eq 2 ] || bad=1
tap_ok $bad "bad control options and control options with a stream are refused"

# The issue's cases, as a recorder received them.
jack_start 256 || exit 1
play_case --tempo 0.5 --end 2:1
play_case --tempo 2 --end 4:1
play_case --bpm 240 --end 3:1
play_case --start 2:1 --end 3:1
play_case --start 2:1 --end 3:1 --loop 3
play_case --tracks 3,4 --channels 2,10 --end 3:1
play_case --clock --start 2:3 --end 4:1

# -v prints markers and lyrics as they pass, at their time.
play_file "$samples/tempo.mid" --end 2:1
sed -n 's/^midiplay: \(marker\|lyric\) at \([0-9.]*\) s: \(.*\)/\1 \2 \3/p' "$tmp/err" >"$tmp/got"
"$MIDIPLAY" --dump --end 2:1 "$samples/tempo.mid" |
    awk '$2 == "ch" && $3 == 1 && $4 == "on" { t = substr($1, 2); printf "lyric %.3f %s\n", t + 0.0000001, substr("lalilolu", 1 + 2 * (n++ % 4), 2) }' >"$tmp/lyr"
{ echo "marker 0.000 start"; cat "$tmp/lyr"; } >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "-v: the marker and each lyric printed as they pass, at the time of their beat"

# On a terminal, a progress line: elapsed / total, bar:beat, tempo, a bar;
# -q hides it.
rec_start "$tmp/rec" -t 0 || exit 1
timeout -s KILL 60 script -qec "$MIDIPLAY -c recorder:in --end 2:1 '$samples/tempo.mid'" /dev/null </dev/null >"$tmp/tty" 2>&1
st=$?
rec_stop >/dev/null
tr '\r' '\n' <"$tmp/tty" | grep -a '^0:0[0-9]\.[0-9] / 0:02\.[0-9]  [12]:[1-4]  [0-9.]* bpm  \[[#-]*\]' >"$tmp/lines"
[ $st -eq 0 ] && [ "$(wc -l <"$tmp/lines")" -ge 3 ] && tail -c 4 "$tmp/tty" | od -c | grep -q '033'
tap_ok $? "a terminal gets a progress line, redrawn ($(wc -l <"$tmp/lines") times), cleared at the end (exit $st)"
timeout -s KILL 60 script -qec "$MIDIPLAY -q --end 1:2 '$samples/tempo.mid'" /dev/null </dev/null >"$tmp/tty" 2>&1
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/tty" ]
tap_ok $? "-q: no progress line (exit $st, $(wc -c <"$tmp/tty") bytes)"
jack_stop
jack_start "$(jl_small_period)" || exit 1
play_case --clock --tempo 1.25 --end 3:1 --transpose -3
tap_exit
