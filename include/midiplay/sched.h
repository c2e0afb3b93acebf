/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sched: the scheduler thread.  It takes events from a source (a reader),
 * turns their exact times into absolute frames from playback time zero,
 * and pushes them into the ring for the process callback, ahead of time.
 * It sleeps while the ring is full; it never spins.
 *
 * At the end of the source it pushes an END record; after a source error
 * (already reported), or at any end when asked to, an END_RELEASE record,
 * which makes the callback release the notes left sounding.
 */
#ifndef MIDIPLAY_SCHED_H
#define MIDIPLAY_SCHED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "midiplay/event.h"
#include "midiplay/ports.h"
#include "midiplay/ring.h"

/* What the ring carries: a header, then LEN bytes of MIDI. */
enum sched_rec_kind {
	SCHED_MIDI = 0,       /* send LEN bytes at FRAME */
	SCHED_END,            /* nothing follows: finish at FRAME */
	SCHED_END_RELEASE,    /* finish, releasing sounding notes, at FRAME */
	SCHED_PANIC,          /* note-offs for what sounds, then CC 64, 120,
	                       * 121, 123 = 0 on every channel; go on */
	SCHED_TEMPO           /* with --link: the session's tempo becomes
	                       * the double (8 bytes) that follows, at FRAME */
};

struct sched_rec {
	uint64_t frame;       /* frames from playback time zero (transport
	                       * frames when following the transport); with
	                       * BEAT, a song beat * 2^32 (linkmap.h) */
	uint16_t len;         /* (an event is at most MP_MAX_EVENT bytes) */
	uint16_t gen;         /* following the transport: the seek it was
	                       * read for (low bits); older ones are dropped */
	uint8_t kind;
	uint8_t port;         /* the output port (ports.h) */
	uint8_t beat;         /* --link: FRAME is a song beat */
	uint8_t pad;
};

/*
 * Following JACK transport (--transport): the process callback asks for
 * a seek by storing where (want_frame) and then a new want_gen; the
 * scheduler seeks the source there and feeds records of that generation,
 * and says when it has queued enough of them (ready_gen) for the
 * transport to roll.
 */
struct sched_follow {
	_Atomic uint64_t want_gen;
	_Atomic uint64_t want_frame;
	_Atomic uint64_t ready_gen;
	void (*seek)(void *ctx, uint64_t frame, uint32_t rate);
	void *seek_ctx;
};

struct sched {
	struct mp_source *src;
	struct ring *ring;
	uint32_t rate;
	pthread_t thread;
	int running;
	atomic_int quit;          /* main -> thread: stop feeding now */
	atomic_int finished;      /* thread -> main: END pushed or quit */
	int release_at_end;       /* end with END_RELEASE even when all is
	                           * well (--release) */
	struct sched_follow *follow; /* NULL, or follow the transport: run
	                           * until told to quit, seeking as asked */
	const struct ports *ports; /* NULL, or the outputs: an event for
	                           * every port (PORTS_ALL) is pushed once
	                           * for each */
	uint32_t max_cost;        /* 0, or refuse events that take more
	                           * bytes than this in a port buffer
	                           * (mp_event_cost), with an error */
	unsigned long refused;    /* events refused for max_cost */
	int status;               /* 0, or -1 after a source error */
	uint64_t events;          /* events pushed */
	_Atomic uint64_t last_frame; /* frame of the last record pushed; final
	                           * once finished is set */
};

/* Start feeding RING from SRC at RATE.  0, or -1 if no thread. */
int sched_start(struct sched *s, struct mp_source *src, struct ring *ring,
    uint32_t rate, int release_at_end);

/* The same, following the transport as FOLLOW says (see above) when it
 * is not NULL, refusing events above MAX_COST bytes when it is not 0,
 * to the outputs PORTS (NULL: one). */
int sched_start_follow(struct sched *s, struct mp_source *src,
    struct ring *ring, uint32_t rate, int release_at_end,
    struct sched_follow *follow, uint32_t max_cost,
    const struct ports *ports);

/* Run the thread SCHED_FIFO at PRIO: 0, or an errno (EPERM where the
 * system does not allow it). */
int sched_realtime(struct sched *s, int prio);

/* Ask the thread to stop early (it may be sleeping on a full ring). */
void sched_quit(struct sched *s);

/* Wait for the thread; returns its status (0, or -1 on source error). */
int sched_join(struct sched *s);

/* The feeding loop itself, run in the calling thread: for tests. */
int sched_run(struct sched *s);

#endif
