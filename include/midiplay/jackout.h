/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jackout: the JACK side.  It opens the client and its MIDI output port,
 * connects it, and owns the process callback, the only real-time code:
 * each cycle it writes every due event from the ring at its exact offset,
 * carries what does not fit to the next cycle, and tracks the notes it has
 * sounded so that it can release them when playback stops early.
 *
 * The callback talks to the main thread only through atomics.  Functions
 * return 0 (or a count) on success and -1 after reporting an error.
 */
#ifndef MIDIPLAY_JACKOUT_H
#define MIDIPLAY_JACKOUT_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <jack/jack.h>
#include "midiplay/event.h"
#include "midiplay/ports.h"
#include "midiplay/ring.h"
#include "midiplay/sched.h"

struct linkclock;

/* At most this many events in one cycle unless told (--cycle-limit):
 * PipeWire's JACK delivers nothing in a cycle of 1365 or more. */
#define JACKOUT_MAX_PER_CYCLE 1000

enum jackout_state {
	JO_IDLE = 0,      /* waiting for jackout_start */
	JO_PLAYING,       /* writing events from the ring */
	JO_RELEASING,     /* sending note-offs for what is sounding */
	JO_DONE           /* all sent; exit once done_cycle has completed */
};

/* One output port.  The callback's part is touched by the callback only,
 * once the port is published (jackout.nports). */
struct jackout_port {
	jack_port_t *port;
	int made_links;             /* jackout_connect made one */
	atomic_int armed;           /* main: connected as asked; the port may
	                             * carry events from the next cycle on */

	/* private to the process callback */
	int live;                   /* events may be written to it */
	uint64_t live_at;           /* from this frame time on */
	void *buf;                  /* this cycle's buffer */
	unsigned written;           /* events this cycle */
	uint32_t bytes;             /* of limit_bytes used this cycle */
	uint32_t last_off;          /* offset of the last event this cycle */
	uint8_t notes[16][128];     /* note-ons not yet turned off */
	uint16_t channels_used;
	unsigned release_pos;
	/* with several ports: what this port could not take yet, in order,
	 * so that the ring's events for the others need not wait */
	struct ring carry;
};

struct jackout {
	jack_client_t *client;
	struct ring ring;
	uint32_t rate;
	const char *name;           /* the client's */

	/* the output ports; the callback uses the first nports */
	struct jackout_port ports[PORTS_MAX];
	atomic_uint nports;

	/* shared with the process callback */
	atomic_int start;           /* main: play from the next cycle */
	atomic_int stop;            /* main: release notes and finish now */
	atomic_int state;           /* callback: enum jackout_state */
	atomic_int shutdown;        /* JACK: the server dropped us */
	_Atomic uint64_t cycles;    /* process calls so far */
	_Atomic uint64_t done_cycle;
	_Atomic uint64_t zero_frame;
	_Atomic uint64_t position;  /* frames since zero at the last cycle */
	_Atomic uint64_t sent, late, carried, xruns;
	_Atomic uint64_t limited;   /* cycles the budget held events back */

	/* --record: what was sent comes back through this ring (the
	 * callback produces, the main thread drains: record.h) */
	struct ring rec;
	int recording;
	_Atomic uint64_t rec_lost;  /* events the full ring could not take */

	/* the budget of a cycle (--cycle-limit), set before jackout_start;
	 * each port has its own */
	unsigned limit_events;      /* events: JACKOUT_MAX_PER_CYCLE unless told */
	uint32_t limit_bytes;       /* bytes of port buffer (mp_event_cost);
	                             * 0: only the buffer's own size */

	/* private to jackout_now_ns */
	uint32_t clock_last32;
	uint64_t clock_frames;
	int clock_started;

	/* set by jackout_start: frames from the first cycle that sees the
	 * start to time zero (0: that cycle); and, for a port armed later,
	 * from the cycle that sees it armed to its first event */
	uint32_t settle_frames;
	uint32_t settle_new;

	/* private to the process callback */
	int armed;
	uint64_t armed_at;
	int port_waits;             /* a port was armed before time zero */
	uint64_t port_armed_at;     /* (the last), when */
	int have_time;
	uint32_t last32;
	uint64_t now;               /* 64-bit frame time of this cycle */
	uint64_t cycle_pos;         /* frames from time zero to this cycle */
	uint64_t rec_zero;          /* --record: the first time zero's frame */
	int rec_zero_set;           /* (a Link restart moves time zero; the
	                             * recording keeps the first) */
	unsigned np;                /* ports this cycle */
	uint64_t carry_until;       /* events before this were carried */
	int cycle_limited;          /* the budget held an event back */
	int stopping;               /* jackout_stop was seen */
	uint8_t scratch[MP_MAX_EVENT]; /* an event on its way to a carry */

	/* following the transport (jackout_follow): records carry
	 * transport frames; the callback asks the scheduler to seek */
	int transport;
	int clock;                  /* also Stop and Continue on stop/roll */
	struct sched_follow follow;
	uint64_t t_gen;             /* seeks asked for (callback only) */
	uint64_t t_rolled_gen;      /* the last seek it rolled after */
	uint64_t t_frame;           /* transport frame expected next */
	int t_rolling;
	int t_pending;              /* 0xFC (stop) or 0xFB (continue) to
	                             * send, or 0 */
	int release_mode;           /* enum jackout_release */
	uint32_t release_off;

	/* latency (JACK's latency callback): what the output's playback
	 * latency is, and what midiplay adds to what leaves it (a stream's
	 * --latency), in frames */
	_Atomic uint32_t play_latency;
	_Atomic uint32_t added_latency;

	/* --link (jackout_link): records may carry song beats; playback
	 * starts when the session's beat 0 comes; with start/stop sync it
	 * stands while the session does */
	struct linkclock *lk;
	int lk_sync;
};

/* Why the callback is releasing notes, which decides what follows. */
enum jackout_release {
	JO_REL_STOP,      /* stopped early: drop the queue, then done */
	JO_REL_END,       /* END_RELEASE: the queue is empty; then done */
	JO_REL_PANIC,     /* a panic event: then go on playing */
	JO_REL_TRANSPORT  /* the transport stopped or moved: keep the queue,
	                   * go on */
};

/* Open client NAME (never starting a server) with no port yet, a ring
 * of RING_SIZE bytes, a ring of RECORD_SIZE bytes through which what is
 * sent comes back (--record; 0 for none), and activate it. */
int jackout_open(struct jackout *jo, const char *name, size_t ring_size,
    size_t record_size);

/* Register the output port NAME:PORT_NAME as port INDEX (the next one),
 * to be published by jackout_publish once connected.  0, or -1. */
int jackout_add_port(struct jackout *jo, unsigned index,
    const char *port_name);

/* Let the callback use port INDEX: at once before playing, else from the
 * cycle after this one (so that what it sends finds the connections just
 * made: on PipeWire, two periods and at least 10 ms later). */
void jackout_publish(struct jackout *jo, unsigned index);

/* Undo jackout_add_port of an output that was never published (its
 * connection failed): unregister it, free its carry ring. */
void jackout_drop_port(struct jackout *jo, unsigned index);

/* Connect output INDEX to PATTERN: an exact port name, or else every MIDI
 * input whose name or alias contains it, ignoring case.  Returns how many
 * connections were made; none is an error listing the MIDI inputs. */
int jackout_connect(struct jackout *jo, unsigned index, const char *pattern);

/* Number of connections output INDEX has. */
int jackout_connections(struct jackout *jo, unsigned index);

/* The full name of output INDEX ("client:port"). */
const char *jackout_port_name(struct jackout *jo, unsigned index);

/* Print the MIDI input ports (with their aliases) to OUT. */
void jackout_list(jack_client_t *client, FILE *out);

/* Follow JACK transport instead of playing from time zero: SEEK(CTX,
 * FRAME, RATE) repositions the source; CLOCK: send Stop when the
 * transport stops and Continue when it rolls on.  Before jackout_start. */
void jackout_follow(struct jackout *jo, void (*seek)(void *, uint64_t,
    uint32_t), void *ctx, int clock);

/* Play on a Link session through LK (linkclock.h), with start/stop sync
 * when SYNC (then SEEK(CTX, 0, RATE) replays the source from its start at
 * each start, and CLOCK sends Stop at each stop).  Before jackout_start:
 * the callback looks at LK only once it has seen the start. */
void jackout_link(struct jackout *jo, struct linkclock *lk, int sync,
    void (*seek)(void *, uint64_t, uint32_t), void *ctx, int clock);

/* Read the output's playback latency again (main thread).  PipeWire's
 * JACK does not always call the latency callback when a peer's latency
 * arrives after the connection: --link reads it itself, as it waits. */
void jackout_poll_latency(struct jackout *jo);

/* Tell JACK that what leaves the output is FRAMES later than it was meant
 * (the capture latency of the port, for hosts that compensate). */
void jackout_added_latency(struct jackout *jo, uint32_t frames);

/* Start playing: time zero is the first cycle that begins after this. */
void jackout_start(struct jackout *jo);

/* Stop early: drop what is queued, release sounding notes. */
void jackout_stop(struct jackout *jo);

/* 1 once everything was sent and the cycle carrying it has completed. */
int jackout_finished(struct jackout *jo);

/* Nanoseconds of playback since time zero, 0 before it.  For one thread
 * other than the process callback (it keeps 64-bit state). */
uint64_t jackout_now_ns(struct jackout *jo);

/* Notes the callback has sounded and not turned off (once it is done). */
unsigned jackout_sounding(struct jackout *jo);

/* Deactivate and close; safe on a client the server dropped. */
void jackout_close(struct jackout *jo);

/* Open a client for listing ports only.  NULL after reporting. */
jack_client_t *jackout_open_client(const char *name);

#endif
