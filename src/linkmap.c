/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkmap: song beats, frames and Link's clock.  See linkmap.h.
 */
#include <math.h>

#include "midiplay/linkmap.h"

void
linkmap_set(struct linkmap *m, double beat, double frame, double bpm,
    uint32_t rate)
{
	m->beat = beat;
	m->frame = frame;
	m->bpm = bpm;
	m->fpb = (double)rate * 60.0 / bpm;
}

double
linkmap_frame(const struct linkmap *m, double beat)
{
	return m->frame + (beat - m->beat) * m->fpb;
}

double
linkmap_beat(const struct linkmap *m, double frame)
{
	return m->beat + (frame - m->frame) / m->fpb;
}

uint64_t
linkmap_round(double frame, double fpb)
{
	double f = floor(frame + 0.5 + fpb / LINKMAP_FX + 1e-9);

	return f <= 0 ? 0 : (uint64_t)f;
}

void
linkmap_cycle_init(struct linkmap_cycle *c, int64_t cur_us, int64_t next_us,
    uint32_t nframes, double clock_offset_us, double latency_us)
{
	c->t_us = (double)cur_us + clock_offset_us + latency_us;
	c->us_per_frame = (double)(next_us - cur_us) / nframes;
	c->beat = 0;
	c->beats_per_us = 0;
}

double
linkmap_cycle_time(const struct linkmap_cycle *c, double off)
{
	return c->t_us + off * c->us_per_frame;
}

double
linkmap_cycle_offset(const struct linkmap_cycle *c, double t_us)
{
	return (t_us - c->t_us) / c->us_per_frame;
}

double
linkmap_cycle_offset_of_beat(const struct linkmap_cycle *c, double beat)
{
	return (beat - c->beat) / (c->beats_per_us * c->us_per_frame);
}

enum linkmap_verdict
linkmap_check(const struct linkmap *m, double frame, double session_beat,
    double session_bpm, unsigned long peers)
{
	double diff = fabs(linkmap_beat(m, frame) - session_beat);

	/* a tempo that is not the map's: someone changed it (our own
	 * proposals come with a map that leads until they are in) */
	if (fabs(session_bpm - m->bpm) > 1e-9 * session_bpm)
		return LINKMAP_FOLLOW;
	if (peers > 0)
		return diff > LINKMAP_TOL_PEERS ? LINKMAP_FOLLOW : LINKMAP_KEEP;
	return diff > LINKMAP_TOL_ALONE ? LINKMAP_ALIGN : LINKMAP_KEEP;
}

int
linkmap_launch(double beat0, double beats_per_frame, uint32_t nframes,
    int64_t *shift)
{
	/* the first whole frame at or after beat 0 (a billionth of a frame
	 * of slack for a beat 0 that is a whole frame): before this cycle
	 * when beat 0 has passed */
	double at = ceil(-beat0 / beats_per_frame - 1e-9);

	if (at >= nframes)
		return 0;
	*shift = (int64_t)at;
	return 1;
}
