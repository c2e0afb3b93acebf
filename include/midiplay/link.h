/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link: Ableton Link behind a small C interface.  src/link.cpp is the only
 * C++ in midiplay; everything else sees this header.  (A build without
 * Link has src/link-none.c instead, whose mplink_open says so.)
 *
 * Times are microseconds of Link's clock (CLOCK_MONOTONIC_RAW on Linux),
 * beats are the session's beats as this peer counts them (their phase
 * against a quantum is shared by every peer).
 *
 * Two kinds of function, as in Link itself:
 * - app functions (mplink_open ... mplink_align_alone): any thread but
 *   the process callback; they may allocate, lock and wake Link's thread;
 * - rt functions (mplink_rt_*): for the process callback only, one thread:
 *   no allocation, lock or system call.  mplink_rt_capture takes the
 *   session as it is now into storage inside the mplink; the other rt
 *   functions read that captured copy, so that a whole cycle sees one
 *   consistent session.  midiplay never commits from the callback.
 * Functions returning int return 0 on success and -1 after reporting the
 * error through log.h, unless they say otherwise.
 */
#ifndef MIDIPLAY_LINK_H
#define MIDIPLAY_LINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mplink;

/* What the app side sees of the session, at one moment. */
struct mplink_session {
	int64_t time_us;        /* the moment: Link's clock */
	double tempo;           /* beats per minute */
	double beat;            /* the beat at time_us for the quantum */
	int playing;            /* start/stop state */
	int64_t playing_time_us; /* when it last started or stopped */
	size_t peers;           /* other peers in the session */
};

/* A Link instance at BPM (the session's tempo if it is alone), not yet
 * enabled.  NULL after reporting. */
struct mplink *mplink_open(double bpm);
void mplink_close(struct mplink *l);

/* Join (1) or leave (0) the session; with start/stop sync or without. */
void mplink_enable(struct mplink *l, int on);
void mplink_start_stop_sync(struct mplink *l, int on);

/* Link's clock now, in microseconds (safe in any thread: a clock read). */
int64_t mplink_clock_us(const struct mplink *l);

/* The session now, for QUANTUM. */
void mplink_session(struct mplink *l, double quantum,
    struct mplink_session *out);

/* Propose BPM to the session, taking effect at AT_US (the beat at AT_US
 * stays where it is). */
void mplink_propose_tempo(struct mplink *l, double bpm, int64_t at_us);

/*
 * Quantized launch: ask that BEAT fall at AT_US (alone: exactly then; with
 * peers: at the next moment after AT_US whose phase for QUANTUM is BEAT's,
 * so that the others' grid is never moved).  Returns the moment BEAT now
 * falls at.
 */
int64_t mplink_request_beat(struct mplink *l, double beat, int64_t at_us,
    double quantum);

/*
 * Start/stop sync: when the session plays, ask that BEAT fall when it
 * started, as mplink_request_beat does (with peers: at the next moment
 * from then with BEAT's phase).  Returns the moment BEAT now falls at, or
 * INT64_MIN when the session is not playing.
 */
int64_t mplink_request_beat_at_start(struct mplink *l, double beat,
    double quantum);

/*
 * Alone only: move this session's grid so that BEAT falls at AT_US, for a
 * peer whose own clock (JACK's frames) leads the session while nobody else
 * is in it.  Returns 1 when done, 0 when a peer is there (nothing moved).
 */
int mplink_align_alone(struct mplink *l, double beat, int64_t at_us,
    double quantum);

/* rt: capture the session for this cycle. */
void mplink_rt_capture(struct mplink *l);
/* rt: of the captured session. */
double mplink_rt_beat_at(const struct mplink *l, int64_t time_us,
    double quantum);
double mplink_rt_tempo(const struct mplink *l);
int mplink_rt_playing(const struct mplink *l);
int64_t mplink_rt_playing_time(const struct mplink *l);
/* rt: other peers in the session (when it was captured). */
size_t mplink_rt_peers(const struct mplink *l);

#ifdef __cplusplus
}
#endif

#endif
