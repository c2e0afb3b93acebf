#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linkoracle: where midiplay's events fell on a Link peer's beats.

Usage: linkoracle.py PEERLOG RECORDED EXPECTED [--quantum Q] [--tol T]
                     [--after-us T0] [--before-us T1] [--prefix]
                     [--shift-us S] [--window-us START LEN TOL2]
                     [--show N]
       linkoracle.py tempos SMF [--before-tick TICK]
       linkoracle.py peer-tempos PEERLOG

PEERLOG is what tests/linkpeer wrote: its timeline ("tl NOW_US BEAT BPM"
lines: BEAT at NOW_US on CLOCK_MONOTONIC_RAW, then llround(60e6 / BPM)
microseconds a beat, as Link counts).  RECORDED is what tests/recorder -J
received ("FRAME HEX... @MICROSECONDS", the time on CLOCK_MONOTONIC_RAW
from libjack's jack_frames_to_time and the clock offset the recorder read).
EXPECTED holds the song beats, one event a line as `midiplay --dump --bpm 60`
prints them ("@BEATS command ...", a second being a beat at 60 bpm).

Nothing here uses midiplay's own mapping: the peer's timeline turns each
event's time into the peer's beat (switch_times: where one logged
timeline gives way to the next).

Checks, printed as one line and the exit status (0 ok, 1 not):
  - as many events as expected, the same bytes in the same order;
  - the first event is on a quantum boundary of the peer's grid (within
    T beats), and every event is within T beats (default 0.002) of its
    song beat counted from there.
With --after-us, only events at or after that time count, with
--before-us only those before (a start/stop run); with --prefix the events
that came may be the first ones of those expected.  --shift-us S: the
events were meant to be heard S microseconds after they arrived (--offset).
--window-us: events heard from START for LEN microseconds need only be
within TOL2 beats (after a peer's tempo change: Link sends a peer's state
at most every 50 ms, and a cycle already written keeps the old tempo).
--show N prints the N worst events.

"tempos" prints the tempo changes of a Standard MIDI File, one bpm a line
(to 4 decimals, in tick order, repeats of the one in effect left out, with
120 first when it has none at tick 0); "peer-tempos" the tempi the peer's
timeline took, likewise.
"""
import sys


def fail(msg):
    print("linkoracle: " + msg, file=sys.stderr)
    sys.exit(2)


def read_timeline(path):
    """[(t_us, beat, us_per_beat)] in time order."""
    tls = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 4 and w[0] == "tl":
                t, beat, bpm = int(w[1]), float(w[2]), float(w[3])
                tls.append((t, beat, float(round(60e6 / bpm))))
    if not tls:
        fail(path + ": no timeline")
    return tls


def switch_times(tls):
    """When each timeline (after the first) takes over.  A tempo change
    keeps the beat where it is, so it takes over where the two lines meet,
    which may be before the peer heard of it (a change is committed, and
    travels, after the moment it is for): up to 200 ms before.  Anything
    else (a jump) takes over when the peer logged it."""
    out = [tls[0][0]]
    for i in range(1, len(tls)):
        (t0, b0, m0), (t1, b1, m1) = tls[i - 1], tls[i]
        at = t1
        if m0 != m1:
            # the lines meet: b0 + (t - t0)/m0 == b1 + (t - t1)/m1
            tc = (b1 - b0 + t0 / m0 - t1 / m1) / (1 / m0 - 1 / m1)
            if t1 - 200000 <= tc <= t1 + 1000:
                at = tc
        out.append(max(at, out[-1]))
    return out


def peer_beat(tls, sw, t):
    i = 0
    while i + 1 < len(tls) and sw[i + 1] <= t:
        i += 1
    t0, b0, m0 = tls[i]
    return b0 + (t - t0) / m0


def read_recorded(path):
    evs = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if not w[-1].startswith("@"):
                fail(path + ": a line without a time (recorder -J): " + line)
            evs.append((float(w[-1][1:]), " ".join(w[1:-1])))
    return evs


# The dump's commands in the recorder's hex, for the ones the tests use.
def dump_bytes(cmd):
    w = cmd.split()
    ch = 0
    if w and w[0] == "ch":
        ch = int(w[1]) - 1
        w = w[2:]
    if not w:
        return None
    op = w[0]
    status = {"on": 0x90, "off": 0x80, "cc": 0xB0, "pc": 0xC0}.get(op)
    if status is not None:
        data = [int(x) for x in w[1:]]
        return " ".join("%02X" % b for b in [status | ch] + data)
    sysrt = {"mc": 0xF8, "start": 0xFA, "stop": 0xFC, "cont": 0xFB}.get(op)
    if sysrt is not None:
        return "%02X" % sysrt
    if op == "raw":
        return " ".join("%02X" % int(x, 0) for x in w[1:])
    if op == "spp":
        v = int(w[1])
        return "F2 %02X %02X" % (v & 127, v >> 7)
    return None


def read_expected(path):
    evs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("@"):
                continue
            at, _, cmd = line.partition(" ")
            b = dump_bytes(cmd)
            if b is None:
                # (an event whose bytes went unchecked would pass on its
                # time alone)
                sys.exit("linkoracle: %s: the bytes of '%s' are not known"
                         % (path, cmd))
            evs.append((float(at[1:]), b, cmd))
    return evs


def smf_tempos(path):
    """The tempo changes (tick, bpm) of the SMF at PATH."""
    data = open(path, "rb").read()
    if data[:4] != b"MThd":
        fail(path + ": not a Standard MIDI File")
    ntracks = int.from_bytes(data[10:12], "big")
    pos = 8 + int.from_bytes(data[4:8], "big")
    out = []
    for _ in range(ntracks):
        if data[pos:pos + 4] != b"MTrk":
            fail(path + ": no track at byte %d" % pos)
        end = pos + 8 + int.from_bytes(data[pos + 4:pos + 8], "big")
        pos += 8
        tick, status = 0, 0

        def vlq():
            nonlocal pos
            v = 0
            while True:
                b = data[pos]
                pos += 1
                v = v << 7 | (b & 127)
                if b < 128:
                    return v
        while pos < end:
            tick += vlq()
            b = data[pos]
            if b >= 0x80:
                status = b
                pos += 1
            if status == 0xFF:
                kind = data[pos]
                pos += 1
                n = vlq()
                if kind == 0x51 and n == 3:
                    us = int.from_bytes(data[pos:pos + 3], "big")
                    out.append((tick, 60e6 / us))
                pos += n
            elif status in (0xF0, 0xF7):
                pos += vlq()
            else:
                pos += 1 if (status & 0xE0) == 0xC0 else 2
                if b < 0x80:
                    pos -= 1    # running status: the first byte was data
        pos = end
    out.sort(key=lambda e: e[0])
    if not out or out[0][0] != 0:
        out.insert(0, (0, 120.0))
    return out


def dedup(bpms):
    res = []
    for b in bpms:
        s = "%.4f" % b
        if not res or res[-1] != s:
            res.append(s)
    return res


def main(argv):
    if len(argv) in (3, 5) and argv[1] == "tempos":
        ts = smf_tempos(argv[2])
        if len(argv) == 5 and argv[3] == "--before-tick":
            ts = [e for e in ts if e[0] < int(argv[4])]
        print("\n".join(dedup(b for _, b in ts)))
        return 0
    if len(argv) == 3 and argv[1] == "peer-tempos":
        print("\n".join(dedup(60e6 / m for _, _, m in read_timeline(argv[2]))))
        return 0
    args = []
    q, tol, after, before, shift, show = 4.0, 0.002, None, None, 0.0, 0
    prefix = False
    window = None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--prefix":
            prefix = True
            i += 1
            continue
        if a == "--window-us":
            if i + 3 >= len(argv):
                fail(a + " needs START LEN TOL2")
            window = tuple(float(x) for x in argv[i + 1:i + 4])
            i += 4
            continue
        if a in ("--quantum", "--tol", "--after-us", "--before-us",
                 "--shift-us", "--show"):
            if i + 1 >= len(argv):
                fail(a + " needs a value")
            v = argv[i + 1]
            if a == "--quantum":
                q = float(v)
            elif a == "--tol":
                tol = float(v)
            elif a == "--after-us":
                after = float(v)
            elif a == "--before-us":
                before = float(v)
            elif a == "--shift-us":
                shift = float(v)
            else:
                show = int(v)
            i += 2
            continue
        args.append(a)
        i += 1
    if len(args) != 3:
        fail("usage: linkoracle.py PEERLOG RECORDED EXPECTED [options]")
    tls = read_timeline(args[0])
    sw = switch_times(tls)
    got = read_recorded(args[1])
    if after is not None:
        got = [e for e in got if e[0] >= after]
    if before is not None:
        got = [e for e in got if e[0] < before]
    got = [(t + shift, h) for t, h in got]
    want = read_expected(args[2])
    if prefix:
        want = want[:len(got)]
    if not got or len(got) != len(want):
        print("%d events arrived, %d expected" % (len(got), len(want)))
        return 1
    for k, ((t, hexb), (b, wb, cmd)) in enumerate(zip(got, want)):
        if wb != hexb:
            print("event %d: %s arrived, %s (%s) expected" % (k + 1, hexb, wb, cmd))
            return 1
    beats = [peer_beat(tls, sw, t) for t, _ in got]
    # the bar playback began on: the quantum boundary nearest to where
    # its first event fell, less that event's song beat
    base = round((beats[0] - want[0][0]) / q) * q
    errs = [beats[k] - (base + want[k][0]) for k in range(len(got))]
    inwin = [window is not None and
             window[0] <= got[k][0] < window[0] + window[1]
             for k in range(len(got))]
    if all(inwin):
        fail("every event is in the window")
    worst = max((k for k in range(len(errs)) if not inwin[k]),
                key=lambda k: abs(errs[k]))
    ok = abs(errs[worst]) <= tol
    mean = sum(abs(e) for e in errs) / len(errs)
    print("%d events; song beat 0 on the peer's beat %.6f (a %g-beat "
          "boundary); error: max %.6f beat (event %d), mean %.6f" %
          (len(errs), base, q, abs(errs[worst]), worst + 1, mean))
    if window is not None:
        ks = [k for k in range(len(errs)) if inwin[k]]
        wmax = max([abs(errs[k]) for k in ks], default=0.0)
        ok = ok and wmax <= window[2]
        print("  %d events in the %.0f ms after the peer's change: max "
              "%.6f beat (at most %g)" % (len(ks), window[1] / 1000, wmax,
                                          window[2]))
    for k in sorted(range(len(errs)), key=lambda k: -abs(errs[k]))[:show]:
        print("  event %d: song beat %.6f, peer beat %.6f, error %+.6f (%s)" %
              (k + 1, want[k][0], beats[k] - base, errs[k], want[k][2]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
