/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link-none: link.h in a build without Ableton Link (./configure found no
 * ableton-link-dev, or was given --without-link).  options.c refuses
 * --link in such a build, so nothing here runs; mplink_open would say why
 * if it did, and the rest can never be reached without an mplink.
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

/* The rest need the mplink that mplink_open never returns. */
#define UNREACHABLE abort()

void mplink_enable(struct mplink *l, int on) { (void)l; (void)on; UNREACHABLE; }
void mplink_start_stop_sync(struct mplink *l, int on) { (void)l; (void)on; UNREACHABLE; }
int64_t mplink_clock_us(const struct mplink *l) { (void)l; UNREACHABLE; }
void
mplink_session(struct mplink *l, double q, struct mplink_session *out)
{
	(void)l; (void)q; (void)out; UNREACHABLE;
}
void
mplink_propose_tempo(struct mplink *l, double bpm, int64_t at)
{
	(void)l; (void)bpm; (void)at; UNREACHABLE;
}
int64_t
mplink_request_beat(struct mplink *l, double b, int64_t at, double q)
{
	(void)l; (void)b; (void)at; (void)q; UNREACHABLE;
}
int64_t
mplink_request_beat_at_start(struct mplink *l, double b, double q)
{
	(void)l; (void)b; (void)q; UNREACHABLE;
}
int
mplink_align_alone(struct mplink *l, double b, int64_t at, double q)
{
	(void)l; (void)b; (void)at; (void)q; UNREACHABLE;
}
void mplink_rt_capture(struct mplink *l) { (void)l; UNREACHABLE; }
double
mplink_rt_beat_at(const struct mplink *l, int64_t t, double q)
{
	(void)l; (void)t; (void)q; UNREACHABLE;
}
int64_t
mplink_rt_time_at(const struct mplink *l, double b, double q)
{
	(void)l; (void)b; (void)q; UNREACHABLE;
}
double mplink_rt_tempo(const struct mplink *l) { (void)l; UNREACHABLE; }
int mplink_rt_playing(const struct mplink *l) { (void)l; UNREACHABLE; }
int64_t mplink_rt_playing_time(const struct mplink *l) { (void)l; UNREACHABLE; }
size_t mplink_rt_peers(const struct mplink *l) { (void)l; UNREACHABLE; }
