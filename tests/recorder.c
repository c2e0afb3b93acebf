/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recorder - JACK MIDI recorder used by the midiplay test suite.
 *
 * Usage: recorder [-ATJ] [-L FRAMES] [-n CLIENTNAME] [-c SOURCEPORT]... [-t IDLE_SECONDS] [-N COUNT] [-o FILE]
 *
 * Registers the MIDI input port CLIENTNAME:in (default client name "recorder"),
 * activates, connects every -c SOURCEPORT to it (waiting up to 5 s for each
 * source port to appear), then prints "ready" on stderr.
 *
 * Every received event is written as one line "FRAME HEXBYTES", where FRAME is
 * the absolute 64-bit frame of the event (jack_last_frame_time() of its cycle,
 * extended to 64 bits, plus the event's offset in the cycle), e.g.
 * "1234567 90 3C 64".  With -T, FRAME is instead the JACK transport frame of
 * the event (the transport position of its cycle plus its offset) when the
 * transport rolls, and "-" when it does not.  -A also registers an audio
 * input port CLIENTNAME:audio, which it never reads (for tests that need
 * an audio port to refuse).  -J appends " @MICROSECONDS" to each line: when
 * the event's frame is on CLOCK_MONOTONIC_RAW (Ableton Link's clock), as
 * libjack's jack_frames_to_time() gives it on JACK's clock, plus the
 * offset between the two clocks read in the same cycle (jackd2's JACK
 * clock is CLOCK_MONOTONIC_RAW too, PipeWire's is CLOCK_MONOTONIC).
 * -L FRAMES: the input port says it is heard FRAMES after it receives
 * (its playback latency, as a synth's would), so that clients before it
 * see that much playback latency on their outputs.
 *
 * Exit: after COUNT events (-N), after IDLE_SECONDS (default 2; 0 = never)
 * without an event once at least one arrived, or on SIGTERM/SIGINT: status 0.
 * 1: error, 2: usage, 3: events were lost (ring buffer or JACK buffer full),
 * 4: the JACK server went away.  At exit stderr gets "recorder: N events" and
 * "recorder: X xruns".
 *
 * The process callback does no allocation, locking, I/O or system calls: it
 * copies events into a preallocated single-producer/single-consumer ring
 * (C11 atomics) that the main thread drains.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
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

#define PROG "recorder"

/* Ring capacity in bytes (power of two) and largest event accepted. */
#ifndef RING_SIZE
#define RING_SIZE ((size_t)16 << 20)
#endif
#define MAX_EVENT_SIZE ((size_t)1 << 20)
#define REC_HDR_SIZE ((size_t)24)

#if ATOMIC_LONG_LOCK_FREE != 2 || ATOMIC_INT_LOCK_FREE != 2
#error "lock-free atomics required"
#endif

struct rec_hdr {
	uint64_t frame;
	uint32_t size;
	uint32_t reserved;
	int64_t raw_ns;     /* -J: the frame's time on CLOCK_MONOTONIC_RAW */
};

_Static_assert(sizeof(struct rec_hdr) == REC_HDR_SIZE, "record header size");
_Static_assert((RING_SIZE & (RING_SIZE - 1)) == 0, "ring size must be a power of two");
_Static_assert(sizeof(size_t) <= sizeof(unsigned long), "size_t must fit an atomic_ulong");

static unsigned char *ring_buf;
static atomic_ulong ring_head;      /* total bytes published by the producer */
static atomic_ulong ring_tail;      /* total bytes consumed by the consumer */
static atomic_ulong ring_overflows; /* events dropped because the ring was full */
static atomic_ulong jack_lost;      /* events JACK reported as lost */
static atomic_ulong xrun_count;
static atomic_int server_gone;
static volatile sig_atomic_t stop_signal;

static jack_client_t *client;
static jack_port_t *in_port;
static int transport_frames;        /* -T */
static int raw_times;               /* -J */
static long play_latency = -1;      /* -L */
static int audio_port;              /* -A */

/* Process-thread-only state for the 64-bit frame counter. */
static uint32_t last_frame32;
static uint64_t frame_high;
static int frame_started;

static size_t pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

static void ring_put(size_t pos, const void *src, size_t n)
{
	size_t off = pos & (RING_SIZE - 1);
	size_t first = RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(ring_buf + off, src, first);
	if (n > first)
		memcpy(ring_buf, (const unsigned char *)src + first, n - first);
}

static void ring_get(size_t pos, void *dst, size_t n)
{
	size_t off = pos & (RING_SIZE - 1);
	size_t first = RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(dst, ring_buf + off, first);
	if (n > first)
		memcpy((unsigned char *)dst + first, ring_buf, n - first);
}

static int process(jack_nframes_t nframes, void *arg)
{
	(void)arg;
	uint32_t now = jack_last_frame_time(client);
	if (frame_started && now < last_frame32)
		frame_high += (uint64_t)1 << 32;
	last_frame32 = now;
	frame_started = 1;
	uint64_t cycle_start = frame_high + now;

	void *buf = jack_port_get_buffer(in_port, nframes);
	if (buf == NULL)
		return 0;
	uint32_t lost = jack_midi_get_lost_event_count(buf);
	if (lost > 0)
		atomic_fetch_add_explicit(&jack_lost, lost, memory_order_relaxed);

	uint32_t count = jack_midi_get_event_count(buf);
	uint32_t stood = 0;
	if (transport_frames && count > 0) {
		jack_position_t pos;
		if (jack_transport_query(client, &pos) == JackTransportRolling)
			cycle_start = pos.frame;
		else
			stood = 1;
	}
	/* -J: CLOCK_MONOTONIC_RAW minus JACK's clock, now (vDSO reads) */
	int64_t clock_off_ns = 0;
	if (raw_times && count > 0) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC_RAW, &a);
		jack_time_t j = jack_get_time();
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
		int64_t an = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
		int64_t bn = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
		clock_off_ns = an + (bn - an) / 2 - ((int64_t)j * 1000 + 500);
	}
	size_t head = atomic_load_explicit(&ring_head, memory_order_relaxed);
	for (uint32_t i = 0; i < count; i++) {
		jack_midi_event_t ev;
		if (jack_midi_event_get(&ev, buf, i) != 0)
			continue;
		size_t tail = atomic_load_explicit(&ring_tail, memory_order_acquire);
		size_t need = REC_HDR_SIZE + pad8(ev.size);
		if (ev.size > MAX_EVENT_SIZE || RING_SIZE - (head - tail) < need) {
			atomic_fetch_add_explicit(&ring_overflows, 1, memory_order_relaxed);
			continue;
		}
		struct rec_hdr h = { cycle_start + ev.time, (uint32_t)ev.size, stood, 0 };
		if (raw_times)
			h.raw_ns = (int64_t)jack_frames_to_time(client,
			    (jack_nframes_t)(now + ev.time)) * 1000 + clock_off_ns;
		ring_put(head, &h, sizeof h);
		if (ev.size > 0)
			ring_put(head + REC_HDR_SIZE, ev.buffer, ev.size);
		head += need;
		atomic_store_explicit(&ring_head, head, memory_order_release);
	}
	return 0;
}

/* -L: the input's playback latency (JACK's latency callback). */
static void on_latency(jack_latency_callback_mode_t mode, void *arg)
{
	(void)arg;
	if (mode == JackPlaybackLatency && play_latency >= 0) {
		jack_latency_range_t r = { (jack_nframes_t)play_latency,
		    (jack_nframes_t)play_latency };
		jack_port_set_latency_range(in_port, JackPlaybackLatency, &r);
	}
}

static int on_xrun(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&xrun_count, 1, memory_order_relaxed);
	return 0;
}

static void on_shutdown(void *arg)
{
	(void)arg;
	atomic_store(&server_gone, 1);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_signal = 1;
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
	nanosleep(&ts, NULL); /* EINTR is fine: the caller re-checks its flags */
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [-ATJ] [-L FRAMES] [-n CLIENTNAME] [-c SOURCEPORT]... [-t IDLE_SECONDS] [-N COUNT] [-o FILE]\n");
}

/* Drain the ring, writing at most `limit` more events (0 = no limit).
 * Returns the number of events written. */
static unsigned long drain(FILE *out, unsigned char *data, char *line, unsigned long limit)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned long written = 0;
	size_t tail = atomic_load_explicit(&ring_tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&ring_head, memory_order_acquire);

	while (tail != head && (limit == 0 || written < limit)) {
		struct rec_hdr h;
		ring_get(tail, &h, sizeof h);
		ring_get(tail + REC_HDR_SIZE, data, h.size);
		int n = h.reserved ? snprintf(line, 32, "-") :
		    snprintf(line, 32, "%" PRIu64, h.frame);
		char *p = line + n;
		for (uint32_t i = 0; i < h.size; i++) {
			*p++ = ' ';
			*p++ = hex[data[i] >> 4];
			*p++ = hex[data[i] & 15];
		}
		if (raw_times)
			p += snprintf(p, 40, " @%.1f", (double)h.raw_ns / 1000.0);
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), out);
		tail += REC_HDR_SIZE + pad8(h.size);
		atomic_store_explicit(&ring_tail, tail, memory_order_release);
		written++;
	}
	if (written > 0)
		fflush(out);
	return written;
}

int main(int argc, char **argv)
{
	const char *name = "recorder";
	const char *outpath = NULL;
	const char **sources = NULL;
	int nsources = 0;
	double idle = 2.0;
	unsigned long want = 0;
	int opt;

	sources = calloc((size_t)argc, sizeof *sources);
	if (sources == NULL) {
		perror(PROG);
		return 1;
	}
	while ((opt = getopt(argc, argv, "ATJL:n:c:t:N:o:h")) != -1) {
		char *end;
		switch (opt) {
		case 'T':
			transport_frames = 1;
			break;
		case 'J':
			raw_times = 1;
			break;
		case 'L':
			errno = 0;
			play_latency = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || play_latency < 0 ||
			    play_latency > 1000000) {
				fprintf(stderr, PROG ": bad latency '%s'\n", optarg);
				return 2;
			}
			break;
		case 'A':
			audio_port = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			sources[nsources++] = optarg;
			break;
		case 't':
			errno = 0;
			idle = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(idle) || idle < 0) {
				fprintf(stderr, PROG ": bad idle time '%s'\n", optarg);
				return 2;
			}
			break;
		case 'N':
			errno = 0;
			want = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || want == 0 || optarg[0] == '-') {
				fprintf(stderr, PROG ": bad count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	FILE *out = stdout;
	if (outpath != NULL) {
		out = fopen(outpath, "w");
		if (out == NULL) {
			fprintf(stderr, PROG ": %s: %s\n", outpath, strerror(errno));
			return 1;
		}
	}

	/* Preallocate and prefault everything the callback and the drain use. */
	ring_buf = malloc(RING_SIZE);
	unsigned char *data = malloc(MAX_EVENT_SIZE);
	char *line = malloc(32 + 3 * MAX_EVENT_SIZE + 48);
	if (ring_buf == NULL || data == NULL || line == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	memset(ring_buf, 0, RING_SIZE);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* JACK's threads inherit a mask blocking SIGTERM/SIGINT, so the
	 * signals reach the main thread. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	jack_status_t status;
	client = jack_client_open(name, JackNoStartServer | JackUseExactName, &status);
	if (client == NULL) {
		fprintf(stderr, PROG ": cannot open JACK client '%s' (status 0x%x)%s\n", name,
			(unsigned)status, (status & JackServerFailed) ? ": no JACK server" : "");
		return 1;
	}
	if (audio_port && jack_port_register(client, "audio", JACK_DEFAULT_AUDIO_TYPE,
	    JackPortIsInput, 0) == NULL) {
		fprintf(stderr, PROG ": cannot register port %s:audio\n", name);
		jack_client_close(client);
		return 1;
	}
	in_port = jack_port_register(client, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
	if (in_port == NULL) {
		fprintf(stderr, PROG ": cannot register port %s:in\n", name);
		jack_client_close(client);
		return 1;
	}
	jack_set_process_callback(client, process, NULL);
	jack_set_xrun_callback(client, on_xrun, NULL);
	if (play_latency >= 0)
		jack_set_latency_callback(client, on_latency, NULL);
	jack_on_shutdown(client, on_shutdown, NULL);
	if (jack_activate(client) != 0) {
		fprintf(stderr, PROG ": cannot activate JACK client\n");
		jack_client_close(client);
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	int rc = 0;
	const char *myport = jack_port_name(in_port);
	for (int i = 0; i < nsources && rc == 0; i++) {
		double deadline = now_seconds() + 5.0;
		int r = -1;
		for (;;) {
			if (jack_port_by_name(client, sources[i]) != NULL) {
				r = jack_connect(client, sources[i], myport);
				if (r == 0 || r == EEXIST)
					break;
			}
			if (now_seconds() >= deadline || atomic_load(&server_gone) || stop_signal)
				break;
			sleep_ms(20);
		}
		if (r != 0 && r != EEXIST) {
			fprintf(stderr, PROG ": cannot connect %s to %s\n", sources[i], myport);
			rc = 1;
		}
	}
	if (rc != 0) {
		jack_client_close(client);
		return rc;
	}
	fprintf(stderr, "ready\n");
	fflush(stderr);

	unsigned long total = 0;
	int got_any = 0;
	double last_event = now_seconds();
	for (;;) {
		unsigned long n = drain(out, data, line, want ? want - total : 0);
		double now = now_seconds();
		if (n > 0) {
			total += n;
			got_any = 1;
			last_event = now;
		}
		if (want && total >= want)
			break;
		if (stop_signal || atomic_load(&server_gone))
			break;
		if (got_any && idle > 0 && now - last_event >= idle)
			break;
		sleep_ms(1);
	}

	int gone = atomic_load(&server_gone);
	if (!gone)
		jack_deactivate(client);
	if (!(want && total >= want))
		total += drain(out, data, line, want ? want - total : 0);
	if (!gone)
		jack_client_close(client);

	int write_error = ferror(out) != 0;
	if (out != stdout) {
		if (fclose(out) != 0)
			write_error = 1;
	} else if (fflush(out) != 0) {
		write_error = 1;
	}

	fprintf(stderr, PROG ": %lu events\n", total);
	fprintf(stderr, PROG ": %lu xruns\n", atomic_load(&xrun_count));
	unsigned long ovf = atomic_load(&ring_overflows);
	unsigned long lost = atomic_load(&jack_lost);
	if (ovf > 0)
		fprintf(stderr, PROG ": error: %lu events dropped (ring buffer full or event too big)\n", ovf);
	if (lost > 0)
		fprintf(stderr, PROG ": error: JACK reported %lu lost events\n", lost);
	if (write_error)
		fprintf(stderr, PROG ": error writing %s\n", outpath ? outpath : "standard output");
	if (gone) {
		fprintf(stderr, PROG ": error: the JACK server went away\n");
		rc = 4;
	} else if (ovf > 0 || lost > 0) {
		rc = 3;
	} else if (write_error) {
		rc = 1;
	}
	free(line);
	free(data);
	free(ring_buf);
	free(sources);
	return rc;
}
