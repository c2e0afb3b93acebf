/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * midiplay: play a Standard MIDI File into a JACK MIDI port, every event
 * at its exact frame.
 *
 * main parses the options and wires the parts together: a reader, the
 * scheduler thread that feeds the ring, and the JACK output whose process
 * callback drains it.  It handles signals through a flag and decides when
 * it is safe to exit.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "midiplay/control.h"
#include "midiplay/dump.h"
#include "midiplay/jackout.h"
#include "midiplay/log.h"
#include "midiplay/sched.h"
#include "midiplay/smf_reader.h"
#include "midiplay/stream.h"
#include "midiplay/stream_parse.h"

#define RING_SIZE (1u << 20)
#define POLL_NS 5000000L          /* main loop period: 5 ms */
#define START_POLL_NS 200000L     /* until playback begins: 0.2 ms */
#define MAX_CONNECT 64

enum { OPT_DUMP = 256, OPT_LATENCY, OPT_STRICT, OPT_RELEASE, OPT_TEMPO,
	OPT_BPM, OPT_START, OPT_END, OPT_LOOP, OPT_TRACKS, OPT_CHANNELS,
	OPT_TRANSPOSE, OPT_CLOCK, OPT_TRANSPORT };

static volatile sig_atomic_t got_signal;

struct options {
	const char *name;
	const char *connect[MAX_CONNECT];
	int nconnect;
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
	uint8_t tracks[65536];
};

static void
usage(FILE *out)
{
	fputs("usage: midiplay [options] FILE\n"
	    "       midiplay [options] -     (a text event stream on stdin)\n"
	    "Play a Standard MIDI File, or a text stream of MIDI commands, into "
	    "a JACK MIDI\noutput port, every event at its exact sample "
	    "frame.\n"
	    "\n"
	    "  -c, --connect PORT  connect the output to PORT before playing "
	    "(repeatable):\n"
	    "                      an exact port name, or every MIDI input "
	    "whose name or\n"
	    "                      alias contains PORT, ignoring case\n"
	    "  -W, --wait          start once something is connected to the "
	    "output\n"
	    "  -n, --name NAME     JACK client name (default midiplay); the "
	    "port is NAME:out\n"
	    "  -l, --list          list the MIDI input ports and exit\n"
	    "      --dump          print the events in the stream format with "
	    "exact times\n"
	    "                      instead of playing (no JACK server needed)\n"
	    "      --latency DUR   stream: delay each line by DUR after it "
	    "arrives (5ms,\n"
	    "                      0.01, 500us; default one JACK period)\n"
	    "      --strict        stream: stop at the first bad line\n"
	    "      --release       at the end, turn off notes left "
	    "sounding\n"
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
	    "      --transport     follow the JACK transport, until "
	    "interrupted\n"
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

static void
parse_options(int argc, char **argv, struct options *o)
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, i, files_only = 0;
	uint8_t chans[16];
	char *end;
	long n;

	memset(o, 0, sizeof *o);
	o->ctl.speed_num = o->ctl.speed_den = 1;
	o->ctl.loops = 1;
	o->ctl.channels = 0xffff;
	o->name = "midiplay";
	o->level = LOG_NORMAL;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:Wn:lqvhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (o->nconnect == MAX_CONNECT)
				usage_error("too many -c options (at most %s)",
				    "64");
			o->connect[o->nconnect++] = optarg;
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
		return;
	}
	if (optind == argc)
		usage_error("%s", "no FILE given");
	if (optind + 1 != argc)
		usage_error("one FILE only (got '%s' too)", argv[optind + 1]);
	o->file = argv[optind];
	if (files_only && strcmp(o->file, "-") == 0)
		usage_error("%s", "--tempo, --bpm, --start, --end, --loop, "
		    "--tracks, --channels, --transpose and --clock are for "
		    "files, not the stream");
	if (o->ctl.bpm_num != 0 && o->ctl.speed_num != o->ctl.speed_den)
		usage_error("%s", "--bpm and --tempo together: use one");
	if (o->transport && (o->ctl.start.kind != CTL_POS_NONE ||
	    o->ctl.end.kind != CTL_POS_NONE || o->ctl.loops != 1 || o->dump))
		usage_error("%s", "--transport plays where the JACK transport "
		    "is: not with --start, --end, --loop or --dump");
}

/* The first signal asks for a clean stop (main does the work); a second
 * one, for when that takes too long, exits at once. */
static void
on_signal(int sig)
{
	if (got_signal)
		_exit(128 + sig);
	got_signal = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
nap_ns(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

static void
nap(void)
{
	nap_ns(POLL_NS);
}

static int
list_ports(const struct options *o)
{
	jack_client_t *client = jackout_open_client(o->name);

	if (client == NULL)
		return 1;
	jackout_list(client, stdout);
	jack_client_close(client);
	return 0;
}

/* Wait until the output is connected, a signal, or the server goes. */
static int
wait_for_connection(struct jackout *jo, const char *name)
{
	log_info("waiting for a connection to %s:out", name);
	while (jackout_connections(jo) == 0) {
		if (got_signal)
			return -1;
		if (atomic_load(&jo->shutdown)) {
			log_error("the JACK server stopped or dropped "
			    "midiplay");
			return -1;
		}
		nap();
	}
	return 0;
}

/* What the main thread shows while a file plays: the progress line on a
 * terminal, markers and lyrics with -v.  Never the process callback. */
struct show {
	struct control *control;
	int progress;             /* draw the line (stderr is a terminal) */
	int verbose;              /* print markers and lyrics */
	int drawn;                /* a line is on the screen */
	int have_pos;
	struct ctl_info pos;
	double tempo_bpm;
	struct timespec last_draw;
};

static void
clear_line(struct show *sh)
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
static void
show_update(struct show *sh, double now, double total, int force)
{
	struct ctl_info in;
	struct timespec t;
	char el[32], tot[32], where[64] = "", bar[24];

	if (sh->control == NULL)
		return;
	while (control_take_info(sh->control, now, &in)) {
		if (in.kind == CTL_INFO_POS) {
			sh->pos = in;
			sh->have_pos = 1;
		} else if (sh->verbose) {
			clear_line(sh);
			log_info("%s at %.3f s: %s", in.kind == CTL_INFO_MARKER ?
			    "marker" : "lyric", in.seconds, in.text);
		}
	}
	if (!sh->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!force && (t.tv_sec - sh->last_draw.tv_sec) * 1000000000L +
	    (t.tv_nsec - sh->last_draw.tv_nsec) < 200000000L)
		return;
	sh->last_draw = t;
	fmt_clock(el, sizeof el, now);
	if (total >= 0)
		fmt_clock(tot, sizeof tot, total);
	else
		snprintf(tot, sizeof tot, "?");
	if (sh->have_pos && control_ppq(sh->control) > 0) {
		const struct ctl_info *p = &sh->pos;
		double ppq = control_ppq(sh->control);
		double tick = p->tick + (now - p->seconds) * 1e6 * ppq /
		    p->usec_per_quarter;
		double beat_ticks = ppq * 4 / p->sig_den;
		double beats = floor((tick - p->sig_tick) / beat_ticks);
		long b = beats < 0 ? 0 : (long)beats;

		snprintf(where, sizeof where, "  %llu:%ld  %.1f bpm",
		    (unsigned long long)p->sig_bar + (unsigned long)
		    (b / (long)p->sig_num), b % (long)p->sig_num + 1,
		    60e6 / p->usec_per_quarter);
	}
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

/* --transport: the scheduler repositions the file where JACK's is. */
static void
follow_seek(void *ctx, uint64_t frame, uint32_t rate)
{
	control_seek(ctx, frame, rate);
}

/* Playback time for the stream reader: nanoseconds since time zero. */
static uint64_t
stream_clock(void *ctx)
{
	return jackout_now_ns(ctx);
}

/*
 * A stream line is timed by when the thread reading it wakes up: on a
 * busy machine an ordinary thread can wake milliseconds late (seen: p99
 * 4.6 ms with two busy processes on two cores).  So it asks to run
 * SCHED_FIFO at priority 1, the lowest: above every ordinary thread,
 * below JACK's own real-time threads.  (Not one step below JACK's
 * process thread: PipeWire 0.3.65's jack_client_real_time_priority()
 * returns an uninitialised value, as valgrind showed.)  Where the system
 * does not allow it, as it does JACK clients in the audio group, the
 * thread stays as it was.  It sleeps in poll() between lines and reads no
 * faster than the events can leave.
 */
static void
stream_realtime(struct sched *sched)
{
	int err = sched_realtime(sched, 1);

	if (err == 0)
		log_info("reading the stream at real-time priority 1");
	else
		log_info("reading the stream without real-time priority: %s",
		    strerror(err));
}

/*
 * Play SRC through JO until the end, a signal or the server's loss.
 * STREAM, when not NULL, is the source's stream.  The exit status.
 */
static int
play(struct jackout *jo, struct mp_source *src, struct stream *stream,
    struct show *sh, const struct options *o)
{
	struct sched sched;
	int announced = 0, stopping = 0, status;
	struct timespec t0, t;
	uint64_t last_cycles;

	if (sched_start_follow(&sched, src, &jo->ring, jo->rate, o->release,
	    o->transport ? &jo->follow : NULL) < 0)
		return 1;
	if (stream != NULL)
		stream_realtime(&sched);
	/* let the scheduler queue a file's first events before time zero
	 * (a stream's first line may take its time) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (stream == NULL && !o->transport &&
	    ring_used(&jo->ring) == 0 &&
	    !atomic_load(&sched.finished)) {
		nap_ns(START_POLL_NS);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2)
			break;
	}
	jackout_start(jo);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	last_cycles = atomic_load(&jo->cycles);
	while (!jackout_finished(jo)) {
		/* A client JACK stops calling (zombified, say) may never hear
		 * of it: a second without a cycle is as good as a shutdown. */
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (atomic_load(&jo->cycles) != last_cycles) {
			last_cycles = atomic_load(&jo->cycles);
			t0 = t;
		} else if ((t.tv_sec - t0.tv_sec) * 1000000000L +
		    (t.tv_nsec - t0.tv_nsec) >= 1000000000L) {
			/* (PipeWire's JACK never calls the shutdown callback
			 * when its daemon is killed: this is how it is seen) */
			log_error("JACK has not run midiplay for a second");
			atomic_store(&jo->shutdown, 1);
		}
		if (atomic_load(&jo->shutdown)) {
			log_error("the JACK server stopped or dropped "
			    "midiplay");
			sched_quit(&sched);
			if (stream != NULL)
				stream_interrupt(stream);
			sched_join(&sched);
			return 1;
		}
		if (got_signal && !stopping) {
			stopping = 1;
			sched_quit(&sched);
			if (stream != NULL)
				stream_interrupt(stream);
			jackout_stop(jo);
		}
		if (!announced &&
		    atomic_load(&jo->state) != JO_IDLE) {
			announced = 1;
			clear_line(sh);
			if (o->transport)
				log_info("following the JACK transport at %u Hz",
				    jo->rate);
			else
				log_info("playing from frame %llu at %u Hz",
				    (unsigned long long)atomic_load(
				    &jo->zero_frame), jo->rate);
		}
		if (announced)
			show_update(sh, (double)atomic_load(&jo->position) /
			    jo->rate, atomic_load(&sched.finished) ?
			    (double)atomic_load(&sched.last_frame) / jo->rate :
			    -1, 0);
		/* say "playing" in the cycle it begins, then poll slower */
		nap_ns(announced ? POLL_NS : START_POLL_NS);
	}
	show_update(sh, (double)atomic_load(&jo->position) / jo->rate,
	    (double)atomic_load(&sched.last_frame) / jo->rate, 1);
	clear_line(sh);
	status = sched_join(&sched) < 0 ? 1 : 0;
	log_info("%llu events sent, %llu late, %llu carried to a later "
	    "cycle, %llu xruns",
	    (unsigned long long)atomic_load(&jo->sent),
	    (unsigned long long)atomic_load(&jo->late),
	    (unsigned long long)atomic_load(&jo->carried),
	    (unsigned long long)atomic_load(&jo->xruns));
	if (stopping)
		return 128 + got_signal;
	if (stream != NULL) {
		unsigned n = jackout_sounding(jo);

		if (n > 0)
			log_warn("warning: %u note%s left sounding, as the "
			    "stream says (--release turns them off at the "
			    "end)", n, n == 1 ? "" : "s");
		if (stream_rejected(stream) > 0)
			status = 1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct smf_reader *reader = NULL;
	struct control *control = NULL;
	struct stream *stream = NULL;
	struct mp_source src = { 0 };
	struct jackout jo;
	struct show sh;
	int i, status;

	parse_options(argc, argv, &o);
	memset(&sh, 0, sizeof sh);
	log_init("midiplay", o.level);
	if (o.list)
		return list_ports(&o);

	if (strcmp(o.file, "-") == 0) {
		struct stream_opts so = { 0, "<stdin>", NULL, NULL, 0,
		    o.strict };

		if (stream_open(&stream, &so) < 0)
			return 1;
		stream_source(stream, &src);
	} else {
		if (smf_reader_open(&reader, o.file) < 0)
			return 1;
		smf_reader_source(reader, &src);
		sh.verbose = o.level == LOG_VERBOSE;
		sh.progress = !o.dump && o.level != LOG_QUIET &&
		    isatty(STDERR_FILENO);
		sh.progress = sh.progress && !o.transport;
		if (control_needed(&o.ctl) || sh.verbose || sh.progress ||
		    o.transport) {
			if (control_open(&control, reader, o.file, &o.ctl) < 0) {
				smf_reader_close(reader);
				return 1;
			}
			control_source(control, &src);
			control_want_info(control, !o.dump &&
			    (sh.verbose || sh.progress));
			sh.control = control;
		}
	}
	if (o.dump) {
		status = dump_source(stdout, &src) < 0 ? 1 : 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			log_error("cannot write the dump");
			status = 1;
		}
		if (stream != NULL && stream_rejected(stream) > 0)
			status = 1;
		control_close(control);
		smf_reader_close(reader);
		stream_close(stream);
		return status;
	}

	catch_signals();
	if (jackout_open(&jo, o.name, RING_SIZE) < 0) {
		control_close(control);
		smf_reader_close(reader);
		stream_close(stream);
		return 1;
	}
	if (stream != NULL) {
		struct stream_opts so = { 0, "<stdin>", stream_clock, &jo,
		    o.latency_ns, o.strict };

		/* one period unless told: the least that keeps every line's
		 * relative timing whatever the period */
		if (!o.have_latency)
			so.latency_ns = (uint64_t)jack_get_buffer_size(
			    jo.client) * 1000000000u / jo.rate;
		stream_close(stream);
		if (stream_open(&stream, &so) < 0) {
			jackout_close(&jo);
			return 1;
		}
		stream_source(stream, &src);
	}
	if (o.transport)
		jackout_follow(&jo, follow_seek, control, o.ctl.clock);
	status = 0;
	for (i = 0; i < o.nconnect && status == 0; i++)
		if (jackout_connect(&jo, o.connect[i]) < 0)
			status = 1;
	if (status == 0 && o.wait && wait_for_connection(&jo, o.name) < 0)
		status = got_signal ? 128 + got_signal : 1;
	if (status == 0)
		status = play(&jo, &src, stream, &sh, &o);
	jackout_close(&jo);
	if (control != NULL && control_dropped(control) > 1)
		log_warn("warning: %lu notes transposed out of 0-127 were "
		    "dropped", control_dropped(control));
	control_close(control);
	smf_reader_close(reader);
	stream_close(stream);
	return status;
}
