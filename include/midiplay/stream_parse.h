/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream_parse: one line of midiplay's text stream into actions.
 *
 * The language takes SendMIDI's MIDI message commands (not its device,
 * file or MPE commands), and ReceiveMIDI's output lines parse as they
 * are.  A line holds time tokens and commands
 * in any number; '#' starts a comment.  Parsing knows nothing of arrival
 * times or cursors (stream.c applies those): it turns tokens into MIDI
 * bytes and time actions, with durations already in nanoseconds (beats
 * converted at the tempo in effect).
 *
 * A line is all or nothing: on error nothing of it is returned and the
 * sticky state (channel, hex/dec, octave of middle C, tempo) is left as it
 * was before the line.
 */
#ifndef MIDIPLAY_STREAM_PARSE_H
#define MIDIPLAY_STREAM_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum sp_kind {
	SP_SEND,      /* send bytes[off .. off+len) at the line's time */
	SP_NOTE,      /* note-on bytes[off..off+3) now, note-off (0x8n, key,
	               * velocity 0) ns later */
	SP_PANIC,     /* note-offs for what sounds, then CC 64, 120, 121, 123
	               * = 0 on all channels */
	SP_WAIT,      /* "+DUR", "wait DUR", "+SS.mmm", "+HH:MM:SS.mmm":
	               * cursor = max(cursor, arrival) + ns */
	SP_AT,        /* "@TIME": the line's time is ns from time zero */
	SP_STAMP,     /* "HH:MM:SS.mmm": a ReceiveMIDI timestamp, ns since
	               * 00:00:00.000 */
	SP_PORT,      /* "port NAME": the commands after it go to the
	               * output port NAME (bytes[off .. off+len)) */
	SP_TEMPO      /* "tempo BPM": beats of later durations are at
	               * tempo_num / tempo_den (= bpm) beats per minute from
	               * here on (applied to them already, but with --link,
	               * where b stays beats); with --link a proposal of BPM
	               * to the session at the line's time, with --export a
	               * tempo event */
};

struct sp_action {
	enum sp_kind kind;
	uint64_t ns;          /* WAIT, AT, STAMP: the time; NOTE: duration */
	uint32_t off, len;    /* SEND, NOTE: the bytes in sp_line.bytes */
	int col;              /* 1-based column of the command or token */
	uint64_t tempo_num;   /* TEMPO: beats per minute = num / den */
	uint64_t tempo_den;
	int beats;            /* WAIT, AT, NOTE with beats (--link): ns
	                       * counts billionths of a session beat */
	double bpm;           /* TEMPO */
};

/* Sticky state, carried from line to line. */
struct sp_state {
	int channel;          /* 0..15; "ch 1" is 0 */
	int hex;              /* bare numbers read as hexadecimal */
	int omc;              /* octave of middle C, default 3: C3 = 60 */
	uint64_t tempo_num;   /* tempo in beats per minute = num / den */
	uint64_t tempo_den;   /* (default 120 / 1) */
	int beats;            /* --link: a duration in b stays in beats, and
	                       * tempo is an SP_TEMPO action (not sticky
	                       * state: set by the caller, never changed) */
};

/* What one line parsed into; reused from line to line. */
struct sp_line {
	struct sp_action *actions;
	size_t n, cap;
	uint8_t *bytes;
	size_t nbytes, bytes_cap;
};

struct sp_error {
	int col;              /* 1-based column where it is wrong */
	char msg[160];        /* what is wrong, for people */
};

/* The default state: channel 1, decimal, middle C octave 3, 120 bpm. */
void sp_state_init(struct sp_state *st);

/*
 * Parse LEN bytes of LINE (no newline; may hold any bytes, NUL included).
 * 0 with OUT filled (possibly with no action: a blank line or a comment),
 * or -1 with ERR filled and ST unchanged.
 */
int sp_parse_line(struct sp_state *st, const char *line, size_t len,
    struct sp_line *out, struct sp_error *err);

void sp_line_free(struct sp_line *out);

#endif
