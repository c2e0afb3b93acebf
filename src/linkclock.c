/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkclock: the session, the callback's beat map and the main thread's
 * commits.  See linkclock.h; the arithmetic is in linkmap.c.
 *
 * Clocks.  Link reads CLOCK_MONOTONIC_RAW (link.cpp checks it).  JACK's
 * cycle times are on JACK's clock: jackd2's jack_get_time() reads
 * CLOCK_MONOTONIC_RAW too, PipeWire's libjack reads CLOCK_MONOTONIC, a
 * quarter of a second apart on the machine this was written on, and
 * drifting (NTP slews one and not the other).  So every cycle measures
 * the offset: CLOCK_MONOTONIC_RAW, jack_get_time(), CLOCK_MONOTONIC_RAW
 * again, the middle of the two against JACK's.  All three are vDSO reads,
 * no system call.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "midiplay/linkclock.h"
#include "midiplay/log.h"

/* A session start older than this when the main thread sees it is not a
 * start to follow from its beat 0: playback begins on the next quantum
 * boundary from now instead. */
#define RECENT_START_US 500000

static int64_t
raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Link's clock minus JACK's, in microseconds, now. */
static double
clock_offset_us(void)
{
	int64_t a = raw_ns();
	jack_time_t j = jack_get_time();
	int64_t b = raw_ns();

	/* JACK's microseconds are its clock's nanoseconds cut down: their
	 * middle is half a microsecond on */
	return (double)(a + (b - a) / 2) / 1000.0 - ((double)j + 0.5);
}

static uint64_t
bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u;
}

static double
unbits(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

/* Write the map for other threads (a sequence lock: one writer at a
 * time, the callback once it has started, the main thread before). */
static void
publish(struct linkclock *lk)
{
	unsigned s = atomic_load_explicit(&lk->pub_seq, memory_order_relaxed);

	atomic_store_explicit(&lk->pub_seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&lk->pub_beat, bits(lk->map.beat),
	    memory_order_relaxed);
	atomic_store_explicit(&lk->pub_frame, bits(lk->map.frame),
	    memory_order_relaxed);
	atomic_store_explicit(&lk->pub_bpm, bits(lk->map.bpm),
	    memory_order_relaxed);
	atomic_store_explicit(&lk->pub_shift, (uint64_t)lk->shift,
	    memory_order_relaxed);
	atomic_store_explicit(&lk->pub_seq, s + 2, memory_order_release);
}

void
linkclock_map(struct linkclock *lk, struct linkmap *m, int64_t *shift)
{
	unsigned s1, s2;
	double beat, frame, bpm;
	uint64_t sh;

	do {
		s1 = atomic_load_explicit(&lk->pub_seq, memory_order_acquire);
		beat = unbits(atomic_load_explicit(&lk->pub_beat,
		    memory_order_relaxed));
		frame = unbits(atomic_load_explicit(&lk->pub_frame,
		    memory_order_relaxed));
		bpm = unbits(atomic_load_explicit(&lk->pub_bpm,
		    memory_order_relaxed));
		sh = atomic_load_explicit(&lk->pub_shift,
		    memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&lk->pub_seq, memory_order_relaxed);
	} while (s1 != s2 || (s1 & 1));
	linkmap_set(m, beat, frame, bpm > 0 ? bpm : 120, lk->rate);
	if (shift != NULL)
		*shift = (int64_t)sh;
}

/* Ask the main thread for a commit.  The request's number (from 1), or
 * 0 when the queue is full. */
static uint64_t
post(struct linkclock *lk, int kind, double bpm, double beat, int64_t at_us)
{
	uint64_t head = atomic_load_explicit(&lk->req_head,
	    memory_order_relaxed);
	struct linkclock_req *r;

	if (head - atomic_load_explicit(&lk->req_tail, memory_order_acquire) >=
	    LINKCLOCK_REQS) {
		atomic_fetch_add_explicit(&lk->req_lost, 1,
		    memory_order_relaxed);
		return 0;
	}
	r = &lk->req[head % LINKCLOCK_REQS];
	r->kind = kind;
	r->bpm = bpm;
	r->beat = beat;
	r->at_us = at_us;
	atomic_store_explicit(&lk->req_head, head + 1, memory_order_release);
	return head + 1;
}

void
linkclock_init(struct linkclock *lk, struct mplink *link,
    jack_client_t *client, double quantum, int64_t offset_us, int sync)
{
	memset(lk, 0, sizeof *lk);
	lk->link = link;
	lk->client = client;
	lk->quantum = quantum;
	lk->rate = jack_get_sample_rate(client);
	lk->offset_us = offset_us;
	lk->sync = sync;
	lk->svc_peers = (size_t)-1;
	lk->svc_playing = -1;
	lk->svc_started = INT64_MIN;
	linkmap_set(&lk->map, 0, 0, 120, lk->rate);
	publish(lk);
}

/* The map onto the session, from the cycle's first frame. */
static void
follow(struct linkclock *lk, uint64_t cycle_frame)
{
	linkmap_set(&lk->map, lk->cyc.beat,
	    (double)cycle_frame - (double)lk->shift,
	    lk->session_bpm, lk->rate);
	atomic_fetch_add_explicit(&lk->follows, 1, memory_order_relaxed);
	publish(lk);
}

void
linkclock_cycle(struct linkclock *lk, uint32_t nframes,
    uint32_t latency_frames, uint64_t cycle_frame)
{
	jack_nframes_t cur_frames;
	jack_time_t cur_us, next_us;
	float period_us;
	double lat_us, b0, b1;
	int64_t ti;

	/* what the main thread did before the capture is in it */
	lk->seen_launch = atomic_load_explicit(&lk->launch_seq,
	    memory_order_acquire);
	lk->seen_done = atomic_load_explicit(&lk->req_done,
	    memory_order_acquire);
	mplink_rt_capture(lk->link);

	if (jack_get_cycle_times(lk->client, &cur_frames, &cur_us, &next_us,
	    &period_us) != 0 || next_us <= cur_us) {
		/* no DLL yet: the nominal period from now */
		cur_us = jack_get_time();
		next_us = cur_us + (jack_time_t)((uint64_t)nframes * 1000000u /
		    lk->rate);
	}
	lat_us = (double)latency_frames * 1e6 / lk->rate +
	    (double)lk->offset_us;
	atomic_store_explicit(&lk->latency_us, (uint64_t)llround(lat_us < 0 ?
	    0 : lat_us), memory_order_relaxed);
	linkmap_cycle_init(&lk->cyc, (int64_t)cur_us, (int64_t)next_us,
	    nframes, clock_offset_us(), lat_us);
	/* the session's beat there, to better than Link's microsecond: two
	 * whole microseconds a second apart give the slope */
	ti = (int64_t)floor(lk->cyc.t_us);
	b0 = mplink_rt_beat_at(lk->link, ti, lk->quantum);
	b1 = mplink_rt_beat_at(lk->link, ti + 1000000, lk->quantum);
	lk->cyc.beats_per_us = (b1 - b0) / 1e6;
	lk->cyc.beat = b0 + (lk->cyc.t_us - (double)ti) *
	    lk->cyc.beats_per_us;
	lk->session_bpm = mplink_rt_tempo(lk->link);
	lk->peers = (unsigned long)mplink_rt_peers(lk->link);
	lk->cycle_frame = cycle_frame;

	if (!lk->playing)
		return;
	if (lk->override_until != 0 && lk->seen_done >= lk->override_until) {
		/* our tempo is in the session: from here the session again
		 * (with peers, the beat it kept there may differ by the
		 * tolerance the map had) */
		lk->override_until = 0;
		if (lk->peers > 0)
			follow(lk, cycle_frame);
	}
	if (lk->align_until != 0 && lk->seen_done >= lk->align_until)
		lk->align_until = 0;
	if (lk->override_until != 0)
		return;         /* our own tempo leads until it is in */
	switch (linkmap_check(&lk->map, (double)cycle_frame - (double)lk->shift,
	    lk->cyc.beat, lk->session_bpm, lk->peers)) {
	case LINKMAP_KEEP:
		break;
	case LINKMAP_FOLLOW:
		follow(lk, cycle_frame);
		break;
	case LINKMAP_ALIGN:
		if (lk->align_until == 0) {
			lk->align_until = post(lk, LINKCLOCK_ALIGN,
			    lk->session_bpm, linkmap_beat(&lk->map,
			    (double)cycle_frame - (double)lk->shift),
			    llround(lk->cyc.t_us));
			if (lk->align_until != 0)
				atomic_fetch_add_explicit(&lk->aligns, 1,
				    memory_order_relaxed);
		}
		break;
	}
}

int
linkclock_launch(struct linkclock *lk, uint32_t nframes)
{
	int64_t shift;

	if (lk->seen_launch == lk->launched)
		return 0;
	if (lk->sync && !mplink_rt_playing(lk->link))
		return 0;
	if (!linkmap_launch(lk->cyc.beat, lk->cyc.beats_per_us *
	    lk->cyc.us_per_frame, nframes, &shift))
		return 0;
	lk->launched = lk->seen_launch;
	lk->playing = 1;
	lk->override_until = 0;
	lk->align_until = 0;
	lk->cycle_frame = 0;
	if (shift < 0) {
		/* Late: beat 0 has passed (the machine was held up, or a
		 * start the main thread saw late).  Alone, the session is
		 * ours: its beat 0 moves here, and playback is on time.
		 * With peers, song time zero is still the session's beat 0,
		 * a whole frame before this cycle: what was due until now
		 * goes out at once, and the seconds of a stream that were
		 * converted from beats before the start stay in step. */
		atomic_store_explicit(&lk->late_frames, (uint64_t)-shift,
		    memory_order_relaxed);
		atomic_store_explicit(&lk->late_alone, lk->peers == 0,
		    memory_order_relaxed);
		if (lk->peers == 0) {
			shift = 0;
			lk->align_until = post(lk, LINKCLOCK_ALIGN,
			    lk->session_bpm, 0, llround(lk->cyc.t_us));
		}
		atomic_fetch_add_explicit(&lk->lates, 1, memory_order_release);
	}
	lk->shift = shift;
	/* beat 0 on a whole frame */
	linkmap_set(&lk->map, 0, 0, lk->session_bpm, lk->rate);
	atomic_fetch_add_explicit(&lk->launches, 1, memory_order_relaxed);
	publish(lk);
	return 1;
}

int
linkclock_stopped(struct linkclock *lk, uint32_t nframes, uint32_t *off)
{
	double at;

	if (!lk->playing || mplink_rt_playing(lk->link))
		return 0;
	at = linkmap_cycle_offset(&lk->cyc,
	    (double)mplink_rt_playing_time(lk->link));
	if (at >= nframes)
		return 0;
	/* the first frame at or after the stop */
	*off = at <= 0 ? 0 : (uint32_t)ceil(at);
	if (*off >= nframes)
		return 0;
	lk->playing = 0;
	return 1;
}

uint64_t
linkclock_frame(const struct linkclock *lk, const struct sched_rec *rec)
{
	if (!rec->beat)
		return (int64_t)rec->frame + lk->shift <= 0 ? 0 :
		    (uint64_t)((int64_t)rec->frame + lk->shift);
	return linkmap_round((double)lk->shift + linkmap_frame(&lk->map,
	    linkmap_fx_beat(rec->frame)), lk->map.fpb);
}

void
linkclock_tempo(struct linkclock *lk, const struct sched_rec *rec, double bpm)
{
	double beat, frame, t;
	uint64_t seq;

	/* Link's own limits */
	bpm = bpm < 20 ? 20 : bpm > 999 ? 999 : bpm;
	if (rec->beat) {
		beat = linkmap_fx_beat(rec->frame);
		frame = linkmap_frame(&lk->map, beat);
	} else {
		frame = (double)rec->frame;
		beat = linkmap_beat(&lk->map, frame);
	}
	t = linkmap_cycle_time(&lk->cyc, frame + (double)lk->shift -
	    (double)lk->cycle_frame);
	linkmap_set(&lk->map, beat, frame, bpm, lk->rate);
	seq = post(lk, LINKCLOCK_TEMPO, bpm, beat, llround(t));
	lk->override_until = seq;
	publish(lk);
}

int64_t
linkclock_start(struct linkclock *lk, int64_t lead_us)
{
	struct mplink_session s;
	int64_t now = mplink_clock_us(lk->link), at;

	at = mplink_request_beat(lk->link, 0, now + lead_us, lk->quantum);
	mplink_session(lk->link, lk->quantum, &s);
	linkmap_set(&lk->map, 0, 0, s.tempo, lk->rate);
	publish(lk);
	atomic_fetch_add_explicit(&lk->launch_seq, 1, memory_order_release);
	return at - now;
}

/* Commit what the callback asked for, in order. */
static void
commit_requests(struct linkclock *lk)
{
	uint64_t tail = atomic_load_explicit(&lk->req_tail,
	    memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&lk->req_head,
	    memory_order_acquire);

	while (tail != head) {
		const struct linkclock_req *r = &lk->req[tail % LINKCLOCK_REQS];
		const struct linkclock_req *n = tail + 1 != head ?
		    &lk->req[(tail + 1) % LINKCLOCK_REQS] : NULL;

		if (r->kind == LINKCLOCK_ALIGN) {
			mplink_align_alone(lk->link, r->beat, r->at_us,
			    lk->quantum);
		} else if (n == NULL || n->kind != LINKCLOCK_TEMPO ||
		    n->at_us != r->at_us) {
			/* (of tempos at one moment, the last one counts) */
			mplink_propose_tempo(lk->link, r->bpm, r->at_us);
			/* alone, the beat there too: the session is ours */
			mplink_align_alone(lk->link, r->beat, r->at_us,
			    lk->quantum);
		}
		tail++;
		atomic_store_explicit(&lk->req_tail, tail,
		    memory_order_release);
		atomic_store_explicit(&lk->req_done, tail,
		    memory_order_release);
	}
}

void
linkclock_service(struct linkclock *lk, int verbose)
{
	struct mplink_session s;

	commit_requests(lk);
	mplink_session(lk->link, lk->quantum, &s);
	if (s.peers != lk->svc_peers) {
		if (verbose && lk->svc_peers != (size_t)-1)
			log_info("Link: %zu peer%s now, at %.2f bpm", s.peers,
			    s.peers == 1 ? "" : "s", s.tempo);
		lk->svc_peers = s.peers;
		lk->svc_tempo = s.tempo;
	}
	if (fabs(s.tempo - lk->svc_tempo) >= 0.005) {
		if (verbose)
			log_info("Link: the session's tempo is %.2f bpm at its "
			    "beat %.2f", s.tempo, s.beat);
		lk->svc_tempo = s.tempo;
	}
	if (!lk->sync)
		return;
	if (s.playing != lk->svc_playing) {
		if (verbose && lk->svc_playing != -1)
			log_info("Link: the session %s", s.playing ?
			    "started" : "stopped");
		lk->svc_playing = s.playing;
	}
	if (s.playing && s.playing_time_us != lk->svc_started) {
		int64_t at;

		lk->svc_started = s.playing_time_us;
		/* a start just made: from its own beat 0 (with peers: the
		 * next quantum boundary from it); a session playing for a
		 * while already: the next boundary from now */
		if (s.time_us - s.playing_time_us < RECENT_START_US)
			at = mplink_request_beat_at_start(lk->link, 0,
			    lk->quantum);
		else
			at = mplink_request_beat(lk->link, 0, s.time_us +
			    (int64_t)(2 * 1000000.0 * jack_get_buffer_size(
			    lk->client) / lk->rate) + 10000, lk->quantum);
		if (at != INT64_MIN) {
			atomic_fetch_add_explicit(&lk->launch_seq, 1,
			    memory_order_release);
			if (verbose)
				log_info("Link: playing from the session's "
				    "beat in %.3f s", (double)(at - s.time_us) /
				    1e6);
		}
	}
}

double
linkclock_beat_at_ns(struct linkclock *lk, uint64_t ns)
{
	struct linkmap m;

	linkclock_map(lk, &m, NULL);
	return linkmap_beat(&m, (double)ns * lk->rate / 1e9);
}

uint64_t
linkclock_ns_at_beat(struct linkclock *lk, double beat)
{
	struct linkmap m;
	double f;

	linkclock_map(lk, &m, NULL);
	f = linkmap_frame(&m, beat) * 1e9 / lk->rate;
	return f <= 0 ? 0 : (uint64_t)llround(f);
}
