/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record: what was sent, as a MIDI file.  See record.h.
 */
#include <stdlib.h>
#include <string.h>

#include "midiplay/event.h"
#include "midiplay/log.h"
#include "midiplay/record.h"
#include "midiplay/smf_writer.h"
#include "midiplay/timing.h"

struct record {
	const char *path;
	uint32_t rate;
	struct smf_writer *w;
	uint64_t events;        /* messages taken from the ring */
	uint8_t buf[MP_MAX_EVENT];
};

int
record_open(struct record **rp, const char *path, uint32_t rate)
{
	static const uint8_t t120[3] = { 0x07, 0xa1, 0x20 };
	struct record *r = calloc(1, sizeof *r);

	*rp = NULL;
	if (r == NULL) {
		log_error("%s: out of memory", path);
		return -1;
	}
	r->path = path;
	r->rate = rate;
	if (smfw_open(&r->w, path, 0, RECORD_PPQ) < 0 ||
	    smfw_add_track(r->w) < 0 ||
	    smfw_meta(r->w, 0, 0, 0x51, t120, 3) < 0) {
		record_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

int
record_drain(struct record *r, struct ring *ring)
{
	struct record_rec h;

	while (ring_read_at(ring, 0, &h, sizeof h) == 0) {
		/* 2 * RECORD_PPQ ticks a second at 120 bpm; the nearest */
		uint64_t tick = timing_frames(h.frame, r->rate,
		    2 * RECORD_PPQ);
		uint32_t len = h.len > sizeof r->buf ? sizeof r->buf : h.len;

		if (ring_read_at(ring, sizeof h, r->buf, len) < 0)
			break;          /* (the callback writes a record whole) */
		ring_consume(ring, sizeof h + h.len);
		/* a track a port, made as ports first appear */
		while (smfw_ntracks(r->w) <= h.port)
			if (smfw_add_track(r->w) < 0)
				return -1;
		if (smfw_message(r->w, h.port, tick, r->buf, len) < 0)
			return -1;
		r->events++;
	}
	return 0;
}

int
record_save(struct record *r, const struct ports *ports)
{
	unsigned p;

	/* several ports: format 1, each port's track named after it and
	 * saying its number (FF 21), as --export writes them */
	if (ports != NULL && ports->n > 1) {
		while ((unsigned)smfw_ntracks(r->w) < ports->n)
			if (smfw_add_track(r->w) < 0)
				return -1;
		smfw_set_format(r->w, 1);
		for (p = 0; p < ports->n; p++) {
			uint8_t num = (uint8_t)p;

			if (smfw_prepend_meta(r->w, (int)p, 0x21, &num, 1) < 0 ||
			    smfw_prepend_meta(r->w, (int)p, 0x03,
			    (const uint8_t *)ports->name[p],
			    (uint32_t)strlen(ports->name[p])) < 0)
				return -1;
		}
	}
	if (smfw_save(r->w, r->path) < 0)
		return -1;
	log_info("%s: recorded %llu events", r->path,
	    (unsigned long long)r->events);
	return 0;
}

void
record_close(struct record *r)
{
	if (r == NULL)
		return;
	smfw_free(r->w);
	free(r);
}
