#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The live writer of the stream-jitter row: emits a note-on or note-off
every INTERVAL milliseconds with real sleeps and records when it wrote each.

Usage: /usr/bin/python3 writer.py stream|rtmidi INTERVAL_MS COUNT TIMES [CLIENT]

stream  prints the lines "on 60 100" / "off 60 0" on stdout (for
        `midiplay -`), one os.write each;
rtmidi  sends the same messages with python-rtmidi's send_message on its
        JACK port CLIENT:out, having printed "open" on stdout first.

Either way it waits for a line on stdin before the first message (the driver
sends it once the path to the recorder is connected), sleeps with
time.sleep until each deadline (start + i * INTERVAL), and appends to TIMES
one line per message, "NS FRAME": the CLOCK_MONOTONIC nanoseconds at which
the write or send_message returned, and the server's frame just then
(jack_frame_time() of a JACK client the writer opens for this, through
libjack with ctypes: JACK's own answer to "which frame is it now").
"""
import ctypes
import os
import sys
import time


def frame_clock(name):
    """A function returning jack_frame_time() of a new client NAME (no
    ports, not activated) on the server JACK_DEFAULT_SERVER names."""
    lib = ctypes.CDLL("libjack.so.0")
    lib.jack_client_open.restype = ctypes.c_void_p
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_frame_time.restype = ctypes.c_uint32
    lib.jack_frame_time.argtypes = [ctypes.c_void_p]
    status = ctypes.c_int(0)
    client = lib.jack_client_open(name.encode(), 1, ctypes.byref(status))   # JackNoStartServer
    if not client:
        raise SystemExit("writer.py: cannot open JACK client %s (status 0x%x)" % (name, status.value))
    return lambda: lib.jack_frame_time(client)


def main():
    mode, interval, count, times_path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    msgs = [([0x90, 60, 100], b"on 60 100\n"), ([0x80, 60, 0], b"off 60 0\n")]
    out = None
    if mode == "rtmidi":
        import rtmidi
        out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=sys.argv[5])
        out.open_virtual_port("out")
        sys.stdout.write("open\n")
        sys.stdout.flush()
    elif mode != "stream":
        sys.stderr.write(__doc__)
        return 2
    now_frame = frame_clock("writerclock")
    sys.stdin.readline()
    stamps = []
    step = int(interval * 1e6)
    start = time.monotonic_ns() + step
    for i in range(count):
        delay = (start + i * step - time.monotonic_ns()) / 1e9
        if delay > 0:
            time.sleep(delay)
        msg, line = msgs[i & 1]
        if out is not None:
            out.send_message(msg)
        else:
            os.write(1, line)
        stamps.append((time.monotonic_ns(), now_frame()))
    with open(times_path, "w") as f:
        f.write("".join("%d %d\n" % t for t in stamps))
    if out is not None:
        time.sleep(0.5)
        out.close_port()
    return 0


if __name__ == "__main__":
    sys.exit(main())
