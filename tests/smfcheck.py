#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a MIDI file that midiplay wrote (--export, --record).

Usage:
    smfcheck.py near WANT.txt FILE.mid [TICKS]
        FILE.mid, read by tests/oracle.py (not by midiplay), holds the
        events of WANT.txt (midiplay's --dump format: "@SECONDS command"),
        in the same order but for events at the same time, each within
        TICKS ticks (default 0.5, half a tick) of FILE.mid's tempo map
        where it is, plus the nanosecond the dump rounds to.  Prints the
        largest error; exit 1 with the first event that differs.
    smfcheck.py mido FILE.mid
        FILE.mid as mido (Debian's python3-mido) reads it, in midiplay's
        --dump format, times to the microsecond: run it with the Python
        that has mido.
    smfcheck.py same A.txt B.txt SECONDS
        two --dump listings hold the same events, each within SECONDS.
    smfcheck.py ticks FILE.mid
        FILE.mid's events with their ticks, as tests/oracle.py reads them:
        "TICK command" lines.
    smfcheck.py frames WANT.txt RATE GOT.txt FILE.mid
        GOT.txt ("FRAME HEX..." lines, frames from time zero, as the
        recorder gives them) holds WANT.txt's events (--dump format), each
        at round(seconds * RATE) within half a tick of FILE.mid at that
        point, plus half a frame.
"""

import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def parse_dump(path):
    """[(Fraction seconds, command)] from --dump lines."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            t, _, cmd = line.partition(" ")
            out.append((Fraction(t[1:]), cmd))
    return out


def tick_seconds(path):
    """A function giving the seconds one tick lasts at a time, from the
    tempo map of the file at PATH (read by the test-suite's oracle)."""
    import oracle
    fmt, timing, tracks = oracle.Reader(path, lambda *a, **k: None).read()
    kind, div = timing
    if kind != "ppq":
        const = 1 / Fraction(div)
        return lambda sec: const
    tempos = []
    for tr in tracks:
        for e in tr.events:
            if e.kind == "tempo":
                tempos.append((e.tick, e.data))
    tempos.sort(key=lambda x: x[0])
    # the seconds at which each tempo starts
    segs = [(Fraction(0), 0, 500000)]
    for tick, usec in tempos:
        s0, t0, u0 = segs[-1]
        segs.append((s0 + Fraction((tick - t0) * u0, div * 1000000), tick, usec))

    def at(sec):
        usec = segs[0][2]
        for s0, _, u in segs:
            if s0 <= sec:
                usec = u
        return Fraction(usec, div * 1000000)
    return at


def file_events(path):
    """[(Fraction seconds, command)] of PATH, by the oracle."""
    import oracle
    fmt, timing, tracks = oracle.Reader(path, lambda *a, **k: None).read()
    events, err = oracle.schedule(fmt, timing, tracks)
    if err is not None:
        raise SystemExit("smfcheck: %s: %s" % (path, err.what))
    return [(sec, oracle.fmt_command(e)) for sec, e in events]


def match(want, got, tol, limit):
    """Pair WANT with GOT in order, letting events within LIMIT ticks of
    each other swap (TOL(sec): the seconds of a tick there); the largest
    error in ticks, or raise ValueError."""
    if len(want) != len(got):
        raise ValueError("%d events wanted, %d in the file" % (len(want), len(got)))
    rest = list(got)
    worst = Fraction(0)
    ns = Fraction(1, 10**9)
    for i, (t, cmd) in enumerate(want):
        tick = tol(t)
        found = None
        for j, (u, c) in enumerate(rest[:64]):
            if c == cmd and abs(u - t) <= tick * limit + ns:
                found = j
                break
        if found is None:
            near = rest[0] if rest else None
            raise ValueError("event %d '@%s %s' not found within %s tick "
                             "(next in the file: %s)" % (i + 1, float(t), cmd, float(limit), near and
                                                         "@%s %s" % (float(near[0]), near[1])))
        u, _ = rest.pop(found)
        err = max(abs(u - t) - ns, Fraction(0)) / tick
        worst = max(worst, err)
    return worst


def main(argv):
    if len(argv) >= 4 and argv[1] == "near":
        want = parse_dump(argv[2])
        got = file_events(argv[3])
        limit = Fraction(argv[4]) if len(argv) > 4 else Fraction(1, 2)
        tol = tick_seconds(argv[3])
        try:
            worst = match(want, got, tol, limit)
        except ValueError as e:
            print("smfcheck: %s: %s" % (argv[3], e))
            return 1
        print("smfcheck: %s: %d events, largest error %.4f tick" % (argv[3], len(want), float(worst)))
        return 0
    if len(argv) == 3 and argv[1] == "mido":
        import mido
        now = 0.0
        lines = []
        for msg in mido.MidiFile(argv[2]):
            now += msg.time
            if msg.is_meta:
                continue
            b = msg.bytes()
            import oracle
            lines.append("@%.6f %s" % (now, oracle.fmt_command(
                oracle.Event(0, 0, 0, "ch" if b[0] < 0xf0 else
                             ("syx" if b[0] == 0xf0 else "raw"), bytes(b), 0))))
        sys.stdout.write("".join(x + "\n" for x in lines))
        return 0
    if len(argv) == 6 and argv[1] == "frames":
        import oracle
        want = parse_dump(argv[2])
        rate = int(argv[3])
        tol = tick_seconds(argv[5])
        with open(argv[2]) as f:
            wantf = [l.split(" ", 1) for l in oracle.dump_to_frames(rate, f)]
        with open(argv[4]) as f:
            got = [l.rstrip("\n").split(" ", 1) for l in f if l.strip()]
        if len(got) != len(wantf):
            print("smfcheck: %d events wanted, %d received" % (len(wantf), len(got)))
            return 1
        worst = Fraction(0)
        for i, ((t, cmd), (wfr, wb), (gfr, gb)) in enumerate(zip(want, wantf, got)):
            half = tol(t) / 2 * rate
            d = abs(int(gfr) - int(wfr))
            if wb.strip() != gb.strip() or d > half + Fraction(1, 2):
                print("smfcheck: event %d (%s): got '%s %s', wanted '%s %s' within %.2f frames" %
                      (i + 1, cmd, gfr, gb.strip(), wfr, wb.strip(), float(half)))
                return 1
            worst = max(worst, max(Fraction(d) - Fraction(1, 2), Fraction(0)) / (half * 2))
        print("smfcheck: %d events, each within %.4f tick of its frame" % (len(want), float(worst)))
        return 0
    if len(argv) == 5 and argv[1] == "same":
        a = sorted(parse_dump(argv[2]), key=lambda x: x[0])
        b = sorted(parse_dump(argv[3]), key=lambda x: x[0])
        tol = Fraction(argv[4])
        try:
            match(a, b, lambda t: tol, Fraction(1))
        except ValueError as e:
            print("smfcheck: %s" % e)
            return 1
        return 0
    if len(argv) == 3 and argv[1] == "ticks":
        import oracle
        fmt, timing, tracks = oracle.Reader(argv[2], lambda *a, **k: None).read()
        events, err = oracle.schedule(fmt, timing, tracks)
        sys.stdout.write("".join("%d %s\n" % (e.tick, oracle.fmt_command(e)) for sec, e in events))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
