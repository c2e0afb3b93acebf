/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control: playback control over an SMF reader, as a source (event.h).
 *
 * It changes what the reader gives without giving up exact timing: a speed
 * factor (--tempo) or a fixed tempo in place of the file's map (--bpm), a
 * start and an end position (--start, --end) with the state in effect at
 * the start chased, passes repeated exactly one loop length apart
 * (--loop), a choice of tracks and channels, transposition, and MIDI beat
 * clock (--clock).  Every time stays an exact rational: the source's den
 * is the song's units per second times the speed factor's numerator.
 *
 * Song time is the file's own time: with the file's tempo map, or with
 * --bpm's.  Positions in seconds are song seconds (before --tempo), to the
 * microsecond; bar:beat[:tick] counts from 1:1 in the file's time
 * signatures.
 */
#ifndef MIDIPLAY_CONTROL_H
#define MIDIPLAY_CONTROL_H

#include <stdint.h>
#include "midiplay/event.h"
#include "midiplay/smf_reader.h"

enum ctl_pos_kind { CTL_POS_NONE = 0, CTL_POS_SECONDS, CTL_POS_BBT };

struct ctl_pos {
	enum ctl_pos_kind kind;
	uint64_t us;              /* CTL_POS_SECONDS: microseconds */
	uint32_t bar, beat, tick; /* CTL_POS_BBT: from 1, from 1, from 0 */
};

struct control_opts {
	uint64_t speed_num, speed_den;  /* --tempo: 1/1 plays as written */
	uint64_t bpm_num, bpm_den;      /* --bpm; bpm_num 0: the file's map */
	struct ctl_pos start, end;
	long loops;                     /* passes: 1, or 0 for ever */
	const uint8_t *tracks;          /* 65536 flags by 0-based track, or
	                                 * NULL for all */
	uint16_t channels;              /* bit N: channel N+1 plays */
	int transpose;                  /* semitones */
	int clock;                      /* send MIDI beat clock */
	int ticks;                      /* for --export: give every event
	                                 * its output tick (ev.tick) and track,
	                                 * and pass meta events through (see
	                                 * control_open) */
	int link;                       /* --link: times are song beats
	                                 * (the event's beats flag; with
	                                 * bpm 60/1 a song second is a beat) */
	int publish;                    /* --link-publish: the file's tempo
	                                 * at the start and at each change
	                                 * comes out as an MP_EV_TEMPO */
};

struct control;

/* Nonzero when O asks for anything but plain playback. */
int control_needed(const struct control_opts *o);

/*
 * Control R (which it reads, rewinds, and asks for meta events).  0, or
 * -1 after reporting (an option the file cannot honour, no memory).
 *
 * With O->ticks, each event's tick is its tick in the output (the file's
 * division: ticks from the start, passes one after another; from the
 * output time for an SMPTE division), rounded to the nearest, and the
 * file's meta events pass through (MP_EV_META) at theirs: a pass begins
 * with the tempo in effect at its start (--bpm's, or the file's scaled by
 * --tempo), the time signature and each track's names, key signature and
 * port in effect there; tempo events are scaled by --tempo and dropped
 * under --bpm.  What control itself sends (the state chased at --start,
 * note-offs at the end of a pass) carries the track of the event it
 * stands for.
 */
int control_open(struct control **cp, struct smf_reader *r, const char *name,
    const struct control_opts *o);

/* A source (event.h) reading through C. */
void control_source(struct control *c, struct mp_source *src);

/*
 * What passes, for the main thread to show as it plays (progress, -v):
 * where the song is (at each pass start, tempo and time signature), and
 * the text of markers and lyrics.  Recorded only once asked for, by the
 * thread that reads from C; taken by another under a lock.
 */
enum ctl_info_kind { CTL_INFO_POS, CTL_INFO_MARKER, CTL_INFO_LYRIC };

struct ctl_info {
	enum ctl_info_kind kind;
	double seconds;          /* output time from playback time zero */
	/* CTL_INFO_POS: the song there */
	double tick;             /* song tick */
	double usec_per_quarter; /* as played, --tempo included */
	double sig_tick;         /* the bar numbered sig_bar begins there */
	uint64_t sig_bar;
	uint32_t sig_num, sig_den;
	/* CTL_INFO_MARKER, CTL_INFO_LYRIC */
	char text[128];
};

void control_want_info(struct control *c, int on);

/* The oldest record at or before SECONDS into OUT: 1, or 0 if none. */
int control_take_info(struct control *c, double seconds, struct ctl_info *out);

/* Ticks per quarter note (0: SMPTE, no bars). */
int control_ppq(const struct control *c);

/*
 * Follow JACK transport: play again from transport frame FRAME at RATE
 * (song seconds = FRAME / RATE, times --tempo's factor), after the state
 * in effect there, which goes out at exactly FRAME; times are then song
 * times, so that an event's frame is its transport frame.  Not with
 * --start, --end or --loop.
 */
void control_seek(struct control *c, uint64_t frame, uint32_t rate);

/* Notes dropped because --transpose took them out of 0-127. */
unsigned long control_dropped(const struct control *c);

void control_close(struct control *c);

#endif
