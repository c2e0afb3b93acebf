#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the Standard MIDI Files used by the midiplay test-suite and samples.

Usage: python3 tests/mksmf.py [OUTDIR_TESTS [OUTDIR_SAMPLES]]
Defaults: tests/data and samples, relative to the repository root (the parent
of the directory holding this script).  Python 3 standard library only; every
byte is written by the small helpers below, and the output is deterministic
(same bytes on every run: no clock, no random module, only a fixed LCG).
"""

import os
import struct
import sys

# ---------------------------------------------------------------- helpers


def vlq(n):
    """Variable-length quantity, 1..4 bytes (0 .. 0x0FFFFFFF)."""
    if not 0 <= n <= 0x0FFFFFFF:
        raise ValueError("vlq out of range: %r" % n)
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(cid, payload, length=None):
    """A chunk: 4-byte id, 32-bit big-endian length (default: the real one), payload."""
    if length is None:
        length = len(payload)
    return cid + struct.pack(">I", length) + payload


def header(fmt, ntrks, division, extra=b"", length=None):
    """MThd chunk. division: ppq (0..0x7FFF) or an SMPTE word made by smpte()."""
    return chunk(b"MThd", struct.pack(">HHH", fmt, ntrks, division) + extra, length)


def smpte(fps, tpf):
    """SMPTE division word: high byte = -fps (two's complement), low byte = ticks/frame."""
    return (((-fps) & 0xFF) << 8) | tpf


EOT = b"\xff\x2f\x00"


def track(events, eot=True, eot_delta=0, tail=b"", length=None):
    """MTrk chunk from (delta, raw_event_bytes) pairs.

    raw bytes are written as they are (so running status is written by
    leaving the status byte out).  eot: append End-of-Track after eot_delta.
    tail: bytes appended after that (inside the chunk).  length: override
    the chunk length field."""
    body = b"".join(vlq(d) + e for d, e in events)
    if eot:
        body += vlq(eot_delta) + EOT
    return chunk(b"MTrk", body + tail, length)


def abs_track(events, eot_tick=None, **kw):
    """MTrk chunk from (absolute_tick, raw_event_bytes) pairs.  Sorted stably by
    tick, so equal ticks keep the order given.  eot_tick defaults to the last
    event's tick."""
    evs = sorted(events, key=lambda e: e[0])
    out = []
    t = 0
    for tick, b in evs:
        out.append((tick - t, b))
        t = tick
    if eot_tick is None:
        eot_tick = t
    assert eot_tick >= t
    return track(out, eot_delta=eot_tick - t, **kw)


def smf(fmt, division, tracks, ntrks=None):
    """A whole SMF: header (ntrks defaults to the number of tracks) + tracks."""
    if ntrks is None:
        ntrks = len(tracks)
    return header(fmt, ntrks, division) + b"".join(tracks)


# channel messages; ch is 1..16
def on(ch, key, vel):
    return bytes([0x90 | (ch - 1), key, vel])


def off(ch, key, vel=0):
    return bytes([0x80 | (ch - 1), key, vel])


def pp(ch, key, val):
    return bytes([0xA0 | (ch - 1), key, val])


def cc(ch, num, val):
    return bytes([0xB0 | (ch - 1), num, val])


def pc(ch, prog):
    return bytes([0xC0 | (ch - 1), prog])


def cp(ch, val):
    return bytes([0xD0 | (ch - 1), val])


def pb(ch, val):
    return bytes([0xE0 | (ch - 1), val & 0x7F, val >> 7])


# meta and system events
def meta(mtype, data):
    return bytes([0xFF, mtype]) + vlq(len(data)) + data


def tempo(usec):
    return meta(0x51, struct.pack(">I", usec)[1:])


def text(s):
    return meta(0x01, s.encode("ascii"))


def name(s):
    return meta(0x03, s.encode("ascii"))


def lyric(s):
    return meta(0x05, s.encode("ascii"))


def marker(s):
    return meta(0x06, s.encode("ascii"))


def timesig(nn, dd, cc_=24, bb=8):
    return meta(0x58, bytes([nn, dd, cc_, bb]))


def f0(data):
    """F0 <len> <data>: data given as it goes in the file (ends with F7 if complete)."""
    return b"\xf0" + vlq(len(data)) + bytes(data)


def f7(data):
    """F7 <len> <data>: a continuation packet or an escape."""
    return b"\xf7" + vlq(len(data)) + bytes(data)


class LCG:
    """Tiny fixed pseudo-random generator, so output never depends on Python's random."""

    def __init__(self, seed):
        self.s = seed & 0x7FFFFFFF

    def below(self, n):
        self.s = (self.s * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.s >> 8) % n

    def range(self, lo, hi):
        """lo .. hi inclusive"""
        return lo + self.below(hi - lo + 1)


def notes_abs(ch, notes):
    """(start, dur, key, vel) list -> (tick, bytes) list of note-on/note-off pairs."""
    out = []
    for start, dur, key, vel in notes:
        out.append((start, on(ch, key, vel)))
        out.append((start + dur, off(ch, key, 0)))
    return out


# ---------------------------------------------------------------- samples


def sample_scale():
    # samples/scale.mid: format 0, C major scale up and down, ppq 480, 120 bpm, program change first, track name
    keys = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60]
    evs = [(0, name("C major scale")), (0, tempo(500000)), (0, pc(1, 0))]
    for i, k in enumerate(keys):
        dur = 960 if i == len(keys) - 1 else 456
        evs += notes_abs(1, [(i * 480, dur, k, 90 if i % 4 else 110)])
    return smf(0, 480, [abs_track(evs)])


def sample_tempo():
    # samples/tempo.mid: format 1, 3 tracks, 8 bars; 32 tempo changes in track 1 (one per beat), 16 in
    # track 2 on off-beats (in the middle of sounding notes); time signature, lyrics
    ppq = 480
    beats = 32
    t1 = [(0, name("tempo demo")), (0, timesig(4, 2)), (0, marker("start"))]
    for b in range(beats):
        # accelerando over the first half, ritardando over the second
        usec = 600000 - 18000 * b if b < 16 else 330000 + 17000 * (b - 16)
        t1.append((b * ppq, tempo(usec)))
    t1.append((beats * ppq, marker("end")))
    melody = [60, 62, 64, 65, 67, 65, 64, 62, 64, 65, 67, 69, 71, 72, 71, 69,
              67, 69, 71, 72, 74, 72, 71, 69, 67, 65, 64, 62, 64, 62, 60, 60]
    syll = ["la", "li", "lo", "lu"]
    t2 = [(0, name("melody")), (0, pc(1, 73))]
    for b, k in enumerate(melody):
        t2.append((b * ppq, lyric(syll[b % 4])))
        t2 += notes_abs(1, [(b * ppq, ppq - 20, k, 80 + (b % 3) * 15)])
        if b % 2 == 1:
            # mid-note tempo change (the melody note started at b*ppq is sounding)
            t2.append((b * ppq + 240, tempo(450000 + 7919 * (b % 5))))
    t3 = [(0, name("bass")), (0, pc(2, 33))]
    bass = [36, 36, 41, 43, 36, 41, 43, 36]
    for bar, k in enumerate(bass):
        t3 += notes_abs(2, [(bar * 4 * ppq, 2 * ppq - 10, k, 100), (bar * 4 * ppq + 2 * ppq, 2 * ppq - 10, k + 7, 90)])
    end = beats * ppq
    return smf(1, ppq, [abs_track(t1, end), abs_track(t2, end), abs_track(t3, end)])


def sample_drums():
    # samples/drums.mid: format 0, 2-bar drum loop on channel 10 in 16ths, several velocities
    ppq = 480
    six = ppq // 4
    evs = [(0, name("drum loop")), (0, tempo(461538))]  # 130 bpm
    for bar in range(2):
        for s in range(16):
            t = (bar * 16 + s) * six
            hits = []
            hat = 46 if (bar == 1 and s == 14) else 42
            hits.append((hat, [100, 45, 70, 45][s % 4]))
            if s in (0, 8) or (s == 10 and bar == 1) or s == 7:
                hits.append((36, 120 if s in (0, 8) else 80))
            if s in (4, 12):
                hits.append((38, 110))
            if bar == 1 and s in (13, 15):
                hits.append((38, 50))  # ghost notes
            if bar == 0 and s == 0:
                hits.append((49, 127))  # crash
            for k, v in hits:
                evs += notes_abs(10, [(t, 60, k, v)])
    return smf(0, ppq, [abs_track(evs, 32 * six)])


# ---------------------------------------------------------------- good test files


def control():
    # control.mid: for --tempo, --bpm, --start, --end, --loop, --tracks, --channels, --transpose, --clock.
    # Format 1, ppq 96.  Track 1: 4/4 and 120 bpm; at bar 3 (tick 768) 3/4 and 150 bpm; at bar 4
    # (tick 1056) 100 bpm; End-of-Track at bar 6 (tick 1632).  Track 2, channel 1: bank, program,
    # controllers, pitch bend and sustain before bar 2, a note sounding across bar 2 (tick 384) and
    # one across the loop end; an RPN; notes each half beat.  Track 3, channel 10: drums each beat.
    # Track 4, channel 2: a note high enough for --transpose to push out, and a SysEx.
    ppq = 96
    t1 = [(0, name("control")), (0, timesig(4, 2)), (0, tempo(500000)), (768, timesig(3, 2)),
          (768, tempo(400000)), (768, marker("bar 3")), (1056, tempo(600000))]
    t2 = [(0, cc(1, 0, 1)), (0, cc(1, 32, 2)), (0, pc(1, 5)), (0, cc(1, 7, 100)), (150, cc(1, 7, 90)),
          (200, pb(1, 9000)), (250, cc(1, 101, 0)), (250, cc(1, 100, 0)), (250, cc(1, 6, 12)),
          (300, cc(1, 64, 127)), (340, pc(1, 6))]
    t2 += notes_abs(1, [(360, 100, 67, 90)])
    for i in range(31):
        t = 48 * i
        if 340 <= t < 480:
            continue
        t2 += notes_abs(1, [(t, 40, 60 + i % 12, 70 + i % 50)])
    t2 += notes_abs(1, [(1500, 120, 79, 100)])
    t2.append((700, cc(1, 64, 0)))
    t2.append((1000, cc(1, 64, 100)))
    t3 = [(96 * b, on(10, 36 if b % 2 == 0 else 38, 110)) for b in range(17)]
    t3 += [(96 * b + 10, off(10, 36 if b % 2 == 0 else 38, 0)) for b in range(17)]
    t4 = notes_abs(2, [(96, 300, 120, 80), (500, 50, 50, 60)]) + [(600, f0([0x7E, 0x7F, 0x09, 0x01, 0xF7]))]
    return smf(1, ppq, [abs_track(t1, 1632), abs_track(t2, 1632), abs_track(t3, 1632), abs_track(t4, 1632)])


def f0_basic():
    # f0-basic.mid: format 0, ppq 480, tempo 500000; note-on at 0, note-off at tick 480 = 0.5 s = frame 24000 @ 48 kHz
    evs = [
        (0, name("f0-basic")), (0, tempo(500000)), (0, pc(1, 0)),
        (0, on(1, 60, 100)), (480, off(1, 60, 0)),
        (480, on(1, 64, 90)), (720, off(1, 64, 64)),
        (720, on(1, 67, 80)), (720, cc(1, 7, 100)), (960, off(1, 67, 0)),
        (960, on(2, 48, 127)), (1200, on(1, 72, 1)), (1440, off(2, 48, 0)), (1440, off(1, 72, 0)),
    ]
    return smf(0, 480, [abs_track(evs, 1920)])


def f1_tempo_many():
    # f1-tempo-many.mid: format 1, 4 tracks, ppq 96, 42 tempo changes at odd ticks in tracks 1,2,3 (with
    # same-tick ties across tracks: the later track wins), notes in all 4 tracks
    ppq = 96
    length = 4 * 4 * ppq   # four bars: about 4 s, short enough to play in tests
    rnd = LCG(19)
    tempo_ticks = []
    used = set()
    for tr in range(3):
        ticks = []
        while len(ticks) < 14:
            t = rnd.below(length // 2) * 2 + 1
            if t not in used:
                used.add(t)
                ticks.append(t)
        tempo_ticks.append(sorted(ticks))
    # ties: track 2 and track 3 change tempo at the same tick (track 3's value wins),
    # and track 1 and track 2 too (track 2's wins)
    tempo_ticks[2][4] = tempo_ticks[1][4]
    tempo_ticks[1][9] = tempo_ticks[0][9]
    tracks = []
    for tr in range(4):
        evs = [(0, name("track %d" % (tr + 1)))]
        if tr < 3:
            for t in tempo_ticks[tr]:
                evs.append((t, tempo(rnd.range(150000, 450000) | 1)))
        notes = []
        t = rnd.below(20)
        while t < length - 200:
            dur = rnd.range(5, 150)
            notes.append((t, dur, 40 + tr * 10 + rnd.below(12), rnd.range(1, 127)))
            t += rnd.range(10, 100)
        # a note starting exactly on a tied tempo tick and one right after it
        tie = tempo_ticks[1][4]
        notes.append((tie, 7, 90 + tr, 64))
        notes.append((tie + 1, 3, 95 + tr, 64))
        evs += notes_abs(tr + 1, notes)
        tracks.append(abs_track(evs, length))
    return smf(1, ppq, tracks)


def f2_seq():
    # f2-seq.mid: format 2, 3 tracks played one after another; track 1 ends with a rest before its EOT,
    # track 2 changes tempo mid-track, track 3 has no tempo (inherits track 2's)
    ppq = 480
    t1 = [(0, name("pattern 1")), (0, tempo(500000))]
    t1 += notes_abs(1, [(i * 480, 400, 60 + i, 100) for i in range(4)])
    t2 = [(0, name("pattern 2"))]
    t2 += notes_abs(2, [(i * 240, 200, 72 - i, 80) for i in range(8)])
    t2.append((800, tempo(250000)))  # mid-track, while note 69 (720..920) is sounding
    t3 = [(0, name("pattern 3"))]
    t3 += notes_abs(3, [(0, 960, 48, 90), (960, 480, 55, 90), (1440, 77, 52, 70)])
    return smf(2, ppq, [abs_track(t1, 2160), abs_track(t2, 1920), abs_track(t3, 1920)])


def smpte_file(fps, tpf, fmt=0):
    evs = [(0, name("smpte %d/%d" % (fps, tpf))), (0, tempo(300000)), (0, pc(1, 5))]
    ticks = [0, 1, tpf - 1, tpf, 3 * tpf + 1, fps * tpf - 1, fps * tpf, fps * tpf + 7, 2 * fps * tpf + 3]
    for i, t in enumerate(ticks):
        evs.append((t, on(1, 60 + i, 100)))
        evs.append((t + 1, off(1, 60 + i, 0)))
    evs.append((fps * tpf // 2, tempo(1000000)))  # must be ignored with SMPTE timing
    end = 2 * fps * tpf + 10
    tracks = [abs_track(evs, end)]
    if fmt == 1:
        t2 = [(0, name("second")), (tpf * 5 + 3, on(2, 40, 50)), (fps * tpf + 7, off(2, 40, 0))]
        tracks.append(abs_track(t2, end))
    return smf(fmt, smpte(fps, tpf), tracks)


def running_status():
    # running-status.mid: running status for every channel message type, across on/off(vel 0), cc, pc, pb, cp, pp
    ev = [
        (0, name("running status")),
        (0, bytes([0x90, 60, 100])), (0, bytes([62, 100])), (0, bytes([64, 100])),
        (240, bytes([60, 0])), (0, bytes([62, 0])), (0, bytes([64, 0])),
        (0, bytes([0xB0, 7, 100])), (10, bytes([10, 64])), (10, bytes([1, 0])),
        (0, bytes([0xC1, 5])), (5, bytes([7])),
        (0, bytes([0xE2, 0x00, 0x40])), (20, bytes([0x7F, 0x7F])), (20, bytes([0x00, 0x00])),
        (0, bytes([0xD3, 64])), (10, bytes([48])),
        (0, bytes([0xA4, 60, 32])), (10, bytes([60, 16])),
        (0, bytes([0x85, 60, 64])), (0, bytes([61, 64])),
        (0, bytes([0x9F, 72, 127])), (120, bytes([72, 0])),
    ]
    return smf(0, 480, [track(ev, eot_delta=120)])


def sysex_file():
    # sysex.mid: complete F0 messages (one with a 2-byte length), a packetized SysEx (F0 + two F7
    # continuation packets with deltas), an F7 escape carrying F8, a zero-length escape, an escape carrying 90 3C 40
    big = bytes([0x7D]) + bytes((i * 7) & 0x7F for i in range(199)) + b"\xf7"
    ev = [
        (0, tempo(500000)),
        (0, f0([0x7E, 0x7F, 0x09, 0x01, 0xF7])),                     # GM on, complete
        (120, f0([0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7])),  # XG reset, complete
        (0, on(1, 62, 100)),
        (240, f0([0x43, 0x10, 0x4C])),                                # first packet
        (60, f7([0x02, 0x00, 0x7E])),                                 # continuation
        (60, f7([0x00, 0xF7])),                                       # last packet: message goes out here
        (120, f7([0xF8])),                                            # escape: realtime clock
        (0, f7([])),                                                  # zero-length escape: nothing
        (0, f7([0x90, 0x3C, 0x40])),                                  # escape: note-on 60 64
        (240, off(1, 62, 0)),
        (0, off(1, 60, 0)),
        (10, f0(big)),                                                # F0 + 201 bytes: length VLQ 81 49
    ]
    return smf(0, 480, [track(ev, eot_delta=10)])


def long_meta():
    # long-meta.mid: format 1; a 300-byte copyright meta in the note track before its notes
    t1 = [(0, name("conductor")), (0, tempo(500000)), (0, timesig(4, 2))]
    txt = ("(c) midiplay test data, free to use. " * 9)[:300]
    assert len(txt) == 300
    t2 = [(0, meta(0x02, txt.encode("ascii"))), (0, pc(1, 0))]
    t2 += notes_abs(1, [(i * 240, 200, 60 + i, 100) for i in range(8)])
    return smf(1, 480, [abs_track(t1, 1920), abs_track(t2, 1920)])


def big_delta():
    # big-delta.mid: deltas of 0x0FFFFFFF nine times (cc events), then a note and its note-off another
    # 0x0FFFFFFF later; total 2684354550 ticks (> 2^31); ppq 30000, tempo 25 us so it lasts ~2.24 s,
    # tick*tempo ~ 6.7e10 (> 2^32)
    ev = [(0, tempo(25))]
    for i in range(9):
        ev.append((0x0FFFFFFF, cc(1, 16, i + 1)))
    ev.append((0, on(1, 60, 100)))
    ev.append((0x0FFFFFFF, off(1, 60, 0)))
    return smf(0, 30000, [track(ev)])


def vel0():
    # vel0.mid: note-on with velocity 0 used as note-off (with and without running status)
    ev = [
        (0, on(1, 60, 100)), (0, on(1, 64, 100)),
        (480, on(1, 60, 0)), (0, bytes([64, 0])),
        (0, on(2, 67, 90)), (240, bytes([0x91, 67, 0])),
        (0, on(10, 36, 127)), (60, on(10, 36, 0)),
    ]
    return smf(0, 480, [track(ev)])


def all_messages():
    # all-messages.mid: every channel message type (8n 9n An Bn Cn Dn En) on channels 1, 2, 10, 16, with
    # data extremes 0/127 and pitch bend 0, 8192, 16383
    ev = []
    for ch in (1, 2, 10, 16):
        ev += [
            (0, pc(ch, 0)), (0, pc(ch, 127)),
            (0, cc(ch, 0, 0)), (0, cc(ch, 127, 127)), (0, cc(ch, 7, 64)),
            (10, on(ch, 0, 1)), (0, on(ch, 127, 127)),
            (10, pp(ch, 0, 0)), (0, pp(ch, 127, 127)),
            (10, cp(ch, 0)), (0, cp(ch, 127)),
            (10, pb(ch, 0)), (10, pb(ch, 16383)), (10, pb(ch, 8192)), (0, pb(ch, 1)),
            (10, off(ch, 0, 0)), (0, off(ch, 127, 127)),
        ]
    return smf(0, 480, [track(ev)])


def burst_3000():
    # burst-3000.mid: format 0, 3000 note-ons at tick 0 then 3000 matching note-offs at tick 480
    # (key i%128, channel (i//128)%16+1, velocity i%127+1: every (key, channel, velocity) distinct)
    ons, offs = [], []
    for i in range(3000):
        key, ch, v = i % 128, (i // 128) % 16 + 1, i % 127 + 1
        ons.append((0, on(ch, key, v)))
        offs.append((0, off(ch, key, v)))
    offs[0] = (480, offs[0][1])
    return smf(0, 480, [track([(0, tempo(500000))] + ons + offs)])


def half_frames():
    # half-frames.mid: ppq 384 at 120 bpm, so an odd tick lies exactly on a
    # half frame at 48 kHz (1/768 s = 62.5 frames): rounding must go up,
    # also after the time went through --dump's nanoseconds
    ppq = 384
    evs = [(0, tempo(500000))]
    notes = [(t, 3, 60 + (t % 24), 100) for t in range(1, 384, 14)]
    evs += notes_abs(1, notes)
    return smf(0, ppq, [abs_track(evs, 400)])


def long_tempo():
    # long-tempo.mid: format 0, ppq 384, 1000 tempo changes with odd tempos and a note at every change
    # (~20 s), for showing that per-event rounding does not drift
    tempos = [333333, 499999, 612345, 428571, 555557, 377777, 651321, 480001, 523457, 399989, 250007, 707071]
    rnd = LCG(1000)
    ev = [(0, name("long tempo"))]
    t = 0
    for i in range(1000):
        d = rnd.range(7, 23)
        ev.append((t, tempo(tempos[rnd.below(len(tempos))])))
        ev.append((t, on(1, 36 + i % 48, 1 + i % 127)))
        ev.append((t + d // 2 + 1, off(1, 36 + i % 48, 0)))
        t += d
    return smf(0, 384, [abs_track(ev, t)])


# ---------------------------------------------------------------- tolerated deviations


def small_notes(ch=1, base=60, n=4, step=240):
    return notes_abs(ch, [(i * step, step - 40, base + i, 100) for i in range(n)])


def no_eot():
    # no-eot.mid: format 1; track 2 has no End-of-Track (its chunk ends after the last note-off)
    t1 = [(0, tempo(500000))] + small_notes(1, 60)
    t2 = small_notes(2, 48)
    return smf(1, 480, [abs_track(t1, 960), abs_track(t2, eot=False)])


def unknown_chunk():
    # unknown-chunk.mid: format 1; an "XFIH" chunk (unknown, 12 bytes) between the two MTrk chunks
    t1 = [(0, tempo(500000))] + small_notes(1, 60)
    t2 = small_notes(2, 48)
    xf = chunk(b"XFIH", b"XF02\x00\x00\x00\x00\x00\x00\x00\x00")
    return header(1, 2, 480) + abs_track(t1, 960) + xf + abs_track(t2, 960)


def trailing_bytes():
    # trailing-bytes.mid: 5 junk bytes after the last chunk (fewer than a chunk header)
    return smf(0, 480, [abs_track([(0, tempo(500000))] + small_notes(), 960)]) + b"\x00\x0d\x0a\x1a\x00"


def trailing_garbage():
    # trailing-garbage.mid: 20 garbage bytes after the last chunk; the would-be chunk id is not ASCII and
    # the would-be length runs past the end
    junk = bytes([0xFF, 0xFE, 0x00, 0x81, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02,
                  0x03, 0x04, 0x90, 0x3C, 0x64, 0x00, 0xF7, 0xFF, 0x2F, 0x00])
    assert len(junk) == 20
    return smf(0, 480, [abs_track([(0, tempo(500000))] + small_notes(), 960)]) + junk


def rs_after_meta():
    # rs-after-meta.mid: running status used right after a meta event and right after a SysEx
    ev = [
        (0, on(1, 60, 100)),
        (0, text("abc")), (0, bytes([62, 100])),           # -> 90 3E 64
        (480, off(1, 60, 0)),
        (0, marker("m")), (0, bytes([62, 0])),             # -> 80 3E 00
        (0, cc(2, 7, 100)),
        (120, f0([0x7E, 0x7F, 0x09, 0x01, 0xF7])), (0, bytes([10, 20])),  # -> B1 0A 14
    ]
    return smf(0, 480, [track(ev, eot_delta=120)])


def fewer_tracks():
    # fewer-tracks.mid: format 1, header announces 5 tracks, 2 present
    t1 = [(0, tempo(500000))] + small_notes(1, 60)
    t2 = small_notes(2, 48)
    return smf(1, 480, [abs_track(t1, 960), abs_track(t2, 960)], ntrks=5)


def mthd_long():
    # mthd-long.mid: MThd length 8 with 2 extra bytes
    return header(0, 1, 480, extra=b"\x00\x00") + abs_track([(0, tempo(500000))] + small_notes(), 960)


def after_eot():
    # after-eot.mid: format 1; track 1 has bytes after its End-of-Track (a well-formed note-on/off that
    # must NOT be played, then garbage); track 2 must still play
    tail = b"\x00\x90\x3c\x64\x60\x80\x3c\x00" + b"\xde\xad"
    t1 = [(0, tempo(500000))] + small_notes(1, 60)
    t2 = small_notes(2, 48)
    return smf(1, 480, [abs_track(t1, 960, tail=tail), abs_track(t2, 960)])


def rmid():
    # rmid.mid: RIFF "RMID" wrapping a small SMF (odd length, so a RIFF pad byte) followed by a LIST/INFO chunk
    inner = smf(0, 480, [abs_track([(0, tempo(500000)), (0, name("rmid!"))] + small_notes(1, 60, 3), 720)])
    if len(inner) % 2 == 0:
        raise AssertionError("want an odd SMF length to exercise the RIFF pad byte")
    def rchunk(cid, payload):
        b = cid + struct.pack("<I", len(payload)) + payload
        return b + (b"\x00" if len(payload) % 2 else b"")
    info = rchunk(b"LIST", b"INFO" + rchunk(b"INAM", b"rmid test\x00"))
    body = b"RMID" + rchunk(b"data", inner) + info
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---------------------------------------------------------------- errors before playing


def good_track():
    return abs_track([(0, tempo(500000))] + small_notes(), 960)


def empty():
    # empty.mid: 0 bytes
    return b""


def not_smf():
    # not-smf.mid: a text file
    return b"This is not a MIDI file.\nJust some text.\n"


def short_header():
    # short-header.mid: MThd cut after 10 bytes (id, length 6, 2 of the 6 bytes)
    return header(0, 1, 480)[:10]


def bad_format():
    # bad-format.mid: format 3 (otherwise fine)
    return header(3, 1, 480) + good_track()


def ppq_zero():
    # ppq-zero.mid: division 0
    return header(0, 1, 0) + good_track()


def bad_smpte():
    # bad-smpte.mid: SMPTE division with fps -23 (0xE9), 4 ticks/frame
    return header(0, 1, smpte(23, 4)) + good_track()


def chunk_overrun():
    # chunk-overrun.mid: format 1; the second MTrk's length (1000) runs past the end of the file
    t2 = abs_track(small_notes(2, 48), 960)
    t2 = t2[:4] + struct.pack(">I", 1000) + t2[8:]
    return header(1, 2, 480) + good_track() + t2


def no_tracks():
    # no-tracks.mid: MThd only (announcing 1 track)
    return header(0, 1, 480)


# ---------------------------------------------------------------- errors when reached
# (format 0, one track: the events before the bad one are played, then playback stops)


def no_status():
    # no-status.mid: the first event is a data byte (no running status ever)
    return smf(0, 480, [track([(0, bytes([0x3C, 0x40])), (480, off(1, 60, 0))])])


def bad_data():
    # bad-data.mid: after good notes (60 and 64 left sounding), a status byte 0x90 where a velocity should be
    ev = [(0, tempo(500000)), (0, on(1, 60, 100)), (0, on(1, 64, 100)),
          (240, on(1, 67, 100)), (240, off(1, 67, 0)),
          (0, bytes([0x90, 72, 0x90, 0x40])), (240, off(1, 60, 0))]
    return smf(0, 480, [track(ev)])


def long_vlq():
    # long-vlq.mid: after good notes (60 sounding), a 5-byte delta 81 80 80 80 00
    body = (vlq(0) + tempo(500000) + vlq(0) + on(1, 60, 100) + vlq(240) + on(1, 64, 100)
            + vlq(240) + off(1, 64, 0) + b"\x81\x80\x80\x80\x00" + off(1, 60, 0) + vlq(0) + EOT)
    return header(0, 1, 480) + chunk(b"MTrk", body)


def cut_event():
    # cut-event.mid: after good events (60 sounding), a note-on cut by the chunk end: 00 90 3C, no EOT
    body = (vlq(0) + tempo(500000) + vlq(0) + on(1, 60, 100) + vlq(240) + on(1, 64, 100)
            + vlq(240) + off(1, 64, 0) + vlq(0) + b"\x90\x3c")
    return header(0, 1, 480) + chunk(b"MTrk", body)


def undefined_status():
    # undefined-status.mid: after good notes (60 sounding), status 0xF4
    ev = [(0, tempo(500000)), (0, on(1, 60, 100)), (240, on(1, 64, 100)), (240, off(1, 64, 0)),
          (0, b"\xf4"), (0, off(1, 60, 0))]
    return smf(0, 480, [track(ev)])


def sysex_unterminated():
    # sysex-unterminated.mid: after good notes (60 sounding), F0 without F7 and no continuation, then EOT
    ev = [(0, tempo(500000)), (0, on(1, 60, 100)), (240, on(1, 64, 100)), (240, off(1, 64, 0)),
          (0, f0([0x43, 0x10, 0x4C, 0x00, 0x00]))]
    return smf(0, 480, [track(ev, eot_delta=240)])


def sysex_huge():
    # sysex-huge.mid: after good notes (60 sounding), one SysEx of 20000 bytes (F0 + 19998 data + F7)
    data = bytes(i & 0x7F for i in range(19998)) + b"\xf7"
    ev = [(0, tempo(500000)), (0, on(1, 60, 100)), (240, on(1, 64, 100)), (240, off(1, 64, 0)),
          (0, f0(data)), (240, off(1, 60, 0))]
    return smf(0, 480, [track(ev)])


# ---------------------------------------------------------------- output ports


def port_ev(n):
    """FF 21 01 n: the MIDI port event."""
    return meta(0x21, bytes([n]))


def prefix_ev(ch):
    """FF 20 01 cc: the channel prefix (ch 1..16)."""
    return meta(0x20, bytes([ch - 1]))


def ports_tracks():
    # ports-tracks.mid: format 1, ppq 480; a conductor track, then tracks
    # named "Piano (Right)", "Bass", "Piano (Right)" again, none (drums),
    # and "Strings" with no MIDI event at all: --split track makes ports
    # Piano-Right, Bass, Piano-Right-2 and track-5.  Every port has a note
    # sounding across tick 960 and sustain on, for the tests of signals.
    cond = abs_track([(0, name("Song")), (0, tempo(500000)), (0, timesig(4, 2)),
                      (960, tempo(400000))], eot_tick=2880)
    piano = abs_track([(0, name("Piano (Right)")), (0, pc(1, 0)), (0, cc(1, 64, 127))] +
                      notes_abs(1, [(0, 480, 60, 100), (480, 480, 64, 90), (900, 1200, 67, 80),
                                    (2400, 240, 72, 70)]) + [(2700, cc(1, 64, 0))])
    bass = abs_track([(0, name("Bass")), (0, pc(2, 33))] +
                     notes_abs(2, [(0, 960, 36, 110), (960, 1500, 43, 100)]))
    piano2 = abs_track([(0, name("Piano (Right)")), (10, pp(3, 61, 50))] +
                       notes_abs(3, [(240, 240, 61, 60), (720, 1440, 65, 60)]))
    drums = abs_track(notes_abs(10, [(t, 60, 36 + (t // 240) % 3, 120) for t in range(0, 2880, 240)]))
    strings = abs_track([(0, name("Strings")), (0, text("no notes here"))], eot_tick=100)
    return smf(1, 480, [cond, piano, bass, piano2, drums, strings])


def ports_ff21():
    # ports-ff21.mid: format 1, ppq 480, port events (FF 21): track 2 on
    # port 0, track 3 on port 1 with a SysEx, track 4 on port 1 then on
    # port 2 from tick 960 (its note there on the same channel and key as
    # track 3's), track 5 with no port event (port 0).  Ports port1, port2,
    # port3.
    cond = abs_track([(0, tempo(500000))], eot_tick=1920)
    t2 = abs_track([(0, port_ev(0))] + notes_abs(1, [(0, 480, 60, 100), (960, 480, 62, 100)]))
    t3 = abs_track([(0, port_ev(1)), (100, f0(b"\x7e\x7f\x09\x01\xf7"))] +
                   notes_abs(1, [(0, 480, 60, 90), (960, 480, 65, 90)]))
    t4 = abs_track([(0, port_ev(1)), (960, port_ev(2))] +
                   notes_abs(2, [(240, 240, 48, 80), (1200, 480, 65, 80)]))
    t5 = abs_track(notes_abs(3, [(480, 960, 72, 70)]))
    return smf(1, 480, [cond, t2, t3, t4, t5])


def ports_16ch():
    # ports-16ch.mid: format 0, ppq 480, a note on each of the 16 channels
    # (key 40 + channel, one every 60 ticks), a SysEx after a channel
    # prefix for channel 5 (--split channel: to ch5 only), and a GM reset
    # SysEx with no prefix (to every channel's port).
    ev = [(0, tempo(500000)), (0, f0(b"\x7e\x7f\x09\x01\xf7"))]
    for c in range(1, 17):
        ev += notes_abs(c, [(60 * c, 240, 40 + c, 64 + c)])
    ev += [(1200, prefix_ev(5)), (1200, f0(b"\x43\x10\x4c\x00\x00\x7e\x00\xf7")),
           (1300, on(5, 45, 1)), (1400, off(5, 45, 0))]
    return smf(0, 480, [abs_track(ev)])


def burst_4ports():
    # burst-4ports.mid: format 1, 4 tracks named A, B, C, D, each 750 note-ons
    # at tick 0 and their note-offs at tick 480 (3000 notes in all), ppq 480
    # at 120 bpm: with --split track, 750 a port at 0 and again at 24000.
    tracks = []
    for t, nm in enumerate("ABCD"):
        ons, offs = [], []
        for i in range(750):
            key, ch, v = i % 128, (i // 128) % 16 + 1, (i + t) % 127 + 1
            ons.append((0, on(ch, key, v)))
            offs.append((480, off(ch, key, 0)))
        tracks.append(abs_track([(0, name(nm)), (0, tempo(500000))] + ons + offs))
    return smf(1, 480, tracks)


# ---------------------------------------------------------------- main

SAMPLES = {
    "scale.mid": sample_scale,
    "tempo.mid": sample_tempo,
    "drums.mid": sample_drums,
}

TESTS = {
    "control.mid": control,
    # good
    "f0-basic.mid": f0_basic,
    "f1-tempo-many.mid": f1_tempo_many,
    "f2-seq.mid": f2_seq,
    # smpte-24.mid: 24 fps, 4 ticks/frame; tempo events present but ignored
    "smpte-24.mid": lambda: smpte_file(24, 4),
    # smpte-25.mid: format 1 (two tracks merged), 25 fps, 40 ticks/frame
    "smpte-25.mid": lambda: smpte_file(25, 40, fmt=1),
    # smpte-2997.mid: -29 = 30000/1001 fps, 80 ticks/frame
    "smpte-2997.mid": lambda: smpte_file(29, 80),
    # smpte-30.mid: 30 fps, 100 ticks/frame
    "smpte-30.mid": lambda: smpte_file(30, 100),
    "running-status.mid": running_status,
    "sysex.mid": sysex_file,
    "long-meta.mid": long_meta,
    "big-delta.mid": big_delta,
    "vel0.mid": vel0,
    "all-messages.mid": all_messages,
    "burst-3000.mid": burst_3000,
    "long-tempo.mid": long_tempo,
    "half-frames.mid": half_frames,
    "ports-tracks.mid": ports_tracks,
    "ports-ff21.mid": ports_ff21,
    "ports-16ch.mid": ports_16ch,
    "burst-4ports.mid": burst_4ports,
    # tolerated (warning, plays fully)
    "no-eot.mid": no_eot,
    "unknown-chunk.mid": unknown_chunk,
    "trailing-bytes.mid": trailing_bytes,
    "trailing-garbage.mid": trailing_garbage,
    "rs-after-meta.mid": rs_after_meta,
    "fewer-tracks.mid": fewer_tracks,
    "mthd-long.mid": mthd_long,
    "after-eot.mid": after_eot,
    "rmid.mid": rmid,
    # errors before playing
    "empty.mid": empty,
    "not-smf.mid": not_smf,
    "short-header.mid": short_header,
    "bad-format.mid": bad_format,
    "ppq-zero.mid": ppq_zero,
    "bad-smpte.mid": bad_smpte,
    "chunk-overrun.mid": chunk_overrun,
    "no-tracks.mid": no_tracks,
    # errors when reached
    "no-status.mid": no_status,
    "bad-data.mid": bad_data,
    "long-vlq.mid": long_vlq,
    "cut-event.mid": cut_event,
    "undefined-status.mid": undefined_status,
    "sysex-unterminated.mid": sysex_unterminated,
    "sysex-huge.mid": sysex_huge,
}


def write_all(outdir, table):
    os.makedirs(outdir, exist_ok=True)
    for fname, fn in table.items():
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(fn())


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__.lstrip())
        return 0
    if len(argv) > 3:
        sys.stderr.write("usage: mksmf.py [OUTDIR_TESTS [OUTDIR_SAMPLES]]\n")
        return 2
    tests_dir = argv[1] if len(argv) > 1 else os.path.join(root, "tests", "data")
    samples_dir = argv[2] if len(argv) > 2 else os.path.join(root, "samples")
    write_all(tests_dir, TESTS)
    write_all(samples_dir, SAMPLES)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
