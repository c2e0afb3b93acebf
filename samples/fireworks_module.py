#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fireworks_module.py: fireworks.py's music, played with the midiplay module.

    python3 samples/fireworks_module.py -c fluidsynth
    python3 samples/fireworks_module.py -c fluidsynth --seed 7 --tempo 96
    python3 samples/fireworks_module.py -c fluidsynth photo.ppm

The same pictures and the same notes as `fireworks.py | midiplay -` (it
imports fireworks.py, next to it, for them), but sent by calling a
midiplay.Player: program(), cc(), on(), off(), note() and wait(beats=).
The whole piece is computed ahead, and plays exact to the frame.  The
midiplay package must be importable (installed by `make install`, or
PYTHONPATH=python in the source tree).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fireworks    # noqa: E402 (next to this file)
import midiplay     # noqa: E402


class PlayerOut:
    """fireworks' commands, as calls of a midiplay.Player."""

    def __init__(self, player):
        self.p = player

    def comment(self, text):
        pass

    def tempo(self, bpm):
        self.p.tempo(bpm)

    def play(self, beats, commands):
        p = self.p
        if beats:
            p.wait(beats=beats)
        for kind, ch, *args in commands:
            if kind == "on":
                p.on(args[0], args[1], channel=ch)
            elif kind == "off":
                p.off(args[0], channel=ch)
            elif kind == "cc":
                p.cc(args[0], args[1], channel=ch)
            elif kind == "pc":
                p.program(args[0], channel=ch)
            elif kind == "note":
                p.note(args[0], args[1], "%sb" % fireworks.fmt(args[2]),
                       channel=ch)


def main(argv):
    ap = fireworks.make_parser(
        description="Play fireworks, or pictures, through the midiplay "
                    "module into JACK.",
        epilog="Example: python3 fireworks_module.py -c fluidsynth --seed 3")
    ap.add_argument("-c", "--connect", action="append", metavar="PORT",
                    help="connect to PORT, as midiplay -c (repeatable)")
    ap.add_argument("-n", "--name", default="fireworks",
                    help="JACK client name (default fireworks)")
    a = fireworks.parse_args(argv, ap)
    with midiplay.Player(connect=a.connect, name=a.name) as player:
        fireworks.play(a, PlayerOut(player), argv)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ValueError, midiplay.Error) as e:
        sys.exit("fireworks_module.py: %s" % e)
    except KeyboardInterrupt:
        sys.exit(130)
