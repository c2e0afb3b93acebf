/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portmap: a file's output ports, decided before it plays.  See portmap.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midiplay/log.h"
#include "midiplay/portmap.h"

struct portmap {
	struct smf_portmap map;
};

/* What a look at the whole file finds. */
struct survey {
	uint8_t *has_midi;       /* a track holds MIDI events that play */
	char (*name)[PORTS_NAME];
	uint8_t *named;
	int *num;                /* the port event in effect, -1 none */
	uint16_t channels;       /* channels used that play */
	uint8_t numbers[256];    /* port numbers MIDI events go under */
	int any_port_event;
};

/* Is D[0 .. LEN) a channel message? */
static int
is_channel(const uint8_t *d, uint32_t len)
{
	return len >= 2 && d[0] >= 0x80 && d[0] < 0xf0;
}

/* Read the file through a second reader, quietly.  0, or -1 (no memory:
 * reported). */
static int
survey_file(struct smf_reader *r, const uint8_t *tracks, uint16_t channels,
    struct survey *s)
{
	struct smf_reader *q;
	struct mp_event ev;
	size_t len;
	const uint8_t *bytes = smf_reader_bytes(r, &len);
	int n = smf_reader_ntracks(r), t;

	memset(s, 0, sizeof *s);
	s->has_midi = calloc((size_t)n, 1);
	s->named = calloc((size_t)n, 1);
	s->name = calloc((size_t)n, sizeof *s->name);
	s->num = malloc((size_t)n * sizeof *s->num);
	if (s->has_midi == NULL || s->named == NULL || s->name == NULL ||
	    s->num == NULL) {
		log_error("out of memory for %d tracks", n);
		return -1;
	}
	for (t = 0; t < n; t++)
		s->num[t] = -1;
	/* the file was read once already: its warnings were said, and its
	 * errors will be when playback reaches them */
	log_mute(1);
	if (smf_reader_open_mem(&q, "", bytes, len) < 0) {
		log_mute(0);
		return 0;
	}
	smf_reader_want_meta(q, 1);
	while (smf_reader_next(q, &ev) == 1) {
		t = ev.track;
		if (t < 0 || t >= n)
			continue;
		if (ev.kind == MP_EV_META) {
			if (ev.meta == 0x03 && !s->named[t]) {
				ports_safe_name(s->name[t], ev.data, ev.len,
				    "");
				s->named[t] = s->name[t][0] != '\0';
			} else if (ev.meta == 0x21 && ev.len >= 1) {
				s->num[t] = ev.data[0];
				s->any_port_event = 1;
			}
			continue;
		}
		if (ev.kind != MP_EV_MIDI || ev.len == 0)
			continue;
		if (tracks != NULL && !tracks[t & 0xffff])
			continue;
		if (is_channel(ev.data, ev.len)) {
			if (!(channels & (1u << (ev.data[0] & 0x0f))))
				continue;
			s->channels |= (uint16_t)(1u << (ev.data[0] & 0x0f));
		}
		s->has_midi[t] = 1;
		s->numbers[s->num[t] < 0 ? 0 : s->num[t]] = 1;
	}
	smf_reader_close(q);
	log_mute(0);
	return 0;
}

/* Could BYTES hold a port event, FF 21 01?  memchr for the rare 0xff
 * and a look at the two bytes after it: over an 82 MB file this is 5 ms
 * here, where memmem took 25 to 55 (make bench's first-event row). */
static int
maybe_port_event(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	while ((p = memchr(p, 0xff, (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] == 0x21 && p[2] == 0x01)
			return 1;
		p++;
	}
	return 0;
}

static void
survey_free(struct survey *s)
{
	free(s->has_midi);
	free(s->named);
	free(s->name);
	free(s->num);
}

int
portmap_file(struct portmap **mp, struct smf_reader *r, int split,
    const uint8_t *tracks, uint16_t channels, struct ports *ports)
{
	struct portmap *m;
	struct survey s;
	size_t len;
	const uint8_t *bytes = smf_reader_bytes(r, &len);
	int n = smf_reader_ntracks(r), t, i, rc = -1;
	char name[PORTS_NAME];

	*mp = NULL;
	if (split == PORTS_SPLIT_NONE && !maybe_port_event(bytes, len))
		return ports_add(ports, "out", "the output") < 0 ? -1 : 0;
	if ((m = calloc(1, sizeof *m)) == NULL ||
	    (m->map.by_track = malloc((size_t)n * sizeof *m->map.by_track)) ==
	    NULL) {
		free(m);
		log_error("out of memory");
		return -1;
	}
	m->map.split = split;
	memset(m->map.by_number, 0xff, sizeof m->map.by_number);
	memset(m->map.by_channel, 0xff, sizeof m->map.by_channel);
	for (t = 0; t < n; t++)
		m->map.by_track[t] = -1;
	if (survey_file(r, tracks, channels, &s) < 0)
		goto out;
	switch (split) {
	case PORTS_SPLIT_TRACK:
		for (t = 0; t < n; t++) {
			if (!s.has_midi[t])
				continue;
			if (s.named[t])
				snprintf(name, sizeof name, "%s", s.name[t]);
			else
				snprintf(name, sizeof name, "track-%d", t + 1);
			if ((i = ports_add(ports, name, "--split track")) < 0)
				goto out;
			m->map.by_track[t] = (int16_t)i;
		}
		break;
	case PORTS_SPLIT_CHANNEL:
		for (t = 0; t < 16; t++) {
			if (!(s.channels & (1u << t)))
				continue;
			snprintf(name, sizeof name, "ch%d", t + 1);
			if ((i = ports_add(ports, name, "--split channel")) < 0)
				goto out;
			m->map.by_channel[t] = (int16_t)i;
		}
		break;
	default:
		if (!s.any_port_event)
			break;           /* FF 21 01 inside something else */
		for (t = 0; t < 256; t++) {
			if (!s.numbers[t])
				continue;
			snprintf(name, sizeof name, "port%d", t + 1);
			if ((i = ports_add(ports, name, "the file's port "
			    "events")) < 0)
				goto out;
			m->map.by_number[t] = (int16_t)i;
		}
		break;
	}
	/* nothing to split: the one port, as without */
	if (ports->n == 0 && ports_add(ports, "out", "the output") < 0)
		goto out;
	smf_reader_set_portmap(r, &m->map);
	*mp = m;
	rc = 0;
out:
	survey_free(&s);
	if (rc < 0)
		portmap_close(m);
	return rc;
}

void
portmap_close(struct portmap *m)
{
	if (m == NULL)
		return;
	free(m->map.by_track);
	free(m);
}
