/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smf_writer: a Standard MIDI File built in memory and saved atomically.
 * See smf_writer.h.
 *
 * Running status is not used: every event carries its status byte, which
 * every reader takes and costs a byte an event at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "midiplay/event.h"
#include "midiplay/log.h"
#include "midiplay/smf_writer.h"

struct wtrack {
	uint8_t *buf;
	size_t len, cap;
	uint64_t last;           /* tick of the last event */
	uint64_t eot;            /* End-of-Track asked for, at least */
};

struct smf_writer {
	const char *name;
	int format;
	uint16_t division;
	struct wtrack *t;
	int n, cap;
	uint64_t events;
};

int
smfw_open(struct smf_writer **wp, const char *name, int format,
    uint16_t division)
{
	struct smf_writer *w = calloc(1, sizeof *w);

	*wp = NULL;
	if (w == NULL) {
		log_error("%s: out of memory", name);
		return -1;
	}
	w->name = name;
	w->format = format;
	w->division = division;
	*wp = w;
	return 0;
}

int
smfw_add_track(struct smf_writer *w)
{
	if (w->n == 65535) {
		log_error("%s: more than 65535 tracks", w->name);
		return -1;
	}
	if (w->n == w->cap) {
		int cap = w->cap ? 2 * w->cap : 8;
		struct wtrack *nt = realloc(w->t, (size_t)cap * sizeof *nt);

		if (nt == NULL) {
			log_error("%s: out of memory", w->name);
			return -1;
		}
		w->t = nt;
		w->cap = cap;
	}
	memset(&w->t[w->n], 0, sizeof w->t[w->n]);
	return w->n++;
}

int
smfw_ntracks(const struct smf_writer *w)
{
	return w->n;
}

uint64_t
smfw_last_tick(const struct smf_writer *w, int track)
{
	return w->t[track].last;
}

uint64_t
smfw_events(const struct smf_writer *w)
{
	return w->events;
}

/* Room for N more bytes in T.  0, or -1 (reported). */
static int
room(struct smf_writer *w, struct wtrack *t, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (t->len + n <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 4096;
	while (cap < t->len + n)
		cap *= 2;
	if (cap > UINT32_MAX + (size_t)1 || (nb = realloc(t->buf, cap)) ==
	    NULL) {
		log_error("%s: out of memory (or a track past 4 GB)", w->name);
		return -1;
	}
	t->buf = nb;
	t->cap = cap;
	return 0;
}

/* V as a variable-length quantity at P; the bytes written (1 to 5). */
static size_t
put_vlq(uint8_t *p, uint32_t v)
{
	uint8_t tmp[5];
	size_t n = 0, i;

	do {
		tmp[n++] = v & 0x7f;
		v >>= 7;
	} while (v > 0);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
	return n;
}

/*
 * The delta to TICK in T, as VLQs at P (a delta past what one VLQ holds
 * becomes empty text meta events of the largest delta first); the bytes
 * written.  Needs room for 5 + 8 * (delta >> 28) bytes.
 */
static size_t
put_delta(struct wtrack *t, uint8_t *p, uint64_t tick)
{
	uint64_t d = tick > t->last ? tick - t->last : 0;
	size_t n = 0;

	while (d > 0x0fffffff) {
		n += put_vlq(p + n, 0x0fffffff);
		memcpy(p + n, "\xff\x01\x00", 3);
		n += 3;
		d -= 0x0fffffff;
	}
	n += put_vlq(p + n, (uint32_t)d);
	if (tick > t->last)
		t->last = tick;
	return n;
}

/* Add HEAD (NH bytes), a VLQ of LEN when LENGTH is set, then LEN bytes of
 * DATA, at TICK to TRACK. */
static int
add(struct smf_writer *w, int track, uint64_t tick, const uint8_t *head,
    size_t nh, int length, const uint8_t *data, uint32_t len)
{
	struct wtrack *t = &w->t[track];
	uint64_t d = tick > t->last ? tick - t->last : 0;

	if (room(w, t, 5 + 8 * (size_t)(d >> 28) + nh + 5 + len) < 0)
		return -1;
	t->len += put_delta(t, t->buf + t->len, tick);
	memcpy(t->buf + t->len, head, nh);
	t->len += nh;
	if (length)
		t->len += put_vlq(t->buf + t->len, len);
	if (len > 0)
		memcpy(t->buf + t->len, data, len);
	t->len += len;
	w->events++;
	return 0;
}

int
smfw_message(struct smf_writer *w, int track, uint64_t tick,
    const uint8_t *data, uint32_t len)
{
	static const uint8_t f0 = 0xf0, f7 = 0xf7;

	if (len == 0)
		return 0;
	if (mp_channel_message(data, len))
		return add(w, track, tick, data, len, 0, NULL, 0);
	if (data[0] == 0xf0 && len >= 2 && data[len - 1] == 0xf7)
		return add(w, track, tick, &f0, 1, 1, data + 1, len - 1);
	return add(w, track, tick, &f7, 1, 1, data, len);
}

int
smfw_meta(struct smf_writer *w, int track, uint64_t tick, uint8_t type,
    const uint8_t *data, uint32_t len)
{
	uint8_t head[2] = { 0xff, type };

	if (type == 0x2f) {
		if (tick > w->t[track].eot)
			w->t[track].eot = tick;
		return 0;
	}
	return add(w, track, tick, head, 2, 1, data, len);
}

int
smfw_prepend_meta(struct smf_writer *w, int track, uint8_t type,
    const uint8_t *data, uint32_t len)
{
	struct wtrack *t = &w->t[track];
	uint8_t head[8];
	size_t nh = 0;

	/* delta 0, FF TYPE, length: the events after keep their deltas,
	 * the first of them still counted from tick 0 */
	head[nh++] = 0;
	head[nh++] = 0xff;
	head[nh++] = type;
	nh += put_vlq(head + nh, len);
	if (room(w, t, nh + len) < 0)
		return -1;
	memmove(t->buf + nh + len, t->buf, t->len);
	memcpy(t->buf, head, nh);
	if (len > 0)
		memcpy(t->buf + nh, data, len);
	t->len += nh + len;
	w->events++;
	return 0;
}

void
smfw_set_format(struct smf_writer *w, int format)
{
	w->format = format;
}

int
smfw_format(const struct smf_writer *w)
{
	return w->format;
}

/* A buffered writer to a file descriptor that remembers its first error. */
struct out {
	int fd;
	uint8_t buf[65536];
	size_t len;
	int err;
};

static void
out_flush(struct out *o)
{
	size_t done = 0;

	while (o->err == 0 && done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	o->len = 0;
}

static void
out_put(struct out *o, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0 && o->err == 0) {
		size_t k = sizeof o->buf - o->len;

		if (k > n)
			k = n;
		memcpy(o->buf + o->len, b, k);
		o->len += k;
		b += k;
		n -= k;
		if (o->len == sizeof o->buf)
			out_flush(o);
	}
}

static void
out_be(struct out *o, uint32_t v, int bytes)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	out_put(o, b, (size_t)bytes);
}

/* Write the whole file to O. */
static void
write_file(struct smf_writer *w, struct out *o)
{
	int i;

	out_put(o, "MThd", 4);
	out_be(o, 6, 4);
	out_be(o, (uint32_t)w->format, 2);
	out_be(o, (uint32_t)w->n, 2);
	out_be(o, w->division, 2);
	for (i = 0; i < w->n; i++) {
		struct wtrack *t = &w->t[i];
		uint64_t eot = t->eot > t->last ? t->eot : t->last;
		uint8_t *tail;
		size_t nt;

		/* End-of-Track: at the last event, or later if asked (a
		 * long way later when the events before it were left out:
		 * put_delta's room grows with the gap) */
		if ((tail = malloc(5 + 8 * (size_t)((eot - t->last) >> 28) +
		    3)) == NULL) {
			o->err = ENOMEM;
			return;
		}
		nt = put_delta(t, tail, eot);
		memcpy(tail + nt, "\xff\x2f\x00", 3);
		nt += 3;
		if (t->len + nt > UINT32_MAX) {
			free(tail);
			o->err = EFBIG;
			return;
		}
		out_put(o, "MTrk", 4);
		out_be(o, (uint32_t)(t->len + nt), 4);
		out_put(o, t->buf, t->len);
		out_put(o, tail, nt);
		free(tail);
	}
	out_flush(o);
}

/* ".NAME.XXXXXX" beside PATH, in a new string (NULL: no memory). */
static char *
temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);

	if (tmp == NULL)
		return NULL;
	memcpy(tmp, path, dirlen);
	snprintf(tmp + dirlen, n - dirlen, ".%s.XXXXXX", path + dirlen);
	return tmp;
}

int
smfw_check_path(const char *path)
{
	char *tmp = temp_name(path);
	struct stat st;
	int fd;

	if (tmp == NULL) {
		log_error("%s: out of memory", path);
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", path);
		free(tmp);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		log_error("%s: cannot create a file there: %s", path,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int
smfw_save(struct smf_writer *w, const char *path)
{
	static struct out o;     /* 64 KB: not on the stack */
	char *tmp = temp_name(path);
	struct sigaction ign, old;
	mode_t mask;
	int err = 0;

	if (tmp == NULL) {
		log_error("%s: out of memory", path);
		return -1;
	}
	/* (beside PATH, so that the rename is atomic) past a file size limit (ulimit -f), write fails with EFBIG
	 * instead of the process being killed */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &old);
	o.fd = mkstemp(tmp);
	o.len = 0;
	o.err = 0;
	if (o.fd < 0) {
		log_error("%s: cannot create a file there: %s", path,
		    strerror(errno));
		sigaction(SIGXFSZ, &old, NULL);
		free(tmp);
		return -1;
	}
	/* the mode a new file gets, not mkstemp's 0600 */
	mask = umask(0);
	umask(mask);
	if (fchmod(o.fd, 0666 & ~mask) < 0)
		err = errno;
	if (err == 0) {
		write_file(w, &o);
		err = o.err;
	}
	if (err == 0 && fsync(o.fd) < 0 && errno != EINVAL)
		err = errno;
	if (close(o.fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = errno;
	sigaction(SIGXFSZ, &old, NULL);
	if (err != 0) {
		unlink(tmp);
		log_error("%s: cannot write it: %s; nothing was written",
		    path, strerror(err));
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

void
smfw_free(struct smf_writer *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++)
		free(w->t[i].buf);
	free(w->t);
	free(w);
}
