#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What midiplay must send for a file played with its control options.

A second implementation, written apart from src/control.c, with exact
arithmetic (fractions.Fraction) over oracle.py's reading of the file.

Usage:
    control_oracle.py dump FILE.mid [OPTIONS]    the --dump format
    control_oracle.py RATE FILE.mid [OPTIONS]    "FRAME HEXBYTES" per event

OPTIONS are midiplay's: --tempo F, --bpm B, --start POS, --end POS,
--loop N (a count), --tracks LIST, --channels LIST, --transpose N, --clock.
Formats 0 and 1 with a PPQ division only.

The rules (midiplay.1, PLAYBACK CONTROL):
- song seconds follow the file's tempo map, or --bpm; output seconds are
  song seconds over --tempo, counted from --start, each pass one loop
  length (end - start) after the previous one;
- at each pass's start: Start (or Song Position Pointer and Continue) with
  --clock, then per channel bank select (CC 0, 32), program, the other
  controllers in order, RPN/NRPN selection (99, 98, 101, 100) and data
  entry (6, 38), pitch bend: the last value of each before the start;
- events before the start are not sent; a note-off whose note-on was not
  sent is not sent when --start is given;
- at a pass's end (--end, or the last End-of-Track with --loop or
  --clock): clocks up to it, then per channel note-offs for the notes
  sounding (key order) and CC 64 = 0 if the sustain is down, then Stop;
- clocks every 24th of a quarter note, the first of a pass on a
  sixteenth; at equal times the file's events go before clocks.
"""

import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402


def decimal(s):
    return Fraction(s)


def parse_list(s, top):
    out = set()
    for part in s.split(","):
        a, _, b = part.partition("-")
        lo, hi = int(a), int(b) if b else int(a)
        out.update(range(lo, hi + 1))
    assert all(1 <= x <= top for x in out)
    return out


class Msg(object):
    """What fmt_command needs: kind and data."""

    def __init__(self, data):
        self.data = bytes(data)
        self.kind = "ch" if data[0] < 0xF0 else "syx" if data[0] == 0xF0 and data[-1] == 0xF7 else "raw"


def main(argv):
    mode, path, args = argv[1], argv[2], argv[3:]
    opt = {"tempo": Fraction(1), "bpm": None, "start": None, "end": None, "loop": 1,
           "tracks": None, "channels": None, "transpose": 0, "clock": False}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--clock":
            opt["clock"] = True
            i += 1
            continue
        v = args[i + 1]
        i += 2
        if a == "--tempo":
            opt["tempo"] = decimal(v)
        elif a == "--bpm":
            opt["bpm"] = decimal(v)
        elif a in ("--start", "--end"):
            opt[a[2:]] = v
        elif a == "--loop":
            opt["loop"] = int(v)
        elif a == "--tracks":
            opt["tracks"] = parse_list(v, 65536)
        elif a == "--channels":
            opt["channels"] = parse_list(v, 16)
        elif a == "--transpose":
            opt["transpose"] = int(v)
        else:
            raise SystemExit("control_oracle: unknown option " + a)

    fmt, timing, tracks = oracle.Reader(path, lambda *x, **k: None).read()
    assert fmt in (0, 1) and timing[0] == "ppq"
    ppq = timing[1]
    allev = sorted((e for tr in tracks for e in tr.events), key=lambda e: (e.tick, e.track, e.seq))
    tempos = [(e.tick, e.data) for e in allev if e.kind == "tempo"]
    sigs = [(e.tick, e.data) for e in allev if e.kind == "timesig"]

    def sec(tick):
        tick = Fraction(tick)
        if opt["bpm"] is not None:
            return tick * 60 / (opt["bpm"] * ppq)
        cur_tick, cur_sec, usec = 0, Fraction(0), 500000
        for tk, us in tempos:
            if tk >= tick:
                break
            cur_sec += (tk - cur_tick) * Fraction(usec, ppq * 1000000)
            cur_tick, usec = tk, us
        return cur_sec + (tick - cur_tick) * Fraction(usec, ppq * 1000000)

    def bbt_tick(text):
        parts = [int(x) for x in text.split(":")] + [0]
        bar, beat, extra = parts[0], parts[1], parts[2]
        num, den, tick, b = 4, 4, 0, 1
        changes = list(sigs)
        while True:
            while changes and changes[0][0] <= tick:
                num, den = changes[0][1][0], 2 ** changes[0][1][1]
                changes.pop(0)
            if b == bar:
                return tick + (beat - 1) * 4 * ppq // den + extra
            bar_len = Fraction(num * 4 * ppq, den)
            nxt = tick + bar_len
            if changes and changes[0][0] < nxt:
                nxt = changes[0][0]      # a new signature starts a new bar
            tick, b = int(nxt), b + 1

    def position(text):
        if text is None:
            return None
        if ":" in text:
            return sec(bbt_tick(text))
        return decimal(text)

    S = position(opt["start"]) or Fraction(0)
    E = position(opt["end"])
    eot = max(sec(tr.end_tick) for tr in tracks)

    def selected(e):
        if e.kind not in ("ch", "syx", "raw"):
            return False
        if opt["tracks"] is not None and e.track + 1 not in opt["tracks"]:
            return False
        b0 = e.data[0]
        if b0 < 0xF0 and opt["channels"] is not None and (b0 & 15) + 1 not in opt["channels"]:
            return False
        return True

    events = [(sec(e.tick), e) for e in allev if selected(e)]
    last = max([t for t, _ in events] + [Fraction(0)])
    if E is not None:
        end = E
    elif opt["loop"] != 1 or opt["clock"]:
        end = max(eot, last)
    else:
        end = None

    def clock_sec(k):
        return sec(Fraction(k * ppq, 24))

    out = []          # (Fraction seconds, bytes)
    offset = Fraction(0)
    for _ in range(opt["loop"]):
        def at(t):
            return (t - S + offset) / opt["tempo"]

        cc = [dict() for _ in range(16)]
        prog, bend = [None] * 16, [None] * 16
        for t, e in events:
            if t >= S:
                break
            b = e.data
            if b[0] >= 0xF0 or len(b) < 2:
                continue
            ch, st = b[0] & 15, b[0] & 0xF0
            if st == 0xB0 and b[1] < 120:
                cc[ch][b[1]] = b[2]
            elif st == 0xC0:
                prog[ch] = b[1]
            elif st == 0xE0:
                bend[ch] = b[1] | b[2] << 7
        t0 = at(S)
        if opt["clock"]:
            k = 0
            while clock_sec(k) < S:
                k += 1
            k0 = -(-k // 6) * 6
            if S == 0:
                out.append((t0, [0xFA]))
            else:
                spp = min(k0 // 6, 16383)
                out.append((t0, [0xF2, spp & 0x7F, spp >> 7]))
                out.append((t0, [0xFB]))
        for ch in range(16):
            st = 0xB0 | ch
            for n in (0, 32):
                if n in cc[ch]:
                    out.append((t0, [st, n, cc[ch][n]]))
            if prog[ch] is not None:
                out.append((t0, [0xC0 | ch, prog[ch]]))
            late = (99, 98, 101, 100, 6, 38)
            for n in sorted(cc[ch]):
                if n not in (0, 32) and n not in late:
                    out.append((t0, [st, n, cc[ch][n]]))
            for n in late:
                if n in cc[ch]:
                    out.append((t0, [st, n, cc[ch][n]]))
            if bend[ch] is not None:
                out.append((t0, [0xE0 | ch, bend[ch] & 0x7F, bend[ch] >> 7]))
        sustain = [cc[ch].get(64, 0) >= 64 for ch in range(16)]
        sounding = {}
        timeline = []
        if opt["clock"]:
            k = k0
            while True:
                t = clock_sec(k)
                if (end is not None and t >= end):
                    break
                timeline.append((t, 1, k, [0xF8]))
                k += 1
        for n, (t, e) in enumerate(events):
            if t >= S and (end is None or t < end):
                timeline.append((t, 0, n, e.data))
        timeline.sort(key=lambda x: (x[0], x[1], x[2]))
        for t, _, _, data in timeline:
            data = list(data)
            st = data[0] & 0xF0
            if data[0] < 0xF0 and st in (0x80, 0x90, 0xA0):
                key = data[1] + opt["transpose"]
                if not 0 <= key <= 127:
                    continue
                ch = data[0] & 15
                is_on = st == 0x90 and data[2] > 0
                is_off = st == 0x80 or (st == 0x90 and data[2] == 0)
                if is_off and opt["start"] is not None and sounding.get((ch, key), 0) == 0:
                    continue
                if is_on:
                    sounding[(ch, key)] = min(sounding.get((ch, key), 0) + 1, 255)
                elif is_off and sounding.get((ch, key), 0) > 0:
                    sounding[(ch, key)] -= 1
                data[1] = key
            elif data[0] < 0xF0 and st == 0xB0 and data[1] == 64:
                sustain[data[0] & 15] = data[2] >= 64
            out.append((at(t), data))
        if end is None:
            break
        te = at(end)
        for ch in range(16):
            for key in range(128):
                for _ in range(sounding.get((ch, key), 0)):
                    out.append((te, [0x80 | ch, key, 0]))
            if sustain[ch]:
                out.append((te, [0xB0 | ch, 64, 0]))
        if opt["clock"]:
            out.append((te, [0xFC]))
        offset += end - S

    lines = []
    for t, data in out:
        if mode == "dump":
            lines.append("%s %s\n" % (oracle.fmt_time(t), oracle.fmt_command(Msg(data))))
        else:
            lines.append("%d %s\n" % (oracle.round_half_up(t * int(mode)),
                                      " ".join("%02X" % x for x in data)))
    sys.stdout.write("".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
