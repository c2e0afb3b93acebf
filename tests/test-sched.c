/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-sched: the scheduler turns a reader's events into ring records with
 * exact frames, in order, ending with END; after a broken event it ends
 * with END_RELEASE at the last good frame.  No JACK server involved: this
 * test plays the part of the process callback, draining a small ring so
 * that the scheduler has to wait for room.
 */
#include <stdlib.h>
#include "midiplay/log.h"
#include "midiplay/sched.h"
#include "midiplay/smf_reader.h"
#include "tap.h"

struct got {
	uint64_t frame[64];
	uint8_t bytes[64][3];
	int n;
	uint32_t end_kind;
	uint64_t end_frame;
};

/* Drain the ring until an END record. */
static void
drain(struct ring *ring, struct got *g)
{
	struct sched_rec rec;

	memset(g, 0, sizeof *g);
	for (;;) {
		if (ring_read_at(ring, 0, &rec, sizeof rec) < 0)
			continue;
		if (rec.kind != SCHED_MIDI) {
			g->end_kind = rec.kind;
			g->end_frame = rec.frame;
			ring_consume(ring, sizeof rec);
			return;
		}
		if (g->n < 64) {
			g->frame[g->n] = rec.frame;
			ring_read_at(ring, sizeof rec, g->bytes[g->n],
			    rec.len < 3 ? rec.len : 3);
			g->n++;
		}
		ring_consume(ring, sizeof rec + rec.len);
	}
}

/* A format-0 file at ppq 96: 8 notes half a beat (48 ticks) apart,
 * with a tempo change from 120 to 60 bpm after the fourth, optionally with a
 * broken event after the sixth note-on. */
static size_t
make_file(uint8_t *f, int broken)
{
	uint8_t *p = f, *len_at;
	int i;

	memcpy(p, "MThd\0\0\0\6\0\0\0\1\0\x60MTrk\0\0\0\0", 22);
	len_at = f + 18;
	p += 22;
	for (i = 0; i < 8; i++) {
		if (i == 4) {
			*p++ = 0; *p++ = 0xFF; *p++ = 0x51; *p++ = 3;
			*p++ = 0x0F; *p++ = 0x42; *p++ = 0x40;  /* 1000000 */
		}
		if (broken && i == 6) {
			*p++ = 0; *p++ = 0xF4;          /* undefined status */
		}
		*p++ = 0; *p++ = 0x90; *p++ = (uint8_t)(60 + i); *p++ = 100;
		*p++ = 48; *p++ = 0x80; *p++ = (uint8_t)(60 + i); *p++ = 0;
	}
	*p++ = 0; *p++ = 0xFF; *p++ = 0x2F; *p++ = 0;
	len_at[2] = (uint8_t)((p - len_at - 4) >> 8);
	len_at[3] = (uint8_t)(p - len_at - 4);
	return (size_t)(p - f);
}

int
main(void)
{
	static const uint64_t want[16] = {
		/* 48 ticks (half a beat): 12000 frames at 120 bpm, 24000 at 60 */
		0, 12000, 12000, 24000, 24000, 36000, 36000, 48000,
		48000, 72000, 72000, 96000, 96000, 120000, 120000, 144000
	};
	uint8_t file[256];
	struct smf_reader *r;
	struct mp_source src;
	struct ring ring;
	struct sched s;
	struct got g;
	int i, frames_ok = 1;

	plan(7);
	log_init("test-sched", LOG_NORMAL);
	ring_init(&ring, 256);     /* holds a few records: forces waits */

	smf_reader_open_mem(&r, "eight", file, make_file(file, 0));
	smf_reader_source(r, &src);
	sched_start(&s, &src, &ring, 48000, 0);
	drain(&ring, &g);
	ok(sched_join(&s) == 0, "the scheduler ends without error");
	ok(g.n == 16, "all 16 events came through a ring of 256 bytes "
	    "(got %d)", g.n);
	for (i = 0; i < 16 && i < g.n; i++)
		if (g.frame[i] != want[i] ||
		    g.bytes[i][0] != (i % 2 ? 0x80 : 0x90) ||
		    g.bytes[i][1] != 60 + i / 2) {
			diag("event %d: frame %llu %02X %d", i,
			    (unsigned long long)g.frame[i], g.bytes[i][0],
			    g.bytes[i][1]);
			frames_ok = 0;
		}
	ok(frames_ok, "each at its exact frame across a tempo change");
	ok(g.end_kind == SCHED_END && g.end_frame == 144000,
	    "then END at the last event's frame");
	smf_reader_close(r);

	log_mute(1);
	smf_reader_open_mem(&r, "broken", file, make_file(file, 1));
	smf_reader_source(r, &src);
	sched_start(&s, &src, &ring, 48000, 0);
	drain(&ring, &g);
	ok(sched_join(&s) == -1, "a broken event makes the scheduler fail");
	ok(g.n == 12 && g.frame[11] == 96000,
	    "after every event before it (got %d)", g.n);
	ok(g.end_kind == SCHED_END_RELEASE && g.end_frame == 96000,
	    "and it ends with END_RELEASE at the last good frame");
	smf_reader_close(r);
	ring_free(&ring);
	return tap_done();
}
