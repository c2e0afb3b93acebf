/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record: --record, what the process callback actually sent, written as a
 * Standard MIDI File when playback ends.
 *
 * The callback puts each event it writes into a lock-free ring (a
 * struct record_rec header, then the bytes), at the frame it went out,
 * counted from playback time zero; it never waits: an event that finds
 * the ring full is counted as lost instead.  The main thread drains the
 * ring while it waits for playback to end, then saves: format 0 at 960
 * ticks a quarter note and 120 bpm (one tick is 1/1920 s), each event on
 * the tick nearest its frame.
 *
 * Return convention: 0, or -1 after reporting through log.h.
 */
#ifndef MIDIPLAY_RECORD_H
#define MIDIPLAY_RECORD_H

#include <stdint.h>
#include "midiplay/ports.h"
#include "midiplay/ring.h"

#define RECORD_PPQ 960

/* What the ring holds before each event's bytes. */
struct record_rec {
	uint64_t frame;          /* frames from playback time zero */
	uint32_t len;
	uint16_t port;           /* the output it went to */
	uint16_t pad;
};

struct record;

/* A recording to PATH of events at RATE frames a second. */
int record_open(struct record **rp, const char *path, uint32_t rate);

/* Take every event waiting in RING (the main thread, often enough that
 * the ring does not fill). */
int record_drain(struct record *r, struct ring *ring);

/* Write the file, whole or not at all (smf_writer.h); with more than one
 * of PORTS, format 1 with a track each, named after it. */
int record_save(struct record *r, const struct ports *ports);

void record_close(struct record *r);

#endif
