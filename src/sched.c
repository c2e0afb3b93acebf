/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sched: source -> exact frames -> ring.  See sched.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include "midiplay/log.h"
#include "midiplay/sched.h"
#include "midiplay/timing.h"

/* The ring's records stay 16 bytes, however many fields they grow. */
_Static_assert(sizeof(struct sched_rec) == 16, "sched_rec is 16 bytes");
_Static_assert(MP_MAX_EVENT <= UINT16_MAX, "an event's length fits 16 bits");

/* How long to sleep when the ring is full: short against a period, long
 * against a busy loop. */
#define FULL_SLEEP_NS 2000000L

static void
nap(void)
{
	struct timespec ts = { 0, FULL_SLEEP_NS };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Push one record, sleeping while the ring is full.  0, or -1 on quit. */
static int
push_one(struct sched *s, const struct sched_rec *rec, const void *data)
{
	while (ring_write2(s->ring, rec, sizeof *rec, data, rec->len) < 0) {
		if (atomic_load(&s->quit))
			return -1;
		nap();
	}
	return 0;
}

/* The ring's record of EV: its exact frame (with --link, perhaps its
 * exact song beat), kind and length. */
static void
make_rec(const struct sched *s, const struct mp_event *ev,
    struct sched_rec *rec)
{
	if (ev->beats)
		rec->frame = timing_beat_fx(ev->time, s->src->den);
	else
		rec->frame = s->src->rounded ?
		    timing_frames(2 * ev->time + 1, 2 * s->src->den, s->rate) :
		    timing_frames(ev->time, s->src->den, s->rate);
	rec->beat = ev->beats != 0;
	rec->len = ev->kind == MP_EV_PANIC ? 0 : ev->kind == MP_EV_TEMPO ?
	    sizeof ev->bpm : ev->len;
	rec->kind = ev->kind == MP_EV_PANIC ? SCHED_PANIC :
	    ev->kind == MP_EV_TEMPO ? SCHED_TEMPO : SCHED_MIDI;
	rec->port = ev->port < PORTS_MAX ? (uint8_t)ev->port : 0;
	rec->gen = 0;
}

/* The bytes that follow EV's record. */
static const void *
rec_data(const struct mp_event *ev)
{
	return ev->kind == MP_EV_TEMPO ? (const void *)&ev->bpm :
	    (const void *)ev->data;
}

/* Push the record of EV (REC), once for each port when it is for every
 * port.  0, or -1 on quit. */
static int
push(struct sched *s, const struct mp_event *ev, struct sched_rec *rec)
{
	unsigned p, n;

	if (ev == NULL || ev->port != PORTS_ALL || s->ports == NULL)
		return push_one(s, rec, ev != NULL ? rec_data(ev) : NULL);
	n = s->ports->n > 0 ? s->ports->n : 1;
	for (p = 0; p < n; p++) {
		rec->port = (uint8_t)p;
		if (push_one(s, rec, rec_data(ev)) < 0)
			return -1;
	}
	return 0;
}

/*
 * An event that could never fit one cycle's budget (--cycle-limit) would
 * hold everything after it back for ever: refuse it, saying where it came
 * from.  1 when EV is refused.
 */
static int
refuse(struct sched *s, const struct mp_event *ev)
{
	uint32_t cost = mp_event_cost(ev->len);

	if (s->max_cost == 0 || ev->kind != MP_EV_MIDI || cost <= s->max_cost)
		return 0;
	log_error("%s: %s %llu: an event of %u bytes takes %u bytes of a "
	    "port buffer, more than --cycle-limit allows in a cycle (%u); "
	    "not sent", s->src->name != NULL ? s->src->name : "input",
	    s->src->lines ? "line" : "byte",
	    (unsigned long long)ev->offset, ev->len, cost, s->max_cost);
	s->refused++;
	return 1;
}

/* Queue enough ahead of a seek to FRAME before the transport may roll. */
#define FOLLOW_LEAD_NS 100000000u

/*
 * Following the transport: feed records of the latest generation asked
 * for, seeking the source for each new one; at the end of the source,
 * wait for the next seek.  Returns on quit only.
 */
static int
follow_run(struct sched *s)
{
	struct sched_follow *f = s->follow;
	struct mp_event ev;
	struct sched_rec rec;
	uint64_t gen = 0, ready_at = 0;
	int done = 1, rc;
	unsigned p;

	while (!atomic_load(&s->quit)) {
		uint64_t want = atomic_load_explicit(&f->want_gen,
		    memory_order_acquire);

		if (want != gen) {
			uint64_t frame = atomic_load_explicit(&f->want_frame,
			    memory_order_acquire);

			gen = want;
			f->seek(f->seek_ctx, frame, s->rate);
			ready_at = frame + (uint64_t)s->rate *
			    FOLLOW_LEAD_NS / 1000000000u;
			done = 0;
		}
		if (done) {
			atomic_store(&f->ready_gen, gen);
			nap();
			continue;
		}
		if ((rc = mp_source_next(s->src, &ev)) <= 0) {
			if (rc < 0)
				s->status = -1;
			done = 1;
			continue;
		}
		if (refuse(s, &ev))
			continue;
		make_rec(s, &ev, &rec);
		rec.gen = (uint16_t)gen;
		for (p = 0; p < (ev.port == PORTS_ALL && s->ports != NULL ?
		    s->ports->n : 1); p++) {
			if (ev.port == PORTS_ALL)
				rec.port = (uint8_t)p;
			while (ring_write2(s->ring, &rec, sizeof rec,
			    rec_data(&ev), rec.len) < 0) {
				if (atomic_load(&s->quit) ||
				    atomic_load(&f->want_gen) != gen)
					break;
				nap();
			}
		}
		s->events++;
		/* (a song beat: a quarter of a beat ahead is enough) */
		if (rec.frame >= (rec.beat ? ((uint64_t)1 << 30) : ready_at))
			atomic_store(&f->ready_gen, gen);
	}
	atomic_store(&s->finished, 1);
	return s->status;
}

int
sched_run(struct sched *s)
{
	struct mp_event ev;
	struct sched_rec rec;
	uint64_t last[2] = { 0, 0 };  /* frames, and song beats (--link) */
	int rc = 0, beat = 0;

	s->status = 0;
	if (s->follow != NULL)
		return follow_run(s);
	while (!atomic_load(&s->quit) &&
	    (rc = mp_source_next(s->src, &ev)) > 0) {
		if (refuse(s, &ev))
			continue;
		make_rec(s, &ev, &rec);
		/* sources are ordered (in each timeline: with --link a
		 * stream mixes seconds and beats); keep it so even if one
		 * is not */
		beat = rec.beat;
		if (rec.frame < last[beat])
			rec.frame = last[beat];
		last[beat] = rec.frame;
		atomic_store_explicit(&s->last_frame, last[beat],
		    memory_order_relaxed);
		if (push(s, &ev, &rec) < 0)
			goto out;
		s->events++;
	}
	if (atomic_load(&s->quit))
		goto out;
	if (rc < 0)
		s->status = -1;
	/* after the last record, in its timeline */
	rec.frame = last[beat];
	rec.beat = (uint8_t)beat;
	rec.len = 0;
	rec.kind = rc < 0 || s->release_at_end ? SCHED_END_RELEASE : SCHED_END;
	rec.port = 0;
	push(s, NULL, &rec);
out:
	atomic_store(&s->finished, 1);
	return s->status;
}

static void *
thread_main(void *arg)
{
	sched_run(arg);
	return NULL;
}

int
sched_start(struct sched *s, struct mp_source *src, struct ring *ring,
    uint32_t rate, int release_at_end)
{
	return sched_start_follow(s, src, ring, rate, release_at_end, NULL,
	    0, NULL);
}

int
sched_start_follow(struct sched *s, struct mp_source *src, struct ring *ring,
    uint32_t rate, int release_at_end, struct sched_follow *follow,
    uint32_t max_cost, const struct ports *ports)
{
	int err;

	memset(s, 0, sizeof *s);
	s->follow = follow;
	s->max_cost = max_cost;
	s->ports = ports;
	s->release_at_end = release_at_end;
	s->src = src;
	s->ring = ring;
	s->rate = rate;
	atomic_init(&s->quit, 0);
	atomic_init(&s->finished, 0);
	atomic_init(&s->last_frame, 0);
	if ((err = pthread_create(&s->thread, NULL, thread_main, s)) != 0) {
		log_error("cannot start the scheduler thread: %s",
		    strerror(err));
		return -1;
	}
	s->running = 1;
	return 0;
}

int
sched_realtime(struct sched *s, int prio)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof sp);
	sp.sched_priority = prio;
	return s->running ? pthread_setschedparam(s->thread, SCHED_FIFO, &sp) :
	    ESRCH;
}

void
sched_quit(struct sched *s)
{
	atomic_store(&s->quit, 1);
}

int
sched_join(struct sched *s)
{
	if (s->running) {
		pthread_join(s->thread, NULL);
		s->running = 0;
	}
	return s->status;
}
