/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * midiplay: play a Standard MIDI File into a JACK MIDI port, every event
 * at its exact frame.
 *
 * main wires the parts together: the options (options.c), a reader, the
 * scheduler thread that feeds the ring, the JACK output whose process
 * callback drains it, and what is shown meanwhile (progress.c).  It
 * handles signals through a flag and decides when it is safe to exit.
 */
#include "config.h"

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
#include "midiplay/netjack.h"
#include "midiplay/options.h"
#include "midiplay/progress.h"
#include "midiplay/sched.h"
#include "midiplay/smf_reader.h"
#include "midiplay/stream.h"
#include "midiplay/stream_parse.h"

#define RING_SIZE (1u << 20)
#define POLL_NS 5000000L          /* main loop period: 5 ms */
#define START_POLL_NS 200000L     /* until playback begins: 0.2 ms */

static volatile sig_atomic_t got_signal;

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
    struct progress *sh, const struct options *o)
{
	struct sched sched;
	int announced = 0, stopping = 0, status;
	struct timespec t0, t;
	uint64_t last_cycles;
	char budget_bytes[32] = "";

	if (sched_start_follow(&sched, src, &jo->ring, jo->rate, o->release,
	    o->transport ? &jo->follow : NULL, o->limit_bytes) < 0)
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
			progress_clear(sh);
			if (o->transport)
				log_info("following the JACK transport at %u Hz",
				    jo->rate);
			else
				log_info("playing from frame %llu at %u Hz",
				    (unsigned long long)atomic_load(
				    &jo->zero_frame), jo->rate);
		}
		if (announced)
			progress_update(sh, (double)atomic_load(&jo->position) /
			    jo->rate, atomic_load(&sched.finished) ?
			    (double)atomic_load(&sched.last_frame) / jo->rate :
			    -1, 0);
		/* say "playing" in the cycle it begins, then poll slower */
		nap_ns(announced ? POLL_NS : START_POLL_NS);
	}
	progress_update(sh, (double)atomic_load(&jo->position) / jo->rate,
	    (double)atomic_load(&sched.last_frame) / jo->rate, 1);
	progress_clear(sh);
	status = sched_join(&sched) < 0 ? 1 : 0;
	if (jo->limit_bytes > 0)
		snprintf(budget_bytes, sizeof budget_bytes, " and %u bytes",
		    jo->limit_bytes);
	log_info("%llu events sent, %llu late, %llu carried to a later "
	    "cycle, %llu xruns; the budget of %u events%s a cycle held "
	    "events back in %llu cycles",
	    (unsigned long long)atomic_load(&jo->sent),
	    (unsigned long long)atomic_load(&jo->late),
	    (unsigned long long)atomic_load(&jo->carried),
	    (unsigned long long)atomic_load(&jo->xruns), jo->limit_events,
	    budget_bytes, (unsigned long long)atomic_load(&jo->limited));
	if (sched.refused > 0)
		status = 1;
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
	struct netjack_watch watch;
	struct progress sh;
	int i, status;

	options_parse(argc, argv, &o);
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
	jo.limit_events = o.limit_events;
	jo.limit_bytes = o.limit_bytes;
	if (o.transport)
		jackout_follow(&jo, follow_seek, control, o.ctl.clock);
	status = 0;
	for (i = 0; i < o.nconnect && status == 0; i++)
		if (jackout_connect(&jo, o.connect[i]) < 0)
			status = 1;
	if (status == 0 && o.wait && wait_for_connection(&jo, o.name) < 0)
		status = got_signal ? 128 + got_signal : 1;
	if (status == 0) {
		/* a warning before the first message netjack2 would zero */
		netjack_watch(&watch, &src, jo.client, jo.port);
		status = play(&jo, &src, stream, &sh, &o);
	}
	jackout_close(&jo);
	if (control != NULL && control_dropped(control) > 1)
		log_warn("warning: %lu notes transposed out of 0-127 were "
		    "dropped", control_dropped(control));
	control_close(control);
	smf_reader_close(reader);
	stream_close(stream);
	return status;
}
