/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linkmap: the arithmetic of playing on a Link session's beats, as pure
 * functions (no JACK, no Link), so that a test can drive them.
 *
 * Song beats count quarter notes from playback's beat 0.  With --link a
 * ring record's time is an exact song beat in fixed point (beats * 2^32).
 * The process callback turns song beats into frames through a map: a
 * line through one (beat, frame) point at the session's tempo, frames
 * counted from song time zero at the JACK rate.  Within the map frames are
 * exact as with --bpm: the map moves only when the session's tempo
 * changes, or when it and the session part by more than a tolerance (then
 * the map follows the session when there are peers, and the session is
 * aligned to the map when midiplay is alone in it).
 *
 * A cycle's view (struct linkmap_cycle) ties the cycle's frames to Link's
 * clock: JACK's cycle times (its DLL's), the offset between JACK's clock
 * and Link's measured that cycle, and the output's latency, since a Link
 * beat is the moment it is heard.
 */
#ifndef MIDIPLAY_LINKMAP_H
#define MIDIPLAY_LINKMAP_H

#include <stdint.h>

/* Song beats in a record: beats * 2^32, so that 4 billion beats fit. */
#define LINKMAP_FX 4294967296.0

/* The map and the session may part by this much (beats) before the map
 * follows a session with peers; alone, before the session is aligned. */
#define LINKMAP_TOL_PEERS 0.0001
#define LINKMAP_TOL_ALONE 0.001

struct linkmap {
	double beat;      /* song beat ... */
	double frame;     /* ... at this frame (from song time zero) */
	double fpb;       /* frames a beat */
	double bpm;       /* the tempo it was made at */
};

/* The line through (BEAT, FRAME) at BPM, RATE frames a second. */
void linkmap_set(struct linkmap *m, double beat, double frame, double bpm,
    uint32_t rate);

/* The frame of song beat BEAT, and the song beat of frame FRAME. */
double linkmap_frame(const struct linkmap *m, double beat);
double linkmap_beat(const struct linkmap *m, double frame);

/* FRAME, a song beat's frame by a map of FPB frames a beat, rounded half
 * up, 0 below 0.  A song beat in a record is within 2^-33 beat of the
 * exact one and a product of doubles has its own rounding, so an exact
 * half frame may come out a hair below: a 2^-32 beat's worth of frames
 * is added first, which gives the frame --bpm's integer arithmetic does
 * (unless the exact time is as near below a half frame). */
uint64_t linkmap_round(double frame, double fpb);

/* A record's song beat, from its fixed point. */
static inline double
linkmap_fx_beat(uint64_t fx)
{
	return (double)fx / LINKMAP_FX;
}

/* One cycle, on Link's clock. */
struct linkmap_cycle {
	double t_us;          /* when its first frame is heard (Link µs) */
	double us_per_frame;  /* its frames, by JACK's cycle times */
	double beat;          /* the session's beat at t_us */
	double beats_per_us;  /* the session's tempo then */
};

/*
 * The cycle that begins at JACK time CUR_US and ends at NEXT_US (JACK's
 * jack_get_cycle_times), NFRAMES long: Link time = JACK time +
 * CLOCK_OFFSET_US; its frames are heard LATENCY_US after they leave.
 * beat and beats_per_us are left for the caller (from the session).
 */
void linkmap_cycle_init(struct linkmap_cycle *c, int64_t cur_us,
    int64_t next_us, uint32_t nframes, double clock_offset_us,
    double latency_us);

/* Link time at which frame OFF of the cycle (may be fractional, negative
 * or past its end) is heard, and the reverse. */
double linkmap_cycle_time(const struct linkmap_cycle *c, double off);
double linkmap_cycle_offset(const struct linkmap_cycle *c, double t_us);

/* The frame offset in the cycle at which the session's beat BEAT is
 * heard. */
double linkmap_cycle_offset_of_beat(const struct linkmap_cycle *c,
    double beat);

/*
 * What to do with map M at the start of a cycle whose first frame is
 * FRAME (from song time zero), when the session says SESSION_BEAT at
 * SESSION_BPM there, with PEERS other peers.
 */
enum linkmap_verdict {
	LINKMAP_KEEP,         /* the map holds */
	LINKMAP_FOLLOW,       /* move the map onto the session, from here */
	LINKMAP_ALIGN         /* alone: move the session onto the map */
};
enum linkmap_verdict linkmap_check(const struct linkmap *m, double frame,
    double session_beat, double session_bpm, unsigned long peers);

/*
 * Where playback's song beat 0 falls in a cycle of NFRAMES whose first
 * frame is heard at the session's beat BEAT0, BEATS_PER_FRAME apart:
 * 1 with *SHIFT the frame offset of the first frame at or after it (so
 * that song time zero is a whole frame), 0 when it comes after this
 * cycle.  When it has passed already (BEAT0 > 0), 1 with *SHIFT that
 * frame's offset before the cycle, negative: a late start.
 */
int linkmap_launch(double beat0, double beats_per_frame, uint32_t nframes,
    int64_t *shift);

#endif
