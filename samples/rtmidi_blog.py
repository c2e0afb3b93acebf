#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# rtmidi_blog.py: the usual python-rtmidi output example, played through
# midiplay.  Its only difference from a python-rtmidi script is the import
# line: "import rtmidi" became "import midiplay.rtmidi as rtmidi".  It
# connects to the first JACK MIDI input (midiplay -l), or, with none,
# opens "My virtual output:out" for patching by hand.
import time
import midiplay.rtmidi as rtmidi

midiout = rtmidi.MidiOut()
available_ports = midiout.get_ports()

if available_ports:
    midiout.open_port(0)
else:
    midiout.open_virtual_port("My virtual output")

with midiout:
    note_on = [0x90, 60, 112]  # channel 1, middle C, velocity 112
    note_off = [0x80, 60, 0]
    midiout.send_message(note_on)
    time.sleep(0.5)
    midiout.send_message(note_off)
    time.sleep(0.1)

del midiout
