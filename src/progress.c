/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress: the progress line and -v's markers and lyrics.  See
 * progress.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "midiplay/log.h"
#include "midiplay/progress.h"

void
progress_clear(struct progress *sh)
{
	if (sh->drawn) {
		fputs("\r\033[K", stderr);
		sh->drawn = 0;
	}
}

static void
fmt_clock(char *buf, size_t n, double s)
{
	long t = (long)(s * 10);

	snprintf(buf, n, "%ld:%02ld.%ld", t / 600, t / 10 % 60, t % 10);
}

/* Take what has passed by NOW seconds; print it, and redraw the line. */
void
progress_update(struct progress *sh, double now, double total, int force)
{
	struct ctl_info in;
	struct timespec t;
	char el[32], tot[32], where[128] = "", bar[24];

	if (sh->control == NULL)
		return;
	while (control_take_info(sh->control, now, &in)) {
		if (in.kind == CTL_INFO_POS) {
			sh->pos = in;
			sh->have_pos = 1;
		} else if (sh->verbose) {
			progress_clear(sh);
			log_info("%s at %s%.3f%s: %s", in.kind ==
			    CTL_INFO_MARKER ? "marker" : "lyric", sh->beats ?
			    "beat " : "", in.seconds, sh->beats ? "" : " s",
			    in.text);
		}
	}
	if (!sh->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!force && (t.tv_sec - sh->last_draw.tv_sec) * 1000000000L +
	    (t.tv_nsec - sh->last_draw.tv_nsec) < 200000000L)
		return;
	sh->last_draw = t;
	if (sh->beats) {
		snprintf(el, sizeof el, "beat %.1f", now);
		if (total >= 0)
			snprintf(tot, sizeof tot, "%.1f", total);
		else
			snprintf(tot, sizeof tot, "?");
	} else {
		fmt_clock(el, sizeof el, now);
		if (total >= 0)
			fmt_clock(tot, sizeof tot, total);
		else
			snprintf(tot, sizeof tot, "?");
	}
	if (sh->have_pos && control_ppq(sh->control) > 0) {
		const struct ctl_info *p = &sh->pos;
		double ppq = control_ppq(sh->control);
		double tick = p->tick + (now - p->seconds) * 1e6 * ppq /
		    p->usec_per_quarter;
		double beat_ticks = ppq * 4 / p->sig_den;
		double beats = floor((tick - p->sig_tick) / beat_ticks);
		long b = beats < 0 ? 0 : (long)beats;

		snprintf(where, sizeof where, "  %llu:%ld",
		    (unsigned long long)p->sig_bar + (unsigned long)
		    (b / (long)p->sig_num), b % (long)p->sig_num + 1);
		/* (with --link, the session's tempo below instead) */
		if (!sh->beats)
			snprintf(where + strlen(where), sizeof where -
			    strlen(where), "  %.1f bpm",
			    60e6 / p->usec_per_quarter);
	}
	if (sh->beats)
		snprintf(where + strlen(where), sizeof where - strlen(where),
		    "  %s", sh->link);
	bar[0] = '\0';
	if (total > 0) {
		int i, full = (int)(now / total * 20);

		bar[0] = '[';
		for (i = 0; i < 20; i++)
			bar[1 + i] = i < full ? '#' : '-';
		bar[21] = ']';
		bar[22] = '\0';
	}
	fprintf(stderr, "\r%s / %s%s  %s\033[K", el, tot, where, bar);
	sh->drawn = 1;
}
