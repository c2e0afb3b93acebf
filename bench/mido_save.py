#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The alternative of the export row: mido writing the events of a file,
as a script that builds or edits a MIDI file writes it.

Usage: /usr/bin/python3 mido_save.py IN.mid OUT.mid

Loads IN.mid with mido.MidiFile (timed apart: the export is the save),
then writes it with MidiFile.save(OUT.mid), and prints one line
    load_s S save_s S events N loaded_rss_kb K
where N counts the messages of every track but End-of-Track, and K is
the peak RSS once loaded (the driver takes the peak of the whole run from
wait4).
"""
import resource
import sys
import time

import mido


def main():
    src, out = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    mf = mido.MidiFile(src)
    t1 = time.perf_counter()
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mf.save(out)
    t2 = time.perf_counter()
    n = sum(1 for track in mf.tracks for m in track if m.type != "end_of_track")
    print("load_s %.6f save_s %.6f events %d loaded_rss_kb %d" % (t1 - t0, t2 - t1, n, loaded))


if __name__ == "__main__":
    main()
