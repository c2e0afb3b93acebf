/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * export: what would be played, as a Standard MIDI File.  See export.h.
 *
 * Ticks are exact where the input's time is musical and rounded to the
 * nearest where it is not.  To say how far rounding moved anything (-v),
 * every event's exact time is compared with the time its tick has under
 * the tempo events as written.
 */
#include <stdlib.h>
#include <string.h>

#include "midiplay/export.h"
#include "midiplay/log.h"
#include "midiplay/smf_writer.h"
#include "midiplay/timing.h"

#define ONE ((mp_u128)1 << 32)       /* a tick in 32.32 fixed point */

/* The tempo events as written, to time a tick the way a reader will. */
struct written_map {
	int ppq;                 /* 0: SMPTE */
	uint64_t tick;           /* the segment in effect: from this tick */
	double ns;               /* at this time */
	double ns_per_tick;
	double max_err_ns;       /* the largest |written - exact| so far */
	double max_err_ticks;
};

static void
map_init(struct written_map *m, int ppq, double ticks_per_s)
{
	memset(m, 0, sizeof *m);
	m->ppq = ppq;
	m->ns_per_tick = ppq > 0 ? 500000.0 * 1000 / ppq :
	    1e9 / ticks_per_s;
}

/* Nanoseconds of TICK under the tempo events written so far. */
static double
map_ns(const struct written_map *m, uint64_t tick)
{
	return m->ns + (double)(tick - m->tick) * m->ns_per_tick;
}

/* A tempo event of US microseconds a quarter written at TICK. */
static void
map_tempo(struct written_map *m, uint64_t tick, uint32_t us)
{
	if (m->ppq == 0)
		return;                  /* SMPTE time ignores tempo */
	m->ns = map_ns(m, tick);
	m->tick = tick;
	m->ns_per_tick = (double)us * 1000 / m->ppq;
}

/* An event whose exact time is EXACT_NS was written at TICK. */
static void
map_check(struct written_map *m, uint64_t tick, double exact_ns)
{
	double err = map_ns(m, tick) - exact_ns;

	if (err < 0)
		err = -err;
	if (err > m->max_err_ns) {
		m->max_err_ns = err;
		m->max_err_ticks = err / m->ns_per_tick;
	}
}

/* Notes sounding in what was written, a track each, for --release. */
struct sounding {
	int n;                   /* tracks */
	struct notes {
		uint8_t on[16][128];
		uint16_t used;   /* channels */
	} **t;
};

/* TRACK's notes, made on first use; NULL when out of memory (reported). */
static struct notes *
notes_of(struct sounding *s, int track)
{
	if (track >= s->n) {
		int n = track + 1;
		struct notes **nt = realloc(s->t, (size_t)n * sizeof *nt);

		if (nt == NULL) {
			log_error("out of memory");
			return NULL;
		}
		memset(nt + s->n, 0, (size_t)(n - s->n) * sizeof *nt);
		s->t = nt;
		s->n = n;
	}
	if (s->t[track] == NULL && (s->t[track] = calloc(1,
	    sizeof *s->t[track])) == NULL)
		log_error("out of memory");
	return s->t[track];
}

static void
sounding_free(struct sounding *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->t[i]);
	free(s->t);
	s->t = NULL;
	s->n = 0;
}

/* Follow D (LEN bytes) written to TRACK.  0, or -1 (no memory). */
static int
sounding_note(struct sounding *s, const uint8_t *d, uint32_t len, int track)
{
	uint8_t st = d[0] & 0xf0, ch = d[0] & 0x0f;
	struct notes *t;

	if (d[0] < 0x80 || d[0] >= 0xf0)
		return 0;
	if ((t = notes_of(s, track)) == NULL)
		return -1;
	t->used |= (uint16_t)(1u << ch);
	if (len != 3 || d[1] >= 0x80)
		return 0;
	if (st == 0x90 && d[2] > 0) {
		if (t->on[ch][d[1]] < 255)
			t->on[ch][d[1]]++;
	} else if ((st == 0x80 || st == 0x90) && t->on[ch][d[1]] > 0) {
		t->on[ch][d[1]]--;
	}
	return 0;
}

/* Notes sounding in every track. */
static unsigned
sounding_count(const struct sounding *s)
{
	unsigned n = 0;
	int i, ch, key;

	for (i = 0; i < s->n; i++)
		for (ch = 0; s->t[i] != NULL && ch < 16; ch++)
			for (key = 0; key < 128; key++)
				n += s->t[i]->on[ch][key];
	return n;
}

/*
 * Note-offs at TICK for what sounds in each track, then the controllers
 * CCS (NCCS of them) = 0: on every channel the track used, or with ALL on
 * all 16 channels (a stream's panic).  0, or -1.
 */
static int
sounding_off(struct sounding *s, struct smf_writer *w, uint64_t tick,
    const uint8_t *ccs, size_t nccs, int all)
{
	int i, ch, key;
	size_t k;

	for (i = 0; i < s->n; i++) {
		struct notes *t = s->t[i];

		if (t == NULL)
			continue;
		for (ch = 0; ch < 16; ch++)
			for (key = 0; key < 128; key++)
				for (; t->on[ch][key] > 0; t->on[ch][key]--) {
					uint8_t off[3] = { (uint8_t)(0x80 | ch),
					    (uint8_t)key, 0 };

					if (smfw_message(w, i, tick, off, 3) < 0)
						return -1;
				}
		for (ch = 0; ch < 16; ch++) {
			if (!all && !(t->used & (1u << ch)))
				continue;
			for (k = 0; k < nccs; k++) {
				uint8_t cc[3] = { (uint8_t)(0xb0 | ch), ccs[k],
				    0 };

				if (smfw_message(w, i, tick, cc, 3) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static const uint8_t release_ccs[] = { 64 };
static const uint8_t panic_ccs[] = { 64, 120, 121, 123 };

/* The largest tick written in any track. */
static uint64_t
last_tick(const struct smf_writer *w)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < smfw_ntracks(w); i++)
		if (smfw_last_tick(w, i) > t)
			t = smfw_last_tick(w, i);
	return t;
}

/* The track of output port P: tracks are made up to it as ports appear. */
static int
port_track(struct smf_writer *w, unsigned p)
{
	while ((unsigned)smfw_ntracks(w) <= p)
		if (smfw_add_track(w) < 0)
			return -1;
	return (int)p;
}

/* A stream's panic at TICK, as the player sends it: note-offs, then CC
 * 64, 120, 121 and 123 = 0 on every channel, of every port's track. */
static int
sounding_panic(struct sounding *s, struct smf_writer *w, uint64_t tick)
{
	int i;

	for (i = 0; i < smfw_ntracks(w); i++)
		if (notes_of(s, i) == NULL)
			return -1;
	return sounding_off(s, w, tick, panic_ccs, sizeof panic_ccs, 1);
}

/* With several output ports, the file is format 1 with a track each,
 * named after its port and saying its number (FF 21), so that the split
 * survives into a DAW.  0, or -1. */
static int
name_tracks(struct smf_writer *w, const struct ports *ports)
{
	unsigned p;

	if (ports == NULL || ports->n < 2)
		return 0;
	if (port_track(w, ports->n - 1) < 0)
		return -1;
	smfw_set_format(w, 1);
	for (p = 0; p < ports->n; p++) {
		uint8_t num = (uint8_t)p;

		/* prepended: the name ends up first */
		if (smfw_prepend_meta(w, (int)p, 0x21, &num, 1) < 0 ||
		    smfw_prepend_meta(w, (int)p, 0x03,
		    (const uint8_t *)ports->name[p],
		    (uint32_t)strlen(ports->name[p])) < 0)
			return -1;
	}
	return 0;
}

/* Write the message of EV at TICK to its port's track, or to each
 * port's with PORTS_ALL; follow its notes.  0, or -1. */
static int
to_ports(struct smf_writer *w, struct sounding *s, const struct ports *ports,
    const struct mp_event *ev, uint64_t tick)
{
	unsigned p, first = ev->port, last = ev->port;

	if (ev->port == PORTS_ALL) {
		first = 0;
		last = ports != NULL && ports->n > 0 ? ports->n - 1 : 0;
	}
	for (p = first; p <= last; p++)
		if (port_track(w, p) < 0 ||
		    smfw_message(w, (int)p, tick, ev->data, ev->len) < 0 ||
		    sounding_note(s, ev->data, ev->len, (int)p) < 0)
			return -1;
	return 0;
}

/* Finish: release if asked, name the ports' tracks, save, say what was
 * done.  RC is the source's last answer (0 at its end, -1 after an
 * error). */
static int
finish(struct smf_writer *w, struct sounding *s,
    const struct written_map *m, const struct export_opts *o, int rc,
    const struct ports *ports, uint16_t division)
{
	unsigned left = sounding_count(s);

	if ((o->release || rc < 0) && sounding_off(s, w, last_tick(w),
	    release_ccs, sizeof release_ccs, 0) < 0)
		return -1;
	if (left > 0 && !o->release && rc == 0)
		log_warn("%s: warning: %u note%s left sounding at the end, as "
		    "the input says (--release turns them off)", o->path,
		    left, left == 1 ? "" : "s");
	if (name_tracks(w, ports) < 0 || smfw_save(w, o->path) < 0)
		return -1;
	log_info("%s: %llu events in %d track%s (format %d, division %u); "
	    "largest rounding error %.6f ms (%.4f tick)", o->path,
	    (unsigned long long)smfw_events(w), smfw_ntracks(w),
	    smfw_ntracks(w) == 1 ? "" : "s", smfw_format(w), division,
	    m->max_err_ns / 1e6, m->max_err_ticks);
	if (rc < 0)
		log_error("%s: written up to the error above, with note-offs "
		    "for what was sounding there", o->path);
	return rc < 0 ? 1 : 0;
}

/* The exact tempo segment a stream is in: from NS0 (nanoseconds) at tick
 * T0 (32.32 fixed point), NUM / DEN beats per minute. */
struct exact_seg {
	uint64_t ns0;
	mp_u128 t0;
	uint64_t num, den;
};

/* The exact tick of NS in SEG at PPQ, in 32.32 fixed point. */
static mp_u128
exact_tick(const struct exact_seg *seg, int ppq, uint64_t ns)
{
	mp_u128 d = ns > seg->ns0 ? ns - seg->ns0 : 0;
	mp_u128 num = d * (mp_u128)ppq * seg->num;
	mp_u128 den = (mp_u128)60000000000ull * seg->den;

	/* whole ticks, then the fraction, so that nothing overflows */
	return seg->t0 + (num / den) * ONE + ((num % den) << 32) / den;
}

static uint64_t
round_fp(mp_u128 fp)
{
	return (uint64_t)((fp + ONE / 2) >> 32);
}

int
export_stream(struct mp_source *src, const struct export_opts *o,
    const struct ports *ports)
{
	static const uint8_t t120[3] = { 0x07, 0xa1, 0x20 };
	struct exact_seg seg = { 0, 0, 120, 1 };
	struct sounding s = { 0, NULL };
	struct written_map m;
	struct smf_writer *w;
	struct mp_event ev;
	int rc, tempo_written = 0;

	if (smfw_open(&w, o->path, 0, (uint16_t)o->ppq) < 0 ||
	    smfw_add_track(w) < 0) {
		smfw_free(w);
		return -1;
	}
	map_init(&m, o->ppq, 0);
	while ((rc = mp_source_next(src, &ev)) > 0) {
		uint64_t ns = timing_ns(ev.time, src->den);
		mp_u128 fp = exact_tick(&seg, o->ppq, ns);
		uint64_t tick = round_fp(fp);
		int is_tempo = ev.kind == MP_EV_META && ev.meta == 0x51 &&
		    ev.len == 3 && ev.tempo_num > 0;

		/* 120 bpm until the first tempo, said once at the start */
		if (!tempo_written && !(is_tempo && ns == 0) &&
		    smfw_meta(w, 0, 0, 0x51, t120, 3) < 0)
			goto fail;
		tempo_written = 1;
		if (is_tempo) {
			/* the tempo map, in the first track */
			if (smfw_meta(w, 0, tick, 0x51, ev.data, 3) < 0)
				goto fail;
			map_tempo(&m, tick, (uint32_t)(ev.data[0] << 16 |
			    ev.data[1] << 8 | ev.data[2]));
			seg.ns0 = ns;
			seg.t0 = fp;
			seg.num = ev.tempo_num;
			seg.den = ev.tempo_den;
			continue;
		}
		if (ev.kind == MP_EV_PANIC) {
			if (sounding_panic(&s, w, tick) < 0)
				goto fail;
			continue;
		}
		if (ev.kind != MP_EV_MIDI)
			continue;
		if (to_ports(w, &s, ports, &ev, tick) < 0)
			goto fail;
		map_check(&m, tick, (double)ns);
	}
	rc = finish(w, &s, &m, o, rc, ports, (uint16_t)o->ppq);
	sounding_free(&s);
	smfw_free(w);
	return rc;
fail:
	sounding_free(&s);
	smfw_free(w);
	return -1;
}

int
export_file(struct mp_source *src, struct smf_reader *r,
    const uint8_t *tracks, const struct ports *by_port,
    const struct export_opts *o)
{
	int format = smf_reader_format(r), ntracks = smf_reader_ntracks(r);
	uint16_t division = smf_reader_division(r);
	int ppq = smf_reader_ppq(r), *map, i, rc, first = -1;
	double tps = 0;
	struct sounding s = { 0, NULL };
	struct written_map m;
	struct smf_writer *w;
	struct mp_event ev;

	if (ppq == 0) {
		int fps = -(int)(int8_t)(division >> 8), tpf = division & 0xff;

		tps = fps == 29 ? 30000.0 * tpf / 1001 : (double)fps * tpf;
	}
	/* format 2 plays its patterns one after another: one timeline */
	if (smfw_open(&w, o->path, format == 0 ? 0 : 1, division) < 0)
		return -1;
	if ((map = malloc((size_t)(ntracks > 0 ? ntracks : 1) *
	    sizeof *map)) == NULL) {
		log_error("%s: out of memory", o->path);
		smfw_free(w);
		return -1;
	}
	/* the tracks that play, in order (a format 0 file has one); or,
	 * split, a track a port */
	for (i = 0; i < ntracks; i++) {
		map[i] = -1;
		if (by_port != NULL || (tracks != NULL && !tracks[i & 0xffff]))
			continue;
		if (format == 0 && first >= 0) {
			map[i] = first;
			continue;
		}
		if ((map[i] = smfw_add_track(w)) < 0)
			goto fail;
		if (first < 0)
			first = map[i];
	}
	if (first < 0 && (first = smfw_add_track(w)) < 0)
		goto fail;
	map_init(&m, ppq, tps);
	while ((rc = mp_source_next(src, &ev)) > 0) {
		int t = ev.track >= 0 && ev.track < ntracks ? map[ev.track] :
		    -1;
		double ns = (double)ev.time * 1e9 / (double)src->den;

		if (ev.kind == MP_EV_META) {
			/* the tempo map and time signatures whatever their
			 * track; other metas with their track only (split:
			 * the ports' tracks get names and ports of their
			 * own) */
			if (t < 0 && (ev.meta == 0x51 || ev.meta == 0x58))
				t = first;
			if (t < 0 || (by_port != NULL && ev.meta != 0x51 &&
			    ev.meta != 0x58))
				continue;
			if (smfw_meta(w, t, ev.tick, ev.meta, ev.data,
			    ev.len) < 0)
				goto fail;
			if (ev.meta == 0x51 && ev.len == 3)
				map_tempo(&m, ev.tick, (uint32_t)(ev.data[0] <<
				    16 | ev.data[1] << 8 | ev.data[2]));
			continue;
		}
		if (ev.kind != MP_EV_MIDI)
			continue;
		if (by_port != NULL) {
			if (to_ports(w, &s, by_port, &ev, ev.tick) < 0)
				goto fail;
		} else {
			if (t < 0)
				t = first;
			if (smfw_message(w, t, ev.tick, ev.data, ev.len) < 0 ||
			    sounding_note(&s, ev.data, ev.len, t) < 0)
				goto fail;
		}
		map_check(&m, ev.tick, ns);
	}
	rc = finish(w, &s, &m, o, rc, by_port, division);
	free(map);
	sounding_free(&s);
	smfw_free(w);
	return rc;
fail:
	free(map);
	sounding_free(&s);
	smfw_free(w);
	return -1;
}
