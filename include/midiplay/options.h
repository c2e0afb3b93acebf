/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options: midiplay's command line, parsed and checked.  A usage error
 * prints a message naming the option and exits with status 2; -h and -V
 * print and exit 0.  Nothing else here exits or touches JACK.
 */
#ifndef MIDIPLAY_OPTIONS_H
#define MIDIPLAY_OPTIONS_H

#include <stdint.h>
#include "midiplay/control.h"
#include "midiplay/log.h"
#include "midiplay/ports.h"

#define OPTIONS_MAX_CONNECT 64

struct options {
	const char *name;
	struct options_connect {
		char output[PORTS_NAME]; /* -c NAME=PORT: output NAME only;
		                          * empty: every output */
		const char *pattern;
	} connect[OPTIONS_MAX_CONNECT];
	int nconnect;
	int split;                  /* --split: enum ports_split */
	int wait;
	int list;
	int dump;
	int strict;
	int release;
	int have_latency;
	uint64_t latency_ns;
	enum log_level level;
	const char *file;
	struct control_opts ctl;
	int transport;
	const char *export_path;    /* --export: write, do not play */
	const char *record_path;    /* --record: play, and write what went */
	int ppq;                    /* --ppq for --export of a stream */
	int have_limit;             /* --cycle-limit was given */
	unsigned limit_events;      /* --cycle-limit: events a cycle */
	uint32_t limit_bytes;       /* and port buffer bytes (0: no limit) */
	/* --link and its options (ctl.bpm is then 60/1, ctl.link set: a
	 * file's seconds are its beats; --bpm goes to link_bpm) */
	int link, link_publish, link_sync, link_wait;
	double quantum;
	int64_t offset_us;
	double link_bpm;            /* 0, or --bpm to propose once */
	uint8_t tracks[65536];
};

/* Parse ARGV into O, or exit as above. */
void options_parse(int argc, char **argv, struct options *o);

#endif
