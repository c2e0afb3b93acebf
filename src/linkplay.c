/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkplay: --link on the main thread.  See linkplay.h.
 */
#include <stdio.h>
#include <time.h>

#include "midiplay/linkplay.h"
#include "midiplay/log.h"

/* How long to listen for peers before starting alone: two peers in one
 * network namespace met within 0.2 s (DESIGN.md); joining early (before
 * the file is read and JACK is opened) usually covers it. */
#define DISCOVERY_US 500000
#define POLL_NS 5000000L

static void
nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

int
linkplay_open(struct linkplay *lp, const struct options *o)
{
	lp->o = o;
	lp->jo = NULL;
	lp->lates_seen = 0;
	/* alone, the session's tempo is --bpm's, or Link's 120 */
	if ((lp->link = mplink_open(o->link_bpm > 0 ? o->link_bpm : 120)) ==
	    NULL)
		return -1;
	mplink_start_stop_sync(lp->link, o->link_sync);
	mplink_enable(lp->link, 1);
	lp->enabled_us = mplink_clock_us(lp->link);
	return 0;
}

void
linkplay_attach(struct linkplay *lp, struct jackout *jo,
    void (*seek)(void *, uint64_t, uint32_t), void *ctx)
{
	lp->jo = jo;
	linkclock_init(&lp->clock, lp->link, jo->client, lp->o->quantum,
	    lp->o->offset_us, lp->o->link_sync);
	jackout_link(jo, &lp->clock, lp->o->link_sync, seek, ctx,
	    lp->o->ctl.clock);
}

int
linkplay_begin(struct linkplay *lp, volatile sig_atomic_t *stop)
{
	const struct options *o = lp->o;
	struct mplink_session s;
	uint32_t period = jack_get_buffer_size(lp->jo->client);
	int64_t lead, in;

	mplink_session(lp->link, o->quantum, &s);
	if (o->link_wait && s.peers == 0)
		log_info("Link: waiting for another peer");
	while (s.peers == 0 && (o->link_wait ||
	    s.time_us - lp->enabled_us < DISCOVERY_US)) {
		if (*stop)
			return -1;
		nap();
		jackout_poll_latency(lp->jo);
		linkclock_service(&lp->clock, 0);
		mplink_session(lp->link, o->quantum, &s);
	}
	if (o->link_bpm > 0 && s.peers > 0)
		mplink_propose_tempo(lp->link, o->link_bpm, s.time_us);
	if (s.peers == 0)
		log_warn("Link: no other peer: playing on our own grid at "
		    "%.2f bpm", s.tempo);
	else
		log_info("Link: %zu peer%s at %.2f bpm", s.peers,
		    s.peers == 1 ? "" : "s", s.tempo);
	if (o->link_sync) {
		log_info("Link: playing when the session plays");
		return 0;
	}
	/* beat 0 after JACK's settling time (jackout_start) and two
	 * periods, with peers on the next quantum boundary after that */
	lead = ((int64_t)lp->jo->settle_frames + 2 * (int64_t)period) *
	    1000000 / lp->jo->rate + 10000;
	in = linkclock_start(&lp->clock, lead);
	if (s.peers > 0)
		log_info("Link: starting on the session's next %g-beat "
		    "boundary, in %.3f s", o->quantum, (double)in / 1e6);
	return 0;
}

void
linkplay_service(struct linkplay *lp)
{
	struct linkclock *c = &lp->clock;
	uint64_t lates = atomic_load_explicit(&c->lates, memory_order_acquire);

	jackout_poll_latency(lp->jo);
	linkclock_service(c, log_get_level() >= LOG_VERBOSE);
	if (lates == lp->lates_seen)
		return;
	lp->lates_seen = lates;
	/* (a start seen late by the callback: the machine was held up) */
	if (atomic_load(&c->late_alone))
		log_info("Link: started %.1f ms after the beat asked for; "
		    "alone, the session's beat 0 moved to the start",
		    (double)atomic_load(&c->late_frames) * 1e3 / c->rate);
	else
		log_warn("Link: started %.1f ms after the session's beat 0: "
		    "what was due before went out at once, late",
		    (double)atomic_load(&c->late_frames) * 1e3 / c->rate);
}

int64_t
linkplay_shift(struct linkplay *lp)
{
	struct linkmap m;
	int64_t shift;

	linkclock_map(&lp->clock, &m, &shift);
	return shift;
}

double
linkplay_beat(struct linkplay *lp)
{
	struct linkmap m;
	int64_t shift;
	double pos;

	if (atomic_load(&lp->jo->state) == JO_IDLE)
		return 0;
	linkclock_map(&lp->clock, &m, &shift);
	pos = (double)atomic_load(&lp->jo->position) - (double)shift;
	pos = linkmap_beat(&m, pos);
	return pos > 0 ? pos : 0;      /* (the cycle beat 0 falls in) */
}

void
linkplay_describe(struct linkplay *lp, char *buf, size_t n)
{
	struct mplink_session s;

	mplink_session(lp->link, lp->o->quantum, &s);
	snprintf(buf, n, "%.2f bpm  %zu peer%s", s.tempo, s.peers,
	    s.peers == 1 ? "" : "s");
}

void
linkplay_report(struct linkplay *lp)
{
	struct linkclock *c = &lp->clock;

	log_info("Link: %llu start%s; the map followed the session %llu "
	    "time%s, aligned it %llu time%s; output latency %llu us%s",
	    (unsigned long long)atomic_load(&c->launches),
	    atomic_load(&c->launches) == 1 ? "" : "s",
	    (unsigned long long)atomic_load(&c->follows),
	    atomic_load(&c->follows) == 1 ? "" : "s",
	    (unsigned long long)atomic_load(&c->aligns),
	    atomic_load(&c->aligns) == 1 ? "" : "s",
	    (unsigned long long)atomic_load(&c->latency_us),
	    atomic_load(&c->req_lost) > 0 ? "; some tempo changes were not "
	    "proposed (too many at once)" : "");
}

void
linkplay_close(struct linkplay *lp)
{
	/* after jackout_close: the callback reads the session */
	if (lp->link != NULL) {
		mplink_close(lp->link);
		lp->link = NULL;
	}
}

uint64_t
linkplay_stream_clock(void *ctx)
{
	struct linkplay *lp = ctx;
	uint64_t ns = jackout_now_ns(lp->jo);
	int64_t shift, sh;
	struct linkmap m;

	linkclock_map(&lp->clock, &m, &shift);
	/* (a late start's song time zero was before jackout's) */
	sh = shift * 1000000000 / (int64_t)lp->clock.rate;
	return (int64_t)ns > sh ? (uint64_t)((int64_t)ns - sh) : 0;
}

double
linkplay_stream_beat(void *ctx, uint64_t ns)
{
	struct linkplay *lp = ctx;

	return linkclock_beat_at_ns(&lp->clock, ns);
}

uint64_t
linkplay_stream_ns(void *ctx, double beat)
{
	struct linkplay *lp = ctx;

	return linkclock_ns_at_beat(&lp->clock, beat);
}
