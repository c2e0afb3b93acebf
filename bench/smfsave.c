/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smfsave: libsmf's writing path on the events of a file, for the export
 * row of `make bench`: is libsmf fit to write what --export writes?
 *
 * Usage: smfsave IN.mid OUT.mid
 *
 * Reads IN.mid's events with midiplay's own reader (not timed): its MIDI
 * events and its meta events (tempo and the rest, but End-of-Track, which
 * libsmf writes itself, and any longer than 127 bytes, which the bench's
 * files have none of), so that the file written holds what --export
 * writes.  Then it
 * times the three steps a writer built on libsmf takes: building the file
 * in memory (smf_new, smf_add_track, smf_track_add_event_pulses for each
 * event), smf_save, and smf_delete.  Prints one line on stdout:
 *     build_ms MS save_ms MS delete_ms MS maxrss_kb KB events N
 * smf_delete is stopped after DELETE_LIMIT seconds (it was measured
 * quadratic on reading: DESIGN.md): delete_ms is then "-" and the line
 * says "delete_stopped".
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <smf.h>

#include "midiplay/log.h"
#include "midiplay/smf_reader.h"

static double t_delete;
static double build_ms, save_ms;
static long nevents;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* smf_delete took too long: say so and stop. */
static void
on_alarm(int sig)
{
	char line[160];
	int n;

	(void)sig;
	n = snprintf(line, sizeof line, "build_ms %.1f save_ms %.1f "
	    "delete_ms - maxrss_kb %ld events %ld delete_stopped\n", build_ms,
	    save_ms, maxrss_kb(), nevents);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(1);
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct smf_reader *r;
	struct mp_event ev;
	smf_track_t **tracks;
	smf_t *smf;
	uint8_t meta[3 + 127];
	double t0;
	int i, n;
	unsigned limit = getenv("DELETE_LIMIT") ? (unsigned)atoi(
	    getenv("DELETE_LIMIT")) : 60;

	if (argc != 3) {
		fprintf(stderr, "usage: smfsave IN.mid OUT.mid\n");
		return 2;
	}
	log_init("smfsave", LOG_QUIET);
	if (smf_reader_open(&r, argv[1]) < 0)
		return 1;
	n = smf_reader_ntracks(r);
	t0 = now_ms();
	smf = smf_new();
	if (smf == NULL || smf_set_ppqn(smf, smf_reader_ppq(r)) != 0)
		return 1;
	tracks = calloc((size_t)n, sizeof *tracks);
	for (i = 0; i < n; i++) {
		tracks[i] = smf_track_new();
		smf_add_track(smf, tracks[i]);
	}
	smf_reader_want_meta(r, 1);
	while (smf_reader_next(r, &ev) == 1) {
		smf_event_t *e;

		if (ev.track < 0 || ev.track >= n)
			continue;
		if (ev.kind == MP_EV_META) {
			/* a one-byte length: 127 bytes at most */
			if (ev.meta == 0x2F || ev.len > 127)
				continue;
			meta[0] = 0xFF;
			meta[1] = ev.meta;
			meta[2] = (uint8_t)ev.len;
			memcpy(meta + 3, ev.data, ev.len);
			e = smf_event_new_from_pointer(meta, (int)ev.len + 3);
		} else if (ev.kind == MP_EV_MIDI) {
			e = smf_event_new_from_pointer((void *)ev.data,
			    (int)ev.len);
		} else {
			continue;
		}
		if (e == NULL)
			return 1;
		smf_track_add_event_pulses(tracks[ev.track], e,
		    (int)ev.tick);
		nevents++;
	}
	build_ms = now_ms() - t0;
	t0 = now_ms();
	if (smf_save(smf, argv[2]) != 0) {
		fprintf(stderr, "smfsave: %s: smf_save failed\n", argv[2]);
		return 1;
	}
	save_ms = now_ms() - t0;
	signal(SIGALRM, on_alarm);
	alarm(limit);
	t0 = now_ms();
	smf_delete(smf);
	t_delete = now_ms() - t0;
	alarm(0);
	printf("build_ms %.1f save_ms %.1f delete_ms %.1f maxrss_kb %ld "
	    "events %ld\n", build_ms, save_ms, t_delete, maxrss_kb(),
	    nevents);
	smf_reader_close(r);
	return 0;
}
