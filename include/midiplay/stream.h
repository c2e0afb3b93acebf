/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream: midiplay's text event stream (midiplay -) as a source.
 *
 * It reads lines from a file descriptor without ever blocking on time,
 * parses each with stream_parse, stamps it with its arrival plus the
 * latency, applies the cursor, "@" times and timestamps, and keeps what is
 * not yet due in a heap ordered by (time, arrival order).  next() hands an
 * event over once it is within the latency of now, so that no line that
 * arrives later can need to go before it; at the end of input, everything
 * left goes out in order.
 *
 * Times are nanoseconds from playback time zero (den 10^9); with --link,
 * some are billionths of a song beat instead (the event's beats flag; see
 * stream.c).  A bad line is
 * reported as "<stdin>:LINE:COL: what" and skipped whole; with strict set,
 * next() returns -1 at the first one instead.
 */
#ifndef MIDIPLAY_STREAM_H
#define MIDIPLAY_STREAM_H

#include <stdint.h>
#include "midiplay/event.h"

/* Nanoseconds since playback time zero (0 before it). */
typedef uint64_t (*stream_clock_fn)(void *ctx);

struct stream_opts {
	int fd;                  /* where lines come from */
	const char *name;        /* for messages: "<stdin>" */
	stream_clock_fn clock;   /* NULL: no live clock (--dump): every line
	                          * arrives at time zero */
	void *clock_ctx;
	uint64_t latency_ns;     /* added to each line's arrival */
	int strict;              /* stop at the first bad line */
	struct ports *ports;     /* output ports: "port NAME" finds or adds
	                          * NAME there (ports.h); NULL: every event
	                          * to port 0, port lines ignored */
	int want_meta;           /* also return a tempo meta event (0x51,
	                          * with its exact tempo) where each tempo
	                          * command takes effect (--export) */
	/* --link: the song beat at NS from song time zero and the reverse,
	 * with the session as it is (CTX: clock_ctx); NULL without Link,
	 * where a beat is 60 / tempo seconds.  Then b durations count the
	 * session's beats, and tempo proposes a tempo to the session. */
	double (*beat_at)(void *ctx, uint64_t ns);
	uint64_t (*ns_at)(void *ctx, double beat);
};

struct stream;

/* 0, or -1 after reporting (out of memory). */
int stream_open(struct stream **sp, const struct stream_opts *opts);

/* A source (event.h) reading from S: 1 event, 0 at the end, -1 when strict
 * and a line was bad. */
void stream_source(struct stream *s, struct mp_source *src);

/* Whether the reader has taken every line the input held when it began
 * (it found nothing more to read at once, or the end, or stopped reading
 * with MAX_PENDING lines pending); any thread.  Playback starts after
 * that, so that ports those lines name move time zero. */
int stream_caught_up(const struct stream *s);

/* Make a blocked next() return 0 soon (from another thread). */
void stream_interrupt(struct stream *s);

/* Lines rejected so far. */
unsigned long stream_rejected(const struct stream *s);

void stream_close(struct stream *s);

#endif
