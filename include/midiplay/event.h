/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event: a timed MIDI message as the readers hand it to the scheduler,
 * and the source interface every reader implements.
 *
 * A time is exact: seconds from playback time zero = time / den, where den
 * is fixed for the whole source (ppq * 10^6 for an SMF with PPQ division,
 * for example).  No floating point anywhere on the timing path.
 */
#ifndef MIDIPLAY_EVENT_H
#define MIDIPLAY_EVENT_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 mp_u128;

/* The largest single message midiplay sends: it must fit a JACK MIDI port
 * buffer (32 KiB) with room to spare, and PipeWire's JACK crashed on an
 * event of 32736 bytes. */
#define MP_MAX_EVENT 16384

enum mp_event_kind {
	MP_EV_MIDI = 0,        /* send data[0 .. len) */
	MP_EV_PANIC,           /* note-offs for what sounds, then CC 64, 120,
	                        * 121 and 123 = 0 on every channel */
	MP_EV_META,            /* an SMF meta event, never sent: META is its
	                        * type, data[0 .. len) what it carries; only
	                        * from a reader asked for them */
	MP_EV_TEMPO            /* with --link: propose BPM to the session
	                        * from then on (never sent) */
};

struct mp_event {
	int kind;              /* enum mp_event_kind */
	mp_u128 time;          /* seconds = time / den of the source */
	uint64_t tick;         /* the source's own clock (SMF ticks) */
	const uint8_t *data;   /* the bytes to send; valid until the next call */
	uint32_t len;
	int track;             /* 0-based track (SMF); -1 if none */
	uint16_t port;         /* output port (ports.h), or PORTS_ALL */
	uint64_t offset;       /* byte offset (SMF) or line (stream) of origin */
	uint8_t meta;          /* MP_EV_META: the meta event's type */
	uint64_t tempo_num;    /* MP_EV_META 0x51 from a stream: its exact
	                        * tempo, num / den beats per minute (0: only
	                        * data's microseconds per quarter note) */
	uint64_t tempo_den;
	uint8_t beats;         /* with --link: time / den counts song beats
	                        * (quarter notes from playback's beat 0),
	                        * not seconds */
	double bpm;            /* MP_EV_TEMPO: beats per minute */
	uint8_t buf[4];        /* storage for short messages; data may point here */
};

/*
 * A source of events in non-decreasing time.  next() returns 1 with an
 * event, 0 at the end, -1 after reporting an error (the events before it
 * were good; nothing after it is returned).
 */
struct mp_source_ops {
	int (*next)(void *ctx, struct mp_event *ev);
};

struct mp_source {
	const struct mp_source_ops *ops;
	void *ctx;
	uint64_t den;          /* time units per second */
	const char *name;      /* for messages: the file, or "<stdin>" */
	int lines;             /* an event's offset is a line, not a byte */
	int rounded;           /* times were rounded half up to the unit
	                        * (a stream's nanoseconds): a time exactly on
	                        * a half frame may have come out just below
	                        * it, so frames are taken from half a unit
	                        * later, which gives the frame the exact time
	                        * would */
};

/* Bytes an event of LEN bytes takes in a JACK MIDI port buffer (jackd2's
 * and netjack2's): a 12-byte header, and the data too when it is longer
 * than the 4 bytes the header holds. */
static inline uint32_t
mp_event_cost(uint32_t len)
{
	return 12 + (len > 4 ? len : 0);
}

/*
 * Is D[0 .. LEN) one channel message: a status below 0xF0, as many data
 * bytes as it takes, all below 0x80?  (An F7 escape may carry anything;
 * this says when it carries one whole channel message.)
 */
static inline int
mp_channel_message(const uint8_t *d, uint32_t len)
{
	return len >= 2 && d[0] >= 0x80 && d[0] < 0xf0 &&
	    len == ((d[0] & 0xe0) == 0xc0 ? 2u : 3u) && d[1] < 0x80 &&
	    (len < 3 || d[2] < 0x80);
}

static inline int
mp_source_next(struct mp_source *s, struct mp_event *ev)
{
	return s->ops->next(s->ctx, ev);
}

#endif
