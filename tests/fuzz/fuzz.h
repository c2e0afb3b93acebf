/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what the fuzz targets share.  Define FUZZ_NAME ("fuzz-smf")
 * before including it, once, in the target's source.
 */
#ifndef MIDIPLAY_FUZZ_H
#define MIDIPLAY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "midiplay/log.h"

static FILE *sink;              /* dump_event() writes here: /dev/null */

/* A broken contract aborts, so that libFuzzer keeps the input. */
static void
breach(const char *what)
{
	fprintf(stderr, FUZZ_NAME ": contract broken: %s\n", what);
	abort();
}

/* Messages off, the sink open; exit 1 when it cannot be. */
static void
fuzz_init(void)
{
	log_mute(1);
	if ((sink = fopen("/dev/null", "w")) == NULL) {
		perror(FUZZ_NAME ": /dev/null");
		exit(1);
	}
}

#endif
