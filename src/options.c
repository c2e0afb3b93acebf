/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options: the command line.  See options.h.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midiplay/options.h"
#include "midiplay/stream_parse.h"

enum { OPT_DUMP = 256, OPT_LATENCY, OPT_STRICT, OPT_RELEASE, OPT_TEMPO,
	OPT_BPM, OPT_START, OPT_END, OPT_LOOP, OPT_TRACKS, OPT_CHANNELS,
	OPT_TRANSPOSE, OPT_CLOCK, OPT_TRANSPORT, OPT_CYCLE_LIMIT, OPT_EXPORT,
	OPT_RECORD, OPT_PPQ, OPT_SPLIT,
	OPT_LINK, OPT_QUANTUM, OPT_OFFSET, OPT_LINK_PUBLISH, OPT_LINK_SYNC,
	OPT_LINK_WAIT };


static void
usage(FILE *out)
{
	fputs("usage: midiplay [options] FILE\n"
	    "       midiplay [options] -     (a text event stream on stdin)\n"
	    "Play a Standard MIDI File, or a text stream of MIDI commands, into "
	    "a JACK MIDI\noutput port, every event at its exact sample "
	    "frame.\n"
	    "\n"
	    "  -c, --connect [NAME=]PORT\n"
	    "                      connect every output (or output NAME) to "
	    "PORT before\n"
	    "                      playing (repeatable):\n"
	    "                      an exact port name, or every MIDI input "
	    "whose name or\n"
	    "                      alias contains PORT, ignoring case\n"
	    "  -W, --wait          start once something is connected to every "
	    "output\n"
	    "  -n, --name NAME     JACK client name (default midiplay); the "
	    "port is NAME:out\n"
	    "                      (a stream's \"port P\" line: NAME:P)\n"
	    "  -l, --list          list the MIDI input ports and exit\n"
	    "      --dump          print the events in the stream format with "
	    "exact times\n"
	    "                      instead of playing (no JACK server needed)\n"
	    "      --export OUT    write what would be played to the MIDI "
	    "file OUT instead\n"
	    "                      of playing (no JACK server needed)\n"
	    "      --ppq N         --export of a stream: N ticks a quarter "
	    "(default 960)\n"
	    "      --record OUT    play, and write what was sent to the MIDI "
	    "file OUT\n"
	    "      --latency DUR   stream: delay each line by DUR after it "
	    "arrives (5ms,\n"
	    "                      0.01, 500us; default one JACK period)\n"
	    "      --strict        stream: stop at the first bad line\n"
	    "      --release       at the end, turn off notes left "
	    "sounding\n"
	    "      --cycle-limit EVENTS[/BYTES]\n"
	    "                      at most EVENTS events (default 1000) and "
	    "BYTES bytes\n"
	    "                      of port buffer a cycle; the rest waits "
	    "(netjack2: 64/960)\n"
	    "  -q, --quiet         print errors only\n"
	    "  -v, --verbose       print the start frame, connections and "
	    "counts\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n"
	    "\nFiles only:\n"
	    "      --tempo FACTOR  play FACTOR times as fast (0.5: half "
	    "speed)\n"
	    "      --bpm BPM       a fixed tempo instead of the file's "
	    "tempo map\n"
	    "      --start POS     start at POS: seconds (12.5) or "
	    "bar:beat[:tick] (5:1),\n"
	    "                      after sending the state in effect there\n"
	    "      --end POS       stop at POS (not included)\n"
	    "      --loop [N]      play N times (for ever without N)\n"
	    "      --tracks LIST   play only these tracks (1,3-5)\n"
	    "      --channels LIST play only these channels (10, 1-9)\n"
	    "      --transpose N   move notes N semitones\n"
	    "      --clock         also send MIDI beat clock, Start and Stop"
	    "\n"
	    "      --split track|channel\n"
	    "                      a port for each track (named after it) or "
	    "channel used\n"
	    "      --transport     follow the JACK transport, until "
	    "interrupted\n"
	    "\nAbleton Link (a file's beats, a stream's +Nb, on the session's "
	    "beats):\n"
	    "      --link          join the Link session; start on its next "
	    "quantum boundary\n"
	    "      --quantum N     beats in the quantum (default 4)\n"
	    "      --offset DUR    play DUR earlier (negative: later), for "
	    "latency JACK\n"
	    "                      cannot see (5ms, -2ms)\n"
	    "      --link-wait     start once another peer is in the "
	    "session\n"
	    "      --link-publish  file: propose its tempo map to the "
	    "session\n"
	    "      --link-start-stop  file: play when the session plays, "
	    "stop when it stops,\n"
	    "                      until interrupted (start/stop sync)\n"
	    "\n"
	    "Stream lines hold commands and times, e.g. \"on 60 100\", "
	    "\"+0.5 off 60 0\",\n\"@2.5 ch 10 note C1 120 0.1\", "
	    "\"cc 7 100\", \"syx 0x43 0x10 0x4C\".\n"
	    "Exit status: 0 all played, 1 error or a rejected line, 2 usage "
	    "error,\n128+N on signal N.  See midiplay(1).\n", out);
}

static void
usage_error(const char *fmt, const char *arg)
{
	fputs("midiplay: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'midiplay --help'.\n", stderr);
	exit(2);
}

/* A duration as the stream writes one after "+": 5ms, 0.01, 500us. */
static int
parse_duration(const char *arg, uint64_t *ns)
{
	struct sp_state st;
	struct sp_line line = { 0 };
	struct sp_error err;
	char buf[64];
	int ok;

	if (strlen(arg) + 2 > sizeof buf || strchr(arg, ' ') != NULL)
		return -1;
	snprintf(buf, sizeof buf, "+%s", arg);
	sp_state_init(&st);
	ok = sp_parse_line(&st, buf, strlen(buf), &line, &err) == 0 &&
	    line.n == 1 && line.actions[0].kind == SP_WAIT;
	if (ok)
		*ns = line.actions[0].ns;
	sp_line_free(&line);
	return ok ? 0 : -1;
}

/* A decimal number with at most 6 decimals, as NUM/DEN; 0 or -1. */
static int
parse_decimal(const char *arg, uint64_t *num, uint64_t *den)
{
	uint64_t n = 0, d = 1;
	int digits = 0, decimals = -1;
	const char *p;

	for (p = arg; *p != '\0'; p++) {
		if (*p == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || n > 100000000000ull)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
		digits++;
		if (decimals >= 0) {
			if (++decimals > 6)
				return -1;
			d *= 10;
		}
	}
	if (digits == 0)
		return -1;
	while (n % 10 == 0 && d % 10 == 0 && d > 1) {
		n /= 10;
		d /= 10;
	}
	while (n % 2 == 0 && d % 2 == 0) {
		n /= 2;
		d /= 2;
	}
	while (n % 5 == 0 && d % 5 == 0 && d > 1) {
		n /= 5;
		d /= 5;
	}
	*num = n;
	*den = d;
	return 0;
}

/* A position: seconds (12.5) or bar:beat[:tick] (5:1, 5:1:240). */
static int
parse_position(const char *arg, struct ctl_pos *pos)
{
	unsigned long v[3] = { 0, 0, 0 };
	int n = 0;
	const char *p = arg;
	char *end;

	memset(pos, 0, sizeof *pos);
	if (strchr(arg, ':') == NULL) {
		uint64_t num, den;

		if (parse_decimal(arg, &num, &den) < 0 ||
		    num / den > 100000000u)
			return -1;
		pos->kind = CTL_POS_SECONDS;
		pos->us = num * (1000000u / den);
		return 0;
	}
	while (n < 3) {
		if (*p < '0' || *p > '9')
			return -1;
		v[n++] = strtoul(p, &end, 10);
		if (v[n - 1] > 1000000u)
			return -1;
		p = end;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -1;
	}
	if (*p != '\0' || n < 2 || v[0] < 1 || v[1] < 1)
		return -1;
	pos->kind = CTL_POS_BBT;
	pos->bar = (uint32_t)v[0];
	pos->beat = (uint32_t)v[1];
	pos->tick = (uint32_t)v[2];
	return 0;
}

/* A list such as 1,3-5 of numbers in [1, MAX]: FLAGS[n - 1] = 1. */
static int
parse_list(const char *arg, unsigned long max, uint8_t *flags)
{
	const char *p = arg;
	char *end;

	memset(flags, 0, max);
	for (;;) {
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			return -1;
		a = b = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (a < 1 || b > max || a > b)
			return -1;
		memset(flags + a - 1, 1, b - a + 1);
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* -c [NAME=]PORT: with an '=' whose left side could be an output's name
 * (no ':', as an output's short name never has), that output only. */
static void
parse_connect(const char *arg, struct options_connect *c)
{
	const char *eq = strchr(arg, '=');

	c->output[0] = '\0';
	c->pattern = arg;
	if (eq == NULL || memchr(arg, ':', (size_t)(eq - arg)) != NULL)
		return;
	if (!ports_name_ok(arg, (size_t)(eq - arg)) || eq[1] == '\0')
		usage_error("-c NAME=PORT wants an output's name (no ':' or "
		    "space) and a port, not '%s'", arg);
	snprintf(c->output, sizeof c->output, "%.*s", (int)(eq - arg), arg);
	c->pattern = eq + 1;
}

/* --cycle-limit EVENTS[/BYTES]: 0, or -1 when out of range. */
static int
parse_limit(const char *arg, unsigned *events, uint32_t *bytes)
{
	unsigned long e, b = 0;
	char *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	e = strtoul(arg, &end, 10);
	if (*end == '/') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		b = strtoul(end + 1, &end, 10);
		if (b < 16 || b > 1000000)
			return -1;
	}
	if (*end != '\0' || e < 1 || e > 100000)
		return -1;
	*events = (unsigned)e;
	*bytes = (uint32_t)b;
	return 0;
}

/* --link and its options, once the rest is checked. */
static void
link_checks(struct options *o, int link_opts)
{
	if (link_opts && !o->link)
		usage_error("%s", "--quantum, --offset, --link-wait, "
		    "--link-publish and --link-start-stop go with --link");
	if (!o->link)
		return;
#ifndef HAVE_LINK
	usage_error("%s", "--link: this midiplay was built without Ableton "
	    "Link (configure found no ableton-link-dev, or was given "
	    "--without-link)");
#endif
	if (o->dump || o->transport || o->export_path != NULL)
		usage_error("%s", "--link plays on the Link session's beats: "
		    "not with --dump, --export or --transport");
	if (o->ctl.speed_num != o->ctl.speed_den)
		usage_error("%s", "--tempo with --link: the session sets the "
		    "tempo (--bpm proposes one)");
	if (o->ctl.start.kind == CTL_POS_SECONDS ||
	    o->ctl.end.kind == CTL_POS_SECONDS)
		usage_error("%s", "with --link a position is bar:beat[:tick] "
		    "(5:1), not seconds: the session's tempo decides when "
		    "a second of the file is");
	if (o->link_publish && o->ctl.bpm_num != 0)
		usage_error("%s", "--link-publish proposes the file's tempo map, "
		    "--bpm one tempo: use one");
	if (o->link_sync && (o->ctl.start.kind != CTL_POS_NONE ||
	    o->ctl.end.kind != CTL_POS_NONE || o->ctl.loops != 1))
		usage_error("%s", "--link-start-stop plays the file from its "
		    "start at each start of the session: not with --start, "
		    "--end or --loop");
	if (strcmp(o->file, "-") == 0) {
		if (o->link_publish || o->link_sync)
			usage_error("%s", "--link-publish and --link-start-stop "
			    "are for files; a stream proposes a tempo with its "
			    "tempo command");
		return;
	}
	/* a file's beats are its song seconds at 60 bpm */
	if (o->ctl.bpm_num != 0)
		o->link_bpm = (double)o->ctl.bpm_num / (double)o->ctl.bpm_den;
	o->ctl.bpm_num = 60;
	o->ctl.bpm_den = 1;
	o->ctl.link = 1;
	o->ctl.publish = o->link_publish;
}

void
options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "wait", no_argument, NULL, 'W' },
		{ "name", required_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "dump", no_argument, NULL, OPT_DUMP },
		{ "latency", required_argument, NULL, OPT_LATENCY },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "release", no_argument, NULL, OPT_RELEASE },
		{ "tempo", required_argument, NULL, OPT_TEMPO },
		{ "bpm", required_argument, NULL, OPT_BPM },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "loop", optional_argument, NULL, OPT_LOOP },
		{ "tracks", required_argument, NULL, OPT_TRACKS },
		{ "channels", required_argument, NULL, OPT_CHANNELS },
		{ "transpose", required_argument, NULL, OPT_TRANSPOSE },
		{ "clock", no_argument, NULL, OPT_CLOCK },
		{ "transport", no_argument, NULL, OPT_TRANSPORT },
		{ "cycle-limit", required_argument, NULL, OPT_CYCLE_LIMIT },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "ppq", required_argument, NULL, OPT_PPQ },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ "link", no_argument, NULL, OPT_LINK },
		{ "quantum", required_argument, NULL, OPT_QUANTUM },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "link-publish", no_argument, NULL, OPT_LINK_PUBLISH },
		{ "link-start-stop", no_argument, NULL, OPT_LINK_SYNC },
		{ "link-wait", no_argument, NULL, OPT_LINK_WAIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, i, files_only = 0, link_opts = 0;
	uint8_t chans[16];
	char *end;
	long n;

	memset(o, 0, sizeof *o);
	o->ctl.speed_num = o->ctl.speed_den = 1;
	o->ctl.loops = 1;
	o->ctl.channels = 0xffff;
	o->name = "midiplay";
	o->limit_events = 1000;
	o->ppq = 0;
	o->level = LOG_NORMAL;
	o->quantum = 4;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:Wn:lqvhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (o->nconnect == OPTIONS_MAX_CONNECT)
				usage_error("too many -c options (at most %s)",
				    "64");
			parse_connect(optarg, &o->connect[o->nconnect++]);
			break;
		case 'W':
			o->wait = 1;
			break;
		case 'n':
			if (optarg[0] == '\0')
				usage_error("%s", "the client name is empty");
			o->name = optarg;
			break;
		case 'l':
			o->list = 1;
			break;
		case OPT_DUMP:
			o->dump = 1;
			break;
		case OPT_LATENCY:
			if (parse_duration(optarg, &o->latency_ns) < 0)
				usage_error("--latency wants a duration such as "
				    "5ms or 0.01, not '%s'", optarg);
			o->have_latency = 1;
			break;
		case OPT_STRICT:
			o->strict = 1;
			break;
		case OPT_RELEASE:
			o->release = 1;
			break;
		case OPT_TEMPO:
			if (parse_decimal(optarg, &o->ctl.speed_num,
			    &o->ctl.speed_den) < 0 || o->ctl.speed_num == 0 ||
			    o->ctl.speed_num > 100 * o->ctl.speed_den ||
			    100 * o->ctl.speed_num < o->ctl.speed_den)
				usage_error("--tempo wants a factor from 0.01 to "
				    "100 such as 0.5 or 1.25, not '%s'", optarg);
			files_only = 1;
			break;
		case OPT_BPM:
			if (parse_decimal(optarg, &o->ctl.bpm_num,
			    &o->ctl.bpm_den) < 0 || o->ctl.bpm_num == 0 ||
			    o->ctl.bpm_num > 10000 * o->ctl.bpm_den)
				usage_error("--bpm wants beats per minute from "
				    "above 0 to 10000 such as 120 or 92.5, not "
				    "'%s'", optarg);
			files_only = 1;
			break;
		case OPT_START:
		case OPT_END:
			if (parse_position(optarg, ch == OPT_START ?
			    &o->ctl.start : &o->ctl.end) < 0)
				usage_error("a position is seconds (12.5) or "
				    "bar:beat[:tick] (5:1 or 5:1:240), not "
				    "'%s'", optarg);
			files_only = 1;
			break;
		case OPT_LOOP:
			o->ctl.loops = 0;
			/* --loop N as well as --loop=N */
			if (optarg == NULL && optind < argc &&
			    argv[optind][0] >= '0' && argv[optind][0] <= '9' &&
			    strspn(argv[optind], "0123456789") ==
			    strlen(argv[optind]))
				optarg = argv[optind++];
			if (optarg != NULL) {
				n = strtol(optarg, &end, 10);
				if (*optarg == '\0' || *end != '\0' || n < 1 ||
				    n > 1000000)
					usage_error("--loop wants a count from 1 "
					    "to 1000000, not '%s'", optarg);
				o->ctl.loops = n;
			}
			files_only = 1;
			break;
		case OPT_TRACKS:
			if (parse_list(optarg, 65536, o->tracks) < 0)
				usage_error("--tracks wants a list of track "
				    "numbers such as 1,3-5, not '%s'", optarg);
			o->ctl.tracks = o->tracks;
			files_only = 1;
			break;
		case OPT_CHANNELS:
			if (parse_list(optarg, 16, chans) < 0)
				usage_error("--channels wants a list of channels "
				    "1 to 16 such as 10 or 1-9,11, not '%s'",
				    optarg);
			o->ctl.channels = 0;
			for (i = 0; i < 16; i++)
				if (chans[i])
					o->ctl.channels |= (uint16_t)(1u << i);
			files_only = 1;
			break;
		case OPT_TRANSPOSE:
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < -127 ||
			    n > 127)
				usage_error("--transpose wants semitones from "
				    "-127 to 127, not '%s'", optarg);
			o->ctl.transpose = (int)n;
			files_only = 1;
			break;
		case OPT_CLOCK:
			o->ctl.clock = 1;
			files_only = 1;
			break;
		case OPT_TRANSPORT:
			o->transport = 1;
			files_only = 1;
			break;
		case OPT_EXPORT:
		case OPT_RECORD:
			if (optarg[0] == '\0')
				usage_error("%s", "the file name after --export "
				    "or --record is empty");
			*(ch == OPT_EXPORT ? &o->export_path :
			    &o->record_path) = optarg;
			break;
		case OPT_PPQ:
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 1 ||
			    n > 32767)
				usage_error("--ppq wants ticks per quarter note "
				    "from 1 to 32767, not '%s'", optarg);
			o->ppq = (int)n;
			break;
		case OPT_SPLIT:
			if (strcmp(optarg, "track") == 0)
				o->split = PORTS_SPLIT_TRACK;
			else if (strcmp(optarg, "channel") == 0)
				o->split = PORTS_SPLIT_CHANNEL;
			else
				usage_error("--split wants track or channel, "
				    "not '%s'", optarg);
			files_only = 1;
			break;
		case OPT_CYCLE_LIMIT:
			if (parse_limit(optarg, &o->limit_events,
			    &o->limit_bytes) < 0)
				usage_error("--cycle-limit wants EVENTS or "
				    "EVENTS/BYTES, events from 1 to 100000 and "
				    "bytes from 16 to 1000000 (64/960), not "
				    "'%s'", optarg);
			o->have_limit = 1;
			break;
		case OPT_LINK:
			o->link = 1;
			break;
		case OPT_QUANTUM: {
			uint64_t num, den;

			if (parse_decimal(optarg, &num, &den) < 0 || num == 0 ||
			    num > 256 * den)
				usage_error("--quantum wants beats from above 0 "
				    "to 256 such as 4 or 3.5, not '%s'", optarg);
			o->quantum = (double)num / (double)den;
			link_opts = 1;
			break;
		}
		case OPT_OFFSET: {
			uint64_t ns;
			int neg = optarg[0] == '-';

			if (parse_duration(optarg + neg, &ns) < 0 ||
			    ns > 10000000000u)
				usage_error("--offset wants a duration up to 10 s, "
				    "perhaps negative, such as 5ms or -0.002, not "
				    "'%s'", optarg);
			o->offset_us = (int64_t)((ns + 500) / 1000);
			if (neg)
				o->offset_us = -o->offset_us;
			link_opts = 1;
			break;
		}
		case OPT_LINK_PUBLISH:
			o->link_publish = 1;
			link_opts = 1;
			break;
		case OPT_LINK_SYNC:
			o->link_sync = 1;
			link_opts = 1;
			break;
		case OPT_LINK_WAIT:
			o->link_wait = 1;
			link_opts = 1;
			break;
		case 'q':
			o->level = LOG_QUIET;
			break;
		case 'v':
			o->level = LOG_VERBOSE;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("%s %s\n"
			    "License GPL-2.0-or-later: GNU GPL version 2 or later "
			    "<https://gnu.org/licenses/gpl.html>.\n"
			    "This is free software: you are free to change and "
			    "redistribute it.\n"
			    "There is NO WARRANTY, to the extent permitted by "
			    "law.\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument",
			    argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->list) {
		if (optind != argc)
			usage_error("-l takes no file (got '%s')", argv[optind]);
		if (o->export_path != NULL || o->record_path != NULL ||
		    o->dump)
			usage_error("%s", "-l lists the MIDI inputs and exits: "
			    "not with --export, --record or --dump");
		return;
	}
	if (optind == argc)
		usage_error("%s", "no FILE given");
	if (optind + 1 != argc)
		usage_error("one FILE only (got '%s' too)", argv[optind + 1]);
	o->file = argv[optind];
	if (files_only && strcmp(o->file, "-") == 0)
		usage_error("%s", "--tempo, --bpm, --start, --end, --loop, "
		    "--tracks, --channels, --transpose, --clock and --split "
		    "are for files, not the stream (which says port NAME)");
	if (o->ctl.bpm_num != 0 && o->ctl.speed_num != o->ctl.speed_den)
		usage_error("%s", "--bpm and --tempo together: use one");
	if (o->transport && (o->ctl.start.kind != CTL_POS_NONE ||
	    o->ctl.end.kind != CTL_POS_NONE || o->ctl.loops != 1 || o->dump))
		usage_error("%s", "--transport plays where the JACK transport "
		    "is: not with --start, --end, --loop or --dump");
	if (o->export_path != NULL) {
		if (o->dump || o->record_path != NULL || o->transport ||
		    o->ctl.clock || o->nconnect > 0 || o->wait ||
		    o->have_latency || o->have_limit)
			usage_error("%s", "--export writes a file instead of "
			    "playing: not with --dump, --record, --transport, "
			    "--clock, -c, -W, --latency or --cycle-limit");
		if (o->ctl.loops == 0)
			usage_error("%s", "--export needs a count with --loop: "
			    "a file cannot loop for ever");
		if (o->ppq != 0 && strcmp(o->file, "-") != 0)
			usage_error("%s", "--ppq is for --export of a stream: a "
			    "file keeps its own division");
	} else if (o->ppq != 0) {
		usage_error("%s", "--ppq goes with --export");
	}
	if (o->record_path != NULL && o->dump)
		usage_error("%s", "--record writes what was played: not with "
		    "--dump");
	if (o->ppq == 0)
		o->ppq = 960;
	link_checks(o, link_opts);
	/* a transport's Stop and Continue keep one event's room a cycle */
	if ((o->transport || o->link_sync) && o->ctl.clock &&
	    (o->limit_events < 2 || (o->limit_bytes > 0 &&
	    o->limit_bytes < 2 * mp_event_cost(1))))
		usage_error("%s", "with --clock following a transport, "
		    "--cycle-limit keeps room for Stop and Continue: give at "
		    "least 2 events and 24 bytes");
}
