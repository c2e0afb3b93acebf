/*
 * sched: source -> exact frames -> ring.  See sched.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "midiplay/log.h"
#include "midiplay/sched.h"
#include "midiplay/timing.h"

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
push(struct sched *s, const struct sched_rec *rec, const void *data)
{
	while (ring_write2(s->ring, rec, sizeof *rec, data, rec->len) < 0) {
		if (atomic_load(&s->quit))
			return -1;
		nap();
	}
	return 0;
}

int
sched_run(struct sched *s)
{
	struct mp_event ev;
	struct sched_rec rec;
	uint64_t last = 0;
	int rc = 0;

	s->status = 0;
	while (!atomic_load(&s->quit) &&
	    (rc = mp_source_next(s->src, &ev)) > 0) {
		rec.frame = s->src->rounded ?
		    timing_frames(2 * ev.time + 1, 2 * s->src->den, s->rate) :
		    timing_frames(ev.time, s->src->den, s->rate);
		/* sources are ordered; keep it so even if one is not */
		if (rec.frame < last)
			rec.frame = last;
		last = rec.frame;
		atomic_store_explicit(&s->last_frame, last,
		    memory_order_relaxed);
		rec.len = ev.kind == MP_EV_PANIC ? 0 : ev.len;
		rec.kind = ev.kind == MP_EV_PANIC ? SCHED_PANIC : SCHED_MIDI;
		if (push(s, &rec, ev.data) < 0)
			goto out;
		s->events++;
	}
	if (atomic_load(&s->quit))
		goto out;
	if (rc < 0)
		s->status = -1;
	rec.frame = last;
	rec.len = 0;
	rec.kind = rc < 0 || s->release_at_end ? SCHED_END_RELEASE : SCHED_END;
	push(s, &rec, NULL);
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
	int err;

	memset(s, 0, sizeof *s);
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
