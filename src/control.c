/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control: --tempo, --bpm, --start, --end, --loop, --tracks, --channels,
 * --transpose and --clock over an SMF reader.  See control.h.
 *
 * Times.  Song time is kept in "song units" (den_s per second), chosen so
 * that every time involved is an integer: the reader's units (times 10^6
 * for SMPTE files, so that microsecond positions are whole), or, with
 * --bpm, ticks times 60 * bpm_den * 10^6 over bpm_num * ppq; times 24 with
 * --clock, so that a clock (a 24th of a quarter note) falls on a whole
 * unit.  An event at song time T of pass K goes out at
 * (T - S + offset_K) * speed_den over den_s * speed_num seconds, where S is
 * the start and offset_K is K loop lengths.
 *
 * The reader runs in tick order with meta events on; positions in bars are
 * resolved as the time signatures before them pass, and clocks are placed
 * from the tempo segment in effect.  What control adds (the chased state,
 * releases, clock messages) goes through a small queue, ahead of the
 * reader's event that caused it, which is held meanwhile.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "midiplay/control.h"
#include "midiplay/log.h"
#include "midiplay/ports.h"

enum phase { PH_CHASE, PH_PLAY, PH_DONE, PH_ERROR };

/* Clocks queued at most at a time (then the queue drains first). */
#define CLOCK_BATCH 1024

struct out_ev {
	mp_u128 time;
	uint64_t tick;            /* o.ticks: the output tick */
	int32_t track;
	uint16_t port;
	uint8_t kind;             /* MP_EV_MIDI, or MP_EV_META (o.ticks) */
	uint8_t meta;
	uint8_t b[3];
	uint8_t len;
	uint8_t tempo;            /* --link-publish: b holds a tempo (µs a
	                           * quarter note, as in the file) */
	const uint8_t *ext;       /* a meta's data */
	uint32_t ext_len;
};

/* What a pass keeps of one output port's channels. */
struct pstate {
	int16_t cc[16][128];      /* chased: -1 never set */
	int16_t prog[16];
	int32_t bend[16];
	uint8_t sounding[16][128];
	uint8_t sustain[16];
	/* o.ticks: the track each of those came from */
	int32_t cc_track[16][128], prog_track[16], bend_track[16];
	int32_t sound_track[16][128], sustain_track[16];
};

/* A meta event chased before --start, for o.ticks: the last of its type
 * in its track. */
struct chased_meta {
	int track;
	uint8_t type;
	uint32_t len;
	uint8_t *data;
};

struct control {
	struct smf_reader *r;
	const char *name;
	struct control_opts o;
	int ppq;

	uint64_t den_s, den_o;
	mp_u128 unit_mult;        /* file map: song = reader time * this */
	mp_u128 tick_units;       /* --bpm: song = tick * this */

	/* tempo segment in effect: song time of tick T >= seg_tick is
	 * seg_time + (T - seg_tick) * seg_upt */
	uint64_t seg_tick;
	mp_u128 seg_time, seg_upt;

	/* time signature in effect: bar sig_bar (from 1) begins at sig_tick */
	uint64_t sig_tick, sig_bar;
	uint32_t sig_num, sig_den;

	int s_known, e_known;
	mp_u128 S, E;             /* song times of --start and --end */
	mp_u128 last_eot, last_time;
	mp_u128 last_any;         /* of any event read, filtered or meta: a
	                           * track without End-of-Track ends there */

	enum phase phase;
	long pass;                /* passes begun */
	mp_u128 offset;           /* song units before this pass */

	/* the channels' state, an output port each (allocated as ports
	 * are first seen) */
	struct pstate *ps[PORTS_MAX];

	/* o.ticks: output ticks as fixed point, 32 bits of fraction */
	mp_u128 S_fp;             /* the tick of S in this pass */
	mp_u128 off_fp;           /* ticks of the passes before it */
	uint32_t seg_us;          /* the file's tempo in effect, us/quarter */
	int sig_seen;             /* a time signature came before S */
	uint8_t sig_data[4];
	uint8_t tempo_data[3];    /* the tempo a pass begins with */
	struct chased_meta *cm;
	size_t ncm, cmcap;
	int smpte_num, smpte_den; /* SMPTE: output ticks a second, num/den */

	uint64_t clk;             /* next clock, in 24ths of a quarter */
	int clk_aligned;          /* this pass's first clock is placed */
	int clk_more;             /* clocks() stopped after a batch */
	int again;                /* handle ev again once they are out */
	int end_again;            /* end_pass(end_at) again, likewise */
	mp_u128 end_at;

	struct out_ev *q;
	size_t qhead, qlen, qcap;
	int nomem;

	int held;                 /* ev is a reader event still to return */
	struct mp_event ev;

	unsigned long dropped;
	int transport;            /* control_seek was called */
	uint32_t file_uspq;       /* --link-publish: the file's tempo now */

	/* what passes, for the main thread (control_take_info) */
	int want_info;
	pthread_mutex_t lock;
	struct ctl_info *info;
	size_t info_head, info_len, info_cap;
};

int
control_needed(const struct control_opts *o)
{
	return o->speed_num != o->speed_den || o->bpm_num != 0 ||
	    o->start.kind != CTL_POS_NONE || o->end.kind != CTL_POS_NONE ||
	    o->loops != 1 || o->tracks != NULL || o->channels != 0xffff ||
	    o->transpose != 0 || o->clock;
}

static int
mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Output time of song time T in this pass (T >= S). */
static mp_u128
out_time(const struct control *c, mp_u128 t)
{
	return (t - c->S + c->offset) * c->o.speed_den;
}

static mp_u128
song_time(const struct control *c, const struct mp_event *e)
{
	return c->o.bpm_num ? (mp_u128)e->tick * c->tick_units :
	    e->time * c->unit_mult;
}

static mp_u128
tick_time(const struct control *c, uint64_t tick)
{
	return c->seg_time + (mp_u128)(tick - c->seg_tick) * c->seg_upt;
}

#define ONE_TICK ((mp_u128)1 << 32)

/* The file's tick of song time T, as fixed point with 32 bits of fraction,
 * in the tempo segment in effect (T at or after its start). */
static mp_u128
tick_fp(const struct control *c, mp_u128 t)
{
	mp_u128 d = t > c->seg_time ? t - c->seg_time : 0;

	return ((mp_u128)c->seg_tick << 32) + (d << 32) / c->seg_upt;
}

/* The output tick (o.ticks) of an event at song time T, whose file tick
 * as fixed point is FP, in this pass: rounded to the nearest. */
static uint64_t
out_tick(const struct control *c, mp_u128 t, mp_u128 fp)
{
	if (c->ppq == 0) {
		/* SMPTE: ticks are time */
		mp_u128 num = out_time(c, t) * (mp_u128)c->smpte_num;
		mp_u128 den = (mp_u128)c->den_o * (mp_u128)c->smpte_den;

		return (uint64_t)((2 * num + den) / (2 * den));
	}
	if (fp + c->off_fp < c->S_fp)
		return 0;
	return (uint64_t)((fp + c->off_fp - c->S_fp + ((mp_u128)1 << 31)) >>
	    32);
}

/* Queue a message of LEN bytes at song time T, from TRACK (-1: none). */
static void
push(struct control *c, mp_u128 t, int port, int track, uint8_t b0,
    uint8_t b1, uint8_t b2, uint8_t len)
{
	struct out_ev *e;

	if (c->qhead + c->qlen == c->qcap) {
		if (c->qhead > 0) {
			memmove(c->q, c->q + c->qhead, c->qlen * sizeof *c->q);
			c->qhead = 0;
		} else {
			size_t cap = c->qcap ? 2 * c->qcap : 256;
			struct out_ev *nq = realloc(c->q, cap * sizeof *nq);

			if (nq == NULL) {
				c->nomem = 1;
				return;
			}
			c->q = nq;
			c->qcap = cap;
		}
	}
	e = &c->q[c->qhead + c->qlen++];
	e->time = out_time(c, t);
	e->tick = c->o.ticks ? out_tick(c, t, tick_fp(c, t)) : 0;
	e->track = track;
	e->port = (uint16_t)port;
	e->kind = MP_EV_MIDI;
	e->meta = 0;
	e->b[0] = b0;
	e->b[1] = b1;
	e->b[2] = b2;
	e->len = len;
	e->ext = NULL;
	e->tempo = 0;
}

/* --link-publish: the file's tempo USPQ (µs a quarter note) at song time
 * T (a session tempo: port 0 carries it). */
static void
push_tempo(struct control *c, mp_u128 t, uint32_t uspq)
{
	push(c, t, 0, -1, (uint8_t)(uspq >> 16), (uint8_t)(uspq >> 8),
	    (uint8_t)uspq, 0);
	if (!c->nomem)
		c->q[c->qhead + c->qlen - 1].tempo = 1;
}

/* Queue the meta event TYPE with DATA (LEN bytes, valid until the queue
 * is empty) at song time T, in TRACK (o.ticks). */
static void
push_meta(struct control *c, mp_u128 t, int track, uint8_t type,
    const uint8_t *data, uint32_t len)
{
	struct out_ev *e;

	push(c, t, 0, track, 0, 0, 0, 0);
	if (c->nomem)
		return;
	e = &c->q[c->qhead + c->qlen - 1];
	e->kind = MP_EV_META;
	e->meta = type;
	e->ext = data;
	e->len = 0;
	e->ext_len = len;
}

/* The tick of bar:beat:tick P under the time signature in effect. */
static uint64_t
bbt_tick(const struct control *c, const struct ctl_pos *p)
{
	uint64_t beats = (p->bar >= c->sig_bar ?
	    (p->bar - c->sig_bar) * c->sig_num : 0) + (p->beat - 1);

	return c->sig_tick + beats * 4 * (uint64_t)c->ppq / c->sig_den +
	    p->tick;
}

/* Resolve position P into *TIME once it lies at or before tick X, where
 * no time signature still to come can move it (END: in any case). */
static void
resolve_one(struct control *c, const struct ctl_pos *p, int *known,
    mp_u128 *time, uint64_t x, int is_timesig, int end)
{
	uint64_t t;

	if (*known || p->kind != CTL_POS_BBT)
		return;
	t = bbt_tick(c, p);
	if (end || t < x || (t == x && !is_timesig)) {
		*time = tick_time(c, t);
		*known = 1;
	}
}

/* Resolve the bar positions of --start and --end so far. */
static void
resolve(struct control *c, uint64_t x, int is_timesig, int end)
{
	resolve_one(c, &c->o.start, &c->s_known, &c->S, x, is_timesig, end);
	resolve_one(c, &c->o.end, &c->e_known, &c->E, x, is_timesig, end);
}

static void
time_signature(struct control *c, const struct mp_event *e)
{
	mp_u128 bar_q, since;

	/* no bars without quarter notes (an SMPTE division) */
	if (c->ppq == 0 || e->len < 2 || e->data[0] == 0 || e->data[1] > 6)
		return;
	/* bars since the last signature; a bar begun is a bar */
	since = e->tick - c->sig_tick;
	bar_q = (mp_u128)c->sig_num * 4 * (uint64_t)c->ppq;
	c->sig_bar += (uint64_t)((since * c->sig_den + bar_q - 1) / bar_q);
	c->sig_tick = e->tick;
	c->sig_num = e->data[0];
	c->sig_den = 1u << e->data[1];
}

/* Song time of clock K (a 24th of a quarter note), in the segment. */
static mp_u128
clock_time(const struct control *c, uint64_t k)
{
	return c->seg_time + ((mp_u128)k * c->ppq -
	    (mp_u128)24 * c->seg_tick) * c->seg_upt / 24;
}

/* Clocks due before song tick X (all up to song time LIMIT when X is
 * UINT64_MAX), within [S, E). */
static void
clocks(struct control *c, uint64_t x, mp_u128 limit)
{
	unsigned batch = 0;

	c->clk_more = 0;
	for (;;) {
		uint64_t k = c->clk;
		mp_u128 t;

		if (x != UINT64_MAX && (mp_u128)k * c->ppq >= (mp_u128)24 * x)
			return;
		t = clock_time(c, k);
		if (x == UINT64_MAX && t >= limit)
			return;
		if (c->e_known && t >= c->E)
			return;
		c->clk++;
		if (c->phase != PH_PLAY || t < c->S)
			continue;
		/* a pass's clocks begin on a sixteenth, where its song
		 * position pointer says */
		if (!c->clk_aligned && k % 6 != 0)
			continue;
		c->clk_aligned = 1;
		push(c, t, PORTS_ALL, -1, 0xf8, 0, 0, 1);
		/* a long gap holds many clocks: queue them a batch at a
		 * time, not all at once */
		if (++batch == CLOCK_BATCH) {
			c->clk_more = 1;
			return;
		}
	}
}

static double
to_seconds(const struct control *c, mp_u128 out)
{
	return (double)out / (double)c->den_o;
}

static void
add_info(struct control *c, const struct ctl_info *in)
{
	pthread_mutex_lock(&c->lock);
	if (c->info_head + c->info_len == c->info_cap) {
		if (c->info_head > 0) {
			memmove(c->info, c->info + c->info_head,
			    c->info_len * sizeof *c->info);
			c->info_head = 0;
		} else {
			size_t cap = c->info_cap ? 2 * c->info_cap : 64;
			struct ctl_info *n = realloc(c->info, cap * sizeof *n);

			if (n == NULL) {
				pthread_mutex_unlock(&c->lock);
				return;         /* only for show: let it go */
			}
			c->info = n;
			c->info_cap = cap;
		}
	}
	c->info[c->info_head + c->info_len++] = *in;
	pthread_mutex_unlock(&c->lock);
}

/* Where the song is at song time T (tick TICK), for the progress. */
static void
info_pos(struct control *c, mp_u128 t, double tick)
{
	struct ctl_info i;

	if (!c->want_info || c->ppq == 0)
		return;
	memset(&i, 0, sizeof i);
	i.kind = CTL_INFO_POS;
	i.seconds = to_seconds(c, out_time(c, t));
	i.tick = tick;
	/* song units per tick -> microseconds per quarter, as played */
	i.usec_per_quarter = (double)c->seg_upt * c->ppq * 1e6 /
	    (double)c->den_s * (double)c->o.speed_den /
	    (double)c->o.speed_num;
	i.sig_tick = (double)c->sig_tick;
	i.sig_bar = c->sig_bar;
	i.sig_num = c->sig_num;
	i.sig_den = c->sig_den;
	add_info(c, &i);
}

static void
info_text(struct control *c, mp_u128 t, enum ctl_info_kind kind,
    const uint8_t *d, uint32_t len)
{
	struct ctl_info i;
	uint32_t k, n = 0;

	if (!c->want_info)
		return;
	memset(&i, 0, sizeof i);
	i.kind = kind;
	i.seconds = to_seconds(c, out_time(c, t));
	for (k = 0; k < len && n + 1 < sizeof i.text; k++)
		i.text[n++] = d[k] >= 0x20 && d[k] < 0x7f ? (char)d[k] : '?';
	add_info(c, &i);
}

/* US microseconds a quarter note as a tempo event's 3 bytes, at B,
 * within what they hold. */
static void
tempo_bytes(uint8_t *b, uint64_t us)
{
	if (us < 1)
		us = 1;
	if (us > 0xffffff)
		us = 0xffffff;
	b[0] = (uint8_t)(us >> 16);
	b[1] = (uint8_t)(us >> 8);
	b[2] = (uint8_t)us;
}

/* o.ticks: the meta events in effect at S, at its start.  A tempo
 * always (--bpm's, or the file's scaled by --tempo), so that the output
 * plays at what was asked; a time signature if one came; then each
 * track's names, key signature and port. */
static void
begin_metas(struct control *c)
{
	uint64_t us;
	size_t i;

	if (c->o.bpm_num)
		us = (60000000u * c->o.bpm_den + c->o.bpm_num / 2) /
		    c->o.bpm_num;
	else
		us = ((uint64_t)c->seg_us * c->o.speed_den +
		    c->o.speed_num / 2) / c->o.speed_num;
	tempo_bytes(c->tempo_data, us);
	if (c->ppq > 0)
		push_meta(c, c->S, -1, 0x51, c->tempo_data, 3);
	if (c->sig_seen)
		push_meta(c, c->S, -1, 0x58, c->sig_data, 4);
	for (i = 0; i < c->ncm; i++)
		push_meta(c, c->S, c->cm[i].track, c->cm[i].type,
		    c->cm[i].data, c->cm[i].len);
}

/* o.ticks: remember E, a meta event before S, as the last of its type in
 * its track, if it is one of the kinds that say how a track is set up. */
static void
chase_meta(struct control *c, const struct mp_event *e)
{
	static const uint8_t kept[] = { 0x00, 0x02, 0x03, 0x04, 0x08, 0x09,
	    0x20, 0x21, 0x59, 0x7f };
	struct chased_meta *m = NULL;
	uint8_t *d;
	size_t i;

	if (memchr(kept, e->meta, sizeof kept) == NULL)
		return;
	for (i = 0; i < c->ncm; i++)
		if (c->cm[i].track == e->track && c->cm[i].type == e->meta)
			m = &c->cm[i];
	if (m == NULL) {
		if (c->ncm == c->cmcap) {
			size_t cap = c->cmcap ? 2 * c->cmcap : 16;
			struct chased_meta *n = realloc(c->cm, cap * sizeof *n);

			if (n == NULL) {
				c->nomem = 1;
				return;
			}
			memset(n + c->cmcap, 0, (cap - c->cmcap) * sizeof *n);
			c->cm = n;
			c->cmcap = cap;
		}
		/* an entry of an earlier pass keeps its storage */
		m = &c->cm[c->ncm++];
		m->track = e->track;
		m->type = e->meta;
		m->len = 0;
	}
	if ((d = realloc(m->data, e->len > 0 ? e->len : 1)) == NULL) {
		c->nomem = 1;
		return;
	}
	if (e->len > 0)
		memcpy(d, e->data, e->len);
	m->data = d;
	m->len = e->len;
}

/* The state chased for port P, at S: bank, program, controllers (the
 * parameter selections before their data entry), pitch bend. */
static void
begin_state(struct control *c, int p, const struct pstate *s)
{
	static const uint8_t late[] = { 99, 98, 101, 100, 6, 38 };
	mp_u128 t = c->S;
	int ch, n;
	size_t i;

	for (ch = 0; ch < 16; ch++) {
		uint8_t st = (uint8_t)(0xb0 | ch);
		const int32_t *tr = s->cc_track[ch];

		if (s->cc[ch][0] >= 0)
			push(c, t, p, tr[0], st, 0, (uint8_t)s->cc[ch][0], 3);
		if (s->cc[ch][32] >= 0)
			push(c, t, p, tr[32], st, 32, (uint8_t)s->cc[ch][32],
			    3);
		if (s->prog[ch] >= 0)
			push(c, t, p, s->prog_track[ch], (uint8_t)(0xc0 | ch),
			    (uint8_t)s->prog[ch], 0, 2);
		for (n = 1; n < 120; n++) {
			if (n == 32 || n == 6 || n == 38 ||
			    (n >= 98 && n <= 101) || s->cc[ch][n] < 0)
				continue;
			push(c, t, p, tr[n], st, (uint8_t)n,
			    (uint8_t)s->cc[ch][n], 3);
		}
		for (i = 0; i < sizeof late; i++)
			if (s->cc[ch][late[i]] >= 0)
				push(c, t, p, tr[late[i]], st, late[i],
				    (uint8_t)s->cc[ch][late[i]], 3);
		if (s->bend[ch] >= 0)
			push(c, t, p, s->bend_track[ch], (uint8_t)(0xe0 | ch),
			    s->bend[ch] & 0x7f, (s->bend[ch] >> 7) & 0x7f, 3);
	}
}

/* Nothing set, nothing sounding. */
static void
pstate_reset(struct pstate *s)
{
	memset(s->cc, 0xff, sizeof s->cc);
	memset(s->prog, 0xff, sizeof s->prog);
	memset(s->bend, 0xff, sizeof s->bend);
	memset(s->sounding, 0, sizeof s->sounding);
	memset(s->sustain, 0, sizeof s->sustain);
	memset(s->cc_track, 0xff, sizeof s->cc_track);
	memset(s->prog_track, 0xff, sizeof s->prog_track);
	memset(s->bend_track, 0xff, sizeof s->bend_track);
	memset(s->sound_track, 0xff, sizeof s->sound_track);
	memset(s->sustain_track, 0xff, sizeof s->sustain_track);
}

/* The state of port P's channels, made on first use: NULL (and nomem)
 * when out of memory, or for an event of every port. */
static struct pstate *
pstate(struct control *c, unsigned p)
{
	if (p >= PORTS_MAX)
		return NULL;
	if (c->ps[p] == NULL) {
		if ((c->ps[p] = malloc(sizeof *c->ps[p])) == NULL) {
			c->nomem = 1;
			return NULL;
		}
		pstate_reset(c->ps[p]);
	}
	return c->ps[p];
}

/* The pass begins at S: clock start, then the chased state. */
static void
begin_pass(struct control *c)
{
	mp_u128 t = c->S;
	int ch, p;

	c->phase = PH_PLAY;
	c->pass++;
	/* a start between ticks begins the output on the nearest one, so
	 * that every event keeps its place on the file's grid (and is as
	 * far from its exact time as the start is: under half a tick) */
	if (c->ppq > 0)
		c->S_fp = (tick_fp(c, c->S) + ONE_TICK / 2) & ~(ONE_TICK - 1);
	if (c->o.publish)
		push_tempo(c, t, c->file_uspq);
	if (c->want_info && c->ppq > 0)
		info_pos(c, c->S, (double)c->seg_tick + (double)(c->S -
		    c->seg_time) / (double)c->seg_upt);
	for (p = 0; p < PORTS_MAX; p++) {
		struct pstate *s = c->ps[p];

		for (ch = 0; s != NULL && ch < 16; ch++) {
			s->sustain[ch] = s->cc[ch][64] >= 64;
			s->sustain_track[ch] = s->cc_track[ch][64];
		}
	}
	if (c->o.ticks)
		begin_metas(c);
	if (c->o.clock) {
		if (c->S == 0) {
			push(c, t, PORTS_ALL, -1, 0xfa, 0, 0, 1);
		} else {
			/* the sixteenth at or after S */
			uint64_t k = c->clk, spp;

			while (clock_time(c, k) < c->S)
				k++;
			while (k % 6 != 0)
				k++;
			spp = k / 6 > 16383 ? 16383 : k / 6;
			push(c, t, PORTS_ALL, -1, 0xf2, spp & 0x7f,
			    (spp >> 7) & 0x7f, 3);
			push(c, t, PORTS_ALL, -1, 0xfb, 0, 0, 1);
		}
	}
	for (p = 0; p < PORTS_MAX; p++)
		if (c->ps[p] != NULL)
			begin_state(c, p, c->ps[p]);
}

static void
reset_pass_state(struct control *c)
{
	int p;

	for (p = 0; p < PORTS_MAX; p++)
		if (c->ps[p] != NULL)
			pstate_reset(c->ps[p]);
	/* (the storage stays: the queue may still point into it) */
	c->ncm = 0;
	c->seg_tick = 0;
	c->seg_time = 0;
	c->seg_upt = c->o.bpm_num ? c->tick_units :
	    (mp_u128)500000 * c->unit_mult;
	c->seg_us = 500000;
	c->sig_tick = 0;
	c->sig_bar = 1;
	c->sig_num = 4;
	c->sig_den = 4;
	c->sig_seen = 0;
	c->clk = 0;
	c->clk_aligned = 0;
	c->clk_more = 0;
	c->again = 0;
	c->end_again = 0;
	c->last_eot = 0;
	c->last_time = 0;
	c->last_any = 0;
	c->file_uspq = 500000;
}

/* The pass ends at song time END: release, then loop or finish. */
static void
end_pass(struct control *c, mp_u128 end)
{
	int ch, key, p;

	if (c->o.clock) {
		clocks(c, UINT64_MAX, end);
		if (c->clk_more) {
			c->end_again = 1;
			c->end_at = end;
			return;
		}
	}
	c->end_again = 0;
	for (p = 0; p < PORTS_MAX; p++) {
		struct pstate *s = c->ps[p];

		for (ch = 0; s != NULL && ch < 16; ch++) {
			for (key = 0; key < 128; key++)
				while (s->sounding[ch][key] > 0) {
					push(c, end, p, s->sound_track[ch][key],
					    (uint8_t)(0x80 | ch), (uint8_t)key,
					    0, 3);
					s->sounding[ch][key]--;
				}
			if (s->sustain[ch])
				push(c, end, p, s->sustain_track[ch],
				    (uint8_t)(0xb0 | ch), 64, 0, 3);
		}
	}
	if (c->o.clock)
		push(c, end, PORTS_ALL, -1, 0xfc, 0, 0, 1);
	if (c->o.loops != 0 && c->pass >= c->o.loops) {
		c->phase = PH_DONE;
		return;
	}
	if (end <= c->S) {
		log_error("%s: nothing to loop: the end comes at or before "
		    "the start", c->name);
		c->phase = PH_ERROR;
		return;
	}
	if (c->ppq > 0)
		c->off_fp += tick_fp(c, end) - c->S_fp;
	c->offset += end - c->S;
	smf_reader_rewind(c->r);
	reset_pass_state(c);
	c->phase = PH_CHASE;
}

/* The reader is done: resolve what is left and end the pass. */
static void
at_end_of_file(struct control *c)
{
	mp_u128 end;

	resolve(c, UINT64_MAX, 0, 1);
	if (c->phase == PH_CHASE) {
		if (c->pass == 0 && !c->transport && c->S > c->last_eot &&
		    c->S > c->last_time) {
			log_error("%s: --start is past the end of the file",
			    c->name);
			c->phase = PH_ERROR;
			return;
		}
		begin_pass(c);
	}
	if (c->e_known)
		end = c->E;
	else if (c->o.loops != 1 || c->o.clock)
		end = c->last_eot > c->last_any ? c->last_eot : c->last_any;
	else
		end = c->last_time > c->S ? c->last_time : c->S;
	if (end < c->S)
		end = c->S;
	if (c->o.loops == 1 && !c->o.clock && !c->e_known) {
		c->phase = PH_DONE;     /* as plain playback: no release */
		return;
	}
	end_pass(c, end);
}

static void
chase(struct control *c, const uint8_t *d, uint32_t len, int track,
    unsigned port)
{
	int ch = d[0] & 0x0f;
	struct pstate *s;

	if (!mp_channel_message(d, len) || (s = pstate(c, port)) == NULL)
		return;

	switch (d[0] & 0xf0) {
	case 0xb0:
		if (d[1] < 120) {
			s->cc[ch][d[1]] = d[2];
			s->cc_track[ch][d[1]] = track;
		}
		break;
	case 0xc0:
		s->prog[ch] = d[1];
		s->prog_track[ch] = track;
		break;
	case 0xe0:
		s->bend[ch] = d[1] | d[2] << 7;
		s->bend_track[ch] = track;
		break;
	}
}

/*
 * A channel or system message in the pass: filter, transpose, track.
 * 1 when it goes out (from ev.buf or ev.data), 0 when dropped.
 */
static int
play_message(struct control *c, struct mp_event *e)
{
	uint8_t st = e->data[0];
	int ch = st & 0x0f, kind = st & 0xf0;
	struct pstate *s;

	if (!mp_channel_message(e->data, e->len))
		return 1;       /* as it is */
	if ((s = pstate(c, e->port)) == NULL)
		return 0;       /* out of memory: said by ctl_next */
	if (kind == 0x80 || kind == 0x90 || kind == 0xa0) {
		int key = e->data[1] + c->o.transpose;
		int on = kind == 0x90 && e->len > 2 && e->data[2] > 0;
		int off = kind == 0x80 || (kind == 0x90 && !on);

		if (key < 0 || key > 127) {
			if (on && c->dropped++ == 0)
				log_warn("%s: byte %llu: warning: note %d "
				    "transposed by %d is out of 0-127; "
				    "dropped (and so are any more)", c->name,
				    (unsigned long long)e->offset,
				    e->data[1], c->o.transpose);
			return 0;
		}
		if (off && c->o.start.kind != CTL_POS_NONE &&
		    s->sounding[ch][key] == 0)
			return 0;       /* its note-on came before --start */
		if (on && s->sounding[ch][key] < 255) {
			s->sounding[ch][key]++;
			s->sound_track[ch][key] = e->track;
		} else if (off && s->sounding[ch][key] > 0)
			s->sounding[ch][key]--;
		if (e->data != e->buf) {
			memcpy(e->buf, e->data, e->len > 3 ? 3 : e->len);
			e->data = e->buf;
		}
		e->buf[1] = (uint8_t)key;
	} else if (kind == 0xb0 && e->data[1] == 64 && e->len > 2) {
		s->sustain[ch] = e->data[2] >= 64;
		s->sustain_track[ch] = e->track;
	}
	return 1;
}

/*
 * o.ticks: a meta event E at song time T in the pass goes out as it is, at
 * its output tick, but for a tempo: scaled by --tempo, or dropped under
 * --bpm (the pass began with --bpm's).  1 when it goes out.
 */
static int
pass_meta(struct control *c, struct mp_event *e, mp_u128 t)
{
	if (e->meta == 0x51) {
		uint64_t us;

		if (c->o.bpm_num || e->len != 3 || c->ppq == 0)
			return 0;
		us = ((uint64_t)c->seg_us * c->o.speed_den +
		    c->o.speed_num / 2) / c->o.speed_num;
		tempo_bytes(e->buf, us);
		e->data = e->buf;
	}
	e->time = out_time(c, t);
	e->tick = out_tick(c, t, (mp_u128)e->tick << 32);
	return 1;
}

/* One event from the reader.  1 when C->ev is to be returned, 2 when it
 * is to be handled again once the clocks queued before it are out. */
static int
handle(struct control *c, struct mp_event *e)
{
	mp_u128 t = song_time(c, e);
	int is_sig = e->kind == MP_EV_META && e->meta == 0x58;

	if (t > c->last_any)
		c->last_any = t;
	resolve(c, e->tick, is_sig, 0);
	if (c->phase == PH_CHASE && c->s_known && t >= c->S)
		begin_pass(c);
	if (c->phase == PH_PLAY && c->e_known && t >= c->E) {
		end_pass(c, c->E);
		return 0;
	}
	if (c->o.clock) {
		clocks(c, e->tick, 0);
		if (c->clk_more)
			return 2;       /* this event after the rest of them */
	}

	if (e->kind == MP_EV_META) {
		switch (e->meta) {
		case 0x51:
			if (c->o.publish && e->len == 3 && (e->data[0] |
			    e->data[1] | e->data[2]) != 0) {
				c->file_uspq = (uint32_t)(e->data[0] << 16 |
				    e->data[1] << 8 | e->data[2]);
				if (c->phase == PH_PLAY)
					push_tempo(c, t, c->file_uspq);
			}
			if (!c->o.bpm_num && e->len == 3) {
				c->seg_time = t;
				c->seg_tick = e->tick;
				c->seg_us = (uint32_t)(e->data[0] << 16 |
				    e->data[1] << 8 | e->data[2]);
				c->seg_upt = (mp_u128)c->seg_us * c->unit_mult;
				if (c->phase == PH_PLAY)
					info_pos(c, t, (double)e->tick);
			}
			break;
		case 0x58:
			time_signature(c, e);
			if (e->len == 4) {
				c->sig_seen = 1;
				memcpy(c->sig_data, e->data, 4);
			}
			if (c->phase == PH_PLAY)
				info_pos(c, t, (double)e->tick);
			break;
		case 0x05:
		case 0x06:
			if (c->phase == PH_PLAY)
				info_text(c, t, e->meta == 0x05 ?
				    CTL_INFO_LYRIC : CTL_INFO_MARKER, e->data,
				    e->len);
			break;
		case 0x2f:
			if (t > c->last_eot)
				c->last_eot = t;
			break;
		}
		if (!c->o.ticks)
			return 0;
		if (c->phase != PH_PLAY) {
			chase_meta(c, e);
			return 0;
		}
		return pass_meta(c, e, t);
	}
	if (e->kind != MP_EV_MIDI || e->len == 0)
		return 0;
	if (c->o.tracks != NULL && !c->o.tracks[e->track & 0xffff])
		return 0;
	if (e->data[0] < 0xf0 && !(c->o.channels & (1u << (e->data[0] & 15))))
		return 0;
	c->last_time = t;
	if (c->phase == PH_CHASE) {
		chase(c, e->data, e->len, e->track, e->port);
		return 0;
	}
	if (!play_message(c, e))
		return 0;
	e->time = out_time(c, t);
	if (c->o.ticks)
		e->tick = out_tick(c, t, (mp_u128)e->tick << 32);
	return 1;
}

static int
ctl_next(void *ctx, struct mp_event *ev)
{
	struct control *c = ctx;

	for (;;) {
		int rc;

		if (c->nomem) {
			log_error("%s: out of memory", c->name);
			c->phase = PH_ERROR;
			c->nomem = 0;
			c->qlen = 0;
		}
		if (c->qlen > 0) {
			struct out_ev *q = &c->q[c->qhead++];

			c->qlen--;
			if (c->qlen == 0)
				c->qhead = 0;
			memset(ev, 0, sizeof *ev);
			ev->kind = q->kind;
			ev->time = q->time;
			ev->tick = q->tick;
			memcpy(ev->buf, q->b, 3);
			ev->data = ev->buf;
			ev->len = q->len;
			ev->track = q->track;
			ev->port = q->port;
			ev->beats = c->o.link != 0;
			if (q->tempo) {
				ev->kind = MP_EV_TEMPO;
				ev->bpm = 60e6 / (double)((uint32_t)q->b[0] << 16 |
				    q->b[1] << 8 | q->b[2]);
				ev->len = 0;
			} else if (q->kind == MP_EV_META) {
				ev->meta = q->meta;
				ev->data = q->ext;
				ev->len = q->ext_len;
			}
			return 1;
		}
		if (c->held) {
			c->held = 0;
			*ev = c->ev;
			if (ev->data == c->ev.buf)
				ev->data = ev->buf;
			ev->beats = c->o.link != 0;
			return 1;
		}
		if (c->end_again) {
			end_pass(c, c->end_at);
			continue;
		}
		if (c->again) {
			c->again = 0;
			rc = handle(c, &c->ev);
			if (rc == 1)
				c->held = 1;
			else if (rc == 2)
				c->again = 1;
			continue;
		}
		if (c->phase == PH_DONE)
			return 0;
		if (c->phase == PH_ERROR)
			return -1;
		rc = smf_reader_next(c->r, &c->ev);
		if (rc < 0) {
			c->phase = PH_ERROR;
			continue;
		}
		if (rc == 0) {
			at_end_of_file(c);
			continue;
		}
		rc = handle(c, &c->ev);
		if (rc == 1)
			c->held = 1;
		else if (rc == 2)
			c->again = 1;
	}
}

static const struct mp_source_ops control_ops = { ctl_next };

void
control_source(struct control *c, struct mp_source *src)
{
	src->ops = &control_ops;
	src->ctx = c;
	src->den = c->den_o;
	src->rounded = 0;
	src->name = c->name;
	src->lines = 0;
}

void
control_seek(struct control *c, uint64_t frame, uint32_t rate)
{
	/* S = ceil(frame / rate * den_s * speed) in song units: less than a
	 * unit (well under a nanosecond) after the frame's start, so that
	 * what goes out at S rounds to FRAME itself */
	mp_u128 num = (mp_u128)frame * c->den_s * c->o.speed_num;
	mp_u128 den = (mp_u128)rate * c->o.speed_den;

	smf_reader_rewind(c->r);
	reset_pass_state(c);
	c->qhead = c->qlen = 0;
	c->held = 0;
	pthread_mutex_lock(&c->lock);
	c->info_head = c->info_len = 0;     /* what was ahead is not now */
	pthread_mutex_unlock(&c->lock);
	c->S = (num + den - 1) / den;
	c->s_known = 1;
	c->e_known = 0;
	c->o.end.kind = CTL_POS_NONE;
	c->o.loops = 1;
	c->pass = 0;
	c->offset = c->S;     /* output times are song times */
	c->phase = PH_CHASE;
	c->transport = 1;
	/* a start given in the options no longer drops note-offs */
	c->o.start.kind = frame > 0 ? CTL_POS_SECONDS : CTL_POS_NONE;
}

void
control_want_info(struct control *c, int on)
{
	c->want_info = on;
}

int
control_take_info(struct control *c, double seconds, struct ctl_info *out)
{
	int got = 0;

	pthread_mutex_lock(&c->lock);
	if (c->info_len > 0 && c->info[c->info_head].seconds <= seconds) {
		*out = c->info[c->info_head++];
		c->info_len--;
		got = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return got;
}

int
control_ppq(const struct control *c)
{
	return c->ppq;
}

unsigned long
control_dropped(const struct control *c)
{
	return c->dropped;
}

int
control_open(struct control **cp, struct smf_reader *r, const char *name,
    const struct control_opts *o)
{
	struct control *c;
	uint64_t k = o->clock ? 24 : 1, den_s = 0, x = 0;
	int ok = 1;

	*cp = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_error("%s: out of memory", name);
		return -1;
	}
	c->r = r;
	c->name = name;
	c->o = *o;
	c->ppq = smf_reader_ppq(r);
	if (c->ppq == 0) {
		/* SMPTE: ticks a second, for o.ticks */
		uint16_t div = smf_reader_division(r);
		int fps = -(int)(int8_t)(div >> 8), tpf = div & 0xff;

		c->smpte_num = fps == 29 ? 30000 * tpf : fps * tpf;
		c->smpte_den = fps == 29 ? 1001 : 1;
	}
	if (c->ppq == 0 && (o->bpm_num || o->clock ||
	    o->start.kind == CTL_POS_BBT || o->end.kind == CTL_POS_BBT)) {
		log_error("%s: %s needs a file whose time is in beats, and "
		    "this one's division is SMPTE", name, o->link ? "--link" :
		    o->bpm_num ? "--bpm" : o->clock ? "--clock" :
		    "a position in bars");
		free(c);
		return -1;
	}
	if (o->bpm_num) {
		ok = mul_ok(o->bpm_num, (uint64_t)c->ppq, &den_s) &&
		    mul_ok(den_s, 1000000u * k, &den_s) &&
		    mul_ok(60u * 1000000u * k, o->bpm_den, &x);
		c->tick_units = x;
		c->unit_mult = 1;
	} else {
		uint64_t m = c->ppq == 0 ? 1000000u : 1;

		ok = mul_ok(smf_reader_den(r), m * k, &den_s);
		c->unit_mult = m * k;
	}
	if (ok)
		ok = mul_ok(den_s, o->speed_num, &c->den_o);
	if (!ok) {
		log_error("%s: --tempo and --bpm too fine for this file's "
		    "division (times would not fit in 64 bits)", name);
		free(c);
		return -1;
	}
	c->den_s = den_s;
	if (o->start.kind == CTL_POS_SECONDS) {
		c->S = (mp_u128)o->start.us * (den_s / 1000000u);
		c->s_known = 1;
	} else if (o->start.kind == CTL_POS_NONE) {
		c->s_known = 1;
	}
	if (o->end.kind == CTL_POS_SECONDS) {
		c->E = (mp_u128)o->end.us * (den_s / 1000000u);
		c->e_known = 1;
	}
	if (c->s_known && c->e_known && c->E <= c->S) {
		log_error("%s: --end comes at or before --start", name);
		free(c);
		return -1;
	}
	pthread_mutex_init(&c->lock, NULL);
	smf_reader_want_meta(r, 1);
	reset_pass_state(c);
	c->phase = PH_CHASE;
	*cp = c;
	return 0;
}

void
control_close(struct control *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cmcap; i++)
		free(c->cm[i].data);
	for (i = 0; i < PORTS_MAX; i++)
		free(c->ps[i]);
	free(c->cm);
	free(c->q);
	free(c->info);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
