/*
 * dump: events in the stream format, with exact times.  See dump.h.
 */
#include <inttypes.h>
#include "midiplay/dump.h"
#include "midiplay/timing.h"

static void
dump_bytes(FILE *out, const char *cmd, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	fputs(cmd, out);
	for (i = 0; i < n; i++)
		fprintf(out, " 0x%02X", p[i]);
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

void
dump_event(FILE *out, const struct mp_event *ev, uint64_t den)
{
	static const char *const names[] = {
		"off", "on", "pp", "cc", "pc", "cp", "pb"
	};
	uint64_t ns = timing_ns(ev->time, den);
	const uint8_t *d = ev->data;
	uint8_t st = ev->len > 0 ? d[0] : 0;

	fprintf(out, "@%" PRIu64 ".%09" PRIu64 " ", ns / 1000000000u,
	    ns % 1000000000u);
	/* describe the bytes on the wire: an F7 escape that carries one
	 * whole channel message prints as that message */
	if (ev->kind == MP_EV_PANIC) {
		fputs("panic", out);
	} else if (st >= 0x80 && st < 0xf0 &&
	    ev->len == ((st & 0xe0) == 0xc0 ? 2u : 3u) && d[1] < 0x80 &&
	    (ev->len == 2 || d[2] < 0x80)) {
		fprintf(out, "ch %d %s", (st & 0x0f) + 1,
		    names[(st >> 4) - 8]);
		if ((st & 0xf0) == 0xe0)
			fprintf(out, " %d", d[1] | d[2] << 7);
		else if (ev->len == 2)
			fprintf(out, " %d", d[1]);
		else
			fprintf(out, " %d %d", d[1], d[2]);
	} else if (st == 0xf0 && ev->len >= 2 && d[ev->len - 1] == 0xf7 &&
	    data_bytes(d + 1, ev->len - 2)) {
		dump_bytes(out, "syx", d + 1, ev->len - 2);
	} else {
		dump_bytes(out, "raw", d, ev->len);
	}
	fputc('\n', out);
}

int
dump_source(FILE *out, struct mp_source *src)
{
	struct mp_event ev;
	int rc;

	while ((rc = mp_source_next(src, &ev)) > 0)
		dump_event(out, &ev, src->den);
	return rc;
}
