#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The usual alternative player: mido's MidiFile.play() into a python-rtmidi
JACK port, as a script that sends a file "in time" is written.

Usage: /usr/bin/python3 mido_play.py FILE.mid CLIENT

Opens the JACK MIDI output port CLIENT:out (mido's rtmidi backend, JACK
API), prints "open" on stdout, waits for a line on stdin (the driver sends
it once the recorder is connected), then plays FILE with
    for msg in MidiFile(FILE).play(): port.send(msg)
(mido sleeps with time.sleep until each message is due), and waits half a
second so that the last messages leave rtmidi's ring buffer.
"""
import sys
import time

import mido


def main():
    path, client = sys.argv[1], sys.argv[2]
    mido.set_backend("mido.backends.rtmidi/UNIX_JACK")
    port = mido.open_output("out", virtual=True, client_name=client)
    mid = mido.MidiFile(path)
    sys.stdout.write("open\n")
    sys.stdout.flush()
    sys.stdin.readline()
    for msg in mid.play():
        port.send(msg)
    time.sleep(0.5)
    port.close()


if __name__ == "__main__":
    main()
