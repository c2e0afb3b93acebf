#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fireworks.py: turn the pixels of fireworks into notes, for `midiplay -`.

    python3 samples/fireworks.py | midiplay -c fluidsynth -
    python3 samples/fireworks.py --seed 7 --seconds 30 --tempo 96 | midiplay -
    python3 samples/fireworks.py photo.ppm | midiplay -
    python3 samples/fireworks.py frames/*.ppm | midiplay -

With no IMAGE it draws an animation of its own: rockets rise from the
bottom of a 32 x 24 picture and burst into sparks that spread, fall and
fade.  One IMAGE (a PPM or PGM file, binary or text) is scanned from left
to right instead, one column per step.  Several IMAGEs are the frames of an
animation, such as a video's frames exported by
`ffmpeg -i fireworks.mp4 -vf fps=8,scale=32:24 frames/%04d.ppm`.

Each frame (or column) is cut into cells.  The height of a cell picks the
pitch, on a pentatonic scale, higher up sounding higher; its brightness
turns a note on, with a velocity to match, and off again when the cell goes
dark.  Across the picture, left to right, four channels with four bell-like
instruments are panned from left to right (a scanned image sweeps the pan
of one channel instead).  How much of a channel's part of the picture is
lit, the size of the burst, drives a controller (--cc, default 1,
modulation).  A new burst also strikes a crash cymbal on channel 10.

The output is midiplay's text stream, with times relative to the line
before (`+0.25b`), written ahead: midiplay plays it exactly in time however
fast it is printed.  The same seed gives the same output, and every note
turned on is turned off.  Python 3 standard library only.
"""

import argparse
import math
import os
import random
import sys

WIDTH, HEIGHT = 32, 24      # size of the generated animation, in cells
ON, OFF = 0.35, 0.15        # brightness turning a cell's note on, and off
PENTATONIC = [0, 2, 4, 7, 9]
# General MIDI programs (counted from 0): celesta, glockenspiel, music box,
# vibraphone
PROGRAMS = [8, 9, 10, 11]
DRUMS = 10                  # General MIDI percussion channel
CRASH, SPLASH = 49, 55


def make_parser(**kwargs):
    """The command line's parser (fireworks_module.py adds to it)."""
    ap = argparse.ArgumentParser(**(kwargs or dict(
        description="Print fireworks, as MIDI commands, for `midiplay -`.",
        epilog="Example: python3 fireworks.py --seed 3 | midiplay -c fluidsynth -")))
    ap.add_argument("images", nargs="*", metavar="IMAGE",
                    help="a PPM/PGM image to scan, or several as the frames "
                         "of an animation (default: draw fireworks)")
    ap.add_argument("-s", "--seconds", type=float, default=20.0,
                    help="length of the generated animation, or of the scan "
                         "of one image (default 20)")
    ap.add_argument("--seed", type=int, default=1,
                    help="random seed of the animation (default 1)")
    ap.add_argument("-t", "--tempo", type=float, default=120.0,
                    help="beats per minute (default 120)")
    ap.add_argument("--steps", type=int, default=4,
                    help="frames (or image columns) per beat (default 4)")
    ap.add_argument("--rows", type=int, default=12,
                    help="pitches from bottom to top (default 12)")
    ap.add_argument("--low", type=int, default=48,
                    help="lowest note (default 48, C2 in midiplay's names)")
    ap.add_argument("--cc", type=int, default=1,
                    help="controller driven by the burst size (default 1; "
                         "74 is brightness on many synths)")
    ap.add_argument("--poly", type=int, default=4,
                    help="notes at most sounding on a channel (default 4)")
    ap.add_argument("--no-drums", action="store_true",
                    help="no cymbal on new bursts")
    return ap


def parse_args(argv, ap=None):
    """The options in ARGV, checked (with AP, a make_parser() parser)."""
    ap = ap or make_parser()
    a = ap.parse_args(argv)
    if not 0 < a.tempo <= 10000:
        ap.error("--tempo must be more than 0 and at most 10000")
    if a.seconds <= 0 or a.steps < 1 or a.rows < 1 or a.poly < 1:
        ap.error("--seconds, --steps, --rows and --poly must be positive")
    if not 0 <= a.cc <= 127:
        ap.error("--cc must be 0 to 127")
    if not 0 <= a.low or a.low + scale_span(a.rows) > 127:
        ap.error("--low and --rows take notes out of 0 to 127")
    return a


def scale_span(rows):
    """Semitones from the lowest to the highest of ROWS pentatonic notes."""
    return 12 * ((rows - 1) // 5) + PENTATONIC[(rows - 1) % 5]


# ------------------------------------------------------------ pictures

def read_pnm(path):
    """PPM or PGM (P2, P3, P5, P6) -> rows of brightness from 0 to 1."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0

    def token():
        nonlocal pos
        while pos < len(data):
            c = data[pos:pos + 1]
            if c == b"#":
                while pos < len(data) and data[pos:pos + 1] not in b"\r\n":
                    pos += 1
            elif c.isspace():
                pos += 1
            else:
                break
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace() \
                and data[pos:pos + 1] != b"#":
            pos += 1
        if start == pos:
            raise ValueError("%s: the file ends in its header" % path)
        return data[start:pos]

    magic = token()
    if magic not in (b"P2", b"P3", b"P5", b"P6"):
        raise ValueError("%s: not a PPM or PGM file (P2, P3, P5 or P6)" % path)
    try:
        width, height, maxval = int(token()), int(token()), int(token())
    except ValueError:
        raise ValueError("%s: a bad number in the header" % path) from None
    if width < 1 or height < 1 or not 0 < maxval < 65536:
        raise ValueError("%s: bad size or maximum value" % path)
    chans = 3 if magic in (b"P3", b"P6") else 1
    count = width * height * chans
    if magic in (b"P2", b"P3"):
        values = [int(v) for v in data[pos:].split()[:count]]
    else:
        pos += 1    # the one whitespace byte after the maximum value
        size = 2 if maxval > 255 else 1
        raw = data[pos:pos + count * size]
        if size == 1:
            values = list(raw)
        else:
            values = [raw[i] << 8 | raw[i + 1] for i in range(0, len(raw) - 1, 2)]
    if len(values) < count:
        raise ValueError("%s: the pixels are cut short" % path)
    rows = []
    for y in range(height):
        row = values[y * width * chans:(y + 1) * width * chans]
        if chans == 3:
            row = [0.299 * row[i] + 0.587 * row[i + 1] + 0.114 * row[i + 2]
                   for i in range(0, len(row), 3)]
        rows.append([min(1.0, v / maxval) for v in row])
    return rows


def shrink(rows, width, height):
    """Scale a picture down (or up) to WIDTH x HEIGHT by averaging."""
    h, w = len(rows), len(rows[0])
    out = []
    for y in range(height):
        y0, y1 = y * h // height, max(y * h // height + 1, (y + 1) * h // height)
        line = []
        for x in range(width):
            x0, x1 = x * w // width, max(x * w // width + 1, (x + 1) * w // width)
            total = sum(sum(r[x0:x1]) for r in rows[y0:y1])
            line.append(total / ((y1 - y0) * (x1 - x0)))
        out.append(line)
    return out


class Show:
    """A fireworks display drawn on a WIDTH x HEIGHT grid, frame by frame."""

    def __init__(self, rng, steps_per_second):
        self.rng = rng
        self.dt = 1.0 / steps_per_second
        self.rockets = []       # [x, y, vy, burst height]
        self.sparks = []        # [x, y, vx, vy, brightness]
        self.bursts = []        # sizes of the bursts of the last frame

    def frame(self):
        rng, dt = self.rng, self.dt
        self.bursts = []
        if rng.random() < 1.1 * dt or not (self.rockets or self.sparks):
            self.rockets.append([rng.uniform(2, WIDTH - 3), HEIGHT - 1.0,
                                 -rng.uniform(22, 30),
                                 rng.uniform(2, HEIGHT * 0.55)])
        grid = [[0.0] * WIDTH for _ in range(HEIGHT)]
        for r in list(self.rockets):
            r[1] += r[2] * dt
            if r[1] <= r[3]:
                self.rockets.remove(r)
                n = rng.randint(10, 40)
                self.bursts.append(n)
                speed = rng.uniform(6, 12)
                for i in range(n):
                    a = 2 * math.pi * i / n + rng.uniform(-0.2, 0.2)
                    v = speed * rng.uniform(0.6, 1.0)
                    self.sparks.append([r[0], r[1], v * math.cos(a),
                                        v * math.sin(a), 1.0])
            else:
                self.plot(grid, r[0], r[1], 0.25)
        for s in list(self.sparks):
            s[0] += s[2] * dt
            s[1] += s[3] * dt
            s[3] += 9.0 * dt            # gravity
            s[4] *= 0.55 ** dt          # fading
            if s[4] < 0.05 or not (0 <= s[0] < WIDTH and s[1] < HEIGHT):
                self.sparks.remove(s)
            else:
                self.plot(grid, s[0], s[1], s[4])
        return grid

    @staticmethod
    def plot(grid, x, y, b):
        xi, yi = int(x), int(y)
        if 0 <= xi < WIDTH and 0 <= yi < HEIGHT:
            grid[yi][xi] = min(1.0, grid[yi][xi] + b)


# ------------------------------------------------------------ music

class TextOut:
    """The music as lines of midiplay's stream format, on a file."""

    def __init__(self, f):
        self.f = f

    def comment(self, text):
        self.f.write("# %s\n" % text)

    def tempo(self, bpm):
        self.f.write("tempo %s\n" % fmt(bpm))

    def play(self, beats, commands):
        """COMMANDS, tuples ("on", channel, note, velocity), ("off",
        channel, note), ("cc", channel, controller, value), ("pc", channel,
        program) or ("note", channel, note, velocity, beats), BEATS after
        the line before, as one line."""
        words = ["+%sb" % fmt(beats)] if beats else []
        last = None
        for kind, ch, *args in commands:
            if ch != last:
                words.append("ch %d" % ch)   # sticky: once for a run
                last = ch
            if kind == "note":
                words.append("note %d %d %sb" % (args[0], args[1],
                                                 fmt(args[2])))
            elif kind == "off":
                words.append("off %d 0" % args[0])
            else:
                words.append("%s %s" % (kind, " ".join(map(str, args))))
        self.f.write(" ".join(words) + "\n")


class Score:
    """Cells of brightness in, commands out, through OUT (a TextOut, or
    fireworks_module.py's PlayerOut)."""

    def __init__(self, a, channels, out):
        self.a, self.out = a, out
        self.channels = channels        # channel numbers, left to right
        self.sounding = {}              # (channel, note) -> True
        self.cc = {c: 0 for c in channels}   # as the set-up lines left it
        self.wait = 0                   # steps since the last line printed

    def note_of(self, row, rows):
        """Row 0 is the top of the picture: the highest note."""
        k = rows - 1 - row
        return self.a.low + 12 * (k // 5) + PENTATONIC[k % 5]

    def emit(self, commands):
        if not commands:
            return
        self.out.play(self.wait / self.a.steps, commands)
        self.wait = 0

    def step(self, grid, bursts=(), pan=None):
        """Play one frame: GRID is rows of brightness over the channels."""
        a, rows, cmds = self.a, self.a.rows, []
        nch = len(self.channels)
        height, width = len(grid), len(grid[0])
        for i, ch in enumerate(self.channels):
            x0, x1 = i * width // nch, (i + 1) * width // nch
            part = [r[x0:x1] for r in grid]
            cells = []
            for row in range(rows):
                y0, y1 = row * height // rows, (row + 1) * height // rows
                cells.append(max(max(r) for r in part[y0:max(y1, y0 + 1)]))
            lit = sum(1 for r in part for v in r if v >= OFF)
            ccval = min(127, round(127 * lit / max(1, len(part) * len(part[0])) * 4))
            if pan is not None:
                cmds.append(("cc", ch, 10, pan))
            if abs(ccval - self.cc[ch]) >= 4 or (ccval == 0) != (self.cc[ch] == 0):
                cmds.append(("cc", ch, a.cc, ccval))
                self.cc[ch] = ccval
            # notes off first, for the cells gone dark
            for row in range(rows):
                n = self.note_of(row, rows)
                if (ch, n) in self.sounding and cells[row] < OFF:
                    cmds.append(("off", ch, n))
                    del self.sounding[(ch, n)]
            # then on, brightest first, while the channel has room
            now = sum(1 for c, _ in self.sounding if c == ch)
            for row in sorted(range(rows), key=lambda r: (-cells[r], r)):
                n = self.note_of(row, rows)
                if cells[row] < ON or now >= a.poly:
                    break
                if (ch, n) not in self.sounding:
                    vel = max(1, min(127, round(30 + 97 * cells[row])))
                    cmds.append(("on", ch, n, vel))
                    self.sounding[(ch, n)] = True
                    now += 1
        if not a.no_drums:
            for size in bursts:
                vel = min(127, 50 + 2 * size)
                key = CRASH if size >= 25 else SPLASH
                cmds.append(("note", DRUMS, key, vel, 1))
        self.emit(cmds)
        self.wait += 1

    def finish(self):
        """Turn every note off; leave the controllers where they were."""
        self.emit([("off", ch, n) for ch, n in sorted(self.sounding)])
        self.sounding.clear()


def fmt(x):
    """A number as the stream takes it: at most 9 decimals, no exponent."""
    s = ("%.9f" % x).rstrip("0").rstrip(".")
    return s or "0"


def play(a, out, argv=()):
    """The fireworks, or the pictures, of the options A, into OUT."""
    steps_per_second = a.steps * a.tempo / 60.0
    scan = len(a.images) == 1
    # read every picture before printing anything
    pictures = [read_pnm(path) for path in a.images]
    channels = [1] if scan else [1, 2, 3, 4]
    out.comment("fireworks.py %s" % " ".join(argv))
    out.tempo(a.tempo)
    for i, ch in enumerate(channels):
        pan = 64 if scan else round(16 + 96 * i / (len(channels) - 1))
        out.play(0, [("pc", ch, PROGRAMS[i]), ("cc", ch, 7, 70),
                     ("cc", ch, 10, pan), ("cc", ch, a.cc, 0)])
    score = Score(a, channels, out)
    if scan:
        # stretched or squeezed to --seconds, one column per step
        w = max(1, round(a.seconds * steps_per_second))
        rows = len(pictures[0])
        pic = shrink(pictures[0], w, max(a.rows, min(rows, 4 * a.rows)))
        for x in range(w):
            column = [[r[x]] for r in pic]
            score.step(column, pan=round(127 * x / max(1, w - 1)))
    elif pictures:
        for pic in pictures:
            score.step(shrink(pic, WIDTH, HEIGHT))
    else:
        show = Show(random.Random(a.seed), steps_per_second)
        for _ in range(max(1, round(a.seconds * steps_per_second))):
            grid = show.frame()
            score.step(grid, show.bursts)
    score.finish()
    # let the last cymbal ring before midiplay ends
    score.wait = max(score.wait, a.steps)
    score.emit([("cc", ch, a.cc, 0) for ch in channels])


def main(argv):
    play(parse_args(argv), TextOut(sys.stdout), argv)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ValueError as e:
        sys.exit("fireworks.py: %s" % e)
    except OSError as e:
        if isinstance(e, BrokenPipeError):
            # the reader stopped (midiplay was interrupted): not an error here
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        sys.exit("fireworks.py: %s" % e)
    except KeyboardInterrupt:
        sys.exit(130)
