/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkclock: playing on a Link session (--link), between the session
 * (link.h), the process callback (jackout.c) and the main thread.
 *
 * With --link a ring record's time is either an exact song beat (the
 * record's beat flag; beats * 2^32, see linkmap.h) or, as without Link,
 * frames from song time zero (a stream's seconds).  Each cycle the
 * callback captures the session once (linkclock_cycle), ties the cycle's
 * frames to Link's clock (JACK's cycle times, the offset between JACK's
 * clock and Link's measured then, the output's playback latency and
 * --offset), checks its beat map against the session (linkmap.h), and
 * turns each due record's beat into a frame (linkclock_frame).
 *
 * Song time zero is where the session's beat 0 falls after a quantized
 * launch: the main thread asks the session for it (alone: at once; with
 * peers: on the next quantum boundary; with start/stop sync: when the
 * session starts), and the callback starts in the cycle it falls in.
 *
 * The callback never commits to the session.  What it wants committed (a
 * tempo change met in the ring, a realignment of a session it is alone
 * in) goes to the main thread through a small lock-free queue, and
 * linkclock_service, called from the main loop, commits it; until then
 * the callback's map leads, so that nothing waits on the main thread.
 *
 * Functions marked "callback" are for the process callback only (no
 * allocation, lock or system call; clock reads are vDSO calls); "main",
 * for the main thread; "any", for any thread but the callback.
 */
#ifndef MIDIPLAY_LINKCLOCK_H
#define MIDIPLAY_LINKCLOCK_H

#include <stdatomic.h>
#include <stdint.h>
#include <jack/jack.h>

#include "midiplay/link.h"
#include "midiplay/linkmap.h"
#include "midiplay/sched.h"

#define LINKCLOCK_REQS 64

enum linkclock_req_kind { LINKCLOCK_TEMPO, LINKCLOCK_ALIGN };

/* A commit the callback asks the main thread for. */
struct linkclock_req {
	int kind;
	double bpm;         /* TEMPO: from at_us on */
	double beat;        /* the song beat at at_us, as the callback has it */
	int64_t at_us;
};

struct linkclock {
	struct mplink *link;
	jack_client_t *client;
	double quantum;
	uint32_t rate;
	int64_t offset_us;          /* --offset */
	int sync;                   /* --link-start-stop */

	/* main -> callback */
	atomic_uint launch_seq;     /* launches asked of the session */
	_Atomic uint64_t req_done;  /* requests committed */

	/* callback -> main */
	struct linkclock_req req[LINKCLOCK_REQS];
	_Atomic uint64_t req_head;  /* requests made (callback) */
	_Atomic uint64_t req_tail;  /* requests taken (main) */
	_Atomic uint64_t req_lost;  /* made with the queue full */
	_Atomic uint64_t follows, aligns, launches;
	_Atomic uint64_t lates;        /* late starts (release: the two
	                                * below are written) */
	_Atomic uint64_t late_frames;  /* the last one: how late */
	atomic_int late_alone;         /* and whether it moved the session */
	_Atomic uint64_t latency_us;   /* the last cycle's output latency */

	/* the callback's map and song time zero, for other threads */
	atomic_uint pub_seq;        /* odd while being written */
	_Atomic uint64_t pub_beat, pub_frame, pub_bpm;  /* doubles' bits */
	_Atomic uint64_t pub_shift;

	/* main only (linkclock_service) */
	size_t svc_peers;
	double svc_tempo;
	int svc_playing;
	int64_t svc_started;

	/* callback only */
	struct linkmap map;
	struct linkmap_cycle cyc;
	double session_bpm;
	unsigned long peers;
	unsigned seen_launch;       /* launch_seq when the cycle began */
	unsigned launched;          /* the last launch it started */
	uint64_t seen_done;         /* req_done when the cycle began */
	uint64_t override_until;    /* the map leads until this request is
	                             * committed (0: it does not) */
	uint64_t align_until;       /* an alignment asked, not yet done */
	int playing;                /* launched and not stopped */
	int64_t shift;              /* song time zero: frames after zero
	                             * (before it, for a late start) */
	uint64_t cycle_frame;       /* the cycle's first frame from zero */
};

/* main: set up LK for LINK, playing through CLIENT (before activation
 * is fine) with QUANTUM, OFFSET_US (--offset) and start/stop sync. */
void linkclock_init(struct linkclock *lk, struct mplink *link,
    jack_client_t *client, double quantum, int64_t offset_us, int sync);

/* callback: the session and the clocks for this cycle; LATENCY_FRAMES is
 * the output's playback latency (JACK's latency callback), CYCLE_FRAME
 * its first frame from playback's zero (jackout's zero_frame; any value
 * before the start). */
void linkclock_cycle(struct linkclock *lk, uint32_t nframes,
    uint32_t latency_frames, uint64_t cycle_frame);

/* callback: 1 when playback starts in this cycle (the main thread asked
 * for a launch, and song beat 0 falls before its end); jackout's zero is
 * then this cycle's first frame. */
int linkclock_launch(struct linkclock *lk, uint32_t nframes);

/* callback, start/stop sync: 1 with *OFF when the session stops playing
 * by the end of this cycle (at offset *OFF). */
int linkclock_stopped(struct linkclock *lk, uint32_t nframes, uint32_t *off);

/* callback: a record's frame from jackout's zero. */
uint64_t linkclock_frame(const struct linkclock *lk,
    const struct sched_rec *rec);

/* callback: a tempo record (SCHED_TEMPO) of BPM is due: the map turns
 * there, and the main thread is asked to propose it. */
void linkclock_tempo(struct linkclock *lk, const struct sched_rec *rec,
    double bpm);

/* main: ask for playback's launch LEAD_US from now (alone: then; with
 * peers: the next quantum boundary after).  Returns when beat 0 falls,
 * in microseconds from now. */
int64_t linkclock_start(struct linkclock *lk, int64_t lead_us);

/* main, from the main loop: commit what the callback asked for; with
 * start/stop sync, ask for a launch when the session starts.  VERBOSE:
 * say what happens (peers, starts and stops). */
void linkclock_service(struct linkclock *lk, int verbose);

/* any: the map as the callback has it (before the start: the one
 * linkclock_start made).  *SHIFT: song time zero, in frames after
 * jackout's zero. */
void linkclock_map(struct linkclock *lk, struct linkmap *m, int64_t *shift);

/* any: song beat at NS from song time zero, and the reverse (for the
 * stream, which mixes beats and seconds). */
double linkclock_beat_at_ns(struct linkclock *lk, uint64_t ns);
uint64_t linkclock_ns_at_beat(struct linkclock *lk, double beat);

#endif
