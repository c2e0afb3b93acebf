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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midiplay/dump.h"
#include "midiplay/jackout.h"
#include "midiplay/log.h"
#include "midiplay/sched.h"
#include "midiplay/smf_reader.h"

#define RING_SIZE (1u << 20)
#define POLL_NS 5000000L          /* main loop period: 5 ms */
#define MAX_CONNECT 64

enum { OPT_DUMP = 256 };

static volatile sig_atomic_t got_signal;

struct options {
	const char *name;
	const char *connect[MAX_CONNECT];
	int nconnect;
	int wait;
	int list;
	int dump;
	enum log_level level;
	const char *file;
};

static void
usage(FILE *out)
{
	fputs("usage: midiplay [options] FILE\n"
	    "Play a Standard MIDI File into a JACK MIDI output port, every "
	    "event at its\nexact sample frame.\n"
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
	    "      --dump          print the events with their exact times "
	    "instead of playing\n"
	    "  -q, --quiet         print errors only\n"
	    "  -v, --verbose       print the start frame, connections and "
	    "counts\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n"
	    "\n"
	    "Exit status: 0 all played, 1 error, 2 usage error, 128+N on "
	    "signal N.\n"
	    "See midiplay(1).\n", out);
}

static void
usage_error(const char *fmt, const char *arg)
{
	fputs("midiplay: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'midiplay --help'.\n", stderr);
	exit(2);
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
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
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
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
}

static void
on_signal(int sig)
{
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
nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
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

/* Play SRC through JO until the end, a signal or the server's loss. */
static int
play(struct jackout *jo, struct mp_source *src)
{
	struct sched sched;
	int announced = 0, stopping = 0, status;
	struct timespec t0, t;

	if (sched_start(&sched, src, &jo->ring, jo->rate) < 0)
		return 1;
	/* let the scheduler queue the first events before time zero */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nap();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (ring_used(&jo->ring) == 0 && !atomic_load(&sched.finished) &&
	    t.tv_sec - t0.tv_sec < 2);
	jackout_start(jo);

	while (!jackout_finished(jo)) {
		if (atomic_load(&jo->shutdown)) {
			log_error("the JACK server stopped or dropped "
			    "midiplay");
			sched_quit(&sched);
			sched_join(&sched);
			return 1;
		}
		if (got_signal && !stopping) {
			stopping = 1;
			sched_quit(&sched);
			jackout_stop(jo);
		}
		if (!announced &&
		    atomic_load(&jo->state) != JO_IDLE) {
			announced = 1;
			log_info("playing from frame %llu at %u Hz",
			    (unsigned long long)atomic_load(&jo->zero_frame),
			    jo->rate);
		}
		nap();
	}
	status = sched_join(&sched) < 0 ? 1 : 0;
	log_info("%llu events sent, %llu late, %llu carried to a later "
	    "cycle, %llu xruns",
	    (unsigned long long)atomic_load(&jo->sent),
	    (unsigned long long)atomic_load(&jo->late),
	    (unsigned long long)atomic_load(&jo->carried),
	    (unsigned long long)atomic_load(&jo->xruns));
	if (stopping)
		return 128 + got_signal;
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct smf_reader *reader;
	struct mp_source src;
	struct jackout jo;
	int i, status;

	parse_options(argc, argv, &o);
	log_init("midiplay", o.level);
	if (o.list)
		return list_ports(&o);

	if (smf_reader_open(&reader, o.file) < 0)
		return 1;
	smf_reader_source(reader, &src);
	if (o.dump) {
		status = dump_source(stdout, &src) < 0 ? 1 : 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			log_error("cannot write the dump");
			status = 1;
		}
		smf_reader_close(reader);
		return status;
	}

	catch_signals();
	if (jackout_open(&jo, o.name, RING_SIZE) < 0) {
		smf_reader_close(reader);
		return 1;
	}
	status = 0;
	for (i = 0; i < o.nconnect && status == 0; i++)
		if (jackout_connect(&jo, o.connect[i]) < 0)
			status = 1;
	if (status == 0 && o.wait && wait_for_connection(&jo, o.name) < 0)
		status = got_signal ? 128 + got_signal : 1;
	if (status == 0)
		status = play(&jo, &src);
	jackout_close(&jo);
	smf_reader_close(reader);
	return status;
}
