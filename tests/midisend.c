/* SPDX-License-Identifier: GPL-2.0-or-later */
/* midisend - send MIDI events at exact offsets of one JACK cycle (test helper).
 *
 * Usage: midisend [-n CLIENTNAME] [-k SKIP] [-w] [-c PORT] -e OFFSET:HEXBYTES [-e ...]
 *
 * Opens the client CLIENTNAME (default "midisend"), registers the MIDI output
 * port "out", activates, connects out to PORT (waiting up to 5 s for PORT to
 * appear) and waits until the connection exists.  With -w (instead of or in
 * addition to -c) it waits, for up to 10 s, until its process callback sees
 * that out is connected to something (jack_port_connected() > 0), e.g. by
 * "recorder -c midisend:out"; that callback counts as the first armed cycle.
 * It then lets SKIP process cycles go by (default 2: the cycle that may have
 * started before the connection existed, and one more) and writes all the
 * events in the next cycle, each at its OFFSET (frames from the start of that
 * cycle; events are sorted by offset, keeping command-line order for equal
 * offsets).
 * HEXBYTES is the event as hex digits, e.g. 903C64 (spaces allowed).
 *
 * Prints on stdout the absolute 64-bit frame at which that cycle started
 * (jack_last_frame_time() extended to 64 bits) and exits 0 once that cycle
 * has completed (at the next process call).
 * Exit: 1 error, 2 usage, 4 the JACK server went away.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jack/jack.h>
#include <jack/midiport.h>

#define PROG "midisend"
#define MAX_EVENT_SIZE ((size_t)64 << 10)

#if ATOMIC_INT_LOCK_FREE != 2 || ATOMIC_LLONG_LOCK_FREE != 2
#error "lock-free atomics required"
#endif

enum { ST_IDLE, ST_WAITCONN, ST_ARMED, ST_SENT, ST_DONE, ST_ERR_OFFSET, ST_ERR_WRITE };

struct event {
	unsigned long offset;
	size_t size;
	unsigned char *data;
};

static struct event *events;
static int nevents;
static int skip_cycles = 2;

static jack_client_t *client;
static jack_port_t *out_port;
static atomic_int state;
static atomic_int server_gone;
static _Atomic uint64_t sent_frame;
static atomic_uint failed_index;

/* Process-thread-only state. */
static uint32_t last_frame32;
static uint64_t frame_high;
static int frame_started;
static int skipped;

static int process(jack_nframes_t nframes, void *arg)
{
	(void)arg;
	uint32_t now = jack_last_frame_time(client);
	if (frame_started && now < last_frame32)
		frame_high += (uint64_t)1 << 32;
	last_frame32 = now;
	frame_started = 1;

	void *buf = jack_port_get_buffer(out_port, nframes);
	if (buf == NULL)
		return 0;
	jack_midi_clear_buffer(buf);

	int st = atomic_load_explicit(&state, memory_order_acquire);
	if (st == ST_WAITCONN && jack_port_connected(out_port) > 0)
		st = ST_ARMED;
	if (st == ST_ARMED) {
		if (skipped < skip_cycles) {
			skipped++;
			atomic_store_explicit(&state, ST_ARMED, memory_order_release);
			return 0;
		}
		int result = ST_SENT;
		for (int i = 0; i < nevents; i++) {
			if (events[i].offset >= nframes) {
				atomic_store(&failed_index, (unsigned)i);
				result = ST_ERR_OFFSET;
				break;
			}
			if (jack_midi_event_write(buf, (jack_nframes_t)events[i].offset, events[i].data,
						  events[i].size) != 0) {
				atomic_store(&failed_index, (unsigned)i);
				result = ST_ERR_WRITE;
				break;
			}
		}
		atomic_store_explicit(&sent_frame, frame_high + now, memory_order_relaxed);
		atomic_store_explicit(&state, result, memory_order_release);
	} else if (st == ST_SENT) {
		atomic_store_explicit(&state, ST_DONE, memory_order_release);
	}
	return 0;
}

static void on_shutdown(void *arg)
{
	(void)arg;
	atomic_store(&server_gone, 1);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [-n CLIENTNAME] [-k SKIP] [-w] [-c PORT] -e OFFSET:HEXBYTES [-e ...]\n");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse "OFFSET:HEXBYTES" into ev.  Returns 0 on success. */
static int parse_event(const char *arg, struct event *ev)
{
	char *end;
	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	errno = 0;
	ev->offset = strtoul(arg, &end, 10);
	if (errno || *end != ':')
		return -1;
	const char *p = end + 1;
	ev->data = malloc(strlen(p) / 2 + 1);
	if (ev->data == NULL)
		return -1;
	ev->size = 0;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		int hi = hexval((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)p[1]);
		if (lo < 0)
			return -1;
		ev->data[ev->size++] = (unsigned char)(hi << 4 | lo);
		p += 2;
	}
	if (ev->size == 0 || ev->size > MAX_EVENT_SIZE)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = "midisend";
	const char *dest = NULL;
	int wait_conn = 0;
	int opt;

	events = calloc((size_t)argc, sizeof *events);
	if (events == NULL) {
		perror(PROG);
		return 1;
	}
	while ((opt = getopt(argc, argv, "n:c:e:k:wh")) != -1) {
		char *end;
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			dest = optarg;
			break;
		case 'e':
			if (parse_event(optarg, &events[nevents]) != 0) {
				fprintf(stderr, PROG ": bad event '%s' (want OFFSET:HEXBYTES)\n", optarg);
				return 2;
			}
			nevents++;
			break;
		case 'k':
			errno = 0;
			skip_cycles = (int)strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || skip_cycles < 0 || skip_cycles > 1000) {
				fprintf(stderr, PROG ": bad skip count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'w':
			wait_conn = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (dest == NULL && !wait_conn) || nevents == 0) {
		usage(stderr);
		return 2;
	}
	/* Stable insertion sort by offset (jack_midi_event_write needs order). */
	for (int i = 1; i < nevents; i++) {
		struct event e = events[i];
		int j = i;
		while (j > 0 && events[j - 1].offset > e.offset) {
			events[j] = events[j - 1];
			j--;
		}
		events[j] = e;
	}

	jack_status_t status;
	client = jack_client_open(name, JackNoStartServer | JackUseExactName, &status);
	if (client == NULL) {
		fprintf(stderr, PROG ": cannot open JACK client '%s' (status 0x%x)%s\n", name,
			(unsigned)status, (status & JackServerFailed) ? ": no JACK server" : "");
		return 1;
	}
	out_port = jack_port_register(client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
	if (out_port == NULL) {
		fprintf(stderr, PROG ": cannot register port %s:out\n", name);
		jack_client_close(client);
		return 1;
	}
	jack_set_process_callback(client, process, NULL);
	jack_on_shutdown(client, on_shutdown, NULL);
	if (jack_activate(client) != 0) {
		fprintf(stderr, PROG ": cannot activate JACK client\n");
		jack_client_close(client);
		return 1;
	}

	const char *myport = jack_port_name(out_port);
	double deadline = now_seconds() + 5.0;
	int connected = dest == NULL;
	while (dest != NULL && !atomic_load(&server_gone)) {
		if (jack_port_by_name(client, dest) != NULL) {
			int r = jack_connect(client, myport, dest);
			if ((r == 0 || r == EEXIST) && jack_port_connected_to(out_port, dest)) {
				connected = 1;
				break;
			}
		}
		if (now_seconds() >= deadline)
			break;
		sleep_ms(20);
	}
	if (!connected && !atomic_load(&server_gone)) {
		fprintf(stderr, PROG ": cannot connect %s to %s\n", myport, dest);
		jack_client_close(client);
		return 1;
	}

	atomic_store_explicit(&state, wait_conn ? ST_WAITCONN : ST_ARMED, memory_order_release);
	deadline = now_seconds() + 10.0;
	int st;
	while ((st = atomic_load_explicit(&state, memory_order_acquire)) == ST_WAITCONN ||
	       st == ST_ARMED || st == ST_SENT) {
		if (atomic_load(&server_gone))
			break;
		if (now_seconds() >= deadline) {
			fprintf(stderr, PROG ": timed out waiting for %s\n",
				st == ST_WAITCONN ? "a connection" : "the process cycle");
			jack_client_close(client);
			return 1;
		}
		sleep_ms(1);
	}
	if (atomic_load(&server_gone)) {
		fprintf(stderr, PROG ": error: the JACK server went away\n");
		return 4;
	}
	jack_client_close(client);
	if (st == ST_ERR_OFFSET || st == ST_ERR_WRITE) {
		unsigned i = atomic_load(&failed_index);
		fprintf(stderr, PROG ": cannot write event %u (offset %lu, %zu bytes): %s\n", i + 1,
			events[i].offset, events[i].size,
			st == ST_ERR_OFFSET ? "offset beyond the cycle" : "jack_midi_event_write failed");
		return 1;
	}
	printf("%" PRIu64 "\n", atomic_load_explicit(&sent_frame, memory_order_relaxed));
	if (fflush(stdout) != 0) {
		perror(PROG);
		return 1;
	}
	for (int i = 0; i < nevents; i++)
		free(events[i].data);
	free(events);
	return 0;
}
