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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "midiplay/control.h"
#include "midiplay/dump.h"
#include "midiplay/export.h"
#include "midiplay/jackout.h"
#include "midiplay/linkplay.h"
#include "midiplay/log.h"
#include "midiplay/netjack.h"
#include "midiplay/options.h"
#include "midiplay/portmap.h"
#include "midiplay/ports.h"
#include "midiplay/progress.h"
#include "midiplay/record.h"
#include "midiplay/smf_writer.h"
#include "midiplay/sched.h"
#include "midiplay/smf_reader.h"
#include "midiplay/stream.h"
#include "midiplay/stream_parse.h"

#define RING_SIZE (1u << 20)
#define RECORD_RING_SIZE (4u << 20)   /* --record: 0.2 s of full cycles
                                       * at period 64, drained every 5 ms */
#define POLL_NS 5000000L          /* main loop period: 5 ms */
#define START_POLL_NS 200000L     /* until playback begins: 0.2 ms */
#define LINK_POLL_NS 1000000L     /* --link: what the callback asks to be
                                   * committed (a tempo change) goes to
                                   * the session within 1 ms */

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

/* The output ports: what the input plays to (ports.h). */
static struct ports outputs;

/* Wait until output INDEX is connected, a signal, or the server goes. */
static int
wait_for_connection(struct jackout *jo, unsigned index)
{
	log_info("waiting for a connection to %s",
	    jackout_port_name(jo, index));
	while (jackout_connections(jo, index) == 0) {
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

/* What adding an output needs (the hook of the ports table). */
struct adding {
	struct jackout *jo;
	const struct options *o;
};

/*
 * ports_add's hook while playing: register output INDEX named NAME,
 * connect it as -c says (-c PORT: every output; -c NAME=PORT: that one),
 * with -W wait for a connection, then let the callback use it.  A port a
 * stream adds while playing carries its first event no sooner than the
 * cycle after its connections were made: what comes due before that
 * goes out then, counted late.  0, or -1 after reporting.
 */
static int
add_output(void *ctx, unsigned index, const char *name)
{
	struct adding *a = ctx;
	int i;

	if (jackout_add_port(a->jo, index, name) < 0)
		return -1;
	for (i = 0; i < a->o->nconnect; i++) {
		const struct options_connect *c = &a->o->connect[i];

		if ((c->output[0] == '\0' || strcmp(c->output, name) == 0) &&
		    jackout_connect(a->jo, index, c->pattern) < 0)
			goto fail;
	}
	if (a->o->wait && atomic_load(&a->jo->start) &&
	    wait_for_connection(a->jo, index) < 0)
		goto fail;
	jackout_publish(a->jo, index);
	return 0;
fail:
	/* (the output is not added: a stream's next port takes INDEX) */
	jackout_drop_port(a->jo, index);
	return -1;
}

/* The outputs there are so far, as JACK ports, then the hook for those
 * added later; -c NAME=PORT naming no output is an error for a file,
 * whose outputs are all known.  0, or -1 after reporting. */
static int
open_outputs(struct adding *a, int stream)
{
	unsigned p;
	int i;

	for (p = 0; p < outputs.n; p++)
		if (add_output(a, p, outputs.name[p]) < 0)
			return -1;
	outputs.on_add = add_output;
	outputs.ctx = a;
	for (i = 0; !stream && i < a->o->nconnect; i++) {
		const struct options_connect *c = &a->o->connect[i];

		if (c->output[0] == '\0' || ports_find(&outputs,
		    c->output) >= 0)
			continue;
		log_error("-c %s=%s: no output is named '%s'; the outputs "
		    "are:", c->output, c->pattern, c->output);
		for (p = 0; p < outputs.n; p++)
			fprintf(stderr, "  %s\n", outputs.name[p]);
		return -1;
	}
	return 0;
}

/* The JACK port of output INDEX, or NULL (for the netjack2 watch). */
static jack_port_t *
output_port(void *ctx, unsigned index)
{
	struct jackout *jo = ctx;

	return index < atomic_load(&jo->nports) ? jo->ports[index].port :
	    NULL;
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

/* The progress line's position and length: seconds, or with --link song
 * beats (SCHED's records carry them). */
static void
show_progress(struct progress *sh, struct jackout *jo, struct sched *sched,
    struct linkplay *lp, int force)
{
	int done = atomic_load(&sched->finished);
	double end = (double)atomic_load(&sched->last_frame);

	if (lp == NULL) {
		progress_update(sh, (double)atomic_load(&jo->position) /
		    jo->rate, done ? end / jo->rate : -1, force);
		return;
	}
	sh->beats = 1;
	if (sh->progress)
		linkplay_describe(lp, sh->link, sizeof sh->link);
	progress_update(sh, linkplay_beat(lp), done ? end / LINKMAP_FX : -1,
	    force);
}

/*
 * Play SRC through JO until the end, a signal or the server's loss.
 * STREAM, when not NULL, is the source's stream.  The exit status.
 */
static int
play(struct jackout *jo, struct mp_source *src, struct stream *stream,
    struct progress *sh, const struct options *o, struct record *rec,
    struct linkplay *lp)
{
	struct sched sched;
	int announced = 0, stopping = 0, status;
	struct timespec t0, t;
	uint64_t last_cycles;
	char budget_bytes[32] = "";

	/* (with a transport's Stop and Continue, one event's room of the
	 * budget is theirs: jackout.c budget()) */
	if (sched_start_follow(&sched, src, &jo->ring, jo->rate, o->release,
	    o->transport || o->link_sync ? &jo->follow : NULL,
	    o->limit_bytes > 0 && jo->clock ? o->limit_bytes -
	    mp_event_cost(1) : o->limit_bytes,
	    &outputs) < 0)
		return 1;
	if (stream != NULL)
		stream_realtime(&sched);
	/* Let the scheduler queue a file's first events before time zero.
	 * A stream's first line may take its time, but what its input holds
	 * already (a file on stdin, a pipe's first lines) is taken first:
	 * the ports it names are made before time zero, which waits for
	 * them (jackout_start), instead of settling while playing.  A ring
	 * half full (a large file, what is due at zero) starts it too. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (stream == NULL ? !o->transport && !o->link_sync &&
	    ring_used(&jo->ring) == 0 : !stream_caught_up(stream) &&
	    ring_used(&jo->ring) < jo->ring.size / 2) {
		if (atomic_load(&sched.finished) || got_signal)
			break;
		nap_ns(START_POLL_NS);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2)
			break;
	}
	jackout_start(jo);
	if (lp != NULL && linkplay_begin(lp, &got_signal) < 0)
		jackout_stop(jo);

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
		if (lp != NULL)
			linkplay_service(lp);
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
			else if (lp != NULL && !o->link_sync)
				log_info("playing on the Link session's beat 0 "
				    "from frame %lld at %u Hz",
				    (long long)atomic_load(&jo->zero_frame) +
				    (long long)linkplay_shift(lp), jo->rate);
			else
				log_info("playing from frame %llu at %u Hz",
				    (unsigned long long)atomic_load(
				    &jo->zero_frame), jo->rate);
		}
		if (rec != NULL && record_drain(rec, &jo->rec) < 0) {
			/* no memory left for the recording: stop, as for a
			 * signal, and say so */
			got_signal = got_signal ? got_signal : SIGTERM;
		}
		if (announced)
			show_progress(sh, jo, &sched, lp, 0);
		/* say "playing" in the cycle it begins, then poll slower */
		nap_ns(!announced ? START_POLL_NS : lp != NULL ? LINK_POLL_NS :
		    POLL_NS);
	}
	show_progress(sh, jo, &sched, lp, 1);
	progress_clear(sh);
	if (lp != NULL)
		linkplay_report(lp);
	status = sched_join(&sched) < 0 ? 1 : 0;
	if (rec != NULL && record_drain(rec, &jo->rec) < 0)
		status = 1;
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

/* Is OUT the file IN (the same name, or the same file by another)? */
static int
same_file(const char *in, const char *out)
{
	struct stat a, b;

	if (strcmp(in, out) == 0)
		return 1;
	return stat(in, &a) == 0 && stat(out, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* --export: write what would be played instead of playing.  The exit
 * status. */
static int
export(struct options *o)
{
	struct export_opts eo = { o->export_path, o->ppq, o->release };
	struct mp_source src = { 0 };
	int rc;

	if (smfw_check_path(o->export_path) < 0)
		return 1;
	if (strcmp(o->file, "-") == 0) {
		struct stream_opts so = { .fd = 0, .name = "<stdin>",
		    .strict = o->strict, .want_meta = 1, .ports = &outputs };
		struct stream *stream;

		if (ports_add(&outputs, "out", "the stream") < 0 ||
		    stream_open(&stream, &so) < 0)
			return 1;
		stream_source(stream, &src);
		rc = export_stream(&src, &eo, &outputs);
		if (rc == 0 && stream_rejected(stream) > 0)
			rc = 1;
		stream_close(stream);
	} else {
		struct smf_reader *reader;
		struct control *control;
		struct portmap *pm;

		if (same_file(o->file, o->export_path)) {
			log_error("%s: is the file being read; --export needs "
			    "another name", o->export_path);
			return 1;
		}
		if (smf_reader_open(&reader, o->file) < 0)
			return 1;
		if (portmap_file(&pm, reader, o->split, o->ctl.tracks,
		    o->ctl.channels, &outputs) < 0) {
			smf_reader_close(reader);
			return 1;
		}
		o->ctl.ticks = 1;
		if (control_open(&control, reader, o->file, &o->ctl) < 0) {
			smf_reader_close(reader);
			portmap_close(pm);
			return 1;
		}
		control_source(control, &src);
		rc = export_file(&src, reader, o->ctl.tracks, o->split ?
		    &outputs : NULL, &eo);
		if (control_dropped(control) > 1)
			log_warn("warning: %lu notes transposed out of 0-127 "
			    "were dropped", control_dropped(control));
		control_close(control);
		smf_reader_close(reader);
		portmap_close(pm);
	}
	return rc == 0 ? 0 : 1;
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
	struct record *rec = NULL;
	struct portmap *pm = NULL;
	struct adding adding = { &jo, &o };
	struct linkplay link, *lp = NULL;
	unsigned p;
	int status = 0;

	options_parse(argc, argv, &o);
	memset(&sh, 0, sizeof sh);
	log_init("midiplay", o.level);
	ports_init(&outputs);
	if (o.list)
		return list_ports(&o);
	if (o.export_path != NULL)
		return export(&o);

	if (strcmp(o.file, "-") == 0) {
		struct stream_opts so = { .fd = 0, .name = "<stdin>",
		    .strict = o.strict, .ports = &outputs };

		if (ports_add(&outputs, "out", "the stream") < 0 ||
		    stream_open(&stream, &so) < 0)
			return 1;
		stream_source(stream, &src);
	} else {
		if (smf_reader_open(&reader, o.file) < 0)
			return 1;
		if (portmap_file(&pm, reader, o.split, o.ctl.tracks,
		    o.ctl.channels, &outputs) < 0) {
			smf_reader_close(reader);
			return 1;
		}
		smf_reader_source(reader, &src);
		sh.verbose = o.level == LOG_VERBOSE;
		sh.progress = !o.dump && o.level != LOG_QUIET &&
		    isatty(STDERR_FILENO);
		sh.progress = sh.progress && !o.transport;
		if (control_needed(&o.ctl) || sh.verbose || sh.progress ||
		    o.transport) {
			if (control_open(&control, reader, o.file, &o.ctl) < 0) {
				smf_reader_close(reader);
				portmap_close(pm);
				return 1;
			}
			control_source(control, &src);
			control_want_info(control, !o.dump &&
			    (sh.verbose || sh.progress));
			sh.control = control;
		}
	}
	if (o.dump) {
		status = dump_source(stdout, &src, &outputs) < 0 ? 1 : 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			log_error("cannot write the dump");
			status = 1;
		}
		if (stream != NULL && stream_rejected(stream) > 0)
			status = 1;
		control_close(control);
		smf_reader_close(reader);
		portmap_close(pm);
		stream_close(stream);
		return status;
	}

	catch_signals();
	/* --link: join now, so that peers are found meanwhile */
	if (o.link) {
		if (linkplay_open(&link, &o) < 0)
			status = 1;
		else
			lp = &link;
	}
	if (status != 0) {
		/* (said) */
	} else if (o.record_path != NULL && strcmp(o.file, "-") != 0 &&
	    same_file(o.file, o.record_path)) {
		log_error("%s: is the file being played; --record needs "
		    "another name", o.record_path);
		status = 1;
	} else if (o.record_path != NULL &&
	    smfw_check_path(o.record_path) < 0) {
		status = 1;
	} else if (jackout_open(&jo, o.name, RING_SIZE, o.record_path != NULL ?
	    RECORD_RING_SIZE : 0) < 0) {
		status = 1;
	} else if (o.record_path != NULL &&
	    record_open(&rec, o.record_path, jo.rate) < 0) {
		jackout_close(&jo);
		status = 1;
	}
	if (status != 0) {
		if (lp != NULL)
			linkplay_close(lp);
		control_close(control);
		smf_reader_close(reader);
		portmap_close(pm);
		stream_close(stream);
		return status;
	}
	if (stream != NULL) {
		struct stream_opts so = { .fd = 0, .name = "<stdin>",
		    .clock = stream_clock, .clock_ctx = &jo,
		    .latency_ns = o.latency_ns, .strict = o.strict,
		    .ports = &outputs };

		/* one period unless told: the least that keeps every line's
		 * relative timing whatever the period */
		if (!o.have_latency)
			so.latency_ns = (uint64_t)jack_get_buffer_size(
			    jo.client) * 1000000000u / jo.rate;
		/* what midiplay adds, for hosts that compensate */
		jackout_added_latency(&jo, (uint32_t)((so.latency_ns *
		    jo.rate + 500000000u) / 1000000000u));
		if (lp != NULL) {
			/* times from song time zero; beats on the session */
			so.clock = linkplay_stream_clock;
			so.clock_ctx = lp;
			so.beat_at = linkplay_stream_beat;
			so.ns_at = linkplay_stream_ns;
		}
		stream_close(stream);
		if (stream_open(&stream, &so) < 0) {
			record_close(rec);
			jackout_close(&jo);
			if (lp != NULL)
				linkplay_close(lp);
			return 1;
		}
		stream_source(stream, &src);
	}
	jo.limit_events = o.limit_events;
	jo.limit_bytes = o.limit_bytes;
	if (o.transport)
		jackout_follow(&jo, follow_seek, control, o.ctl.clock);
	if (lp != NULL)
		linkplay_attach(lp, &jo, follow_seek, control);
	status = open_outputs(&adding, stream != NULL) < 0 ? 1 : 0;
	/* -W: every output there is (a stream's later ones wait as they
	 * come: add_output) */
	for (p = 0; status == 0 && o.wait && p < outputs.n; p++)
		if (wait_for_connection(&jo, p) < 0)
			status = got_signal ? 128 + got_signal : 1;
	if (status == 0) {
		/* a warning before the first message netjack2 would zero */
		netjack_watch(&watch, &src, jo.client, output_port, &jo);
		status = play(&jo, &src, stream, &sh, &o, rec, lp);
	} else if (rec != NULL) {
		/* nothing played: a file already at OUT is left as it is */
		log_error("%s: not written: nothing was played", o.record_path);
		record_close(rec);
		rec = NULL;
	}
	if (rec != NULL) {
		/* what was sent by now, whatever ended the playback: a
		 * signal's releases included */
		uint64_t lost = atomic_load(&jo.rec_lost);

		if (record_drain(rec, &jo.rec) < 0 ||
		    record_save(rec, &outputs) < 0)
			status = status ? status : 1;
		if (lost > 0) {
			log_error("%s: %llu events sent were not recorded: the "
			    "recording could not keep up", o.record_path,
			    (unsigned long long)lost);
			status = status ? status : 1;
		}
		record_close(rec);
	}
	jackout_close(&jo);
	if (lp != NULL)
		linkplay_close(lp);
	if (control != NULL && control_dropped(control) > 1)
		log_warn("warning: %lu notes transposed out of 0-127 were "
		    "dropped", control_dropped(control));
	control_close(control);
	smf_reader_close(reader);
	portmap_close(pm);
	stream_close(stream);
	return status;
}
