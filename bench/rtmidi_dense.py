#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The alternative of the callback row: python-rtmidi sending a dense
stream on JACK, under bench/cbtime.so (which times rtmidi's own process
callback per event).

Usage: /usr/bin/python3 rtmidi_dense.py CLIENT SECONDS PERIOD_FRAMES

Opens CLIENT:out, prints "open", waits for a line on stdin, then for
SECONDS sends, about once per JACK period, the events the dense file holds in a
period (48000 a second: 25 note-ons and 25 note-offs per 1/960 s), timing
each batch of send_message calls.  Prints "send_ns_per_event MEDIAN
batches N" (the median over the batches of batch time / events).
"""
import sys
import time

import rtmidi


def main():
    client, seconds, period = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=client)
    out.open_virtual_port("out")
    sys.stdout.write("open\n")
    sys.stdout.flush()
    sys.stdin.readline()
    per_batch = period        # 48000 events/s at 48000 frames/s
    msgs = []
    for i in range(25):
        msgs.append([0x90 | (i % 16), 30 + i, 100])
        msgs.append([0x80 | (i % 16), 30 + i, 0])
    batch = [msgs[k % 50] for k in range(per_batch)]
    dt = period / 48000.0
    nbatches = int(seconds / dt)
    res = []
    send = out.send_message
    time.sleep(0.5)           # let the port settle in JACK's graph
    next_t = time.monotonic()
    for b in range(nbatches):
        t0 = time.perf_counter_ns()
        for m in batch:
            send(m)
        t1 = time.perf_counter_ns()
        res.append((t1 - t0) / per_batch)
        # one batch a period, never two in a row to catch up: rtmidi's
        # callback crashes when more than a JACK buffer's worth of
        # messages (about 2700) wait in its ring at one cycle
        next_t = max(next_t + dt, time.monotonic() + dt / 2)
        time.sleep(next_t - time.monotonic())
    time.sleep(0.5)
    out.close_port()
    res.sort()
    print("send_ns_per_event %.1f batches %d" % (res[len(res) // 2], len(res)))


if __name__ == "__main__":
    main()
