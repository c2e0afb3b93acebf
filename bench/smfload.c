/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smfload: how long libsmf takes to deliver the first event of a file, and
 * how much memory it holds then.  The alternative of the loading row of
 * `make bench`.
 *
 * Usage: smfload FILE.mid
 *
 * Times smf_load() plus the first smf_get_next_event(), which is what a
 * player built on libsmf does before it can send anything, and prints one
 * line on stdout:
 *     first_event_ms MS maxrss_kb KB events N
 * where MS counts from the start of main (the driver adds the process
 * start itself, the same for midiplay), KB is getrusage's ru_maxrss and N
 * the number of events libsmf loaded.  It exits without smf_delete(),
 * which is quadratic in the number of events (DESIGN.md): freeing is not
 * part of loading.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include <smf.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	double t0 = now_ms();
	struct rusage ru;
	smf_t *smf;
	smf_event_t *ev;

	if (argc != 2) {
		fprintf(stderr, "usage: smfload FILE.mid\n");
		return 2;
	}
	if ((smf = smf_load(argv[1])) == NULL) {
		fprintf(stderr, "smfload: %s: smf_load failed\n", argv[1]);
		return 1;
	}
	ev = smf_get_next_event(smf);
	double t1 = now_ms();
	if (ev == NULL) {
		fprintf(stderr, "smfload: %s: no event\n", argv[1]);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	long n = 0;
	for (int i = 1; i <= smf->number_of_tracks; i++)
		n += smf_get_track_by_number(smf, i)->number_of_events;
	printf("first_event_ms %.3f maxrss_kb %ld events %ld\n", t1 - t0,
	    ru.ru_maxrss, n);
	fflush(stdout);
	return 0;
}
