/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smf_reader: a bounds-checked, streaming Standard MIDI File reader.
 *
 * It reads formats 0, 1 and 2 with PPQ or SMPTE division, running status,
 * SysEx (F0 messages, F7 continuation packets joined into one message, F7
 * escapes sent as the raw bytes they carry), and applies tempo changes from
 * any track.  Meta events are never returned.
 *
 * The file is mapped (or read) whole; beyond that, memory grows with the
 * number of tracks, not with the number of events: events are decoded one
 * at a time as playback needs them, merged across tracks by tick.
 *
 * Opening checks the header and the chunk structure, so a broken file is
 * refused before anything plays.  A broken event is found when the reader
 * reaches it: smf_reader_next() reports it (file, track, byte offset) and
 * returns -1; the events before it were all returned.
 *
 * Return convention: 0 or 1 on success as documented, -1 on error after the
 * error was reported through log.h.
 */
#ifndef MIDIPLAY_SMF_READER_H
#define MIDIPLAY_SMF_READER_H

#include <stddef.h>
#include <stdint.h>
#include "midiplay/event.h"

struct smf_reader;

/* Open PATH and check its structure.  0, or -1 with the error reported. */
int smf_reader_open(struct smf_reader **rp, const char *path);

/* The same over LEN bytes at DATA, which must outlive the reader; NAME is
 * used in messages. */
int smf_reader_open_mem(struct smf_reader **rp, const char *name,
    const uint8_t *data, size_t len);

/* The next event in time order: 1, 0 at the end, -1 on a broken event. */
int smf_reader_next(struct smf_reader *r, struct mp_event *ev);

/* With ON set, next() also returns the meta events (MP_EV_META) as they
 * pass: tempo (0x51, after it took effect), time signature, markers,
 * lyrics, End-of-Track (0x2F, one per track) and the rest. */
void smf_reader_want_meta(struct smf_reader *r, int on);

/* Start again from the beginning of the file, as just opened. */
void smf_reader_rewind(struct smf_reader *r);

/* Ticks per quarter note, or 0 for an SMPTE division. */
int smf_reader_ppq(const struct smf_reader *r);

/* A source (event.h) reading from R. */
void smf_reader_source(struct smf_reader *r, struct mp_source *src);

/* Time units per second: ev.time / den is seconds. */
uint64_t smf_reader_den(const struct smf_reader *r);

int smf_reader_format(const struct smf_reader *r);

/*
 * Which output port each event goes to (ports.h): by its track (--split
 * track), its channel (--split channel; a SysEx or meta event after a
 * channel prefix, FF 20, by that channel, else PORTS_ALL), or the port
 * event (FF 21) in effect in its track (0 before any).  An entry of -1
 * means port 0.
 */
struct smf_portmap {
	int split;               /* enum ports_split */
	int16_t by_number[256];  /* FF 21's port number -> port */
	int16_t by_channel[16];
	int16_t *by_track;       /* one a track */
};

/* Give every event from now on its port (ev.port) as MAP says; MAP must
 * outlive the reader.  NULL: every event to port 0 (the default). */
void smf_reader_set_portmap(struct smf_reader *r,
    const struct smf_portmap *map);

/* The bytes of the file (for a second reader over them). */
const uint8_t *smf_reader_bytes(const struct smf_reader *r, size_t *len);

/* The division as the header stores it (PPQ, or SMPTE's two bytes). */
uint16_t smf_reader_division(const struct smf_reader *r);
int smf_reader_ntracks(const struct smf_reader *r);

void smf_reader_close(struct smf_reader *r);

#endif
