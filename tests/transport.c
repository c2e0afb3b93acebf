/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport - drive the JACK transport, for the midiplay tests.
 *
 * Usage: transport COMMAND...
 *   start          roll
 *   stop           stand
 *   locate FRAME   move to FRAME
 *   wait-roll      wait (up to 10 s) until it rolls, then print its frame
 *   wait-stop      wait (up to 10 s) until it stands, then print its frame
 *   sleep MS       wait MS milliseconds
 * Commands run in order, from one client.  Exit 0, 1 on an error or a
 * wait that timed out, 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jack/jack.h>
#include <jack/transport.h>

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
wait_for(jack_client_t *c, int rolling)
{
	jack_position_t pos;
	int i;

	for (i = 0; i < 2000; i++) {
		int r = jack_transport_query(c, &pos) == JackTransportRolling;

		if (r == rolling) {
			printf("%lu\n", (unsigned long)pos.frame);
			fflush(stdout);
			return 0;
		}
		sleep_ms(5);
	}
	fprintf(stderr, "transport: still %s after 10 s\n",
	    rolling ? "standing" : "rolling");
	return 1;
}

int
main(int argc, char **argv)
{
	jack_client_t *c;
	jack_status_t st;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: transport COMMAND...\n");
		return 2;
	}
	c = jack_client_open("transport", JackNoStartServer, &st);
	if (c == NULL) {
		fprintf(stderr, "transport: no JACK server (status 0x%x)\n",
		    (unsigned)st);
		return 1;
	}
	if (jack_activate(c) != 0) {
		fprintf(stderr, "transport: cannot activate\n");
		jack_client_close(c);
		return 1;
	}
	for (i = 1; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "start") == 0) {
			jack_transport_start(c);
		} else if (strcmp(argv[i], "stop") == 0) {
			jack_transport_stop(c);
		} else if (strcmp(argv[i], "locate") == 0 && i + 1 < argc) {
			if (jack_transport_locate(c,
			    (jack_nframes_t)strtoul(argv[++i], NULL, 10)) != 0)
				rc = 1;
		} else if (strcmp(argv[i], "wait-roll") == 0) {
			rc = wait_for(c, 1);
		} else if (strcmp(argv[i], "wait-stop") == 0) {
			rc = wait_for(c, 0);
		} else if (strcmp(argv[i], "sleep") == 0 && i + 1 < argc) {
			sleep_ms(strtol(argv[++i], NULL, 10));
		} else {
			fprintf(stderr, "transport: bad command '%s'\n",
			    argv[i]);
			rc = 2;
		}
	}
	jack_client_close(c);
	return rc;
}
