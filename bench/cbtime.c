/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cbtime: LD_PRELOAD timer of a JACK client's process callback, for the
 * callback row of `make bench`.
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -O2 -shared -fPIC cbtime.c -o cbtime.so -ldl
 * Use:   LD_PRELOAD=/abs/cbtime.so CBTIME_OUT=FILE program ...
 *
 * jack_set_process_callback is interposed and the program's callback is
 * wrapped: the wrapper reads CLOCK_MONOTONIC (a vDSO call) before and
 * after it.  jack_midi_event_reserve and jack_midi_event_write are
 * interposed too, to count the events the callback writes.  Each cycle's
 * nanoseconds and event count go into a table allocated at load time; at
 * exit FILE gets one line "NS EVENTS" per cycle (at most CBTIME_CYCLES).
 *
 * Built with -DCBTIME_WRAP_ONLY (cbwrap.so) it only wraps the callback, as
 * the function `wrapper`, and counts no events: under
 * `valgrind --tool=callgrind --toggle-collect=wrapper` that counts the
 * instructions of any program's callback, even one without a symbol (as
 * python-rtmidi's), and nothing of the interposer's but two clock reads.
 *
 * It works on a program linked with libjack (midiplay) and on one that
 * loads libjack with dlopen(RTLD_LOCAL) (python-rtmidi in CPython), where
 * RTLD_NEXT cannot see libjack: the real functions are then taken from
 * the already-loaded libjack.so.0 itself.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef uint32_t jack_nframes_t;
typedef struct _jack_client jack_client_t;
typedef int (*JackProcessCallback)(jack_nframes_t nframes, void *arg);
typedef unsigned char jack_midi_data_t;

#define CBTIME_CYCLES (1u << 20)

struct cycle {
	uint32_t ns;
	uint32_t events;
};

static struct cycle *cycles;
static unsigned ncycles;
static JackProcessCallback user_cb;
static void *user_arg;
#define IE __attribute__((tls_model("initial-exec")))
static __thread int in_process IE;
static __thread uint32_t events_now IE;

static void *
real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL) {
		void *h = dlopen("libjack.so.0", RTLD_NOW | RTLD_NOLOAD);

		if (h != NULL)
			p = dlsym(h, name);
	}
	if (p == NULL) {
		fprintf(stderr, "cbtime: cannot find %s\n", name);
		abort();
	}
	return p;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
wrapper(jack_nframes_t nframes, void *arg)
{
	uint64_t t0, t1;
	int r;

	(void)arg;
	in_process = 1;
	events_now = 0;
	t0 = now_ns();
	r = user_cb(nframes, user_arg);
	t1 = now_ns();
	in_process = 0;
	if (ncycles < CBTIME_CYCLES) {
		cycles[ncycles].ns = (uint32_t)(t1 - t0);
		cycles[ncycles].events = events_now;
		ncycles++;
	}
	return r;
}

int
jack_set_process_callback(jack_client_t *client, JackProcessCallback cb,
    void *arg)
{
	static int (*set)(jack_client_t *, JackProcessCallback, void *);

	if (set == NULL)
		set = (int (*)(jack_client_t *, JackProcessCallback, void *))
		    real("jack_set_process_callback");
	user_cb = cb;
	user_arg = arg;
	return set(client, wrapper, NULL);
}

#ifndef CBTIME_WRAP_ONLY
jack_midi_data_t *
jack_midi_event_reserve(void *buf, jack_nframes_t time, size_t size)
{
	static jack_midi_data_t *(*fn)(void *, jack_nframes_t, size_t);
	jack_midi_data_t *p;

	if (fn == NULL)
		fn = (jack_midi_data_t *(*)(void *, jack_nframes_t, size_t))
		    real("jack_midi_event_reserve");
	p = fn(buf, time, size);
	if (p != NULL && in_process)
		events_now++;
	return p;
}

int
jack_midi_event_write(void *buf, jack_nframes_t time,
    const jack_midi_data_t *data, size_t size)
{
	static int (*fn)(void *, jack_nframes_t, const jack_midi_data_t *,
	    size_t);
	int r;

	if (fn == NULL)
		fn = (int (*)(void *, jack_nframes_t, const jack_midi_data_t *,
		    size_t))real("jack_midi_event_write");
	r = fn(buf, time, data, size);
	if (r == 0 && in_process)
		events_now++;
	return r;
}
#endif

__attribute__((constructor)) static void
cbtime_init(void)
{
	cycles = calloc(CBTIME_CYCLES, sizeof *cycles);
	if (cycles == NULL)
		abort();
}

__attribute__((destructor)) static void
cbtime_fini(void)
{
	const char *path = getenv("CBTIME_OUT");
	FILE *f;

	if (user_cb == NULL || path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	for (unsigned i = 0; i < ncycles; i++)
		fprintf(f, "%u %u\n", cycles[i].ns, cycles[i].events);
	fclose(f);
}
