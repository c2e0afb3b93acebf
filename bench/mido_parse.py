#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The alternative of the stream-parsing row: the same lines parsed in
Python into mido messages, as a script reading a text stream would.

Usage: /usr/bin/python3 mido_parse.py FILE [MAXLINES]

Reads FILE (lines "@SECONDS ch C on|off|cc|... A B"), turns each into a
mido.Message with its time in seconds, and prints
    lines N seconds S
measured from before the file is opened to after the last message.
"""
import sys
import time

import mido

TYPES = {"on": "note_on", "off": "note_off", "cc": "control_change"}


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    t0 = time.perf_counter()
    n = 0
    msgs = []
    with open(path) as f:
        for line in f:
            w = line.split()
            t = float(w[0][1:])
            kind = TYPES[w[3]]
            if kind == "control_change":
                m = mido.Message(kind, channel=int(w[2]) - 1, control=int(w[4]), value=int(w[5]), time=t)
            else:
                m = mido.Message(kind, channel=int(w[2]) - 1, note=int(w[4]), velocity=int(w[5]), time=t)
            msgs.append(m.bytes())
            msgs.clear()
            n += 1
            if limit is not None and n >= limit:
                break
    t1 = time.perf_counter()
    print("lines %d seconds %.6f" % (n, t1 - t0))


if __name__ == "__main__":
    main()
