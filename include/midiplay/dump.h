/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump: events as text in midiplay's stream format, one per line, with
 * their exact time: "@1.250000000 ch 1 on 60 100".  Times are rounded to
 * the nanosecond; everything else is exactly what would be sent.
 */
#ifndef MIDIPLAY_DUMP_H
#define MIDIPLAY_DUMP_H

#include <stdio.h>
#include "midiplay/event.h"
#include "midiplay/ports.h"

/* Write EV (time in units of 1/den s) as one line to OUT. */
void dump_event(FILE *out, const struct mp_event *ev, uint64_t den);

/* Dump every event of SRC to OUT.  With PORTS (not NULL), a line "port
 * NAME" goes before an event whenever its port differs from the last one
 * said (the first from "out", where a stream starts), and an event of
 * every port (PORTS_ALL) is written once for each.  0 at the end, -1
 * after an error. */
int dump_source(FILE *out, struct mp_source *src, const struct ports *ports);

#endif
