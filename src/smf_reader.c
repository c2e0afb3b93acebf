/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smf_reader: a bounds-checked, streaming Standard MIDI File reader.
 *
 * Each track has a cursor that decodes one event ahead.  For formats 0 and
 * 1 the cursors sit in a binary heap ordered by (tick, track), so events
 * come out merged in time order and tempo changes from any track are
 * applied as they pass; format 2 plays its tracks one after another.
 * Every read is checked against the end of its chunk.  See smf_reader.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "midiplay/log.h"
#include "midiplay/ports.h"
#include "midiplay/smf_reader.h"
#include "midiplay/timing.h"

/* Ticks past this are refused, so tick arithmetic can never wrap. */
#define MAX_TICK (((uint64_t)1) << 62)

enum cursor_state { CUR_LIVE, CUR_END, CUR_ERROR };
enum pending_kind { PEND_MIDI, PEND_TEMPO, PEND_META, PEND_ERROR };

struct cursor {
	const uint8_t *p, *end;  /* read position and end of the chunk data */
	const uint8_t *start;    /* start of the chunk data */
	int index;               /* 0-based track number */
	enum cursor_state state;
	uint64_t tick;           /* absolute tick of the pending event */
	uint8_t running;         /* running status, 0 when none */
	int port_num;            /* the track's port event (FF 21), -1 none */
	int prefix;              /* its channel prefix (FF 20), -1 none */
	uint16_t port;           /* the output port of the pending event */
	uint8_t last_status;     /* last channel status, kept across metas */
	int warned_running;

	/* the pending event */
	enum pending_kind kind;
	uint64_t ev_off;         /* file offset where it starts */
	uint32_t tempo;
	uint8_t meta;            /* PEND_META: its type */
	int at_end;              /* End-of-Track returned: nothing follows */
	uint8_t msg[3];
	const uint8_t *data;     /* bytes to send */
	uint32_t len;

	/* SysEx being assembled from F0 + F7 packets */
	uint8_t *sysex;
	uint32_t sysex_len, sysex_cap;
	int sysex_open;
	uint64_t sysex_off;

	char err[192];
};

struct smf_reader {
	char *name;
	const uint8_t *file;     /* the whole file */
	size_t file_len;
	void *map;               /* what to unmap or free */
	size_t map_len;
	int mapped;

	int format;
	int ntracks;
	uint16_t division;       /* as the header stores it */
	uint64_t den;            /* time units per second */
	uint64_t units_per_tick; /* fixed for SMPTE; the tempo for PPQ */
	uint64_t units_at_open;  /* units_per_tick before any tempo event */
	int smpte;
	int ppq;                 /* ticks per quarter note; 0 for SMPTE */
	int want_meta;
	const struct smf_portmap *portmap;

	struct cursor *tracks;
	int *heap;               /* track indices, min (tick, index) first */
	int heap_len;
	int current;             /* format 2: the track playing */
	int started;
	int refill;              /* track to decode before the next pop, or -1 */
	int failed;

	uint64_t tick;           /* tick of the last event returned */
	mp_u128 time;            /* its time, in 1/den s */
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
offset_of(const struct smf_reader *r, const uint8_t *p)
{
	return (uint64_t)(p - r->file);
}

static void
cursor_fail(struct smf_reader *r, struct cursor *c, uint64_t off,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Make C's pending event an error at OFF, reported when it is reached. */
static void
cursor_fail(struct smf_reader *r, struct cursor *c, uint64_t off,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)r;
	n = snprintf(c->err, sizeof c->err, "track %d at byte %llu: ",
	    c->index + 1, (unsigned long long)off);
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof c->err - (size_t)n, fmt, ap);
	va_end(ap);
	c->state = CUR_ERROR;
	c->kind = PEND_ERROR;
}

static void
cursor_warn(struct smf_reader *r, struct cursor *c, uint64_t off,
    const char *what)
{
	log_warn("%s: track %d at byte %llu: warning: %s", r->name,
	    c->index + 1, (unsigned long long)off, what);
}

/*
 * Read a variable-length quantity of at most 4 bytes.  0, or -1 when it is
 * cut by the end of the chunk (-2 when longer than 4 bytes).
 */
static int
read_vlq(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (p == end)
			return -1;
		v = v << 7 | (*p & 0x7f);
		if (!(*p++ & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -2;
}

/* Append LEN bytes to C's SysEx buffer, within MP_MAX_EVENT. 0 or -1. */
static int
sysex_append(struct cursor *c, const uint8_t *data, uint32_t len)
{
	uint32_t need;

	if (len > MP_MAX_EVENT || c->sysex_len + len > MP_MAX_EVENT)
		return -1;
	need = c->sysex_len + len;
	if (need > c->sysex_cap) {
		uint32_t cap = c->sysex_cap ? c->sysex_cap : 256;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		if ((nb = realloc(c->sysex, cap)) == NULL)
			return -1;
		c->sysex = nb;
		c->sysex_cap = cap;
	}
	memcpy(c->sysex + c->sysex_len, data, len);
	c->sysex_len = need;
	return 0;
}

/* The output port of an event of STATUS pending in C (smf_portmap). */
static uint16_t
port_of(const struct smf_reader *r, const struct cursor *c, uint8_t status)
{
	const struct smf_portmap *m = r->portmap;
	int p;

	if (m == NULL)
		return 0;
	switch (m->split) {
	case PORTS_SPLIT_TRACK:
		p = m->by_track[c->index];
		break;
	case PORTS_SPLIT_CHANNEL:
		if (status >= 0x80 && status < 0xf0)
			p = m->by_channel[status & 0x0f];
		else if (c->prefix >= 0 && m->by_channel[c->prefix] >= 0)
			p = m->by_channel[c->prefix];
		else
			return PORTS_ALL;
		break;
	default:
		p = m->by_number[c->port_num < 0 ? 0 : c->port_num];
		break;
	}
	return p < 0 ? 0 : (uint16_t)p;
}

/*
 * Decode C's next event to send (or tempo change) into its pending slot.
 * Meta events other than tempo and End-of-Track are passed over.  Leaves
 * C in CUR_LIVE with an event pending, CUR_END, or CUR_ERROR.
 */
static void
cursor_decode(struct smf_reader *r, struct cursor *c)
{
	for (;;) {
		const uint8_t *start = c->p, *p = c->p, *end = c->end;
		uint64_t off = offset_of(r, start);
		uint32_t delta, len;
		uint8_t status;
		int rc;

		if (c->at_end) {
			c->state = CUR_END;
			return;
		}
		if (p == end) {
			if (c->sysex_open) {
				cursor_fail(r, c, c->sysex_off, "SysEx never "
				    "completed (the track ends before its F7)");
				return;
			}
			cursor_warn(r, c, off, "missing End-of-Track");
			c->state = CUR_END;
			return;
		}
		if ((rc = read_vlq(&p, end, &delta)) < 0) {
			cursor_fail(r, c, off, rc == -1 ?
			    "delta time cut by the end of the track chunk" :
			    "delta time longer than 4 bytes");
			return;
		}
		c->tick += delta;
		if (c->tick > MAX_TICK) {
			cursor_fail(r, c, off, "time beyond 2^62 ticks");
			return;
		}
		c->ev_off = off;
		if (p == end) {
			cursor_fail(r, c, off, "event cut by the end of the "
			    "track chunk");
			return;
		}

		status = *p;
		if (status < 0x80) {
			if (c->running == 0 && c->last_status != 0) {
				if (!c->warned_running) {
					cursor_warn(r, c, off, "running status "
					    "after a meta or SysEx event");
					c->warned_running = 1;
				}
				c->running = c->last_status;
			}
			if (c->running == 0) {
				cursor_fail(r, c, off, "data byte 0x%02X with "
				    "no running status", status);
				return;
			}
			status = c->running;
		} else {
			p++;
		}

		if (status < 0xf0) {
			int n = (status & 0xe0) == 0xc0 ? 1 : 2, i;

			if (c->sysex_open) {
				cursor_fail(r, c, off, "channel message inside "
				    "the SysEx begun at byte %llu",
				    (unsigned long long)c->sysex_off);
				return;
			}
			if (end - p < n) {
				cursor_fail(r, c, off, "event cut by the end of "
				    "the track chunk");
				return;
			}
			c->msg[0] = status;
			for (i = 0; i < n; i++) {
				if (p[i] >= 0x80) {
					cursor_fail(r, c, off, "status byte "
					    "0x%02X where a data byte was "
					    "expected", p[i]);
					return;
				}
				c->msg[1 + i] = p[i];
			}
			c->p = p + n;
			c->running = c->last_status = status;
			c->kind = PEND_MIDI;
			c->data = c->msg;
			c->len = (uint32_t)(1 + n);
			return;
		}

		if (status != 0xff && status != 0xf0 && status != 0xf7) {
			cursor_fail(r, c, off, "undefined status byte 0x%02X",
			    status);
			return;
		}

		/* meta and SysEx events cancel running status */
		c->running = 0;
		if (status == 0xff) {
			uint8_t type;

			if (p == end) {
				cursor_fail(r, c, off, "meta event cut by the "
				    "end of the track chunk");
				return;
			}
			type = *p++;
			if (read_vlq(&p, end, &len) < 0 ||
			    (size_t)(end - p) < len) {
				cursor_fail(r, c, off, "meta event cut by the "
				    "end of the track chunk");
				return;
			}
			c->p = p + len;
			/* a port event, and a channel prefix until the
			 * next channel message, for the ports map */
			if (type == 0x21 && len >= 1)
				c->port_num = p[0];
			if (type == 0x20 && len >= 1 && p[0] < 16)
				c->prefix = p[0];
			if (type == 0x2f) {
				if (c->sysex_open) {
					cursor_fail(r, c, c->sysex_off, "SysEx "
					    "never completed (End-of-Track "
					    "comes before its F7)");
					return;
				}
				if (c->p != end) {
					char what[96];

					snprintf(what, sizeof what, "%llu bytes "
					    "after End-of-Track ignored",
					    (unsigned long long)(end - c->p));
					cursor_warn(r, c, off, what);
				}
				if (r->want_meta) {
					c->kind = PEND_META;
					c->meta = type;
					c->data = p;
					c->len = 0;
					c->at_end = 1;
					return;
				}
				c->state = CUR_END;
				return;
			}
			if (type == 0x51) {
				uint32_t t;

				if (len != 3) {
					cursor_warn(r, c, off, "tempo event "
					    "not 3 bytes long; ignored");
					continue;
				}
				t = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 |
				    p[2];
				if (t == 0) {
					cursor_warn(r, c, off, "tempo of 0 "
					    "microseconds per quarter note; "
					    "ignored");
					continue;
				}
				c->kind = PEND_TEMPO;
				c->tempo = t;
				c->data = p;
				c->len = 3;
				return;
			}
			if (r->want_meta) {
				c->kind = PEND_META;
				c->meta = type;
				c->data = p;
				c->len = len;
				return;
			}
			continue;
		}

		if (read_vlq(&p, end, &len) < 0 || (size_t)(end - p) < len) {
			cursor_fail(r, c, off, "SysEx event cut by the end of "
			    "the track chunk");
			return;
		}
		c->p = p + len;
		if (status == 0xf0) {
			if (c->sysex_open) {
				cursor_fail(r, c, off, "SysEx begun while the "
				    "one at byte %llu is not complete",
				    (unsigned long long)c->sysex_off);
				return;
			}
			c->sysex_len = 0;
			if (sysex_append(c, &status, 1) < 0 ||
			    sysex_append(c, p, len) < 0) {
				cursor_fail(r, c, off, "SysEx longer than %d "
				    "bytes, the most midiplay sends as one "
				    "message", MP_MAX_EVENT);
				return;
			}
			if (len > 0 && p[len - 1] == 0xf7) {
				c->kind = PEND_MIDI;
				c->data = c->sysex;
				c->len = c->sysex_len;
				return;
			}
			c->sysex_open = 1;
			c->sysex_off = off;
			continue;
		}

		/* F7: a continuation packet, or an escape */
		if (c->sysex_open) {
			if (sysex_append(c, p, len) < 0) {
				cursor_fail(r, c, c->sysex_off, "SysEx longer "
				    "than %d bytes, the most midiplay sends "
				    "as one message", MP_MAX_EVENT);
				return;
			}
			if (len > 0 && p[len - 1] == 0xf7) {
				c->sysex_open = 0;
				c->kind = PEND_MIDI;
				c->data = c->sysex;
				c->len = c->sysex_len;
				return;
			}
			continue;
		}
		if (len == 0)
			continue;
		if (len > MP_MAX_EVENT) {
			cursor_fail(r, c, off, "escaped message longer than %d "
			    "bytes, the most midiplay sends as one message",
			    MP_MAX_EVENT);
			return;
		}
		c->kind = PEND_MIDI;
		c->data = p;
		c->len = len;
		return;
	}
}

static int
heap_less(const struct smf_reader *r, int a, int b)
{
	const struct cursor *ca = &r->tracks[a], *cb = &r->tracks[b];

	if (ca->tick != cb->tick)
		return ca->tick < cb->tick;
	return a < b;
}

static void
heap_push(struct smf_reader *r, int t)
{
	int i = r->heap_len++;

	while (i > 0) {
		int parent = (i - 1) / 2;

		if (!heap_less(r, t, r->heap[parent]))
			break;
		r->heap[i] = r->heap[parent];
		i = parent;
	}
	r->heap[i] = t;
}

static int
heap_pop(struct smf_reader *r)
{
	int top = r->heap[0], last = r->heap[--r->heap_len], i = 0;

	for (;;) {
		int child = 2 * i + 1;

		if (child >= r->heap_len)
			break;
		if (child + 1 < r->heap_len &&
		    heap_less(r, r->heap[child + 1], r->heap[child]))
			child++;
		if (!heap_less(r, r->heap[child], last))
			break;
		r->heap[i] = r->heap[child];
		i = child;
	}
	if (r->heap_len > 0)
		r->heap[i] = last;
	return top;
}

/*
 * Decode track T's next event and queue it.  In format 2, a track that
 * ends hands over to the next one, which starts at its end tick.
 */
static void
advance(struct smf_reader *r, int t)
{
	struct cursor *c = &r->tracks[t];

	cursor_decode(r, c);
	while (c->state == CUR_END && r->format == 2 &&
	    t + 1 < r->ntracks) {
		uint64_t end_tick = c->tick;

		r->current = ++t;
		c = &r->tracks[t];
		c->tick = end_tick;
		cursor_decode(r, c);
	}
	if (c->state == CUR_LIVE && (c->kind == PEND_MIDI ||
	    c->kind == PEND_META)) {
		uint8_t st = c->kind == PEND_MIDI ? c->data[0] : 0xff;

		c->port = port_of(r, c, st);
		if (c->kind == PEND_MIDI && st >= 0x80 && st < 0xf0)
			c->prefix = -1;
	}
	if (c->state != CUR_END)
		heap_push(r, t);
}

int
smf_reader_next(struct smf_reader *r, struct mp_event *ev)
{
	if (r->failed)
		return -1;
	if (!r->started) {
		int t;

		r->started = 1;
		if (r->format == 2)
			advance(r, 0);
		else
			for (t = 0; t < r->ntracks; t++)
				advance(r, t);
	} else if (r->refill >= 0) {
		advance(r, r->refill);
	}
	r->refill = -1;

	while (r->heap_len > 0) {
		int t = heap_pop(r);
		struct cursor *c = &r->tracks[t];

		/* the heap guarantees c->tick >= r->tick */
		r->time += (mp_u128)(c->tick - r->tick) * r->units_per_tick;
		r->tick = c->tick;
		if (r->time > TIMING_MAX_UNITS && c->kind != PEND_ERROR)
			cursor_fail(r, c, c->ev_off, "time beyond what "
			    "midiplay can schedule");

		switch (c->kind) {
		case PEND_ERROR:
			log_error("%s: %s", r->name, c->err);
			r->failed = 1;
			return -1;
		case PEND_TEMPO:
			if (!r->smpte)
				r->units_per_tick = c->tempo;
			if (r->want_meta) {
				c->kind = PEND_META;
				c->meta = 0x51;
				goto meta;
			}
			advance(r, t);
			continue;
		case PEND_META:
		meta:
			ev->kind = MP_EV_META;
			ev->port = c->port;
			ev->meta = c->meta;
			ev->beats = 0;
			ev->time = r->time;
			ev->tick = c->tick;
			ev->track = t;
			ev->offset = c->ev_off;
			ev->len = c->len;
			ev->data = c->data;
			r->refill = t;
			return 1;
		case PEND_MIDI:
			ev->kind = MP_EV_MIDI;
			ev->port = c->port;
			ev->beats = 0;
			ev->time = r->time;
			ev->tick = c->tick;
			ev->track = t;
			ev->offset = c->ev_off;
			ev->len = c->len;
			if (c->data == c->msg) {
				memcpy(ev->buf, c->msg, c->len);
				ev->data = ev->buf;
			} else {
				ev->data = c->data;
			}
			r->refill = t;
			return 1;
		}
	}
	return 0;
}

void
smf_reader_set_portmap(struct smf_reader *r, const struct smf_portmap *map)
{
	r->portmap = map;
}

const uint8_t *
smf_reader_bytes(const struct smf_reader *r, size_t *len)
{
	*len = r->file_len;
	return r->file;
}

void
smf_reader_want_meta(struct smf_reader *r, int on)
{
	r->want_meta = on;
}

int
smf_reader_ppq(const struct smf_reader *r)
{
	return r->ppq;
}

void
smf_reader_rewind(struct smf_reader *r)
{
	int t;

	for (t = 0; t < r->ntracks; t++) {
		struct cursor *c = &r->tracks[t];
		uint8_t *sysex = c->sysex;
		uint32_t cap = c->sysex_cap;
		const uint8_t *start = c->start, *end = c->end;

		memset(c, 0, sizeof *c);
		c->index = t;
		c->port_num = -1;
		c->prefix = -1;
		c->start = c->p = start;
		c->end = end;
		c->sysex = sysex;
		c->sysex_cap = cap;
	}
	r->heap_len = 0;
	r->current = 0;
	r->started = 0;
	r->refill = -1;
	r->failed = 0;
	r->tick = 0;
	r->time = 0;
	r->units_per_tick = r->units_at_open;
}

static int
reader_next(void *ctx, struct mp_event *ev)
{
	return smf_reader_next(ctx, ev);
}

static const struct mp_source_ops smf_source_ops = { reader_next };

void
smf_reader_source(struct smf_reader *r, struct mp_source *src)
{
	src->ops = &smf_source_ops;
	src->ctx = r;
	src->den = r->den;
	src->rounded = 0;     /* exact times */
	src->name = r->name;
	src->lines = 0;
}

uint64_t
smf_reader_den(const struct smf_reader *r)
{
	return r->den;
}

int
smf_reader_format(const struct smf_reader *r)
{
	return r->format;
}

uint16_t
smf_reader_division(const struct smf_reader *r)
{
	return r->division;
}

int
smf_reader_ntracks(const struct smf_reader *r)
{
	return r->ntracks;
}

/* Find the SMF inside a RIFF RMID file: its bounds, or -1. */
static int
find_rmid(struct smf_reader *r, size_t *start, size_t *len)
{
	size_t pos = 12, riff_end = r->file_len;

	if (8 + (size_t)le32(r->file + 4) < riff_end)
		riff_end = 8 + (size_t)le32(r->file + 4);
	while (pos < riff_end && riff_end - pos >= 8) {
		uint32_t clen = le32(r->file + pos + 4);

		if (memcmp(r->file + pos, "data", 4) == 0) {
			if (clen > riff_end - pos - 8) {
				log_error("%s: at byte %zu: RIFF data chunk "
				    "runs past the end of the file", r->name,
				    pos);
				return -1;
			}
			*start = pos + 8;
			*len = clen;
			return 0;
		}
		if (clen > riff_end - pos - 8)
			break;
		pos += 8 + (size_t)clen + (clen & 1);
	}
	log_error("%s: RIFF file without an RMID data chunk", r->name);
	return -1;
}

static int
is_chunk_id(const uint8_t *p)
{
	int i;

	for (i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

/* Check the header and the chunk structure; set up the track cursors. */
static int
parse_structure(struct smf_reader *r)
{
	size_t base = 0, len = r->file_len, pos, hlen;
	const uint8_t *f;
	uint16_t division;
	int announced, found, fps;

	if (len >= 12 && memcmp(r->file, "RIFF", 4) == 0 &&
	    memcmp(r->file + 8, "RMID", 4) == 0) {
		if (find_rmid(r, &base, &len) < 0)
			return -1;
	}
	f = r->file + base;
	if (len < 8 || memcmp(f, "MThd", 4) != 0) {
		log_error("%s: not a Standard MIDI File (no MThd header at "
		    "byte %zu)", r->name, base);
		return -1;
	}
	hlen = be32(f + 4);
	if (hlen < 6) {
		log_error("%s: at byte %zu: header chunk of %zu bytes, "
		    "shorter than 6", r->name, base + 4, hlen);
		return -1;
	}
	if (hlen > len - 8) {
		log_error("%s: at byte %zu: header chunk cut short (%zu "
		    "bytes of %zu)", r->name, base, len - 8, hlen);
		return -1;
	}
	r->format = be16(f + 8);
	announced = be16(f + 10);
	division = be16(f + 12);
	r->division = division;
	if (hlen > 6)
		log_warn("%s: at byte %zu: warning: header chunk has %zu "
		    "extra bytes; ignored", r->name, base + 14, hlen - 6);
	if (r->format > 2) {
		log_error("%s: at byte %zu: format %d is not a Standard MIDI "
		    "File format (0, 1 or 2)", r->name, base + 8, r->format);
		return -1;
	}
	if (division & 0x8000) {
		int tpf = division & 0xff;

		fps = -(int)(int8_t)(division >> 8);
		if ((fps != 24 && fps != 25 && fps != 29 && fps != 30) ||
		    tpf == 0) {
			log_error("%s: at byte %zu: SMPTE division of %d "
			    "frames per second and %d ticks per frame (fps "
			    "must be 24, 25, 29 or 30; ticks at least 1)",
			    r->name, base + 12, fps, tpf);
			return -1;
		}
		r->smpte = 1;
		/* a tick lasts 1/(fps*tpf) s; 29 means 30000/1001 fps */
		r->den = fps == 29 ? 30000ull * (uint64_t)tpf :
		    (uint64_t)fps * (uint64_t)tpf;
		r->units_per_tick = fps == 29 ? 1001 : 1;
	} else {
		if (division == 0) {
			log_error("%s: at byte %zu: division of 0 ticks per "
			    "quarter note", r->name, base + 12);
			return -1;
		}
		r->den = (uint64_t)division * 1000000u;
		r->units_per_tick = 500000;   /* 120 bpm until told */
		r->ppq = division;
	}
	r->units_at_open = r->units_per_tick;

	/* Walk the chunks twice: count the tracks, then set them up. */
	for (int pass = 0; pass < 2; pass++) {
		found = 0;
		pos = 8 + hlen;
		while (len - pos >= 8) {
			uint32_t clen = be32(f + pos + 4);
			int mtrk = memcmp(f + pos, "MTrk", 4) == 0;

			if (!mtrk && !is_chunk_id(f + pos)) {
				if (pass == 0)
					log_warn("%s: at byte %zu: warning: "
					    "%zu bytes of trailing data "
					    "ignored", r->name, base + pos,
					    len - pos);
				pos = len;
				break;
			}
			if (clen > len - pos - 8) {
				if (mtrk) {
					log_error("%s: track %d at byte %zu: "
					    "chunk of %lu bytes runs past the "
					    "end of the file (%zu bytes left)",
					    r->name, found + 1, base + pos,
					    (unsigned long)clen,
					    len - pos - 8);
					return -1;
				}
				if (pass == 0)
					log_warn("%s: at byte %zu: warning: "
					    "chunk '%.4s' runs past the end "
					    "of the file; ignored", r->name,
					    base + pos, (const char *)f + pos);
				pos = len;
				break;
			}
			if (mtrk) {
				if (pass == 1) {
					struct cursor *c = &r->tracks[found];

					c->index = found;
					c->port_num = -1;
					c->prefix = -1;
					c->start = c->p = f + pos + 8;
					c->end = c->p + clen;
				}
				found++;
			} else if (pass == 0) {
				log_warn("%s: at byte %zu: warning: unknown "
				    "chunk '%.4s' skipped", r->name,
				    base + pos, (const char *)f + pos);
			}
			pos += 8 + (size_t)clen;
		}
		if (pass == 1)
			break;
		if (pos < len)
			log_warn("%s: at byte %zu: warning: %zu bytes of "
			    "trailing data ignored", r->name, base + pos,
			    len - pos);
		if (found == 0) {
			log_error("%s: no track (MTrk) chunk", r->name);
			return -1;
		}
		if (found < announced)
			log_warn("%s: warning: the header announces %d "
			    "tracks, only %d are present", r->name,
			    announced, found);
		else if (found > announced)
			log_warn("%s: warning: the header announces %d "
			    "tracks, %d are present; playing all %d",
			    r->name, announced, found, found);
		r->ntracks = found;
		r->tracks = calloc((size_t)found, sizeof *r->tracks);
		r->heap = calloc((size_t)found, sizeof *r->heap);
		if (r->tracks == NULL || r->heap == NULL) {
			log_error("%s: out of memory for %d tracks", r->name,
			    found);
			return -1;
		}
	}
	r->refill = -1;
	return 0;
}

int
smf_reader_open_mem(struct smf_reader **rp, const char *name,
    const uint8_t *data, size_t len)
{
	struct smf_reader *r;

	*rp = NULL;
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		log_error("%s: out of memory", name);
		return -1;
	}
	r->file = data;
	r->file_len = len;
	if (parse_structure(r) < 0) {
		smf_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

/* Map PATH, or read it whole when it cannot be mapped (a pipe). */
static int
load_file(const char *path, const uint8_t **data, size_t *len, void **map,
    int *mapped)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", path);
		close(fd);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ,
		    MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			close(fd);
			*data = m;
			*map = m;
			*len = (size_t)st.st_size;
			*mapped = 1;
			return 0;
		}
	}
	{
		size_t cap = 65536, n = 0;
		uint8_t *buf = malloc(cap);
		ssize_t got;

		while (buf != NULL) {
			if (n == cap) {
				uint8_t *nb = realloc(buf, cap * 2);

				if (nb == NULL)
					break;
				buf = nb;
				cap *= 2;
			}
			got = read(fd, buf + n, cap - n);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				log_error("%s: %s", path, strerror(errno));
				free(buf);
				close(fd);
				return -1;
			}
			if (got == 0) {
				close(fd);
				*data = buf;
				*map = buf;
				*len = n;
				*mapped = 0;
				return 0;
			}
			n += (size_t)got;
		}
		free(buf);
		close(fd);
		log_error("%s: out of memory", path);
		return -1;
	}
}

int
smf_reader_open(struct smf_reader **rp, const char *path)
{
	const uint8_t *data;
	size_t len;
	void *map;
	int mapped;

	*rp = NULL;
	if (load_file(path, &data, &len, &map, &mapped) < 0)
		return -1;
	if (smf_reader_open_mem(rp, path, data, len) < 0) {
		if (mapped)
			munmap(map, len);
		else
			free(map);
		return -1;
	}
	(*rp)->map = map;
	(*rp)->map_len = len;
	(*rp)->mapped = mapped;
	return 0;
}

void
smf_reader_close(struct smf_reader *r)
{
	int t;

	if (r == NULL)
		return;
	for (t = 0; t < r->ntracks && r->tracks != NULL; t++)
		free(r->tracks[t].sysex);
	free(r->tracks);
	free(r->heap);
	if (r->map != NULL) {
		if (r->mapped)
			munmap(r->map, r->map_len);
		else
			free(r->map);
	}
	free(r->name);
	free(r);
}
