/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkplay: the main thread's side of --link, so that main.c only calls
 * it: joining the session early (peers are found while the file is read
 * and JACK is opened), tying it to the output, the start (waiting for a
 * peer with --link-wait, proposing --bpm, the quantized launch), the
 * service from the main loop, what -v and the progress line show, and
 * the stream's conversions between beats and seconds.
 *
 * Functions returning int return 0 on success and -1 after reporting.
 */
#ifndef MIDIPLAY_LINKPLAY_H
#define MIDIPLAY_LINKPLAY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "midiplay/jackout.h"
#include "midiplay/link.h"
#include "midiplay/linkclock.h"
#include "midiplay/options.h"

struct linkplay {
	struct mplink *link;
	struct linkclock clock;
	const struct options *o;
	struct jackout *jo;
	int64_t enabled_us;         /* when it joined (Link's clock) */
	uint64_t lates_seen;        /* late starts reported */
};

/* Join the session as O says.  0, or -1 after reporting. */
int linkplay_open(struct linkplay *lp, const struct options *o);

/* Play through JO (after jackout_open, before jackout_start); with
 * start/stop sync, SEEK(CTX, 0, rate) replays the source at each start. */
void linkplay_attach(struct linkplay *lp, struct jackout *jo,
    void (*seek)(void *, uint64_t, uint32_t), void *ctx);

/* After jackout_start: wait for a peer (--link-wait; or a moment, to
 * find one), propose --bpm, and ask for the launch (with start/stop sync,
 * the service does at each start).  0, or -1 when *STOP was set
 * meanwhile. */
int linkplay_begin(struct linkplay *lp, volatile sig_atomic_t *stop);

/* From the main loop, every few milliseconds. */
void linkplay_service(struct linkplay *lp);

/* Where song beat 0 is, in frames after jackout's zero frame. */
int64_t linkplay_shift(struct linkplay *lp);

/* The song beat now (0 before the start). */
double linkplay_beat(struct linkplay *lp);

/* For the progress line: "120.00 bpm, 1 peer". */
void linkplay_describe(struct linkplay *lp, char *buf, size_t n);

/* With -v, at the end: how the map and the session got on. */
void linkplay_report(struct linkplay *lp);

void linkplay_close(struct linkplay *lp);

/* The stream's clock and conversions (stream.h): CTX is the linkplay;
 * nanoseconds from song time zero, where beat 0 falls. */
uint64_t linkplay_stream_clock(void *ctx);
double linkplay_stream_beat(void *ctx, uint64_t ns);
uint64_t linkplay_stream_ns(void *ctx, double beat);

#endif
