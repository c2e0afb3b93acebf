#!/usr/bin/python3
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
the CLOCK_MONOTONIC nanoseconds at which each write or send_message returned.
"""
import os
import sys
import time


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
        stamps.append(time.monotonic_ns())
    with open(times_path, "w") as f:
        f.write("".join("%d\n" % t for t in stamps))
    if out is not None:
        time.sleep(0.5)
        out.close_port()
    return 0


if __name__ == "__main__":
    sys.exit(main())
