/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jackout: JACK client, output ports, connections and the process
 * callback.  See jackout.h.
 *
 * The process callback (jackout_process and what it calls) may only touch
 * the rings, JACK's port buffer functions and atomics: no allocation,
 * lock, print or system call.
 *
 * Several ports.  The ring holds every port's events in one time order,
 * each record naming its port, and the callback writes each to its
 * port's buffer by index: no search over ports.  Each port has its own
 * budget (--cycle-limit, PipeWire's cap) and notes to release.  When one
 * port cannot take an event this cycle, the event moves to that port's
 * carry, a small ring of its own, and the ring's next events, for the
 * other ports, still go out now; the port takes its carry first in the
 * next cycle, in order.  With one port the ring itself is the carry, as
 * it always was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jack/midiport.h>

#include "midiplay/event.h"
#include "midiplay/jackout.h"
#include "midiplay/linkclock.h"
#include "midiplay/log.h"
#include "midiplay/record.h"
#include "midiplay/sched.h"

/* Release positions: every channel and key, then every channel's CCs. */
#define RELEASE_NOTES (16 * 128)

/* A port's carry: events it could not take in their cycle (several
 * ports only; a full one holds the ring back). */
#define CARRY_SIZE (64u << 10)

/* The controllers set to 0 after the note-offs: sustain off when releasing;
 * a panic adds all sound off, reset all controllers and all notes off. */
static const uint8_t release_ccs[] = { 64 };
static const uint8_t panic_ccs[] = { 64, 120, 121, 123 };

/*
 * Room for one more event of LEN bytes in port P's budget this cycle
 * (--cycle-limit).  When there is none, the cycle counts as limited.
 */
static int
budget(struct jackout *jo, struct jackout_port *p, uint32_t len)
{
	/* following a transport with clock, a Stop or Continue may come
	 * on top (send_byte): keep room for it */
	unsigned keep_events = jo->clock ? 1 : 0;
	uint32_t keep_bytes = jo->clock ? mp_event_cost(1) : 0;

	if (p->written + keep_events < jo->limit_events &&
	    (jo->limit_bytes == 0 || p->bytes + mp_event_cost(len) +
	    keep_bytes <= jo->limit_bytes))
		return 1;
	jo->cycle_limited = 1;
	return 0;
}

/* Count an event of LEN bytes against P's budget. */
static void
spend(struct jackout_port *p, uint32_t len)
{
	p->written++;
	p->bytes += mp_event_cost(len);
}

/* Time zero is this cycle's first frame.  A recording counts from the
 * first time zero that plays, the frames the events really went out at,
 * through every restart a Link session's start/stop makes.  (Following
 * the session, the first zero only waits for its start: RECORDS 0.) */
static void
set_zero(struct jackout *jo, int records)
{
	atomic_store_explicit(&jo->zero_frame, jo->now, memory_order_relaxed);
	if (records && !jo->rec_zero_set) {
		jo->rec_zero = jo->now;
		jo->rec_zero_set = 1;
	}
}

/* --record: hand what was just sent to port PORT at OFF in this cycle back
 * to the main thread; a full ring loses it, counted (the callback never
 * waits). */
static void
keep(struct jackout *jo, unsigned port, uint32_t off, const uint8_t *d,
    uint32_t len)
{
	struct record_rec h;

	if (!jo->recording)
		return;
	if (!jo->rec_zero_set) {
		/* (a release before the session ever started) */
		jo->rec_zero = jo->now;
		jo->rec_zero_set = 1;
	}
	h.frame = jo->now - jo->rec_zero + off;
	h.len = len;
	h.port = (uint16_t)port;
	h.pad = 0;
	if (ring_write2(&jo->rec, &h, sizeof h, d, len) < 0)
		atomic_fetch_add_explicit(&jo->rec_lost, 1,
		    memory_order_relaxed);
}

/* Follow what was sent to P, so that what is sounding can be released. */
static void
track_notes(struct jackout_port *p, const uint8_t *d, uint32_t len)
{
	uint8_t st = d[0] & 0xf0, ch = d[0] & 0x0f;

	if (d[0] < 0x80 || d[0] >= 0xf0)
		return;
	p->channels_used |= (uint16_t)(1u << ch);
	/* raw bytes in a stream or an F7 escape may be anything */
	if (len != 3 || d[1] >= 0x80)
		return;
	if (st == 0x90 && d[2] > 0) {
		if (p->notes[ch][d[1]] < 255)
			p->notes[ch][d[1]]++;
	} else if (st == 0x80 || st == 0x90) {
		if (p->notes[ch][d[1]] > 0)
			p->notes[ch][d[1]]--;
	}
}

/*
 * Write LEN bytes of D to port PI at OFF, within its budget and buffer,
 * following its notes unless it is a release's controller (which would
 * count its channel as used).  1 when written, 0 when they do not fit
 * this cycle.
 */
static int
put(struct jackout *jo, unsigned pi, uint32_t off, const uint8_t *d,
    uint32_t len, int follow)
{
	struct jackout_port *p = &jo->ports[pi];
	uint8_t *dst;

	if (!budget(jo, p, len) || len > jack_midi_max_event_size(p->buf) ||
	    (dst = jack_midi_event_reserve(p->buf, off, len)) == NULL)
		return 0;
	memcpy(dst, d, len);
	keep(jo, pi, off, d, len);
	if (follow)
		track_notes(p, d, len);
	spend(p, len);
	p->last_off = off;
	atomic_fetch_add_explicit(&jo->sent, 1, memory_order_relaxed);
	return 1;
}

/*
 * Send note-offs for every note sounding on port PI, then the mode's
 * controllers on every channel it used (on all channels for a panic),
 * from offset OFF, within its budget.  1 when all is sent.
 */
static int
release_port(struct jackout *jo, unsigned pi, uint32_t off)
{
	struct jackout_port *p = &jo->ports[pi];
	int panic = jo->release_mode == JO_REL_PANIC;
	const uint8_t *ccs = panic ? panic_ccs : release_ccs;
	unsigned nccs = panic ? sizeof panic_ccs : sizeof release_ccs;
	unsigned end = RELEASE_NOTES + 16 * nccs;

	if (off < p->last_off)
		off = p->last_off;
	while (p->release_pos < end) {
		unsigned pos = p->release_pos;
		uint8_t msg[3];

		if (pos < RELEASE_NOTES) {
			uint8_t ch = (uint8_t)(pos / 128), key = pos % 128;

			if (p->notes[ch][key] == 0) {
				p->release_pos++;
				continue;
			}
			msg[0] = 0x80 | ch;
			msg[1] = key;
			msg[2] = 0;
		} else {
			uint8_t ch = (uint8_t)((pos - RELEASE_NOTES) / nccs);

			if (!panic && !(p->channels_used & (1u << ch))) {
				p->release_pos++;
				continue;
			}
			msg[0] = 0xb0 | ch;
			msg[1] = ccs[(pos - RELEASE_NOTES) % nccs];
			msg[2] = 0;
		}
		/* (put counts the note-off itself in the port's notes) */
		if (!put(jo, pi, off, msg, 3, pos < RELEASE_NOTES))
			return 0;
		if (pos >= RELEASE_NOTES || p->notes[pos / 128][pos % 128] == 0)
			p->release_pos++;
	}
	return 1;
}

/* Release every port, each in its own budget.  1 when all is sent (and
 * then each port's position goes back to the start). */
static int
release(struct jackout *jo, uint32_t off)
{
	unsigned i;
	int all = 1;

	for (i = 0; i < jo->np; i++)
		if (jo->ports[i].live && !release_port(jo, i, off))
			all = 0;
	if (!all)
		return 0;
	for (i = 0; i < jo->np; i++)
		jo->ports[i].release_pos = 0;
	return 1;
}

static void
finish(struct jackout *jo)
{
	atomic_store_explicit(&jo->done_cycle,
	    atomic_load_explicit(&jo->cycles, memory_order_relaxed),
	    memory_order_relaxed);
	atomic_store_explicit(&jo->state, JO_DONE, memory_order_release);
}

/* Is any port's carry holding events? */
static int
carrying(const struct jackout *jo)
{
	unsigned i;

	for (i = 0; i < jo->np; i++)
		if (ring_used(&jo->ports[i].carry) > 0)
			return 1;
	return 0;
}

/*
 * Port PI takes what its carry holds, in order, at the start of this
 * cycle (all of it is late), as far as its budget goes.  Records read for
 * a position the transport has left are dropped.
 */
static void
take_carry(struct jackout *jo, unsigned pi)
{
	struct jackout_port *p = &jo->ports[pi];
	struct sched_rec rec;

	while (p->live && ring_read_at(&p->carry, 0, &rec, sizeof rec) == 0) {
		if ((jo->transport || jo->lk_sync) &&
		    rec.gen != (uint16_t)jo->t_gen) {
			ring_consume(&p->carry, sizeof rec + rec.len);
			continue;
		}
		ring_read_at(&p->carry, sizeof rec, jo->scratch, rec.len);
		if (!put(jo, pi, 0, jo->scratch, rec.len, 1))
			return;
		ring_consume(&p->carry, sizeof rec + rec.len);
		/* kind holds why it waited: the budget, or a new port */
		atomic_fetch_add_explicit(rec.kind == SCHED_MIDI ?
		    &jo->carried : &jo->late, 1, memory_order_relaxed);
	}
}

/*
 * Move the ring's first record (REC, for a port that cannot take it now)
 * to its port's carry; WHY is SCHED_MIDI when the budget or buffer held
 * it, anything else when the port is not live yet.  1 when moved, 0 when
 * the carry is full (the ring waits).
 */
static int
to_carry(struct jackout *jo, struct sched_rec rec, uint16_t why)
{
	struct jackout_port *p = &jo->ports[rec.port];

	if (ring_space(&p->carry) < sizeof rec + rec.len)
		return 0;
	ring_read_at(&jo->ring, sizeof rec, jo->scratch, rec.len);
	ring_consume(&jo->ring, sizeof rec + rec.len);
	rec.kind = (uint8_t)why;
	ring_write2(&p->carry, &rec, sizeof rec, jo->scratch, rec.len);
	return 1;
}

/*
 * Write the ring's events due before the end of this cycle.  Returns the
 * next state.
 */
static int
play_cycle(struct jackout *jo, jack_nframes_t nframes, uint64_t tframe)
{
	uint64_t start = jo->transport ? tframe : jo->now -
	    atomic_load_explicit(&jo->zero_frame, memory_order_relaxed);
	uint64_t end = start + nframes;
	struct sched_rec rec;
	unsigned i;
	int full = 0;

	atomic_store_explicit(&jo->position, start, memory_order_relaxed);
	for (i = 0; jo->np > 1 && i < jo->np; i++)
		take_carry(jo, i);
	while (ring_read_at(&jo->ring, 0, &rec, sizeof rec) == 0) {
		/* with --link, a song beat becomes a frame here */
		uint64_t rf = jo->lk != NULL ? linkclock_frame(jo->lk, &rec) :
		    rec.frame;
		uint32_t off = rf < start ? 0 : (uint32_t)(rf - start);
		struct jackout_port *p;

		if ((jo->transport || jo->lk_sync) &&
		    rec.gen != (uint16_t)jo->t_gen) {
			/* read for a position the transport has left */
			ring_consume(&jo->ring, sizeof rec + rec.len);
			continue;
		}
		if (rf >= end)
			break;
		if (rec.kind == SCHED_TEMPO) {
			double bpm = 0;

			ring_read_at(&jo->ring, sizeof rec, &bpm, sizeof bpm);
			ring_consume(&jo->ring, sizeof rec + rec.len);
			if (jo->lk != NULL)
				linkclock_tempo(jo->lk, &rec, bpm);
			continue;
		}
		if (rec.kind != SCHED_MIDI) {
			/* an end or a panic comes after every event before
			 * it, the carried ones included */
			if (carrying(jo))
				break;
			ring_consume(&jo->ring, sizeof rec);
			if (rec.kind == SCHED_END) {
				jo->carry_until = 0;
				return JO_DONE;
			}
			jo->release_mode = rec.kind == SCHED_PANIC ?
			    JO_REL_PANIC : JO_REL_END;
			jo->release_off = off;
			return JO_RELEASING;
		}
		if (rec.port >= jo->np)
			break;  /* a port published after this cycle began:
			         * it is in the next one's */
		p = &jo->ports[rec.port];
		if (off < p->last_off)
			off = p->last_off;
		if (jo->np > 1 && (!p->live || ring_used(&p->carry) > 0)) {
			/* behind what it already holds, or not yet live */
			if (!to_carry(jo, rec, p->live ? SCHED_MIDI :
			    SCHED_END)) {
				full = 1;
				break;
			}
			continue;
		}
		ring_read_at(&jo->ring, sizeof rec, jo->scratch, rec.len);
		if (!put(jo, rec.port, off, jo->scratch, rec.len, 1)) {
			if (jo->np > 1 && to_carry(jo, rec, SCHED_MIDI))
				continue;
			full = 1;
			break;
		}
		ring_consume(&jo->ring, sizeof rec + rec.len);
		if (rf < start) {
			if (rf < jo->carry_until)
				atomic_fetch_add_explicit(&jo->carried, 1,
				    memory_order_relaxed);
			else
				atomic_fetch_add_explicit(&jo->late, 1,
				    memory_order_relaxed);
		}
	}
	jo->carry_until = full ? end : 0;
	return JO_PLAYING;
}

/* Ask the scheduler to read again from transport frame FRAME. */
static void
request_seek(struct jackout *jo, uint64_t frame)
{
	atomic_store_explicit(&jo->follow.want_frame, frame,
	    memory_order_release);
	atomic_store_explicit(&jo->follow.want_gen, ++jo->t_gen,
	    memory_order_release);
	jo->t_frame = frame;
}

static void
start_release(struct jackout *jo)
{
	unsigned i;

	jo->release_mode = JO_REL_TRANSPORT;
	for (i = 0; i < jo->np; i++)
		jo->ports[i].release_pos = 0;
	jo->release_off = 0;
	atomic_store_explicit(&jo->state, JO_RELEASING, memory_order_relaxed);
}

/* The system realtime message B, at OFF in the cycle (after what each
 * port has there), to every port, in the room budget() keeps for it. */
static void
send_byte(struct jackout *jo, uint8_t b, uint32_t off)
{
	unsigned i;

	for (i = 0; i < jo->np; i++) {
		struct jackout_port *p = &jo->ports[i];
		uint32_t at = off > p->last_off ? off : p->last_off;
		uint8_t *dst;

		/* (a full buffer's reserve would count a lost event) */
		if (jack_midi_max_event_size(p->buf) < 1)
			continue;
		if ((dst = jack_midi_event_reserve(p->buf, at, 1)) != NULL) {
			*dst = b;
			keep(jo, i, at, &b, 1);
			spend(p, 1);
			p->last_off = at;
		}
	}
}

/* Drop up to MAX records queued for a position the transport has left
 * (whether it rolls or not, so that the scheduler has room for the new
 * one). */
static void
drop_stale(struct jackout *jo, unsigned max)
{
	struct sched_rec rec;

	while (max-- > 0 && ring_read_at(&jo->ring, 0, &rec, sizeof rec) == 0 &&
	    rec.gen != (uint16_t)jo->t_gen)
		ring_consume(&jo->ring, sizeof rec + rec.len);
}

/*
 * Following the transport: see where it is.  Returns 1 with *TFRAME set
 * when it rolls, 0 when it stands (after asking for what that needs).
 * A stop, or a move while rolling, releases the sounding notes; a move
 * asks the scheduler to seek (the sync callback usually did already).
 */
static int
follow_transport(struct jackout *jo, jack_nframes_t nframes, uint64_t *tframe)
{
	jack_position_t pos;
	int rolling = jack_transport_query(jo->client, &pos) ==
	    JackTransportRolling;

	drop_stale(jo, 8192);

	if (!rolling) {
		if (jo->t_rolling) {
			jo->t_rolling = 0;
			if (jo->clock)
				jo->t_pending = 0xfc;
			start_release(jo);
		}
		if (pos.frame != jo->t_frame)
			request_seek(jo, pos.frame);
		if (atomic_load_explicit(&jo->state, memory_order_relaxed) ==
		    JO_RELEASING) {
			if (release(jo, 0)) {
				atomic_store_explicit(&jo->state, JO_PLAYING,
				    memory_order_relaxed);
				if (jo->t_pending == 0xfc) {
					send_byte(jo, 0xfc, 0);
					jo->t_pending = 0;
				}
			}
		}
		return 0;
	}
	if (jo->t_rolling && pos.frame != jo->t_frame) {
		/* moved while rolling without a sync: release, seek */
		request_seek(jo, pos.frame);
		start_release(jo);
	} else if (!jo->t_rolling) {
		if (pos.frame != jo->t_frame)
			request_seek(jo, pos.frame);
		else if (jo->clock && jo->t_rolled_gen == jo->t_gen)
			jo->t_pending = 0xfb;   /* rolls on where it stood */
	}
	jo->t_rolling = 1;
	jo->t_rolled_gen = jo->t_gen;
	jo->t_frame = pos.frame + nframes;
	*tframe = pos.frame;
	atomic_store_explicit(&jo->position, pos.frame, memory_order_relaxed);
	if (jo->t_pending == 0xfb) {
		send_byte(jo, 0xfb, 0);
		jo->t_pending = 0;
	}
	return 1;
}

/*
 * --link-start-stop: the session's transport.  Returns 1 when playback
 * goes on (or starts) in this cycle, 0 when it stands.  A stop releases
 * the sounding notes where it falls and asks the scheduler to read from
 * the start again; playback starts once that is queued and the session's
 * beat 0 comes (linkclock.c: the main thread asks for it at each start).
 */
static int
follow_link(struct jackout *jo, jack_nframes_t nframes)
{
	uint32_t off;

	drop_stale(jo, 8192);
	if (jo->t_rolling) {
		if (!linkclock_stopped(jo->lk, nframes, &off))
			return 1;
		jo->t_rolling = 0;
		if (jo->clock)
			jo->t_pending = 0xfc;
		start_release(jo);
		jo->release_off = off;
		request_seek(jo, 0);
	}
	if (atomic_load_explicit(&jo->state, memory_order_relaxed) ==
	    JO_RELEASING) {
		if (!release(jo, jo->release_off)) {
			jo->release_off = 0;
			return 0;
		}
		atomic_store_explicit(&jo->state, JO_PLAYING,
		    memory_order_relaxed);
		if (jo->t_pending == 0xfc)
			send_byte(jo, 0xfc, jo->release_off);
		jo->t_pending = 0;
	}
	if (jo->t_gen == 0)
		request_seek(jo, 0);    /* the first: from the start */
	if (atomic_load_explicit(&jo->follow.ready_gen, memory_order_acquire) !=
	    jo->t_gen || !linkclock_launch(jo->lk, nframes))
		return 0;
	set_zero(jo, 1);
	jo->t_rolling = 1;
	return 1;
}

/* JACK's slow-sync: ready for a new position once its events are queued. */
static int
on_sync(jack_transport_state_t state, jack_position_t *pos, void *arg)
{
	struct jackout *jo = arg;

	(void)state;
	if (pos->frame != jo->t_frame || jo->t_gen == 0) {
		request_seek(jo, pos->frame);
		return 0;
	}
	return atomic_load_explicit(&jo->follow.ready_gen,
	    memory_order_acquire) == jo->t_gen;
}

/*
 * The cycle's ports: each one's buffer cleared (every cycle, as JACK
 * wants), its budget renewed; a port armed since the last cycle goes live
 * settle_new frames after the first cycle that sees it armed.
 */
static void
begin_ports(struct jackout *jo, jack_nframes_t nframes, int idle)
{
	unsigned i;

	jo->np = atomic_load_explicit(&jo->nports, memory_order_acquire);
	for (i = 0; i < jo->np; i++) {
		struct jackout_port *p = &jo->ports[i];

		p->buf = jack_port_get_buffer(p->port, nframes);
		jack_midi_clear_buffer(p->buf);
		p->written = 0;
		p->bytes = 0;
		p->last_off = 0;
		if (!p->live && atomic_load_explicit(&p->armed,
		    memory_order_acquire)) {
			if (idle) {
				/* before time zero: zero waits settle_new
				 * from here, as it does for the first
				 * connections (process_cycle) */
				p->live = 1;
				jo->port_armed_at = jo->now;
				jo->port_waits = 1;
				continue;
			}
			if (p->live_at == 0)
				p->live_at = jo->now + jo->settle_new;
			if (jo->now >= p->live_at)
				p->live = 1;
		}
	}
}

static void
process_cycle(struct jackout *jo, jack_nframes_t nframes)
{
	uint32_t now32 = jack_last_frame_time(jo->client);
	uint64_t tframe = 0;
	int state;

	if (!jo->have_time) {
		jo->now = now32;
		jo->have_time = 1;
	} else {
		jo->now += (uint32_t)(now32 - jo->last32);
	}
	jo->last32 = now32;
	jo->cycle_limited = 0;
	begin_ports(jo, nframes, atomic_load_explicit(&jo->state,
	    memory_order_relaxed) == JO_IDLE);
	atomic_fetch_add_explicit(&jo->cycles, 1, memory_order_relaxed);
	/* (jackout_link comes before the start, which orders it) */
	if (atomic_load_explicit(&jo->start, memory_order_acquire) &&
	    jo->lk != NULL)
		linkclock_cycle(jo->lk, nframes, atomic_load_explicit(
		    &jo->play_latency, memory_order_relaxed), jo->now -
		    atomic_load_explicit(&jo->zero_frame, memory_order_relaxed));

	state = atomic_load_explicit(&jo->state, memory_order_relaxed);
	if (state == JO_IDLE) {
		if (atomic_load_explicit(&jo->stop, memory_order_acquire)) {
			finish(jo);
			return;
		}
		if (!atomic_load_explicit(&jo->start, memory_order_acquire))
			return;
		/* Time zero waits settle_frames from the first cycle to
		 * see the start (see jackout_start). */
		if (!jo->armed) {
			jo->armed = 1;
			jo->armed_at = jo->now;
		}
		if (jo->lk != NULL && !jo->lk_sync) {
			/* when the session's beat 0 comes (the main thread
			 * asked for it after the settling time) */
			if (!linkclock_launch(jo->lk, nframes))
				return;
		} else if (jo->now - jo->armed_at < jo->settle_frames ||
		    (jo->port_waits && jo->now - jo->port_armed_at <
		    jo->settle_new)) {
			return;
		}
		set_zero(jo, !jo->lk_sync);
		state = JO_PLAYING;
	}
	jo->cycle_pos = jo->now - atomic_load_explicit(&jo->zero_frame,
	    memory_order_relaxed);
	if (state != JO_DONE && !jo->stopping &&
	    atomic_load_explicit(&jo->stop, memory_order_acquire)) {
		unsigned i;

		/* from the start: a panic under way may have passed notes
		 * sounded since */
		jo->stopping = 1;
		jo->release_mode = JO_REL_STOP;
		for (i = 0; i < jo->np; i++)
			jo->ports[i].release_pos = 0;
		jo->release_off = 0;
		state = JO_RELEASING;
	}
	if ((jo->transport || jo->lk_sync) && !jo->stopping &&
	    (state == JO_PLAYING || (state == JO_RELEASING &&
	    jo->release_mode == JO_REL_TRANSPORT))) {
		atomic_store_explicit(&jo->state, state, memory_order_relaxed);
		if (jo->transport ? !follow_transport(jo, nframes, &tframe) :
		    !follow_link(jo, nframes))
			return;         /* it stands: nothing plays */
		state = atomic_load_explicit(&jo->state, memory_order_relaxed);
		if (state == JO_RELEASING) {
			if (!release(jo, 0))
				return;         /* the rest next cycle */
			state = JO_PLAYING;
		}
	}
	/* Play and release in turn until the cycle is full or done: a
	 * panic in the queue hands back to playing once it is all sent. */
	for (;;) {
		if (state == JO_PLAYING)
			state = play_cycle(jo, nframes, tframe);
		if (state != JO_RELEASING)
			break;
		if (jo->release_mode == JO_REL_STOP) {
			unsigned i;

			/* drop what is queued: nothing more of it may sound */
			ring_consume(&jo->ring, ring_used(&jo->ring));
			for (i = 0; i < jo->np; i++)
				ring_consume(&jo->ports[i].carry,
				    ring_used(&jo->ports[i].carry));
		}
		if (!release(jo, jo->release_off)) {
			jo->release_off = 0;     /* the rest next cycle */
			break;
		}
		state = jo->release_mode == JO_REL_PANIC ? JO_PLAYING :
		    JO_DONE;
	}
	if (state == JO_DONE) {
		if (atomic_load_explicit(&jo->state, memory_order_relaxed) !=
		    JO_DONE)
			finish(jo);
		return;
	}
	atomic_store_explicit(&jo->state, state, memory_order_release);
}

static int
jackout_process(jack_nframes_t nframes, void *arg)
{
	struct jackout *jo = arg;

	process_cycle(jo, nframes);
	if (jo->cycle_limited)
		atomic_fetch_add_explicit(&jo->limited, 1,
		    memory_order_relaxed);
	return 0;
}

static void
on_shutdown(jack_status_t code, const char *reason, void *arg)
{
	struct jackout *jo = arg;

	(void)code;
	(void)reason;
	atomic_store(&jo->shutdown, 1);
}

/* The output's playback latency: the latest of the ports', so that none
 * is early.  For --link, which sends that much earlier.  (From JACK's
 * latency callback, and from the main thread: see jackout.h.) */
void
jackout_poll_latency(struct jackout *jo)
{
	unsigned p, n = atomic_load_explicit(&jo->nports, memory_order_acquire);
	jack_latency_range_t r;
	uint32_t most = 0;

	for (p = 0; p < n; p++) {
		jack_port_get_latency_range(jo->ports[p].port,
		    JackPlaybackLatency, &r);
		if (r.max > most)
			most = r.max;
	}
	atomic_store_explicit(&jo->play_latency, most, memory_order_relaxed);
}

/* JACK's latency callback (not the process thread): read the output's
 * playback latency, and say what midiplay adds. */
static void
on_latency(jack_latency_callback_mode_t mode, void *arg)
{
	struct jackout *jo = arg;
	unsigned p, n = atomic_load_explicit(&jo->nports, memory_order_acquire);
	jack_latency_range_t r;

	if (mode == JackPlaybackLatency) {
		jackout_poll_latency(jo);
		return;
	}
	r.min = r.max = atomic_load_explicit(&jo->added_latency,
	    memory_order_relaxed);
	for (p = 0; p < n; p++)
		jack_port_set_latency_range(jo->ports[p].port,
		    JackCaptureLatency, &r);
}

static int
on_xrun(void *arg)
{
	struct jackout *jo = arg;

	atomic_fetch_add_explicit(&jo->xruns, 1, memory_order_relaxed);
	return 0;
}

/* libjack's own messages: only with -v, as they repeat what we say. */
static void
jack_message(const char *msg)
{
	log_info("JACK: %s", msg);
}

/*
 * Is NAME the name of a running client?  jackd2 answers a clash under
 * JackUseExactName with a plain server error, so ask the server.
 */
static int
name_taken(const char *name)
{
	jack_client_t *probe = jack_client_open("midiplay-probe",
	    JackNoStartServer, NULL);
	char *uuid;

	if (probe == NULL)
		return 0;
	uuid = jack_get_uuid_for_client_name(probe, name);
	if (uuid != NULL)
		jack_free(uuid);
	jack_client_close(probe);
	return uuid != NULL;
}

jack_client_t *
jackout_open_client(const char *name)
{
	jack_status_t status;
	jack_client_t *client;

	jack_set_error_function(jack_message);
	jack_set_info_function(jack_message);

	client = jack_client_open(name, JackNoStartServer | JackUseExactName,
	    &status);
	if (client != NULL)
		return client;
	if (!(status & JackServerFailed) && name_taken(name))
		log_error("a JACK client named '%s' already exists; choose "
		    "another name with -n", name);
	else if (status & (JackServerFailed | JackServerError))
		log_error("no JACK server is running; start one (for "
		    "example: jackd -d alsa, or jackd -d dummy without a "
		    "sound card), or run midiplay through PipeWire: pw-jack "
		    "midiplay ...");
	else
		log_error("the JACK server refused a client named '%s' "
		    "(status 0x%x)", name, (unsigned)status);
	return NULL;
}

/* Does another client have a port named as our port P? */
static int
port_of_another(struct jackout *jo, jack_port_t *port)
{
	jack_port_t *p = jack_port_by_name(jo->client, jack_port_name(port));

	return p != NULL && p != port && !jack_port_is_mine(jo->client, p);
}

int
jackout_open(struct jackout *jo, const char *name, size_t ring_size,
    size_t record_size)
{
	memset(jo, 0, sizeof *jo);
	jo->limit_events = JACKOUT_MAX_PER_CYCLE;
	if ((jo->client = jackout_open_client(name)) == NULL)
		return -1;
	jo->rate = jack_get_sample_rate(jo->client);
	jo->name = name;
	if (ring_init(&jo->ring, ring_size) < 0 || (record_size > 0 &&
	    ring_init(&jo->rec, record_size) < 0)) {
		log_error("out of memory for the event ring");
		goto fail;
	}
	jo->recording = record_size > 0;
	jack_set_process_callback(jo->client, jackout_process, jo);
	jack_set_xrun_callback(jo->client, on_xrun, jo);
	jack_set_latency_callback(jo->client, on_latency, jo);
	jack_on_info_shutdown(jo->client, on_shutdown, jo);
	if (jack_activate(jo->client) != 0) {
		log_error("cannot activate the JACK client");
		goto fail;
	}
	return 0;
fail:
	jack_client_close(jo->client);
	jo->client = NULL;
	ring_free(&jo->ring);
	ring_free(&jo->rec);
	return -1;
}

int
jackout_add_port(struct jackout *jo, unsigned index, const char *port_name)
{
	struct jackout_port *p;

	if (index >= PORTS_MAX)
		return -1;
	p = &jo->ports[index];
	memset(p, 0, sizeof *p);
	atomic_init(&p->armed, 0);
	p->port = jack_port_register(jo->client, port_name,
	    JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
	if (p->port == NULL) {
		log_error("cannot register the JACK port %s:%s", jo->name,
		    port_name);
		return -1;
	}
	if (index == 0 && port_of_another(jo, p->port)) {
		/* PipeWire's JACK ignores JackUseExactName: it renamed us,
		 * though it still calls us NAME */
		log_error("a JACK client named '%s' already exists; choose "
		    "another name with -n", jo->name);
		jack_port_unregister(jo->client, p->port);
		p->port = NULL;
		return -1;
	}
	if (ring_init(&p->carry, CARRY_SIZE) < 0) {
		log_error("out of memory for the port %s:%s", jo->name,
		    port_name);
		jack_port_unregister(jo->client, p->port);
		p->port = NULL;
		return -1;
	}
	return 0;
}

void
jackout_drop_port(struct jackout *jo, unsigned index)
{
	struct jackout_port *p = &jo->ports[index];

	ring_free(&p->carry);
	if (p->port != NULL)
		jack_port_unregister(jo->client, p->port);
	p->port = NULL;
}

void
jackout_publish(struct jackout *jo, unsigned index)
{
	struct jackout_port *p = &jo->ports[index];

	/* the callback makes it live: at once before time zero, which then
	 * waits for its links; settle_new later when playing */
	atomic_store_explicit(&p->armed, 1, memory_order_release);
	atomic_store_explicit(&jo->nports, index + 1, memory_order_release);
}

const char *
jackout_port_name(struct jackout *jo, unsigned index)
{
	return jack_port_name(jo->ports[index].port);
}

/* Does HAY contain NEEDLE, ignoring ASCII case? */
static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

/*
 * PORT's aliases into A0 and A1 (each jack_port_name_size() bytes), the
 * ones it has first; how many.  PipeWire's JACK was seen to return 1 and
 * fill only the second buffer, so both start empty and any filled one
 * counts.
 */
static int
port_aliases(jack_port_t *port, char *a0, char *a1)
{
	char *aliases[2] = { a0, a1 };

	a0[0] = a1[0] = '\0';
	if (port == NULL || jack_port_get_aliases(port, aliases) <= 0)
		return 0;
	if (a0[0] == '\0') {
		memmove(a0, a1, strlen(a1) + 1);
		a1[0] = '\0';
	}
	return (a0[0] != '\0') + (a1[0] != '\0');
}

static int
port_matches(jack_port_t *port, const char *pattern)
{
	char a0[jack_port_name_size()], a1[jack_port_name_size()];
	int n;

	if (contains_nocase(jack_port_name(port), pattern))
		return 1;
	n = port_aliases(port, a0, a1);
	return (n > 0 && contains_nocase(a0, pattern)) ||
	    (n > 1 && contains_nocase(a1, pattern));
}

static int
connect_to(struct jackout *jo, struct jackout_port *p, const char *dest)
{
	int err = jack_connect(jo->client, jack_port_name(p->port), dest);

	if (err != 0 && err != EEXIST) {
		log_error("cannot connect %s to %s", jack_port_name(p->port),
		    dest);
		return -1;
	}
	log_info("connected %s to %s", jack_port_name(p->port), dest);
	p->made_links = 1;
	return 0;
}

int
jackout_connect(struct jackout *jo, unsigned index, const char *pattern)
{
	struct jackout_port *out = &jo->ports[index];
	jack_port_t *exact = jack_port_by_name(jo->client, pattern);
	const char **ports;
	int i, n = 0;

	if (exact != NULL) {
		if (!(jack_port_flags(exact) & JackPortIsInput) ||
		    strcmp(jack_port_type(exact), JACK_DEFAULT_MIDI_TYPE) !=
		    0) {
			log_error("%s is not a MIDI input port", pattern);
			return -1;
		}
		return connect_to(jo, out, pattern) < 0 ? -1 : 1;
	}
	ports = jack_get_ports(jo->client, NULL, JACK_DEFAULT_MIDI_TYPE,
	    JackPortIsInput);
	for (i = 0; ports != NULL && ports[i] != NULL; i++) {
		jack_port_t *p = jack_port_by_name(jo->client, ports[i]);

		if (p == NULL || !port_matches(p, pattern))
			continue;
		if (connect_to(jo, out, ports[i]) < 0) {
			jack_free(ports);
			return -1;
		}
		n++;
	}
	if (ports != NULL)
		jack_free(ports);
	if (n == 0) {
		log_error("no MIDI input port matches '%s'; the MIDI inputs "
		    "are:", pattern);
		jackout_list(jo->client, stderr);
		return -1;
	}
	return n;
}

int
jackout_connections(struct jackout *jo, unsigned index)
{
	return jack_port_connected(jo->ports[index].port);
}

void
jackout_list(jack_client_t *client, FILE *out)
{
	const char **ports = jack_get_ports(client, NULL,
	    JACK_DEFAULT_MIDI_TYPE, JackPortIsInput);
	int i, found = 0;

	for (i = 0; ports != NULL && ports[i] != NULL; i++) {
		jack_port_t *p = jack_port_by_name(client, ports[i]);
		char a0[jack_port_name_size()], a1[jack_port_name_size()];
		int n = port_aliases(p, a0, a1);

		fputs(ports[i], out);
		if (n > 0)
			fprintf(out, " (%s", a0);
		if (n > 1)
			fprintf(out, ", %s", a1);
		fputs(n > 0 ? ")\n" : "\n", out);
		found++;
	}
	if (found == 0 && out == stderr)
		fputs("  (none)\n", out);
	if (ports != NULL)
		jack_free(ports);
}

void
jackout_follow(struct jackout *jo, void (*seek)(void *, uint64_t, uint32_t),
    void *ctx, int clock)
{
	jo->follow.seek = seek;
	jo->follow.seek_ctx = ctx;
	jo->clock = clock;
	jo->t_frame = UINT64_MAX;      /* the first cycle asks for a seek */
	jo->transport = 1;
	jack_set_sync_callback(jo->client, on_sync, jo);
}

void
jackout_link(struct jackout *jo, struct linkclock *lk, int sync,
    void (*seek)(void *, uint64_t, uint32_t), void *ctx, int clock)
{
	jo->lk = lk;
	jo->lk_sync = sync;
	if (sync) {
		jo->follow.seek = seek;
		jo->follow.seek_ctx = ctx;
		jo->clock = clock;
	}
}

void
jackout_added_latency(struct jackout *jo, uint32_t frames)
{
	atomic_store_explicit(&jo->added_latency, frames, memory_order_relaxed);
	jack_recompute_total_latencies(jo->client);
}

void
jackout_start(struct jackout *jo)
{
	struct timespec nap = { 0, 200000 };
	uint32_t period = jack_get_buffer_size(jo->client);
	unsigned p, n = atomic_load(&jo->nports);
	int i, linked = 0;

	/* On PipeWire a port reads as connected only a little after
	 * jack_connect returned: give our own links half a second. */
	for (p = 0; p < n; p++) {
		struct jackout_port *o = &jo->ports[p];

		for (i = 0; o->made_links && i < 2500 &&
		    jack_port_connected(o->port) == 0; i++)
			nanosleep(&nap, NULL);
		linked |= o->made_links || jack_port_connected(o->port) > 0;
	}
	/* With no connection, time zero is the first cycle to see the
	 * start.  With one, the cycle under way may have begun before it
	 * was made: time zero is the next cycle (any wait of 1 frame or
	 * more skips the first).  PipeWire's link carries events only a
	 * cycle or two after that (its reader's end and the rule that the
	 * reader runs after us arrive separately; an event can be lost or
	 * read a cycle late, seen at period 64 with no missed cycle in the
	 * daemon's log): there it waits two periods and at least 10 ms. */
	jo->settle_frames = linked ? 1 : 0;
	/* a port added while playing waits the same after its links */
	jo->settle_new = 1;
	if (strstr(jack_get_version_string(), "PipeWire"))
		jo->settle_new = jo->rate / 100 > 2 * period ?
		    jo->rate / 100 : 2 * period;
	if (linked)
		jo->settle_frames = jo->settle_new;
	atomic_store_explicit(&jo->start, 1, memory_order_release);
}

void
jackout_stop(struct jackout *jo)
{
	atomic_store_explicit(&jo->stop, 1, memory_order_release);
}

int
jackout_finished(struct jackout *jo)
{
	if (atomic_load_explicit(&jo->state, memory_order_acquire) != JO_DONE)
		return 0;
	/* a later cycle has begun, so the one that carried the last event
	 * has completed for every client after us in the graph */
	return atomic_load_explicit(&jo->cycles, memory_order_relaxed) >
	    atomic_load_explicit(&jo->done_cycle, memory_order_relaxed) + 1;
}

uint64_t
jackout_now_ns(struct jackout *jo)
{
	uint32_t now32;

	if (atomic_load_explicit(&jo->state, memory_order_acquire) ==
	    JO_IDLE)
		return 0;
	now32 = jack_frame_time(jo->client);
	if (!jo->clock_started) {
		jo->clock_started = 1;
		jo->clock_last32 = (uint32_t)atomic_load(&jo->zero_frame);
	}
	/* Frames since zero, extended past 32 bits.  jack_frame_time() is
	 * an estimate that can step back a little (seen at period 16 with
	 * xruns, even before the start of the current cycle): the clock
	 * holds still then, rather than wrapping a day ahead. */
	if ((int32_t)(now32 - jo->clock_last32) > 0) {
		jo->clock_frames += (uint32_t)(now32 - jo->clock_last32);
		jo->clock_last32 = now32;
	}
	return (uint64_t)(((mp_u128)jo->clock_frames * 1000000000u +
	    jo->rate / 2) / jo->rate);
}

unsigned
jackout_sounding(struct jackout *jo)
{
	unsigned n = 0, p, np = atomic_load(&jo->nports);
	int ch, key;

	for (p = 0; p < np; p++)
		for (ch = 0; ch < 16; ch++)
			for (key = 0; key < 128; key++)
				n += jo->ports[p].notes[ch][key];
	return n;
}

void
jackout_close(struct jackout *jo)
{
	unsigned p;

	if (jo->client == NULL)
		return;
	if (!atomic_load(&jo->shutdown))
		jack_deactivate(jo->client);
	jack_client_close(jo->client);
	jo->client = NULL;
	ring_free(&jo->ring);
	ring_free(&jo->rec);
	for (p = 0; p < PORTS_MAX; p++)
		ring_free(&jo->ports[p].carry);
}
