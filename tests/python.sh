#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# python: the midiplay Python package (python/midiplay) on a private JACK
# server, recorded by tests/recorder: Player events with at= and wait() at
# their exact frames, close() returning once the last event arrived,
# errors (a rejected line, no server, a bad option, a killed child),
# python-rtmidi's MidiOut running the blog's script unchanged, mido
# Messages through send() and through the mido backend, fireworks.py as
# a pipe writer, and fireworks_module.py playing what its output plays.
#
# make check runs it on the source tree (PYTHONPATH=python, MIDIPLAY the
# program just built); make installcheck on the installed tree, with
# MP_PYTHONPATH the installed package's directory, MP_BINDIR where the
# program was installed, and MIDIPLAY unset.  mido and python-rtmidi are
# Debian's (python3-mido, python3-rtmidi), for /usr/bin/python3: the
# checks that need them run on a Python that has them, or bail out.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

PY=${PYTHON3:-python3}
if [ -n "${MP_PYTHONPATH:-}" ]; then
	[ -z "${MIDIPLAY:-}" ] || tap_bail "MIDIPLAY is set: the installed package must find its program itself"
	[ -n "${MP_BINDIR:-}" ] || tap_bail "MP_PYTHONPATH without MP_BINDIR"
	pkgdir=$MP_PYTHONPATH
	want_bin=$MP_BINDIR/midiplay
else
	[ -n "${MIDIPLAY:-}" ] || tap_bail "MIDIPLAY is not set (run through make check)"
	pkgdir=$top_srcdir/python
	want_bin=$MIDIPLAY
fi
PYTHONPATH=$pkgdir
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE
"$PY" -c 'import midiplay' 2>"$tmp/err" || tap_bail "cannot import midiplay from $pkgdir: $(tail -1 "$tmp/err")"

# A Python with MODULE: $PY, else Debian's /usr/bin/python3.
py_with() {
	for p in "$PY" /usr/bin/python3; do
		if "$p" -c "import $1" 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
MIDO_PY=$(py_with mido) || tap_bail "mido is not installed for $PY nor /usr/bin/python3 (apt-get install python3-mido)"
RTMIDI_PY=$(py_with rtmidi) || tap_bail "python-rtmidi is not installed for $PY nor /usr/bin/python3 (apt-get install python3-rtmidi)"
MIDIPLAY_BIN=$("$PY" -c 'import midiplay; print(midiplay.binary())')
export MIDIPLAY_BIN

# rec_play COMMAND...: start the recorder, run COMMAND (a Python program,
# as "$PY" - with the program on stdin), then stop the recorder.  The
# program finds the recorder's pid in $REC and may write a Player's zero
# frame to $ZERO.
# Leaves $tmp/got ("FRAME BYTES", frames counted from that zero frame,
# or absolute when none was written), $tmp/out, $tmp/err and $status.
rec_play() {
	: >"$tmp/rec"
	rm -f "$tmp/zero"
	rec_start "$tmp/rec" -t 0 || return 1
	REC=$REC_PID ZERO="$tmp/zero" timeout -s KILL 60 "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	rec_stop 30 >/dev/null
	z=$(cat "$tmp/zero" 2>/dev/null || echo 0)
	awk -v z="$z" '{ $1 = $1 - z; print }' "$tmp/rec" >"$tmp/got"
	[ "$status" -eq 0 ] || { tap_diag "the program exited with status $status:"; sed 's/^/#   /' "$tmp/err" | head -20; }
}

# relative FILE: frames minus the first one
relative() {
	awk 'NR == 1 { z = $1 } { $1 = $1 - z; print }' "$1"
}

tap_plan 21

# --- the package itself, without a server ------------------------------
"$PY" - "$pkgdir" "$want_bin" <<'EOF' >"$tmp/out" 2>&1
import os, sys, midiplay
pkg = os.path.realpath(os.path.join(sys.argv[1], "midiplay"))
got = os.path.realpath(os.path.dirname(midiplay.__file__))
assert got == pkg, "imported from %s, not %s" % (got, pkg)
assert os.path.realpath(midiplay.binary()) == os.path.realpath(sys.argv[2]), \
    "runs %s, not %s" % (midiplay.binary(), sys.argv[2])
print("from %s, running %s" % (got, midiplay.binary()))
EOF
tap_ok $? "the package is imported from $pkgdir and runs $want_bin"
sed 's/^/# /' "$tmp/out"

# Python 3.9 syntax, and a docstring on every public name.
"$MIDO_PY" - "$pkgdir/midiplay" "$top_srcdir/samples" <<'EOF' >"$tmp/out" 2>&1
import ast, glob, os, sys
bad = []
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.py")) +
               glob.glob(os.path.join(sys.argv[2], "*.py")))
for f in files:
    try:
        ast.parse(open(f).read(), f, feature_version=(3, 9))
    except SyntaxError as e:
        bad.append("%s:%s: %s" % (f, e.lineno, e.msg))
print("%d files" % len(files))
sys.exit("\n".join(bad) or None)
EOF
tap_ok $? "the package and the samples are Python 3.9 syntax"
sed 's/^/# /' "$tmp/out"
"$MIDO_PY" - <<'EOF' >"$tmp/out" 2>&1
import inspect, sys, midiplay, midiplay.rtmidi, midiplay.mido_backend
missing, n = [], 0
for mod in (midiplay, midiplay.rtmidi, midiplay.mido_backend):
    if not (mod.__doc__ or "").strip():
        missing.append(mod.__name__)
    for name in mod.__all__:
        obj = getattr(mod, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        n += 1
        if not (inspect.getdoc(obj) or "").strip():
            missing.append("%s.%s" % (mod.__name__, name))
        if not inspect.isclass(obj):
            continue
        for k, v in vars(obj).items():
            if k.startswith("_") or not (inspect.isfunction(v) or
                                         isinstance(v, property)):
                continue
            n += 1
            if not (v.__doc__ or "").strip():
                missing.append("%s.%s.%s" % (mod.__name__, name, k))
print("%d public names" % n)
sys.exit("no docstring: " + ", ".join(missing) if missing else 0)
EOF
tap_ok $? "every public module, class, function, method and property has a docstring"
sed 's/^/# /' "$tmp/out"

# The names of midiplay.rtmidi are python-rtmidi's, with the same values.
"$RTMIDI_PY" - <<'EOF' >"$tmp/out" 2>&1
import rtmidi as real
import midiplay.rtmidi as ours
bad = []
for name in ours.__all__:
    if not hasattr(real, name):
        bad.append("rtmidi has no %s" % name)
    elif name.startswith("API_") and getattr(real, name) != getattr(ours, name):
        bad.append("%s differs" % name)
    elif isinstance(getattr(ours, name), type) and issubclass(getattr(ours, name), Exception):
        for base in getattr(real, name).__mro__[1:]:
            if base.__module__ == "builtins" and not issubclass(getattr(ours, name), base):
                bad.append("%s is not a %s" % (name, base.__name__))
for name in dir(ours):
    if name.startswith("ERRORTYPE_") and getattr(real, name) != getattr(ours, name):
        bad.append("%s differs" % name)
for name, v in vars(ours.MidiOut).items():
    if not name.startswith("_") and not hasattr(real.MidiOut, name):
        bad.append("rtmidi.MidiOut has no %s" % name)
print("%d names" % len(ours.__all__))
import sys; sys.exit("\n".join(bad) or None)
EOF
tap_ok $? "midiplay.rtmidi's names are python-rtmidi's, with its values and exception bases"
sed 's/^/# /' "$tmp/out"

# No server: a private name that nothing runs under.
JACK_DEFAULT_SERVER="mptest-none-$$" JACK_NO_START_SERVER=1 timeout -s KILL 20 "$PY" - <<'EOF' >"$tmp/out" 2>&1
import midiplay, time
t = time.monotonic()
try:
    midiplay.Player()
except midiplay.Error as e:
    msg = str(e)
    assert msg.startswith("midiplay: no JACK server is running") and "pw-jack" in msg, msg
    assert e.returncode == 1, e.returncode
    print("%s (%.0f ms)" % (msg, 1000 * (time.monotonic() - t)))
else:
    raise SystemExit("no error")
try:
    midiplay.ports()
except midiplay.Error as e:
    assert "no JACK server is running" in str(e), str(e)
else:
    raise SystemExit("ports(): no error")
EOF
tap_ok $? "no server: Player() and ports() raise midiplay.Error with midiplay's message"
sed 's/^/# /' "$tmp/out"
JACK_DEFAULT_SERVER="mptest-none-$$" JACK_NO_START_SERVER=1 timeout -s KILL 20 \
    "$PY" "$top_srcdir/samples/rtmidi_blog.py" >"$tmp/out" 2>&1
st=$?
[ $st -eq 1 ] && tail -1 "$tmp/out" | grep -q '^midiplay.rtmidi.SystemError: midiplay: no JACK server is running'
tap_ok $? "no server: the blog's script stops with rtmidi.SystemError and midiplay's message (exit $st)"
tail -1 "$tmp/out" | cut -c 1-150 | sed 's/^/# /'

# --- on a server ------------------------------------------------------
jack_start 256 || exit 1

# at=: round(T x 48000) frames after time zero, T an int, a float, a
# Fraction or a Decimal; every kind of event; note names.
rec_play "$PY" - <<'EOF'
import os, midiplay
from fractions import Fraction
from decimal import Decimal
with midiplay.Player(connect="recorder:in") as p:
    open(os.environ["ZERO"], "w").write("%d\n" % p.zero_frame)
    assert p.rate == 48000, p.rate
    p.note("C3", 100, 0.25, at=0.5)
    p.cc(7, 100, channel=2, at=0.1)
    p.bend(-8192, at=0.2)
    p.bend(8191, channel=3, at=Fraction(1, 3))
    p.program(5, channel=16, at=Decimal("0.4"))
    p.pressure(64, at=0.45)
    p.pressure(10, pitch="A#3", channel=2, at=1)
    p.sysex([0xF0, 0x43, 0x10, 0xF7], at=1.25)
    p.on("G8", 1, channel=10, at=1.5)
    p.off(127, channel=10, at=2.000010417)
    p.off(126, channel=10, at=2.000010416)
    p.send([0xF8], at=2.5)
EOF
cat >"$tmp/want" <<'EOF'
4800 B1 07 64
9600 E0 00 00
16000 E2 7F 7F
19200 CF 05
21600 D0 40
24000 90 3C 64
36000 80 3C 00
48000 A1 46 0A
60000 F0 43 10 F7
72000 99 7F 01
96000 89 7E 00
96001 89 7F 00
120000 F8
EOF
tap_diff "$tmp/want" "$tmp/got" "at=: every event at round(T x rate) frames after the Player's zero frame"

# wait(): a piece computed ahead, exact relative to its first event, with
# waits in seconds, in units, in beats at two tempos, and chords.
rec_play "$PY" - <<'EOF'
import midiplay
with midiplay.Player(connect="recorder:in") as p:
    p.on(60); p.on(64)
    p.wait(0.5)
    p.off(60); p.off(64)
    p.wait("250ms"); p.cc(1, 1)
    p.tempo(100); p.wait(beats=1); p.note(67, 80, "0.5b")
    p.wait("125us"); p.cc(1, 2)
    p.tempo(120); p.wait(beats=0.25); p.cc(1, 3)
EOF
relative "$tmp/got" >"$tmp/got.rel"
cat >"$tmp/want" <<'EOF'
0 90 3C 64
0 90 40 64
24000 80 3C 00
24000 80 40 00
36000 B0 01 01
64800 90 43 50
64806 B0 01 02
70806 B0 01 03
79200 80 43 00
EOF
tap_diff "$tmp/want" "$tmp/got.rel" "wait(): a piece computed ahead plays exact to the frame, chords together"

# close() returns once the last event has arrived and midiplay exited:
# the recorder is stopped the moment it returns.
rec_play "$PY" - <<'EOF'
import os, signal, time, midiplay
p = midiplay.Player(connect="recorder:in")
p.on(60, at=0.1)
p.off(60, at=1.5)
t = time.monotonic()
p.close()
os.kill(int(os.environ["REC"]), signal.SIGTERM)
try:
    os.kill(p.pid, 0)
    raise SystemExit("midiplay still runs after close()")
except ProcessLookupError:
    pass
print("close() took %.3f s" % (time.monotonic() - t))
EOF
[ "$status" -eq 0 ] && tail -1 "$tmp/rec" | grep -q ' 80 3C 00$' && [ "$(wc -l <"$tmp/rec")" -eq 2 ]
tap_ok $? "close() returns only after the last event (at 1.5 s) arrived and midiplay exited"
sed 's/^/# /' "$tmp/out"

# A rejected line: close() raises midiplay.Error naming LINE:COL, and the
# good lines still play.
rec_play "$PY" - <<'EOF'
import midiplay
p = midiplay.Player(connect="recorder:in")
p.on(60, at=0)
p.line("on 61 200")
p.off(60, at=0.1)
try:
    p.close()
except midiplay.Error as e:
    print(e)
    assert "midiplay: <stdin>:2:7: velocity 200 out of range 0-127" in str(e), str(e)
    assert "line 2: on 61 200" in str(e), str(e)
    assert e.returncode == 1 and e.rejected[0][:2] == (2, 7), (e.returncode, e.rejected)
else:
    raise SystemExit("no error")
EOF
[ "$status" -eq 0 ] && [ "$(wc -l <"$tmp/got")" -eq 2 ]
tap_ok $? "a rejected line: close() raises midiplay.Error naming <stdin>:2:7 and the line; the rest plays"
sed 's/^/# /' "$tmp/out"

# Errors at once: midiplay's own for a bad option or port, ValueError and
# TypeError for bad values (nothing written: close() raises nothing).
timeout -s KILL 30 "$PY" - <<'EOF' >"$tmp/out" 2>&1
import midiplay
for kw, want in ((dict(bogus=True), "midiplay: unknown option '--bogus'"),
                 (dict(connect="nowhere"), "midiplay: no MIDI input port matches 'nowhere'")):
    try:
        midiplay.Player(**kw)
    except midiplay.Error as e:
        assert str(e).startswith(want), str(e)
    else:
        raise SystemExit("no error for %r" % kw)
with midiplay.Player() as p:
    for call, err in ((lambda: p.on(128), ValueError), (lambda: p.on("X3"), ValueError),
                      (lambda: p.note(60, 0), ValueError), (lambda: p.cc(1, 2, channel=17), ValueError),
                      (lambda: p.on(60, at=-1), ValueError), (lambda: p.on(60.5), TypeError),
                      (lambda: p.wait(), TypeError), (lambda: p.send([60, 1]), ValueError),
                      (lambda: p.sysex([0x80]), ValueError), (lambda: p.tempo(0), ValueError),
                      (lambda: p.note(60, 100, "1 beat"), ValueError)):
        try:
            call()
        except err:
            pass
        else:
            raise SystemExit("no %s" % err.__name__)
    assert p._child.lineno == 0, p._child.lineno
print("ok")
EOF
tap_ok $? "a bad option or port raises midiplay's message; bad values raise ValueError/TypeError and write nothing"
grep -v '^ok$' "$tmp/out" | sed 's/^/# /'

# What reaches stderr: -v's lines only with verbose=True, warnings unless quiet=True.
timeout -s KILL 30 "$PY" - <<'EOF' >"$tmp/out" 2>&1
import io, sys, midiplay
def run(**kw):
    sys.stderr = io.StringIO()
    with midiplay.Player(**kw) as p:
        p.on(60)
    text, sys.stderr = sys.stderr.getvalue(), sys.__stderr__
    return text
plain, verbose, quiet = run(), run(verbose=True), run(quiet=True)
assert "note left sounding" in plain and "playing from frame" not in plain, plain
assert "playing from frame" in verbose and "note left sounding" in verbose, verbose
assert quiet == "", quiet
print("ok")
EOF
tap_ok $? "stderr: midiplay's warnings pass, its -v lines only with verbose=True, nothing with quiet=True"
grep -v '^ok$' "$tmp/out" | sed 's/^/# /'

# --- python-rtmidi's API --------------------------------------------------
# The blog's script, through midiplay.rtmidi, with the recorder as the
# only MIDI input: note-on and note-off arrive.
rec_play "$PY" "$top_srcdir/samples/rtmidi_blog.py"
cut -d' ' -f2- "$tmp/got" >"$tmp/got.bytes"
printf '90 3C 70\n80 3C 00\n' >"$tmp/want"
[ "$status" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got.bytes"
tap_ok $? "the blog's script through midiplay.rtmidi: its note-on and note-off arrive, exit $status"
grep -q '^import midiplay.rtmidi as rtmidi$' "$top_srcdir/samples/rtmidi_blog.py" &&
    ! grep -v '^#' "$top_srcdir/samples/rtmidi_blog.py" | grep -v '^import midiplay.rtmidi as rtmidi$' | grep -q midiplay
tap_ok $? "the script's one line naming midiplay is its import line"

# Its other branch: no port there, so a virtual port, connected by hand.
rec_play "$PY" - <<'EOF'
import subprocess, midiplay.rtmidi as rtmidi
def jack(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout
# hide the recorder: a MidiOut with no port to open
saved = rtmidi.MidiOut.get_ports
rtmidi.MidiOut.get_ports = lambda self, encoding="auto": []
m = rtmidi.MidiOut()
m.open_virtual_port("My virtual output")
rtmidi.MidiOut.get_ports = saved
lsp = jack("jack_lsp", "-c")
assert "My virtual output:out\n" in lsp and "My virtual output:out\n   " not in lsp, lsp
jack("jack_connect", "My virtual output:out", "recorder:in")
m.send_message([0x90, 61, 1])
m.send_message([0x80, 61, 0])
m.close_port()
assert m.is_port_open(), "close_port() closed a virtual port"
m.delete()
assert not m.is_port_open() and m.is_deleted
EOF
cut -d' ' -f2- "$tmp/got" >"$tmp/got.bytes"
printf '90 3D 01\n80 3D 00\n' >"$tmp/want"
[ "$status" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got.bytes"
tap_ok $? "open_virtual_port(): 'My virtual output:out', unconnected until patched, then its messages arrive"

# Ports, aliases, numbers and misuse as python-rtmidi has them; two
# MidiOuts at once get two client names, as JACK would give.
rec_start "$tmp/rec" -t 0 || exit 1
jack_alias recorder:in "fancy:alias (one)" || tap_diag "jack_alias failed"
# (PipeWire lists an alias of its own instead)
pw=0; jl_pipewire && pw=1
PW=$pw timeout -s KILL 30 "$PY" - <<'EOF' >"$tmp/out" 2>&1
import os, midiplay, midiplay._child, midiplay.rtmidi as rtmidi
listed = midiplay._child.run_list()
assert [n for n, a in listed] == ["recorder:in"], listed
assert os.environ["PW"] == "1" or listed[0][1] == ["fancy:alias (one)"], listed
m = rtmidi.MidiOut()
assert m.get_ports() == ["recorder:in"], m.get_ports()
assert m.get_port_count() == 1 and m.get_port_name(0) == "recorder:in"
assert m.get_ports(encoding=None) == [b"recorder:in"]
for call, err in ((lambda: m.get_port_name(1), rtmidi.InvalidPortError),
                  (lambda: m.open_port(1), rtmidi.InvalidPortError),
                  (lambda: m.send_message([0x90, 60, 1]), rtmidi.InvalidUseError),
                  (lambda: m.send_message([]), ValueError),
                  (lambda: m.send_message([0x90, 1, 2, 3]), ValueError),
                  (lambda: rtmidi.MidiOut(rtmidi.API_LINUX_ALSA), rtmidi.SystemError)):
    try:
        call()
    except err:
        pass
    else:
        raise SystemExit("no %s" % err.__name__)
assert m.open_port(0) is m and m.is_port_open()
try:
    m.open_virtual_port("x")
except rtmidi.InvalidUseError:
    pass
else:
    raise SystemExit("a second port opened")
with rtmidi.MidiOut().open_port(0) as m2:
    names = sorted([m._player.name, m2._player.name])
    assert names == ["midiplay", "midiplay-01"], names
m.close_port()
assert not m.is_port_open()
assert rtmidi.get_compiled_api() == [rtmidi.API_UNIX_JACK]
print(midiplay.ports())
EOF
tap_ok $? "rtmidi: ports without their aliases, numbers, errors and client names as python-rtmidi's"
sed 's/^/# /' "$tmp/out"
rec_stop >/dev/null

# --- mido -------------------------------------------------------------------
# A mido Message through Player.send, at its frame.
rec_play "$MIDO_PY" - <<'EOF'
import os, mido, midiplay
with midiplay.Player(connect="recorder:in") as p:
    open(os.environ["ZERO"], "w").write("%d\n" % p.zero_frame)
    p.send(mido.Message("note_on", channel=2, note=60, velocity=100), at=0.5)
    p.send(mido.Message("sysex", data=[1, 2, 3]), at=0.25)
    p.send(mido.Message("pitchwheel", pitch=-8192), at=0.125)
    p.send(mido.Message("note_off", channel=2, note=60), at=1)
EOF
printf '6000 E0 00 00\n12000 F0 01 02 03 F7\n24000 92 3C 64\n48000 82 3C 40\n' >"$tmp/want"
tap_diff "$tmp/want" "$tmp/got" "mido Messages through Player.send(at=) at their frames"

# The mido backend: output names, a name matched as -c matches, the
# messages in order; no input ports.
rec_play "$MIDO_PY" - <<'EOF'
import mido, midiplay
mido.set_backend("midiplay.mido_backend")
assert mido.get_output_names() == ["recorder:in"], mido.get_output_names()
assert mido.get_input_names() == []
with mido.open_output("RECORD") as port:
    assert port.name == "RECORD"
    port.send(mido.Message("program_change", program=9))
    port.send(mido.Message("note_on", note=64, velocity=90))
    port.send(mido.Message("note_off", note=64))
for call in (lambda: mido.open_input("recorder:in"), lambda: mido.open_ioport("recorder:in")):
    try:
        call()
    except midiplay.Error as e:
        assert "no input ports" in str(e), str(e)
        print(e)
    else:
        raise SystemExit("an input port opened")
EOF
cut -d' ' -f2- "$tmp/got" >"$tmp/got.bytes"
printf 'C0 09\n90 40 5A\n80 40 40\n' >"$tmp/want"
[ "$status" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got.bytes"
tap_ok $? "mido backend: open_output('RECORD') sends through midiplay, in order; input ports refused"
sed 's/^/# /' "$tmp/out"

# --- the samples ---------------------------------------------------------------
# fireworks.py still works as a pipe writer; fireworks_module.py plays
# the same events at the same frames (relative to their first event) as
# its output does read by midiplay before time zero, as stream.sh plays
# a written-ahead score.  (Not against the pipe's frames: under load the
# first lines of a pipe that midiplay reads just after time zero were
# seen to go out a few frames late, whatever wrote them.)
env -u PYTHONUNBUFFERED "$PY" "$top_srcdir/samples/fireworks.py" --seconds 3 --seed 5 >"$tmp/fw.txt"
rec_start "$tmp/rec" -t 0 || exit 1
timeout -s KILL 60 "$MIDIPLAY_BIN" -c recorder:in - <"$tmp/fw.txt" 2>"$tmp/err"
st=$?
rec_stop >/dev/null
relative "$tmp/rec" >"$tmp/file"
rec_start "$tmp/rec" -t 0 || exit 1
env -u PYTHONUNBUFFERED "$PY" "$top_srcdir/samples/fireworks.py" --seconds 3 --seed 5 |
    timeout -s KILL 60 "$MIDIPLAY_BIN" -c recorder:in - 2>"$tmp/err"
st2=$?
rec_stop >/dev/null
cut -d' ' -f2- "$tmp/rec" >"$tmp/pipe.bytes"
cut -d' ' -f2- "$tmp/file" >"$tmp/file.bytes"
[ "$st" -eq 0 ] && [ "$st2" -eq 0 ] && [ "$(wc -l <"$tmp/file")" -gt 50 ] &&
    cmp -s "$tmp/file.bytes" "$tmp/pipe.bytes"
tap_ok $? "fireworks.py | midiplay - plays all its $(wc -l <"$tmp/file") events, in order"
rec_play "$PY" "$top_srcdir/samples/fireworks_module.py" --seconds 3 --seed 5 -c recorder:in
relative "$tmp/got" >"$tmp/module"
[ "$status" -eq 0 ] && cmp -s "$tmp/file" "$tmp/module"
tap_ok $? "fireworks_module.py: the same events at the same frames as fireworks.py's output"
[ "$status" -eq 0 ] && ! cmp -s "$tmp/file" "$tmp/module" && diff -u "$tmp/file" "$tmp/module" | head -20 | sed 's/^/# /'

# A killed child: the very next call raises, and so does close().  On a
# fresh asynchronous server of its own: after a client was killed, the
# synchronous jackd of the other checks ran its cycles late, and did not
# stop on SIGTERM (3.5 s, then SIGKILL); an asynchronous one stops.
# Nothing is timed here.
jack_stop
JL_JACKD_OPTS= jack_start 256 || exit 1
timeout -s KILL 30 "$PY" - <<'EOF' >"$tmp/out" 2>&1
import os, signal, time, midiplay
p = midiplay.Player()
p.on(60)
os.kill(p.pid, signal.SIGKILL)
# until it can be reaped (WNOWAIT: leave that to the Player)
while os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
    time.sleep(0.01)
for call in (lambda: p.on(61), lambda: p.cc(1, 2), p.close):
    try:
        call()
    except midiplay.Error as e:
        assert "killed by signal 9 (SIGKILL)" in str(e) and e.returncode == -9, str(e)
        msg = str(e)
    else:
        raise SystemExit("no error")
print(msg)
EOF
tap_ok $? "a killed midiplay: the next call raises midiplay.Error at once, and close() too"
sed 's/^/# /' "$tmp/out"

tap_exit
