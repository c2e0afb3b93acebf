/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link-none: link.h in a build without Ableton Link (./configure found no
 * ableton-link-dev, or was given --without-link).  options.c refuses
 * --link in such a build, so nothing here runs; mplink_open would say why
 * if it did, and the rest cannot be reached without the mplink it never
 * returns: they abort.
 */
#include <stdint.h>
#include <stdlib.h>

#include "midiplay/link.h"
#include "midiplay/log.h"

struct mplink *
mplink_open(double bpm)
{
	(void)bpm;
	log_error("this midiplay was built without Ableton Link");
	return NULL;
}

void
mplink_close(struct mplink *l)
{
	(void)l;
}

void
mplink_enable(struct mplink *l, int on)
{
	(void)l;
	(void)on;
	abort();
}

void
mplink_start_stop_sync(struct mplink *l, int on)
{
	(void)l;
	(void)on;
	abort();
}

int64_t
mplink_clock_us(const struct mplink *l)
{
	(void)l;
	abort();
}

void
mplink_session(struct mplink *l, double quantum,
    struct mplink_session *out)
{
	(void)l;
	(void)quantum;
	(void)out;
	abort();
}

void
mplink_propose_tempo(struct mplink *l, double bpm, int64_t at_us)
{
	(void)l;
	(void)bpm;
	(void)at_us;
	abort();
}

int64_t
mplink_request_beat(struct mplink *l, double beat, int64_t at_us,
    double quantum)
{
	(void)l;
	(void)beat;
	(void)at_us;
	(void)quantum;
	abort();
}

int64_t
mplink_request_beat_at_start(struct mplink *l, double beat, double quantum)
{
	(void)l;
	(void)beat;
	(void)quantum;
	abort();
}

int
mplink_align_alone(struct mplink *l, double beat, int64_t at_us,
    double quantum)
{
	(void)l;
	(void)beat;
	(void)at_us;
	(void)quantum;
	abort();
}

void
mplink_rt_capture(struct mplink *l)
{
	(void)l;
	abort();
}

double
mplink_rt_beat_at(const struct mplink *l, int64_t time_us, double quantum)
{
	(void)l;
	(void)time_us;
	(void)quantum;
	abort();
}

double
mplink_rt_tempo(const struct mplink *l)
{
	(void)l;
	abort();
}

int
mplink_rt_playing(const struct mplink *l)
{
	(void)l;
	abort();
}

int64_t
mplink_rt_playing_time(const struct mplink *l)
{
	(void)l;
	abort();
}

size_t
mplink_rt_peers(const struct mplink *l)
{
	(void)l;
	abort();
}
