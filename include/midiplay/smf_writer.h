/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smf_writer: builds a Standard MIDI File in memory, track by track, and
 * saves it whole or not at all.
 *
 * Each track is kept encoded as it will be written (delta times and
 * events), so memory is a few bytes an event.  Events are added in
 * non-decreasing tick order within a track.  Saving writes a temporary
 * file beside the destination and renames it over the destination only
 * once every byte is written and flushed: the destination is either the
 * complete new file or untouched.
 *
 * Return convention: 0 (or an index) on success, -1 after reporting the
 * error through log.h.
 */
#ifndef MIDIPLAY_SMF_WRITER_H
#define MIDIPLAY_SMF_WRITER_H

#include <stdint.h>

struct smf_writer;

/* A file of FORMAT (0, 1 or 2) with DIVISION (ticks per quarter note, or
 * an SMPTE division as it is stored).  NAME (the destination) is used in
 * messages. */
int smfw_open(struct smf_writer **wp, const char *name, int format,
    uint16_t division);

/* Add a track; its index. */
int smfw_add_track(struct smf_writer *w);

/* Tracks so far. */
int smfw_ntracks(const struct smf_writer *w);

/*
 * Add the message DATA[0 .. LEN) at TICK to TRACK, as bytes on the wire:
 * a channel message as it is, a SysEx (F0 ... F7) as an F0 event, and
 * anything else (a lone status, realtime bytes, raw bytes) as an F7
 * escape.  A tick earlier than the track's last is taken as the last.
 */
int smfw_message(struct smf_writer *w, int track, uint64_t tick,
    const uint8_t *data, uint32_t len);

/* Add the meta event TYPE with DATA[0 .. LEN) at TICK to TRACK.
 * End-of-Track (0x2F) only sets where the track ends, at the latest of
 * its ticks and every End-of-Track asked for. */
int smfw_meta(struct smf_writer *w, int track, uint64_t tick, uint8_t type,
    const uint8_t *data, uint32_t len);

/* Put the meta event TYPE with DATA (LEN bytes) at tick 0, before
 * everything TRACK holds so far (a track's name, its port). */
int smfw_prepend_meta(struct smf_writer *w, int track, uint8_t type,
    const uint8_t *data, uint32_t len);

/* Make the file FORMAT (0, 1 or 2) after all; what it is. */
void smfw_set_format(struct smf_writer *w, int format);
int smfw_format(const struct smf_writer *w);

/* The last tick of TRACK so far. */
uint64_t smfw_last_tick(const struct smf_writer *w, int track);

/* Events (messages and metas) added so far, in every track. */
uint64_t smfw_events(const struct smf_writer *w);

/*
 * Write the file to PATH: each track ends with End-of-Track at its last
 * tick (or where an End-of-Track asked for).  Through a temporary file in
 * PATH's directory, renamed over PATH at the end; on any error nothing is
 * left but what PATH was.
 */
int smfw_save(struct smf_writer *w, const char *path);

/* Can a file be saved at PATH: its directory takes a new file, and PATH is
 * no directory?  (Before the work, so that a bad name is said at once.) */
int smfw_check_path(const char *path);

void smfw_free(struct smf_writer *w);

#endif
