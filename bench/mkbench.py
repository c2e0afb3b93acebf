#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the inputs of the midiplay benchmarks (Python 3 standard library).

Usage:
    mkbench.py timing SECONDS OUT.mid   row 1: notes at irregular ticks in
                                        track 1, tempo changes at odd ticks
                                        in track 2 (format 1, ppq 480)
    mkbench.py load EVENTS OUT.mid      row 3: EVENTS events in all, notes in
                                        track 1 and a tempo change every bar
                                        in track 2 (format 1, ppq 480)
    mkbench.py dense SECONDS OUT.mid    row 5: about 48000 events a second,
                                        50 at each tick (format 0)
    mkbench.py dense16 SECONDS OUT.mid  row 5 with 16 ports: the same size
                                        and density, every channel taking
                                        the same share of the events
    mkbench.py stream LINES OUT.txt     row 4: LINES lines of the --dump
                                        format, "@SECONDS ch C on|off K V"

The output is deterministic (a fixed LCG, no clock).  The files are
generated into a temporary directory by bench.py and never committed.
"""

import os
import sys

# The SMF writers of the test suite (tests/mksmf.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from mksmf import LCG, chunk, header, tempo, vlq  # noqa: E402
import mksmf  # noqa: E402

PPQ = 480
BAR = 4 * PPQ
EOT = b"\x00" + mksmf.EOT      # End-of-Track, at delta 0


def mthd(fmt, ntrks, division=PPQ):
    return header(fmt, ntrks, division)


def delta_track(evs):
    """MTrk from (absolute tick, bytes), sorted stably by tick."""
    evs = sorted(evs, key=lambda e: e[0])
    body = bytearray()
    t = 0
    for tick, b in evs:
        body += vlq(tick - t) + b
        t = tick
    return chunk(b"MTrk", bytes(body) + EOT)


def timing_file(seconds):
    """About 12 events a second; 120 bpm nominal, tempo 100..160 bpm."""
    rnd = LCG(5)
    length = int(seconds * 2 * PPQ * 0.95)      # ticks, tempo averages ~130 bpm
    notes = []
    t = 0
    while t < length:
        dur = 30 + rnd.below(400)
        key = 48 + rnd.below(36)
        notes.append((t, bytes([0x90, key, 1 + rnd.below(126)])))
        notes.append((t + dur, bytes([0x80, key, 0])))
        t += 17 + rnd.below(150)
    tempos = []
    t = 1
    while t < length:
        tempos.append((t, tempo(375000 + rnd.below(225000))))
        t += 2 * (100 + rnd.below(600)) + 1     # odd ticks
    return mthd(1, 2) + delta_track(notes) + delta_track(tempos)


def load_file(events):
    """EVENTS events: 32 notes events per bar in track 1, one tempo per bar
    in track 2 (so 1 event in 33 is a tempo change).  Built from a repeated
    block of 16 bars so that 20M events take seconds, not minutes."""
    bars = max(1, events // 33)
    notes = events - bars
    block_bars = 16
    blk = bytearray()
    for b in range(block_bars):
        for i in range(16):
            key = 36 + (b * 7 + i * 5) % 60
            blk += b"\x3c" + bytes([0x90, key, 64 + i])
            blk += b"\x3c" + bytes([0x80, key, 0])
    per_bar = 32
    full, rest = divmod(notes, per_bar * block_bars)
    # every event is 4 bytes (delta 60 ticks, status, 2 data bytes)
    body = bytearray(bytes(blk) * full + bytes(blk[:rest * 4]))
    body[0] = 0                         # the first note at tick 0
    t1 = chunk(b"MTrk", bytes(body) + EOT)
    tb = bytearray()
    vals = [500000, 480000, 520000, 461538, 545454, 500001]
    for b in range(bars):
        tb += (b"\x00" if b == 0 else vlq(BAR)) + tempo(vals[b % len(vals)])
    t2 = chunk(b"MTrk", bytes(tb) + EOT)
    return mthd(1, 2) + t1 + t2


def dense_file(seconds):
    """50 events at every tick; ppq 480 at 120 bpm: a tick is 1/960 s, so
    48000 events a second, about 256 in a 256-frame cycle at 48 kHz."""
    ticks = int(seconds * 960)
    tick = bytearray()
    for i in range(25):
        tick += b"\x00" + bytes([0x90 | (i % 16), 30 + i, 100])
        tick += b"\x00" + bytes([0x80 | (i % 16), 30 + i, 0])
    tick[0] = 0x01
    body = bytearray(b"\x00" + tempo(500000)) + bytes(tick) * ticks
    return mthd(0, 1) + chunk(b"MTrk", bytes(body) + EOT)


def dense16_file(seconds):
    """As dense_file (same events a tick, same bytes), but the 25 note
    pairs of tick t go to channels (25 t + i) mod 16: over every 16 ticks
    each channel gets 25 pairs, so --split channel gives 16 ports that
    share the events evenly."""
    ticks = int(seconds * 960)
    body = bytearray(b"\x00" + tempo(500000))
    for t in range(ticks):
        tick = bytearray()
        for i in range(25):
            ch = (25 * t + i) % 16
            tick += b"\x00" + bytes([0x90 | ch, 30 + i, 100])
            tick += b"\x00" + bytes([0x80 | ch, 30 + i, 0])
        tick[0] = 0x01
        body += tick
    return mthd(0, 1) + chunk(b"MTrk", bytes(body) + EOT)


def stream_lines(n):
    """The --dump format, times increasing by 1 ms, notes on 4 channels."""
    out = []
    rnd = LCG(11)
    ns = 0
    for i in range(n):
        ch = 1 + (i & 3)
        key = 36 + rnd.below(60)
        if i & 1:
            out.append("@%d.%09d ch %d off %d 0\n" % (ns // 10**9, ns % 10**9, ch, key))
        else:
            out.append("@%d.%09d ch %d on %d %d\n" % (ns // 10**9, ns % 10**9, ch, key, 1 + rnd.below(126)))
        ns += 1000000
    return "".join(out).encode("ascii")


def main(argv):
    if len(argv) != 4 or argv[1] not in ("timing", "load", "dense", "dense16", "stream"):
        sys.stderr.write(__doc__)
        return 2
    kind, n, path = argv[1], argv[2], argv[3]
    if kind == "timing":
        data = timing_file(float(n))
    elif kind == "load":
        data = load_file(int(n))
    elif kind == "dense":
        data = dense_file(float(n))
    elif kind == "dense16":
        data = dense16_file(float(n))
    else:
        data = stream_lines(int(n))
    with open(path, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
