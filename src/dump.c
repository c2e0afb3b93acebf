/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump: events in the stream format, with exact times.  See dump.h.
 *
 * Each line is put together by hand in a buffer and written at once:
 * printf's format parsing was most of the cost of a dump.
 */
#include <string.h>

#include "midiplay/dump.h"
#include "midiplay/timing.h"

/* Longest line but for the bytes of syx and raw: "@" and 20 digits, "."
 * and 9, then " ch 16 off 127 127\n". */
#define HEAD_MAX 64

/* V in decimal at P; the end. */
static char *
put_uint(char *p, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* V, below 10^9, in 9 digits with leading zeros at P; the end. */
static char *
put_nine(char *p, uint64_t v)
{
	int i;

	for (i = 8; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + 9;
}

/* S, a few bytes, at P; the end. */
static char *
put_str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

static void
dump_bytes(FILE *out, const char *cmd, const uint8_t *p, uint32_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t i;

	fputs(cmd, out);
	for (i = 0; i < n; i++) {
		char b[5] = { ' ', '0', 'x', hex[p[i] >> 4], hex[p[i] & 15] };

		fwrite(b, 1, sizeof b, out);
	}
}

/* Are all N bytes at P data bytes (below 0x80)?  A "SysEx" with a status
 * byte inside is sent as it is, so it is dumped as raw. */
static int
data_bytes(const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80)
			return 0;
	return 1;
}

/* A channel message with status ST and data D (LEN bytes) at P; the end. */
static char *
put_channel(char *p, uint8_t st, const uint8_t *d, uint32_t len)
{
	static const char *const names[] = {
		"off", "on", "pp", "cc", "pc", "cp", "pb"
	};

	p = put_str(p, "ch ");
	p = put_uint(p, (uint64_t)(st & 0x0f) + 1);
	*p++ = ' ';
	p = put_str(p, names[(st >> 4) - 8]);
	*p++ = ' ';
	if ((st & 0xf0) == 0xe0)
		return put_uint(p, (uint64_t)(d[1] | d[2] << 7));
	p = put_uint(p, d[1]);
	if (len == 2)
		return p;
	*p++ = ' ';
	return put_uint(p, d[2]);
}

void
dump_event(FILE *out, const struct mp_event *ev, uint64_t den)
{
	char line[HEAD_MAX], *p = line;
	uint64_t ns = timing_ns(ev->time, den);
	const uint8_t *d = ev->data;
	uint8_t st = ev->len > 0 ? d[0] : 0;

	*p++ = '@';
	p = put_uint(p, ns / 1000000000u);
	*p++ = '.';
	p = put_nine(p, ns % 1000000000u);
	*p++ = ' ';
	/* describe the bytes on the wire: an F7 escape that carries one
	 * whole channel message prints as that message */
	if (ev->kind == MP_EV_PANIC) {
		p = put_str(p, "panic\n");
	} else if (mp_channel_message(d, ev->len)) {
		p = put_channel(p, st, d, ev->len);
		*p++ = '\n';
	} else {
		/* the head now, the bytes after it */
		fwrite(line, 1, (size_t)(p - line), out);
		if (st == 0xf0 && ev->len >= 2 && d[ev->len - 1] == 0xf7 &&
		    data_bytes(d + 1, ev->len - 2))
			dump_bytes(out, "syx", d + 1, ev->len - 2);
		else
			dump_bytes(out, "raw", d, ev->len);
		fputc('\n', out);
		return;
	}
	fwrite(line, 1, (size_t)(p - line), out);
}

/* Say "port NAME" before an event of port P, if that is not where the
 * lines before it went (*SAID: that port's index, -1 for "out" before
 * any was said). */
static void
say_port(FILE *out, const struct ports *ports, unsigned p, int *said)
{
	if ((int)p == *said)
		return;
	if (*said < 0 && strcmp(ports->name[p], "out") == 0) {
		*said = (int)p;
		return;
	}
	fprintf(out, "port %s\n", ports->name[p]);
	*said = (int)p;
}

int
dump_source(FILE *out, struct mp_source *src, const struct ports *ports)
{
	struct mp_event ev;
	int rc, said = -1;
	unsigned p;

	while ((rc = mp_source_next(src, &ev)) > 0) {
		if (ports == NULL || ports->n == 0 || ev.kind == MP_EV_META) {
			if (ev.kind != MP_EV_META)
				dump_event(out, &ev, src->den);
			continue;
		}
		if (ev.port != PORTS_ALL) {
			say_port(out, ports, ev.port < ports->n ? ev.port : 0,
			    &said);
			dump_event(out, &ev, src->den);
			continue;
		}
		for (p = 0; p < ports->n; p++) {
			say_port(out, ports, p, &said);
			dump_event(out, &ev, src->den);
		}
	}
	return rc;
}
