/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream: the text event stream as a source.  See stream.h.
 *
 * Pending events are ordered by (time, seq), seq being the order in which
 * they were made.  They live in a binary heap of pointers, each entry
 * knowing its place in it, so that the note-off a `note` command scheduled
 * can be moved earlier when the same key is struck again before it.
 *
 * Most streams come in time order, though, and --dump keeps the whole
 * input pending: a heap would cost a malloc and a walk down twenty levels
 * of scattered entries per event.  So an event that is no earlier than the
 * last one in a FIFO, and needs no tracking, joins the FIFO instead, by
 * value; the FIFO stays in order by itself, and the next event is the
 * earlier of its front and the top of the heap.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midiplay/log.h"
#include "midiplay/ports.h"
#include "midiplay/stream.h"
#include "midiplay/stream_parse.h"

#define READ_CHUNK 65536
#define MAX_LINE (1u << 20)      /* longer lines are rejected */
#define POLL_MAX_MS 100          /* wake up this often to see interrupts */
#define MAX_PENDING (1u << 22)   /* events waiting for their time (about
                                  * 300 MB): past this, input is not read
                                  * until some are sent */
#define DAY_NS (86400ull * 1000000000ull)
#define TEMPO_META_LEN 20         /* a queued tempo: see queue_tempo */
#define FIFO_DATA 4              /* longest event the FIFO holds: a note
                                  * or a control change, with room to
                                  * spare, in 32 bytes */

struct entry {
	uint64_t time;
	uint64_t seq;
	size_t pos;                  /* index in the heap */
	int kind;                    /* enum mp_event_kind */
	int tracked;                 /* the note-off of a `note` command */
	uint64_t on_time;            /* tracked: when its note-on went */
	uint8_t ch, key;
	uint16_t port;
	uint64_t line;
	uint32_t len;
	uint8_t data[];
};

/* An event in the FIFO, by value: it never moves in the order. */
struct fifo_entry {
	uint64_t time;
	uint64_t seq;
	uint64_t line;
	uint8_t kind;
	uint8_t len;
	uint16_t port;
	uint8_t data[FIFO_DATA];
};

struct stream {
	struct stream_opts o;
	struct sp_state state;
	struct sp_line parsed;
	atomic_int interrupted;

	char *buf;                   /* bytes read, not yet a whole line */
	size_t buf_len, buf_cap;
	int eof;
	int skipping;                /* inside a line already rejected as too
	                              * long */
	int failed;                  /* strict: a bad line came; what was
	                              * due before it still goes out */
	uint64_t fail_time;
	uint64_t lineno;
	unsigned long rejected;

	struct entry **heap;
	size_t heap_len, heap_cap;
	uint64_t next_seq;
	/* the tracked off of a key, by port (made on first use) */
	struct entry **pending_off[PORTS_MAX];
	uint16_t port;               /* the port commands go to now */
	struct entry *handed_out;    /* freed at the next call */
	struct fifo_entry *fifo;     /* in order, from fifo_head on */
	size_t fifo_head, fifo_len, fifo_cap;

	uint64_t cursor;             /* ns */
	int anchored;                /* a timestamp was seen */
	uint64_t anchor_time, anchor_stamp;
};

static int
before(const struct entry *a, const struct entry *b)
{
	return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

static void
heap_set(struct stream *s, size_t i, struct entry *e)
{
	s->heap[i] = e;
	e->pos = i;
}

static void
sift_up(struct stream *s, size_t i)
{
	struct entry *e = s->heap[i];

	while (i > 0 && before(e, s->heap[(i - 1) / 2])) {
		heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(s, i, e);
}

static void
sift_down(struct stream *s, size_t i)
{
	struct entry *e = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->heap_len)
			break;
		if (c + 1 < s->heap_len && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], e))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

static struct entry *
heap_pop(struct stream *s)
{
	struct entry *top = s->heap[0];

	if (--s->heap_len > 0) {
		heap_set(s, 0, s->heap[s->heap_len]);
		sift_down(s, 0);
	}
	return top;
}

static void
report_oom(const struct stream *s)
{
	log_error("%s:%llu: out of memory for pending events", s->o.name,
	    (unsigned long long)s->lineno);
}

/* Queue an event of LEN bytes at TIME in the heap.  The entry, or NULL
 * (reported). */
static struct entry *
heap_queue(struct stream *s, uint64_t time, int kind, const uint8_t *data,
    uint32_t len)
{
	struct entry *e;

	if (s->heap_len == s->heap_cap) {
		size_t cap = s->heap_cap ? s->heap_cap * 2 : 1024;
		struct entry **nh = realloc(s->heap, cap * sizeof *nh);

		if (nh == NULL)
			goto oom;
		s->heap = nh;
		s->heap_cap = cap;
	}
	if ((e = malloc(sizeof *e + len)) == NULL)
		goto oom;
	e->time = time;
	e->seq = s->next_seq++;
	e->kind = kind;
	e->tracked = 0;
	e->port = s->port;
	e->line = s->lineno;
	e->len = len;
	if (len > 0)
		memcpy(e->data, data, len);
	heap_set(s, s->heap_len++, e);
	sift_up(s, e->pos);
	return e;
oom:
	report_oom(s);
	return NULL;
}

/* Room at the end of the FIFO for one more.  0, or -1 (reported). */
static int
fifo_room(struct stream *s)
{
	struct fifo_entry *nf;
	size_t cap;

	if (s->fifo_head + s->fifo_len < s->fifo_cap)
		return 0;
	/* slide down once the front half is used up: a FIFO that never
	 * empties costs one move per entry at most */
	if (s->fifo_head >= s->fifo_cap / 2 && s->fifo_head > 0) {
		memmove(s->fifo, s->fifo + s->fifo_head,
		    s->fifo_len * sizeof *s->fifo);
		s->fifo_head = 0;
		return 0;
	}
	cap = s->fifo_cap ? s->fifo_cap * 2 : 1024;
	if ((nf = realloc(s->fifo, cap * sizeof *nf)) == NULL) {
		report_oom(s);
		return -1;
	}
	s->fifo = nf;
	s->fifo_cap = cap;
	return 0;
}

/* Queue an event of LEN bytes at TIME, in the FIFO if it keeps it in
 * order.  0, or -1 (reported). */
static int
queue(struct stream *s, uint64_t time, int kind, const uint8_t *data,
    uint32_t len)
{
	struct fifo_entry *f;

	if (len > FIFO_DATA || (s->fifo_len > 0 &&
	    s->fifo[s->fifo_head + s->fifo_len - 1].time > time))
		return heap_queue(s, time, kind, data, len) == NULL ? -1 : 0;
	if (fifo_room(s) < 0)
		return -1;
	f = &s->fifo[s->fifo_head + s->fifo_len++];
	f->time = time;
	f->seq = s->next_seq++;
	f->line = s->lineno;
	f->kind = (uint8_t)kind;
	f->len = (uint8_t)len;
	f->port = s->port;
	if (len > 0)
		memcpy(f->data, data, len);
	return 0;
}

/*
 * A note-on at TIME: if a `note` on this key is sounding then (its
 * tracked note-off is still to come), that note-off moves to just before
 * this note-on, so every note-on keeps exactly one note-off and none cuts
 * a later note short.
 */
static void
strike(struct stream *s, uint8_t ch, uint8_t key, uint64_t time)
{
	struct entry **po = s->pending_off[s->port], *off;

	if (po == NULL || (off = po[ch * 128 + key]) == NULL ||
	    off->time <= time || off->on_time > time)
		return;
	off->time = time;
	off->seq = s->next_seq++;
	off->tracked = 0;
	po[ch * 128 + key] = NULL;
	sift_up(s, off->pos);
}

/* The tracked note-offs of the current port, made on first use: NULL
 * (reported) when out of memory. */
static struct entry **
pending_offs(struct stream *s)
{
	struct entry ***po = &s->pending_off[s->port];

	if (*po == NULL && (*po = calloc(16 * 128, sizeof **po)) == NULL)
		report_oom(s);
	return *po;
}

/*
 * Find or add the ports the line's "port" commands name, before any of
 * it applies, so that a line naming one too many is rejected whole.  0,
 * or -1 after reporting.
 */
static int
resolve_ports(struct stream *s)
{
	size_t i;

	for (i = 0; i < s->parsed.n; i++) {
		const struct sp_action *a = &s->parsed.actions[i];
		char name[PORTS_NAME], where[96];

		if (a->kind != SP_PORT || s->o.ports == NULL)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)a->len,
		    (const char *)s->parsed.bytes + a->off);
		if (ports_find(s->o.ports, name) >= 0)
			continue;
		snprintf(where, sizeof where, "%s:%llu:%d", s->o.name,
		    (unsigned long long)s->lineno, a->col);
		if (ports_add(s->o.ports, name, where) < 0)
			return -1;
	}
	return 0;
}

static int
is_note_on(const uint8_t *d, uint32_t len)
{
	/* raw may send any bytes: only a well-formed note-on counts */
	return len == 3 && (d[0] & 0xf0) == 0x90 && d[1] < 0x80 &&
	    d[2] > 0 && d[2] < 0x80;
}

/*
 * A tempo meta event at TIME for the tempo of A: the type, microseconds
 * per quarter note as a file stores them (rounded), then the exact tempo
 * as two 64-bit numbers (hand_out takes them apart).
 */
static int
queue_tempo(struct stream *s, uint64_t time, const struct sp_action *a)
{
	uint8_t d[TEMPO_META_LEN];
	uint64_t us = (60000000u * a->tempo_den + a->tempo_num / 2) /
	    a->tempo_num;

	if (us > 0xffffff)
		us = 0xffffff;  /* below 3.58 bpm: the slowest a file holds */
	if (us == 0)
		us = 1;
	d[0] = 0x51;
	d[1] = (uint8_t)(us >> 16);
	d[2] = (uint8_t)(us >> 8);
	d[3] = (uint8_t)us;
	memcpy(d + 4, &a->tempo_num, 8);
	memcpy(d + 12, &a->tempo_den, 8);
	return heap_queue(s, time, MP_EV_META, d, sizeof d) == NULL ? -1 : 0;
}

/* Apply one parsed line that arrived at ARRIVAL.  0, or -1 (reported). */
static int
apply(struct stream *s, uint64_t arrival)
{
	uint64_t t = s->cursor > arrival ? s->cursor : arrival;
	size_t i;

	for (i = 0; i < s->parsed.n; i++) {
		const struct sp_action *a = &s->parsed.actions[i];
		/* a line of times only has no bytes at all (NULL + 0 is
		 * undefined) */
		const uint8_t *d = s->parsed.nbytes > 0 ?
		    s->parsed.bytes + a->off : NULL;
		struct entry *e;

		switch (a->kind) {
		case SP_AT:
			t = a->ns;
			break;
		case SP_WAIT:
			t += a->ns;
			if (t > s->cursor)
				s->cursor = t;
			break;
		case SP_STAMP:
			if (!s->anchored) {
				s->anchored = 1;
				s->anchor_time = s->cursor > arrival ?
				    s->cursor : arrival;
				s->anchor_stamp = a->ns;
			}
			/* a timestamp before the first one is the next day */
			t = s->anchor_time + (a->ns >= s->anchor_stamp ?
			    a->ns - s->anchor_stamp :
			    a->ns + DAY_NS - s->anchor_stamp);
			break;
		case SP_SEND:
			if (is_note_on(d, a->len))
				strike(s, d[0] & 0x0f, d[1], t);
			if (queue(s, t, MP_EV_MIDI, d, a->len) < 0)
				return -1;
			break;
		case SP_NOTE: {
			uint8_t off[3] = { 0x80 | (d[0] & 0x0f), d[1], 0 };

			strike(s, d[0] & 0x0f, d[1], t);
			/* the note-off may move: it waits in the heap */
			if (pending_offs(s) == NULL ||
			    queue(s, t, MP_EV_MIDI, d, 3) < 0 ||
			    (e = heap_queue(s, t + a->ns, MP_EV_MIDI, off,
			    3)) == NULL)
				return -1;
			e->tracked = 1;
			e->on_time = t;
			e->ch = d[0] & 0x0f;
			e->key = d[1];
			s->pending_off[s->port][e->ch * 128 + e->key] = e;
			break;
		}
		case SP_PANIC:
			if (queue(s, t, MP_EV_PANIC, NULL, 0) < 0)
				return -1;
			break;
		case SP_TEMPO:
			if (s->o.want_meta && queue_tempo(s, t, a) < 0)
				return -1;
			break;
		case SP_PORT:
			if (s->o.ports != NULL) {
				char name[PORTS_NAME];

				snprintf(name, sizeof name, "%.*s",
				    (int)a->len, (const char *)d);
				s->port = (uint16_t)ports_find(s->o.ports,
				    name);
			}
			break;
		}
	}
	return 0;
}

/* A line arriving at ARRIVAL was rejected (and said so): count it; under
 * --strict, stop.  0, or -1 to stop. */
static int
reject(struct stream *s, uint64_t arrival)
{
	s->rejected++;
	if (!s->o.strict)
		return 0;
	s->failed = 1;
	s->fail_time = arrival;
	return -1;
}

/* Parse and apply one line.  0, or -1 to stop (strict, or no memory). */
static int
take_line(struct stream *s, const char *line, size_t len, uint64_t arrival)
{
	struct sp_error err;

	s->lineno++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > MAX_LINE) {
		err.col = 1;
		snprintf(err.msg, sizeof err.msg, "line longer than %u bytes",
		    MAX_LINE);
	} else if (sp_parse_line(&s->state, line, len, &s->parsed, &err) ==
	    0) {
		if (resolve_ports(s) == 0)
			return apply(s, arrival);
		return reject(s, arrival);      /* (reported) */
	}
	log_error("%s:%llu:%d: %s", s->o.name,
	    (unsigned long long)s->lineno, err.col, err.msg);
	return reject(s, arrival);
}


static uint64_t
now_ns(struct stream *s)
{
	return s->o.clock != NULL ? s->o.clock(s->o.clock_ctx) : 0;
}

/*
 * Read what is there (waiting at most TIMEOUT_MS, -1 for no limit) and
 * take every whole line.  0, or -1 to stop.
 */
static int
read_input(struct stream *s, int timeout_ms)
{
	struct pollfd pfd = { s->o.fd, POLLIN, 0 };
	size_t start = 0, i;
	uint64_t arrival;
	ssize_t got;

	if (timeout_ms < 0 || timeout_ms > POLL_MAX_MS)
		timeout_ms = POLL_MAX_MS;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	if (s->buf_cap - s->buf_len < READ_CHUNK) {
		size_t cap = s->buf_len + READ_CHUNK;
		char *nb = realloc(s->buf, cap);

		if (nb == NULL) {
			log_error("%s: out of memory for input", s->o.name);
			return -1;
		}
		s->buf = nb;
		s->buf_cap = cap;
	}
	got = read(s->o.fd, s->buf + s->buf_len, s->buf_cap - s->buf_len);
	if (got < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		log_error("%s: %s", s->o.name, strerror(errno));
		s->eof = 1;
		return 0;
	}
	arrival = now_ns(s) + s->o.latency_ns;
	if (got == 0) {
		s->eof = 1;
		if (s->buf_len > 0 && !s->skipping &&
		    take_line(s, s->buf, s->buf_len, arrival) < 0)
			return -1;
		s->buf_len = 0;
		return 0;
	}
	s->buf_len += (size_t)got;
	for (i = 0; i < s->buf_len; i++) {
		if (s->buf[i] != '\n')
			continue;
		if (s->skipping)
			s->skipping = 0;   /* the end of an over-long line */
		else if (take_line(s, s->buf + start, i - start,
		    arrival) < 0)
			return -1;
		start = i + 1;
	}
	if (start > 0) {
		memmove(s->buf, s->buf + start, s->buf_len - start);
		s->buf_len -= start;
	} else if (s->buf_len > MAX_LINE) {
		/* a line that never ends: reject it once, then drop the rest
		 * of it as it comes */
		if (!s->skipping && take_line(s, s->buf, s->buf_len,
		    arrival) < 0)
			return -1;
		s->skipping = 1;
		s->buf_len = 0;
	}
	return 0;
}

static size_t
pending(const struct stream *s)
{
	return s->heap_len + s->fifo_len;
}

/* Whether the next pending event is the FIFO's front, not the heap's top. */
static int
fifo_first(const struct stream *s)
{
	const struct fifo_entry *f;

	if (s->fifo_len == 0)
		return 0;
	if (s->heap_len == 0)
		return 1;
	f = &s->fifo[s->fifo_head];
	return f->time != s->heap[0]->time ? f->time < s->heap[0]->time :
	    f->seq < s->heap[0]->seq;
}

/* The time of the next pending event; there must be one. */
static uint64_t
next_time(const struct stream *s)
{
	return fifo_first(s) ? s->fifo[s->fifo_head].time : s->heap[0]->time;
}

/* Take the next pending event (there must be one) into EV. */
static void
hand_out(struct stream *s, struct mp_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->track = -1;
	if (fifo_first(s)) {
		/* the slot is not written again before the next call */
		const struct fifo_entry *f = &s->fifo[s->fifo_head++];

		if (--s->fifo_len == 0)
			s->fifo_head = 0;
		ev->kind = f->kind;
		ev->time = f->time;
		ev->data = f->data;
		ev->len = f->len;
		ev->offset = f->line;
		ev->port = f->port;
	} else {
		struct entry *e = heap_pop(s);

		if (e->tracked &&
		    s->pending_off[e->port][e->ch * 128 + e->key] == e)
			s->pending_off[e->port][e->ch * 128 + e->key] = NULL;
		ev->kind = e->kind;
		ev->port = e->port;
		ev->time = e->time;
		ev->data = e->data;
		ev->len = e->len;
		ev->offset = e->line;
		s->handed_out = e;
		if (e->kind == MP_EV_META && e->len == TEMPO_META_LEN) {
			ev->meta = e->data[0];
			ev->data = e->data + 1;
			ev->len = 3;
			memcpy(&ev->tempo_num, e->data + 4, 8);
			memcpy(&ev->tempo_den, e->data + 12, 8);
		}
	}
}

static int
stream_next(void *ctx, struct mp_event *ev)
{
	struct stream *s = ctx;

	free(s->handed_out);
	s->handed_out = NULL;
	for (;;) {
		uint64_t horizon;

		if (atomic_load(&s->interrupted))
			return 0;
		horizon = now_ns(s) + s->o.latency_ns;
		/* Without a clock (--dump) the whole input is read first:
		 * any later line may go before what came so far. */
		/* After a bad line under --strict, what was due up to its
		 * arrival goes out and nothing after. */
		if (s->failed && (pending(s) == 0 ||
		    next_time(s) > s->fail_time))
			return -1;
		/* Bounded memory: with too much pending, input waits (the
		 * writer blocks on the pipe); without a clock, the earliest
		 * pending event goes out as if the input had ended. */
		if (pending(s) > 0 && (s->eof || s->failed ||
		    (s->o.clock == NULL && pending(s) >= MAX_PENDING) ||
		    (s->o.clock != NULL && next_time(s) <= horizon))) {
			hand_out(s, ev);
			return 1;
		}
		if (s->eof)
			return 0;
		{
			int timeout = -1;

			if (pending(s) > 0 && s->o.clock != NULL) {
				uint64_t wait = next_time(s) - horizon;

				timeout = (int)(wait / 1000000u);
			}
			if (pending(s) >= MAX_PENDING) {
				poll(NULL, 0, timeout < 0 || timeout >
				    POLL_MAX_MS ? POLL_MAX_MS : timeout);
				continue;
			}
			if (read_input(s, timeout) < 0 && !s->failed)
				return -1;      /* out of memory */
		}
	}
}

static const struct mp_source_ops stream_ops = { stream_next };

void
stream_source(struct stream *s, struct mp_source *src)
{
	src->ops = &stream_ops;
	src->ctx = s;
	src->den = 1000000000u;
	src->rounded = 1;
	src->name = s->o.name;
	src->lines = 1;
}

int
stream_open(struct stream **sp, const struct stream_opts *opts)
{
	struct stream *s = calloc(1, sizeof *s);

	*sp = NULL;
	if (s == NULL) {
		log_error("out of memory");
		return -1;
	}
	s->o = *opts;
	sp_state_init(&s->state);
	atomic_init(&s->interrupted, 0);
	*sp = s;
	return 0;
}

void
stream_interrupt(struct stream *s)
{
	atomic_store(&s->interrupted, 1);
}

unsigned long
stream_rejected(const struct stream *s)
{
	return s->rejected;
}

void
stream_close(struct stream *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->heap_len; i++)
		free(s->heap[i]);
	free(s->heap);
	free(s->handed_out);
	free(s->fifo);
	free(s->buf);
	for (i = 0; i < PORTS_MAX; i++)
		free(s->pending_off[i]);
	sp_line_free(&s->parsed);
	free(s);
}
