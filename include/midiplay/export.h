/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * export: --export, what would be played written as a Standard MIDI File
 * instead of being played.  No JACK server is involved.
 *
 * A stream becomes a format 0 file of PPQ ticks a quarter note, its
 * tempo commands tempo events where they take effect (120 bpm until the
 * first): a time in beats lands exactly on its tick, a time in seconds on
 * the nearest one.  A file keeps its format (format 2, played as its
 * patterns one after another, becomes format 1), its division and the
 * tracks that play, through the playback control in tick mode (control.h).
 *
 * Return convention: 0 when the whole input was written, 1 when the input
 * had an error but what came before it was written, -1 when nothing was
 * written (reported through log.h).
 */
#ifndef MIDIPLAY_EXPORT_H
#define MIDIPLAY_EXPORT_H

#include <stdint.h>
#include "midiplay/event.h"
#include "midiplay/ports.h"
#include "midiplay/smf_reader.h"

struct export_opts {
	const char *path;        /* the file to write */
	int ppq;                 /* a stream's ticks per quarter note */
	int release;             /* note-offs (and sustain off) at the end
	                          * for the notes left sounding */
};

/* Write the stream SRC (times in nanoseconds, tempo meta events with
 * their exact tempo: stream.h's want_meta) to O->path; with more than one
 * of PORTS, as format 1 with a track for each, named after it and with
 * its port event (FF 21). */
int export_stream(struct mp_source *src, const struct export_opts *o,
    const struct ports *ports);

/* Write SRC, a control in tick mode over R, keeping R's format and
 * division and the tracks TRACKS selects (65536 flags, or NULL for all);
 * or, with BY_PORT (--split), a track for each of its ports. */
int export_file(struct mp_source *src, struct smf_reader *r,
    const uint8_t *tracks, const struct ports *by_port,
    const struct export_opts *o);

#endif
