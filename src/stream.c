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
 *
 * With --link there are two timelines, each with its heap and FIFO:
 * seconds (nanoseconds from song time zero) and the session's beats
 * (billionths of a song beat), whose order depends on the tempo as it
 * will be played.  A line's time stays in the timeline of its last time
 * token; where a line goes from one to the other (a "+0.5" after a beat,
 * a "+1b" after an arrival or an "@" time), the time is converted with the
 * session as it is when the line arrives.  Events go out when they are
 * due in their own timeline: a beat once the session's beat at the
 * horizon has reached it.  Of two due at once, the earlier, converted at
 * that moment, goes first; the callback places each on its own timeline.
 */
#include <errno.h>
#include <math.h>
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
#define BEAT_POLL_MS 5           /* --link: this often while beats wait */
#define MAX_PENDING (1u << 22)   /* events waiting for their time (about
                                  * 300 MB): past this, input is not read
                                  * until some are sent */
#define DAY_NS (86400ull * 1000000000ull)
#define TEMPO_META_LEN 20         /* a queued tempo: see queue_tempo */
#define FIFO_DATA 4              /* longest event the FIFO holds: a note
                                  * or a control change, with room to
                                  * spare, in 32 bytes */

/* A time on one of the two timelines. */
struct stime {
	uint64_t v;                  /* ns, or billionths of a beat */
	int beats;                   /* --link: v is in beats */
};

struct entry {
	uint64_t time;
	uint64_t seq;
	size_t pos;                  /* index in the heap */
	int tl;                      /* the timeline: 1 beats, 0 seconds */
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

/* The events waiting on one timeline: a heap and a FIFO. */
struct pend {
	struct entry **heap;
	size_t heap_len, heap_cap;
	struct fifo_entry *fifo;     /* in order, from fifo_head on */
	size_t fifo_head, fifo_len, fifo_cap;
};

struct stream {
	struct stream_opts o;
	struct sp_state state;
	struct sp_line parsed;
	atomic_int interrupted;
	atomic_int caught_up;        /* has taken what the input held at
	                              * first (stream_caught_up) */

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

	struct pend p[2];            /* by timeline: seconds, beats */
	uint64_t next_seq;
	/* the tracked off of a key, by port (made on first use) */
	struct entry **pending_off[PORTS_MAX];
	uint16_t port;               /* the port commands go to now */
	struct entry *handed_out;    /* freed at the next call */

	struct stime cursor;
	int anchored;                /* a timestamp was seen */
	uint64_t anchor_time, anchor_stamp;
};

static int
before(const struct entry *a, const struct entry *b)
{
	return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

static void
heap_set(struct pend *q, size_t i, struct entry *e)
{
	q->heap[i] = e;
	e->pos = i;
}

static void
sift_up(struct pend *q, size_t i)
{
	struct entry *e = q->heap[i];

	while (i > 0 && before(e, q->heap[(i - 1) / 2])) {
		heap_set(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(q, i, e);
}

static void
sift_down(struct pend *q, size_t i)
{
	struct entry *e = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->heap_len)
			break;
		if (c + 1 < q->heap_len && before(q->heap[c + 1], q->heap[c]))
			c++;
		if (!before(q->heap[c], e))
			break;
		heap_set(q, i, q->heap[c]);
		i = c;
	}
	heap_set(q, i, e);
}

static struct entry *
heap_pop(struct pend *q)
{
	struct entry *top = q->heap[0];

	if (--q->heap_len > 0) {
		heap_set(q, 0, q->heap[q->heap_len]);
		sift_down(q, 0);
	}
	return top;
}

/* --link: T in the other timeline's units, with the session as it is. */
static uint64_t
to_beats(const struct stream *s, struct stime t)
{
	double b;

	if (t.beats || s->o.beat_at == NULL)
		return t.v;
	b = s->o.beat_at(s->o.clock_ctx, t.v) * 1e9;
	return b <= 0 ? 0 : (uint64_t)llround(b);
}

static uint64_t
to_ns(const struct stream *s, struct stime t)
{
	if (!t.beats || s->o.ns_at == NULL)
		return t.v;
	return s->o.ns_at(s->o.clock_ctx, (double)t.v / 1e9);
}

/* Is A later than B?  (Across the timelines: in seconds, as now.) */
static int
later(const struct stream *s, struct stime a, struct stime b)
{
	if (a.beats == b.beats)
		return a.v > b.v;
	return to_ns(s, a) > to_ns(s, b);
}

static void
report_oom(const struct stream *s)
{
	log_error("%s:%llu: out of memory for pending events", s->o.name,
	    (unsigned long long)s->lineno);
}

/* Queue an event of LEN bytes at T in its timeline's heap.  The entry,
 * or NULL (reported). */
static struct entry *
heap_queue(struct stream *s, struct stime t, int kind, const uint8_t *data,
    uint32_t len)
{
	struct pend *q = &s->p[t.beats];
	struct entry *e;

	if (q->heap_len == q->heap_cap) {
		size_t cap = q->heap_cap ? q->heap_cap * 2 : 1024;
		struct entry **nh = realloc(q->heap, cap * sizeof *nh);

		if (nh == NULL)
			goto oom;
		q->heap = nh;
		q->heap_cap = cap;
	}
	if ((e = malloc(sizeof *e + len)) == NULL)
		goto oom;
	e->time = t.v;
	e->tl = t.beats;
	e->seq = s->next_seq++;
	e->kind = kind;
	e->tracked = 0;
	e->port = s->port;
	e->line = s->lineno;
	e->len = len;
	if (len > 0)
		memcpy(e->data, data, len);
	heap_set(q, q->heap_len++, e);
	sift_up(q, e->pos);
	return e;
oom:
	report_oom(s);
	return NULL;
}

/* Room at the end of Q's FIFO for one more.  0, or -1 (reported). */
static int
fifo_room(struct stream *s, struct pend *q)
{
	struct fifo_entry *nf;
	size_t cap;

	if (q->fifo_head + q->fifo_len < q->fifo_cap)
		return 0;
	/* slide down once the front half is used up: a FIFO that never
	 * empties costs one move per entry at most */
	if (q->fifo_head >= q->fifo_cap / 2 && q->fifo_head > 0) {
		memmove(q->fifo, q->fifo + q->fifo_head,
		    q->fifo_len * sizeof *q->fifo);
		q->fifo_head = 0;
		return 0;
	}
	cap = q->fifo_cap ? q->fifo_cap * 2 : 1024;
	if ((nf = realloc(q->fifo, cap * sizeof *nf)) == NULL) {
		report_oom(s);
		return -1;
	}
	q->fifo = nf;
	q->fifo_cap = cap;
	return 0;
}

/* Queue an event of LEN bytes at T, in its timeline's FIFO if it keeps it
 * in order.  0, or -1 (reported). */
static int
queue(struct stream *s, struct stime t, int kind, const uint8_t *data,
    uint32_t len)
{
	struct pend *q = &s->p[t.beats];
	struct fifo_entry *f;

	if (len > FIFO_DATA || (q->fifo_len > 0 &&
	    q->fifo[q->fifo_head + q->fifo_len - 1].time > t.v))
		return heap_queue(s, t, kind, data, len) == NULL ? -1 : 0;
	if (fifo_room(s, q) < 0)
		return -1;
	f = &q->fifo[q->fifo_head + q->fifo_len++];
	f->time = t.v;
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
 * A note-on at T: if a `note` on this key is sounding then (its tracked
 * note-off is still to come), that note-off moves to just before this
 * note-on, so every note-on keeps exactly one note-off and none cuts a
 * later note short.  (Across timelines, T is taken into the note-off's.)
 */
static void
strike(struct stream *s, uint8_t ch, uint8_t key, struct stime t)
{
	struct entry **po = s->pending_off[s->port], *off;
	uint64_t time;

	if (po == NULL || (off = po[ch * 128 + key]) == NULL)
		return;
	time = off->tl ? to_beats(s, t) : to_ns(s, t);
	if (off->time <= time || off->on_time > time)
		return;
	off->time = time;
	off->seq = s->next_seq++;
	off->tracked = 0;
	po[ch * 128 + key] = NULL;
	sift_up(&s->p[off->tl], off->pos);
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

/*
 * A tempo meta event at T for the tempo of A (--export): the type,
 * microseconds per quarter note as a file stores them (rounded), then the
 * exact tempo as two 64-bit numbers (hand_out takes them apart).
 */
static int
queue_tempo(struct stream *s, struct stime t, const struct sp_action *a)
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
	return heap_queue(s, t, MP_EV_META, d, sizeof d) == NULL ? -1 : 0;
}

static int
is_note_on(const uint8_t *d, uint32_t len)
{
	/* raw may send any bytes: only a well-formed note-on counts */
	return len == 3 && (d[0] & 0xf0) == 0x90 && d[1] < 0x80 &&
	    d[2] > 0 && d[2] < 0x80;
}

/* T moved on by A's duration, in A's timeline. */
static struct stime
advance(const struct stream *s, struct stime t, const struct sp_action *a)
{
	struct stime r;

	r.beats = a->beats;
	r.v = (a->beats ? to_beats(s, t) : to_ns(s, t)) + a->ns;
	return r;
}

/* Apply one parsed line that arrived at ARRIVAL.  0, or -1 (reported). */
static int
apply(struct stream *s, uint64_t arrival_ns)
{
	struct stime arrival = { arrival_ns, 0 };
	struct stime t = later(s, s->cursor, arrival) ? s->cursor : arrival;
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
			t.v = a->ns;
			t.beats = a->beats;
			break;
		case SP_WAIT:
			t = advance(s, t, a);
			if (later(s, t, s->cursor))
				s->cursor = t;
			break;
		case SP_STAMP:
			if (!s->anchored) {
				s->anchored = 1;
				s->anchor_time = to_ns(s, later(s, s->cursor,
				    arrival) ? s->cursor : arrival);
				s->anchor_stamp = a->ns;
			}
			/* a timestamp before the first one is the next day */
			t.beats = 0;
			t.v = s->anchor_time + (a->ns >= s->anchor_stamp ?
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
			struct stime end = advance(s, t, a);

			strike(s, d[0] & 0x0f, d[1], t);
			/* the note-off may move: it waits in the heap */
			if (pending_offs(s) == NULL ||
			    queue(s, t, MP_EV_MIDI, d, 3) < 0 ||
			    (e = heap_queue(s, end, MP_EV_MIDI, off,
			    3)) == NULL)
				return -1;
			e->tracked = 1;
			e->on_time = end.beats ? to_beats(s, t) : to_ns(s, t);
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
			/* --link: a proposal to the session; --export: a
			 * tempo event in the file */
			if (s->o.beat_at != NULL && heap_queue(s, t,
			    MP_EV_TEMPO, (const uint8_t *)&a->bpm,
			    sizeof a->bpm) == NULL)
				return -1;
			if (s->o.want_meta && queue_tempo(s, t, a) < 0)
				return -1;
			break;
		case SP_PORT:
			if (s->o.ports != NULL) {
				char name[PORTS_NAME];
				int i;

				snprintf(name, sizeof name, "%.*s",
				    (int)a->len, (const char *)d);
				/* (resolve_ports added it; never -1 as an
				 * index) */
				if ((i = ports_find(s->o.ports, name)) >= 0)
					s->port = (uint16_t)i;
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
	atomic_store(&s->caught_up, 1);
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
	/* until the input first has nothing more to give, look without
	 * waiting: that moment is when playback may start */
	if (!atomic_load_explicit(&s->caught_up, memory_order_relaxed) &&
	    poll(&pfd, 1, 0) == 0)
		atomic_store(&s->caught_up, 1);
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
	arrival = now_ns(s);
	/* --link: a line before the session's beat 0 arrives on it, so
	 * that "+1b" from there is on the grid; later ones as usual */
	if (arrival > 0 || s->o.beat_at == NULL)
		arrival += s->o.latency_ns;
	if (got == 0) {
		s->eof = 1;
		atomic_store(&s->caught_up, 1);
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
pend_len(const struct pend *q)
{
	return q->heap_len + q->fifo_len;
}

static size_t
pending(const struct stream *s)
{
	return pend_len(&s->p[0]) + pend_len(&s->p[1]);
}

/* Whether Q's next event is its FIFO's front, not its heap's top. */
static int
fifo_first(const struct pend *q)
{
	const struct fifo_entry *f;

	if (q->fifo_len == 0)
		return 0;
	if (q->heap_len == 0)
		return 1;
	f = &q->fifo[q->fifo_head];
	return f->time != q->heap[0]->time ? f->time < q->heap[0]->time :
	    f->seq < q->heap[0]->seq;
}

/* The time of Q's next event; there must be one. */
static struct stime
next_in(const struct stream *s, int tl)
{
	const struct pend *q = &s->p[tl];
	struct stime t;

	t.v = fifo_first(q) ? q->fifo[q->fifo_head].time : q->heap[0]->time;
	t.beats = tl;
	return t;
}

/* Is timeline TL's next event (there must be one) due by HORIZON ns? */
static int
due(const struct stream *s, int tl, uint64_t horizon)
{
	struct stime h = { horizon, 0 };

	return next_in(s, tl).v <= (tl ? to_beats(s, h) : horizon);
}

/* The timeline whose next event goes first (there must be one): of two,
 * the earlier, in seconds as the session is now; seconds on a tie. */
static int
next_tl(const struct stream *s)
{
	if (pend_len(&s->p[1]) == 0)
		return 0;
	if (pend_len(&s->p[0]) == 0)
		return 1;
	return later(s, next_in(s, 0), next_in(s, 1));
}

/* The next event's time in seconds; there must be one. */
static uint64_t
next_ns(const struct stream *s)
{
	return to_ns(s, next_in(s, next_tl(s)));
}

/* Take the next pending event of timeline TL (there must be one) into
 * EV. */
static void
hand_out(struct stream *s, int tl, struct mp_event *ev)
{
	struct pend *q = &s->p[tl];

	memset(ev, 0, sizeof *ev);
	ev->track = -1;
	ev->beats = (uint8_t)tl;
	if (fifo_first(q)) {
		/* the slot is not written again before the next call */
		const struct fifo_entry *f = &q->fifo[q->fifo_head++];

		if (--q->fifo_len == 0)
			q->fifo_head = 0;
		ev->kind = f->kind;
		ev->time = f->time;
		ev->data = f->data;
		ev->len = f->len;
		ev->offset = f->line;
		ev->port = f->port;
	} else {
		struct entry *e = heap_pop(q);

		if (e->tracked &&
		    s->pending_off[e->port][e->ch * 128 + e->key] == e)
			s->pending_off[e->port][e->ch * 128 + e->key] = NULL;
		ev->kind = e->kind;
		ev->time = e->time;
		ev->data = e->data;
		ev->len = e->len;
		ev->offset = e->line;
		ev->port = e->port;
		if (e->kind == MP_EV_META && e->len == TEMPO_META_LEN) {
			ev->meta = e->data[0];
			ev->data = e->data + 1;
			ev->len = 3;
			memcpy(&ev->tempo_num, e->data + 4, 8);
			memcpy(&ev->tempo_den, e->data + 12, 8);
		}
		if (e->kind == MP_EV_TEMPO) {
			memcpy(&ev->bpm, e->data, sizeof ev->bpm);
			ev->data = NULL;
			ev->len = 0;
		}
		s->handed_out = e;
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
		int tl;

		if (atomic_load(&s->interrupted))
			return 0;
		horizon = now_ns(s) + s->o.latency_ns;
		/* Without a clock (--dump) the whole input is read first:
		 * any later line may go before what came so far. */
		/* After a bad line under --strict, what was due up to its
		 * arrival goes out and nothing after. */
		if (s->failed && (pending(s) == 0 || next_ns(s) > s->fail_time))
			return -1;
		/* Bounded memory: with too much pending, input waits (the
		 * writer blocks on the pipe); without a clock, the earliest
		 * pending event goes out as if the input had ended. */
		if (pending(s) > 0) {
			tl = next_tl(s);
			if (s->o.clock != NULL && !s->eof && !s->failed &&
			    !due(s, tl, horizon) && pend_len(&s->p[!tl]) > 0 &&
			    due(s, !tl, horizon))
				tl = !tl;   /* only the other one is due */
			if (s->eof || s->failed ||
			    (s->o.clock == NULL && pending(s) >= MAX_PENDING) ||
			    (s->o.clock != NULL && due(s, tl, horizon))) {
				hand_out(s, tl, ev);
				return 1;
			}
		}
		if (s->eof)
			return 0;
		{
			int timeout = -1;

			if (pending(s) > 0 && s->o.clock != NULL) {
				uint64_t next = next_ns(s);
				uint64_t wait = next > horizon ? next - horizon : 0;

				timeout = (int)(wait / 1000000u);
				/* a beat comes sooner if the tempo rises: look
				 * again often enough */
				if (pend_len(&s->p[1]) > 0 && timeout > BEAT_POLL_MS)
					timeout = BEAT_POLL_MS;
			}
			if (pending(s) >= MAX_PENDING) {
				/* (reading no more until some go out) */
				atomic_store(&s->caught_up, 1);
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
	s->state.beats = opts->beat_at != NULL;
	atomic_init(&s->interrupted, 0);
	atomic_init(&s->caught_up, 0);
	*sp = s;
	return 0;
}

int
stream_caught_up(const struct stream *s)
{
	return atomic_load(&s->caught_up);
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
	int t;

	if (s == NULL)
		return;
	for (t = 0; t < 2; t++) {
		for (i = 0; i < s->p[t].heap_len; i++)
			free(s->p[t].heap[i]);
		free(s->p[t].heap);
		free(s->p[t].fifo);
	}
	free(s->handed_out);
	free(s->buf);
	for (t = 0; t < PORTS_MAX; t++)
		free(s->pending_off[t]);
	sp_line_free(&s->parsed);
	free(s);
}
