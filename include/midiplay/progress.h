/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress: what the main thread shows while a file plays: the progress
 * line on a terminal (time played and length, bar:beat, tempo, a bar),
 * and with -v the markers and lyrics as they pass.  Never called from the
 * process callback.
 */
#ifndef MIDIPLAY_PROGRESS_H
#define MIDIPLAY_PROGRESS_H

#include <time.h>
#include "midiplay/control.h"

struct progress {
	struct control *control;  /* NULL: nothing to show */
	int progress;             /* draw the line (stderr is a terminal) */
	int verbose;              /* print markers and lyrics */
	int drawn;                /* a line is on the screen */
	int have_pos;
	struct ctl_info pos;
	struct timespec last_draw;
	/* --link: positions are song beats, and LINK (the session's tempo
	 * and peers) is shown instead of the file's tempo */
	int beats;
	char link[64];
};

/* Take from the control what has passed by NOW seconds of playback (of
 * TOTAL, or -1 when not yet known; song beats with BEATS): print markers
 * and lyrics with -v, and redraw the line (at most five times a second
 * unless FORCE). */
void progress_update(struct progress *sh, double now, double total, int force);

/* Erase the line, before anything else is printed. */
void progress_clear(struct progress *sh);

#endif
