#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# python-export: midiplay.Player(export=PATH) writes a Standard MIDI File
# through `midiplay --export PATH -`, with no JACK server: at= and wait()
# times as `midiplay --dump` reads them back from the file, and a
# rejected line raising midiplay.Error naming LINE:COL while the rest is
# written.
. "${top_srcdir:-.}/tests/jacklib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

PY=${PYTHON3:-python3}
if [ -n "${MP_PYTHONPATH:-}" ]; then
	PYTHONPATH=$MP_PYTHONPATH
else
	[ -n "${MIDIPLAY:-}" ] || tap_bail "MIDIPLAY is not set (run through make check)"
	PYTHONPATH=$top_srcdir/python
fi
PYTHONDONTWRITEBYTECODE=1
# no server: a private name that nothing runs under
JACK_DEFAULT_SERVER="mptest-none-$$"
JACK_NO_START_SERVER=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE JACK_DEFAULT_SERVER JACK_NO_START_SERVER
MIDIPLAY_BIN=$("$PY" -c 'import midiplay; print(midiplay.binary())') ||
    tap_bail "cannot import midiplay from $PYTHONPATH"
"$MIDIPLAY_BIN" --help 2>&1 | grep -q -- '--export' ||
    tap_bail "$MIDIPLAY_BIN has no --export yet"

tap_plan 4

timeout -s KILL 30 "$PY" - "$tmp/out.mid" <<'PY' >"$tmp/out" 2>&1
import sys, midiplay
with midiplay.Player(export=sys.argv[1]) as p:
    assert p.zero_frame is None and p.rate is None
    p.program(5)
    p.note(60, 100, 0.25)
    p.wait(0.5)
    p.cc(7, 100, channel=2)
    p.tempo(60)
    p.wait(beats=1)
    p.on(64, 90, channel=10)
    p.off(64, channel=10, at=2)
PY
st=$?
[ $st -eq 0 ] && [ -s "$tmp/out.mid" ]
tap_ok $? "Player(export=...) writes a file with no JACK server, exit $st"
sed 's/^/# /' "$tmp/out"
"$MIDIPLAY_BIN" --dump "$tmp/out.mid" >"$tmp/got" 2>&1
cat >"$tmp/want" <<'TXT'
@0.000000000 ch 1 pc 5
@0.000000000 ch 1 on 60 100
@0.250000000 ch 1 off 60 0
@0.500000000 ch 2 cc 7 100
@1.500000000 ch 10 on 64 90
@2.000000000 ch 10 off 64 0
TXT
tap_diff "$tmp/want" "$tmp/got" "the file holds the events at their times, at= and wait() alike"

timeout -s KILL 30 "$PY" - "$tmp/bad.mid" <<'PY' >"$tmp/out" 2>&1
import sys, midiplay
p = midiplay.Player(export=sys.argv[1])
p.on(60, at=0)
p.line("on 61 200")
p.off(60, at=1)
try:
    p.close()
except midiplay.Error as e:
    assert "midiplay: <stdin>:2:7: velocity 200 out of range 0-127" in str(e), str(e)
    assert e.returncode == 1, e.returncode
    print(e)
else:
    raise SystemExit("no error")
PY
tap_ok $? "a rejected line: close() raises midiplay.Error naming <stdin>:2:7"
sed 's/^/# /' "$tmp/out"
"$MIDIPLAY_BIN" --dump "$tmp/bad.mid" >"$tmp/got" 2>&1
printf '@0.000000000 ch 1 on 60 100\n@1.000000000 ch 1 off 60 0\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "and the rest is written"

tap_exit
