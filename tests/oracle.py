#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reference implementation of midiplay's SMF reading and timing rules.

An independent second implementation (Python 3 standard library, exact
arithmetic with fractions.Fraction) used by the test-suite to compute what
midiplay must output.

Usage:
    oracle.py dump FILE.mid          events in the --dump format of the spec
    oracle.py frames RATE FILE.mid   "FRAME HEXBYTES" per event, FRAME =
                                     round-half-up(seconds * RATE)

Warnings go to stderr as "oracle: FILE: [track T at byte B: ]warning: what".
Errors that stop the file before anything plays: message on stderr, nothing
on stdout, exit 1.  Errors "when reached": the events before the error point
(in merged order) are printed, then the message, exit 1.  (The note-offs a
player sends for notes left sounding are NOT printed.)
"""

import sys
from fractions import Fraction

MAX_SYSEX = 16384  # bytes on the wire, F0 and F7 included


class SMFError(Exception):
    """Error in a file.  track is 1-based (None: whole file); offset is the file offset."""

    def __init__(self, what, track=None, offset=None):
        Exception.__init__(self, what)
        self.what = what
        self.track = track
        self.offset = offset


class ReachedError(object):
    """An error met while reading a track: applies when playback reaches (tick, seq)."""

    def __init__(self, tick, seq, err):
        self.tick = tick
        self.seq = seq
        self.err = err


class Event(object):
    __slots__ = ("tick", "track", "seq", "kind", "data", "offset")

    # kind: "ch" (channel message), "syx" (complete SysEx F0..F7), "raw" (escape bytes),
    #       "tempo" (data = usec per quarter; never sent)
    def __init__(self, tick, track, seq, kind, data, offset):
        self.tick = tick
        self.track = track
        self.seq = seq
        self.kind = kind
        self.data = data
        self.offset = offset


class Track(object):
    def __init__(self, index):
        self.index = index      # 0-based
        self.events = []        # in file order
        self.end_tick = 0       # tick of End-of-Track (or of the last event if missing)
        self.error = None       # ReachedError or None


class Reader(object):
    def __init__(self, path, warn):
        self.path = path
        self.warn = warn        # callable(what, track=None, offset=None)

    # ------------------------------------------------------------ file level

    def read(self):
        with open(self.path, "rb") as f:
            data = f.read()
        base = 0
        if len(data) >= 12 and data[0:4] == b"RIFF" and data[8:12] == b"RMID":
            data, base = self.unwrap_rmid(data)
        self.data = data
        self.base = base
        return self.read_smf()

    def unwrap_rmid(self, data):
        """Return (smf_bytes, file offset of smf_bytes) from a RIFF RMID file."""
        riff_end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
        pos = 12
        while pos + 8 <= riff_end:
            cid = data[pos:pos + 4]
            size = int.from_bytes(data[pos + 4:pos + 8], "little")
            if cid == b"data":
                if pos + 8 + size > len(data):
                    raise SMFError("RMID data chunk runs past the end of the file")
                return data[pos + 8:pos + 8 + size], pos + 8
            pos += 8 + size + (size & 1)
        raise SMFError("not a Standard MIDI File (RIFF RMID without a data chunk)")

    def read_smf(self):
        d = self.data
        n = len(d)
        if n < 8 or d[0:4] != b"MThd":
            raise SMFError("not a Standard MIDI File")
        hlen = int.from_bytes(d[4:8], "big")
        if hlen < 6 or 8 + hlen > n:
            raise SMFError("bad MThd chunk")
        fmt = int.from_bytes(d[8:10], "big")
        ntrks = int.from_bytes(d[10:12], "big")
        division = int.from_bytes(d[12:14], "big")
        if hlen > 6:
            self.warn("MThd length %d is more than 6" % hlen)
        if fmt > 2:
            raise SMFError("unsupported format %d" % fmt)
        if division == 0:
            raise SMFError("division is 0")
        if division & 0x8000:
            fps_byte = division >> 8
            fps = 256 - fps_byte
            tpf = division & 0xFF
            if fps not in (24, 25, 29, 30):
                raise SMFError("bad SMPTE frame rate -%d" % fps)
            if tpf == 0:
                raise SMFError("SMPTE division with 0 ticks per frame")
            rate = Fraction(30000, 1001) if fps == 29 else Fraction(fps)
            timing = ("smpte", rate * tpf)      # ticks per second
        else:
            timing = ("ppq", division)

        chunks = []                             # (start, size) of MTrk payloads
        pos = 8 + hlen
        while pos < n:
            if n - pos < 8:
                self.warn("%d trailing bytes after the last chunk" % (n - pos))
                break
            cid = d[pos:pos + 4]
            size = int.from_bytes(d[pos + 4:pos + 8], "big")
            if cid == b"MTrk":
                if pos + 8 + size > n:
                    raise SMFError("chunk at byte %d runs past the end of the file" % (self.base + pos))
                chunks.append((pos + 8, size))
            elif all(0x20 <= c <= 0x7E for c in cid):
                if pos + 8 + size > n:
                    raise SMFError("chunk at byte %d runs past the end of the file" % (self.base + pos))
                self.warn("unknown chunk \"%s\" at byte %d ignored" % (cid.decode("ascii"), self.base + pos))
            else:
                self.warn("%d trailing bytes after the last chunk" % (n - pos))
                break
            pos += 8 + size
        if not chunks:
            raise SMFError("no MTrk chunk")
        if len(chunks) < ntrks:
            self.warn("header announces %d tracks, %d present" % (ntrks, len(chunks)))
        tracks = []
        for i, (start, size) in enumerate(chunks):
            tracks.append(self.read_track(i, start, start + size))
        return fmt, timing, tracks

    # ------------------------------------------------------------ track level

    def read_track(self, index, pos, end):
        d = self.data
        tr = Track(index)
        T = index + 1
        tick = 0
        seq = 0
        running = None          # last channel status
        after_meta = False      # previous event was meta / SysEx / escape
        warned_rs = False
        sysex = None            # open packetized SysEx: (bytearray, offset of the F0 event)
        eot = False

        def fail(what, off):
            tr.error = ReachedError(tick, seq, SMFError(what, T, self.base + off))
            return tr

        def read_vlq(p, ev_off):
            """-> (value, new pos) or raise _Cut/_Long"""
            v = 0
            for i in range(4):
                if p >= end:
                    raise _Fail("event cut by the end of the chunk")
                b = d[p]
                p += 1
                v = (v << 7) | (b & 0x7F)
                if not b & 0x80:
                    return v, p
            raise _Fail("variable-length quantity longer than 4 bytes")

        while pos < end:
            ev_off = pos
            try:
                delta, pos = read_vlq(pos, ev_off)
                tick += delta
                if pos >= end:
                    raise _Fail("event cut by the end of the chunk")
                b = d[pos]
                if b < 0x80:
                    if running is None:
                        raise _Fail("data byte 0x%02X with no running status" % b)
                    if after_meta and not warned_rs:
                        self.warn("running status after a meta or SysEx event", T, self.base + ev_off)
                        warned_rs = True
                    status = running
                else:
                    status = b
                    pos += 1
                if status < 0xF0:
                    nd = 1 if (status & 0xF0) in (0xC0, 0xD0) else 2
                    if pos + nd > end:
                        raise _Fail("event cut by the end of the chunk")
                    for i in range(nd):
                        if d[pos + i] >= 0x80:
                            raise _Fail("status byte 0x%02X where a data byte is expected" % d[pos + i])
                    msg = bytes([status]) + d[pos:pos + nd]
                    pos += nd
                    running = status
                    after_meta = False
                    tr.events.append(Event(tick, index, seq, "ch", msg, self.base + ev_off))
                elif status == 0xFF:
                    if pos >= end:
                        raise _Fail("event cut by the end of the chunk")
                    mtype = d[pos]
                    length, pos = read_vlq(pos + 1, ev_off)
                    if pos + length > end:
                        raise _Fail("event cut by the end of the chunk")
                    mdata = d[pos:pos + length]
                    pos += length
                    after_meta = True
                    if mtype == 0x2F:
                        eot = True
                        break
                    if mtype == 0x58 and length >= 2:
                        tr.events.append(Event(tick, index, seq, "timesig", (mdata[0], mdata[1]),
                                               self.base + ev_off))
                    if mtype == 0x51 and length == 3:
                        tr.events.append(Event(tick, index, seq, "tempo",
                                               int.from_bytes(mdata, "big"), self.base + ev_off))
                elif status in (0xF0, 0xF7):
                    length, pos = read_vlq(pos, ev_off)
                    if pos + length > end:
                        raise _Fail("event cut by the end of the chunk")
                    sdata = d[pos:pos + length]
                    pos += length
                    after_meta = True
                    if status == 0xF0:
                        if sysex is not None:
                            raise _Fail("SysEx never completed", sysex[1])
                        if 1 + length > MAX_SYSEX:
                            raise _Fail("SysEx bigger than %d bytes" % MAX_SYSEX)
                        if length and sdata[-1] == 0xF7:
                            tr.events.append(Event(tick, index, seq, "syx", b"\xf0" + sdata, self.base + ev_off))
                        else:
                            sysex = (bytearray(b"\xf0" + sdata), ev_off)
                    else:
                        if sysex is not None:
                            buf = sysex[0]
                            buf += sdata
                            if len(buf) > MAX_SYSEX:
                                raise _Fail("SysEx bigger than %d bytes" % MAX_SYSEX, sysex[1])
                            if length and sdata[-1] == 0xF7:
                                tr.events.append(Event(tick, index, seq, "syx", bytes(buf), self.base + ev_off))
                                sysex = None
                        elif length:
                            tr.events.append(Event(tick, index, seq, "raw", bytes(sdata), self.base + ev_off))
                else:
                    raise _Fail("undefined status byte 0x%02X" % status)
            except _Fail as e:
                return fail(e.what, e.offset if e.offset is not None else ev_off)
            seq += 1
        if sysex is not None:
            return fail("SysEx never completed", sysex[1])
        if eot:
            if pos < end:
                self.warn("%d bytes after End-of-Track ignored" % (end - pos), T, self.base + pos)
        else:
            self.warn("missing End-of-Track", T, self.base + end)
        tr.end_tick = tick
        return tr


class _Fail(Exception):
    def __init__(self, what, offset=None):
        Exception.__init__(self, what)
        self.what = what
        self.offset = offset


# ---------------------------------------------------------------- timing


def schedule(fmt, timing, tracks):
    """-> (list of (Fraction seconds, Event) in output order, SMFError or None)."""
    kind, div = timing
    out = []

    if kind == "ppq":
        def seconds_per_tick(usec):
            return Fraction(usec, div * 1000000)
    else:
        const = 1 / Fraction(div)

        def seconds_per_tick(usec):
            return const

    if fmt == 2:
        start = Fraction(0)
        usec = 500000
        for tr in tracks:
            evs = tr.events
            stop = None
            if tr.error is not None:
                stop = (tr.error.tick, tr.error.seq)
                evs = [e for e in evs if (e.tick, e.seq) < stop]
            cur_tick, cur_sec = 0, start
            for e in evs:
                cur_sec += (e.tick - cur_tick) * seconds_per_tick(usec)
                cur_tick = e.tick
                if e.kind == "tempo":
                    usec = e.data
                elif e.kind != "timesig":
                    out.append((cur_sec, e))
            if tr.error is not None:
                return out, tr.error.err
            cur_sec += (tr.end_tick - cur_tick) * seconds_per_tick(usec)
            start = cur_sec
        return out, None

    # formats 0 and 1: all tracks merged by tick; ties: lower track first, then file order
    allev = []
    for tr in tracks:
        allev.extend(tr.events)
    allev.sort(key=lambda e: (e.tick, e.track, e.seq))
    err = None
    stop = None
    for tr in tracks:
        if tr.error is not None:
            key = (tr.error.tick, tr.index, tr.error.seq)
            if stop is None or key < stop:
                stop, err = key, tr.error.err
    usec = 500000
    cur_tick, cur_sec = 0, Fraction(0)
    for e in allev:
        if stop is not None and (e.tick, e.track, e.seq) >= stop:
            break
        cur_sec += (e.tick - cur_tick) * seconds_per_tick(usec)
        cur_tick = e.tick
        if e.kind == "tempo":
            usec = e.data
        elif e.kind != "timesig":
            out.append((cur_sec, e))
    return out, err


# ---------------------------------------------------------------- output


def round_half_up(x):
    """Fraction >= 0 -> nearest integer, halves up."""
    return (x.numerator * 2 + x.denominator) // (x.denominator * 2)


def fmt_time(sec):
    ns = round_half_up(sec * 1000000000)
    return "@%d.%09d" % (ns // 1000000000, ns % 1000000000)


def is_channel_message(b):
    """The bytes of one complete channel message (status 0x80-0xEF)."""
    if not b or not 0x80 <= b[0] < 0xF0:
        return False
    n = 2 if (b[0] & 0xE0) == 0xC0 else 3
    return len(b) == n and all(x < 0x80 for x in b[1:])


def fmt_command(e):
    # The dump describes the bytes on the wire: an F7 escape that carries
    # a whole channel message prints as that message.
    b = e.data
    if e.kind == "ch" or is_channel_message(b):
        st = b[0] & 0xF0
        c = (b[0] & 0x0F) + 1
        if st == 0x80:
            return "ch %d off %d %d" % (c, b[1], b[2])
        if st == 0x90:
            return "ch %d on %d %d" % (c, b[1], b[2])
        if st == 0xA0:
            return "ch %d pp %d %d" % (c, b[1], b[2])
        if st == 0xB0:
            return "ch %d cc %d %d" % (c, b[1], b[2])
        if st == 0xC0:
            return "ch %d pc %d" % (c, b[1])
        if st == 0xD0:
            return "ch %d cp %d" % (c, b[1])
        return "ch %d pb %d" % (c, b[1] | (b[2] << 7))
    if e.kind == "syx":
        return " ".join(["syx"] + ["0x%02X" % x for x in b[1:-1]])
    return " ".join(["raw"] + ["0x%02X" % x for x in b])


CHANNEL_STATUS = {"off": 0x80, "on": 0x90, "pp": 0xA0, "cc": 0xB0, "pc": 0xC0, "cp": 0xD0, "pb": 0xE0}


def dump_to_frames(rate, lines):
    """midiplay --dump lines -> "FRAME HEXBYTES" lines at RATE (panic is left out)."""
    out = []
    for line in lines:
        words = line.split()
        if not words:
            continue
        sec, _, frac = words[0][1:].partition(".")
        ns = int(sec) * 1000000000 + int((frac + "000000000")[:9])
        frame = round_half_up(Fraction(ns * rate, 1000000000))
        if words[1] == "ch":
            ch, cmd, args = int(words[2]) - 1, words[3], [int(w) for w in words[4:]]
            if cmd == "pb":
                args = [args[0] & 0x7F, args[0] >> 7]
            data = [CHANNEL_STATUS[cmd] | ch] + args
        elif words[1] == "syx":
            data = [0xF0] + [int(w, 16) for w in words[2:]] + [0xF7]
        elif words[1] == "raw":
            data = [int(w, 16) for w in words[2:]]
        else:
            continue
        out.append("%d %s\n" % (frame, " ".join("%02X" % x for x in data)))
    return out


def main(argv):
    usage = "usage: oracle.py dump FILE.mid | oracle.py frames RATE FILE.mid | oracle.py dump2frames RATE <DUMP\n"
    if len(argv) == 3 and argv[1] == "dump2frames":
        sys.stdout.write("".join(dump_to_frames(int(argv[2]), sys.stdin)))
        return 0
    if len(argv) == 3 and argv[1] == "dump":
        mode, rate, path = "dump", None, argv[2]
    elif len(argv) == 4 and argv[1] == "frames":
        mode, path = "frames", argv[3]
        try:
            rate = int(argv[2])
            if rate <= 0:
                raise ValueError
        except ValueError:
            sys.stderr.write("oracle: bad RATE %r\n" % argv[2])
            return 2
    else:
        sys.stderr.write(usage)
        return 2

    def warn(what, track=None, offset=None):
        if track is None:
            sys.stderr.write("oracle: %s: warning: %s\n" % (path, what))
        else:
            sys.stderr.write("oracle: %s: track %d at byte %d: warning: %s\n" % (path, track, offset, what))

    try:
        fmt, timing, tracks = Reader(path, warn).read()
    except SMFError as e:
        sys.stderr.write("oracle: %s: %s\n" % (path, e.what))
        return 1
    except OSError as e:
        sys.stderr.write("oracle: %s: %s\n" % (path, e.strerror))
        return 1

    events, err = schedule(fmt, timing, tracks)
    lines = []
    for sec, e in events:
        if mode == "dump":
            lines.append("%s %s\n" % (fmt_time(sec), fmt_command(e)))
        else:
            lines.append("%d %s\n" % (round_half_up(sec * rate), " ".join("%02X" % x for x in e.data)))
    sys.stdout.write("".join(lines))
    sys.stdout.flush()
    if err is not None:
        sys.stderr.write("oracle: %s: track %d at byte %d: %s\n" % (path, err.track, err.offset, err.what))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
