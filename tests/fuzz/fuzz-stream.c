/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-stream: libFuzzer target for the text stream (midiplay -).
 *
 * Each input is used twice:
 *
 *  1. Split on '\n', every line goes through sp_parse_line() with the
 *     sticky state carried from line to line (one struct sp_line, reused,
 *     freed at the end).  The contracts of stream_parse.h are checked: a
 *     bad line yields no action and leaves the state as it was; a good
 *     one yields actions whose bytes lie inside the output, notes that
 *     are note-ons, times within range, and a state that makes sense.
 *
 *  2. The whole input is put in a memory file (memfd, or an unlinked
 *     temporary file where there is none) and read by the stream source
 *     as `midiplay --dump -` does: no clock, latency 0, not strict.
 *     Every event is pulled with mp_source_next() and written by
 *     dump_event(); times must not go backwards.
 *
 * A broken contract aborts, so that libFuzzer keeps the input.  Keep the
 * inputs small (-max_len=4096): the stream reads them in one go.
 *
 * Build and run: `make fuzz` (tests/fuzz/fuzz.am), or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *       -D_POSIX_C_SOURCE=200809L -std=c11 tests/fuzz/fuzz-stream.c \
 *       src/dump.c src/log.c src/ring.c src/smf_reader.c src/stream.c \
 *       src/stream_parse.c src/timing.c -o tests/fuzz/fuzz-stream
 *   tests/fuzz/fuzz-stream -dict=tests/fuzz/stream.dict -max_len=4096 DIR
 */
#define _GNU_SOURCE             /* memfd_create */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "midiplay/dump.h"
#include "midiplay/event.h"
#include "midiplay/log.h"
#include "midiplay/ports.h"
#include "midiplay/stream.h"
#include "midiplay/stream_parse.h"

#define FUZZ_NAME "fuzz-stream"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* stream_parse.c's limits, restated: the longest time (10^8 s) and a day */
#define MAX_NS ((uint64_t)100000000 * 1000000000u)
#define DAY_NS ((uint64_t)86400 * 1000000000u)

static int memfd = -1;          /* holds the input for the stream source */
static volatile uint8_t touch;  /* so that reading the bytes is not elided */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	memfd = memfd_create("fuzz-stream", 0);
	if (memfd < 0) {
		char path[] = "/tmp/fuzz-stream.XXXXXX";

		if ((memfd = mkstemp(path)) < 0) {
			perror("fuzz-stream: mkstemp");
			exit(1);
		}
		unlink(path);
	}
	return 0;
}

static int
same_state(const struct sp_state *a, const struct sp_state *b)
{
	return a->channel == b->channel && a->hex == b->hex &&
	    a->omc == b->omc && a->tempo_num == b->tempo_num &&
	    a->tempo_den == b->tempo_den;
}

/* The actions of a line that parsed, against stream_parse.h. */
static void
check_line(const struct sp_state *st, const struct sp_line *out,
    size_t len)
{
	size_t i;
	uint8_t x = 0;

	if (st->channel < 0 || st->channel > 15 || (st->hex != 0 &&
	    st->hex != 1) || st->omc < -5 || st->omc > 9 ||
	    st->tempo_num == 0 || st->tempo_den == 0)
		breach("sticky state out of range after a good line");
	if (out->n > out->cap || out->nbytes > out->bytes_cap)
		breach("sp_line counts beyond its capacity");
	for (i = 0; i < out->nbytes; i++)
		x ^= out->bytes[i];
	touch = x;
	for (i = 0; i < out->n; i++) {
		const struct sp_action *a = &out->actions[i];
		/* no arithmetic on bytes while it may still be NULL */
		const uint8_t *b = a->len > 0 ? out->bytes + a->off : NULL;

		if ((size_t)a->off + a->len > out->nbytes)
			breach("action bytes beyond the output");
		if (a->col < 1 || (size_t)a->col > len)
			breach("action column outside the line");
		switch (a->kind) {
		case SP_SEND:
			if (a->len == 0 || a->len > MP_MAX_EVENT)
				breach("SEND of 0 or too many bytes");
			break;
		case SP_NOTE:
			if (a->len != 3 || (b[0] & 0xf0) != 0x90 ||
			    b[1] > 127 || b[2] == 0 || b[2] > 127)
				breach("NOTE that is no note-on");
			if (a->ns > MAX_NS)
				breach("NOTE duration beyond 10^8 s");
			break;
		case SP_PANIC:
			if (a->len != 0)
				breach("PANIC with bytes");
			break;
		case SP_WAIT:
		case SP_AT:
			if (a->len != 0 || a->ns > MAX_NS)
				breach("WAIT or AT beyond 10^8 s");
			break;
		case SP_STAMP:
			if (a->len != 0 || a->ns >= DAY_NS)
				breach("timestamp of a day or more");
			break;
		case SP_PORT:
			if (a->len == 0 || a->len >= PORTS_NAME ||
			    memchr(b, ':', a->len) != NULL)
				breach("PORT with a bad name");
			break;
		case SP_TEMPO:
			if (a->len != 0 || a->tempo_num == 0 ||
			    a->tempo_den == 0 || a->tempo_num >
			    10000 * a->tempo_den)
				breach("TEMPO out of range");
			break;
		default:
			breach("action of no known kind");
		}
	}
}

/* Part 1: the line parser alone. */
static void
parse_lines(const uint8_t *data, size_t size)
{
	struct sp_state st, before;
	struct sp_line out;
	struct sp_error err;
	size_t start = 0, i;

	memset(&out, 0, sizeof out);
	sp_state_init(&st);
	for (i = 0; i <= size; i++) {
		const char *line = (const char *)data + start;
		size_t len = i - start;
		int rc;

		if (i < size && data[i] != '\n')
			continue;
		start = i + 1;
		if (i == size && len == 0)
			break;          /* no last line after the last '\n' */
		before = st;
		memset(&err, 0, sizeof err);
		rc = sp_parse_line(&st, line, len, &out, &err);
		if (rc == 0) {
			check_line(&st, &out, len);
		} else if (rc == -1) {
			if (out.n != 0 || out.nbytes != 0)
				breach("a bad line left actions");
			if (!same_state(&st, &before))
				breach("a bad line changed the state");
			if (err.col < 1 || (size_t)err.col > len + 1)
				breach("error column outside the line");
			if (memchr(err.msg, '\0', sizeof err.msg) == NULL ||
			    err.msg[0] == '\0')
				breach("error message empty or unterminated");
		} else {
			breach("sp_parse_line returned neither 0 nor -1");
		}
	}
	sp_line_free(&out);
}

/* Put the whole input at the start of the memory file. */
static int
load_memfd(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(memfd, 0) < 0)
		return -1;
	while (done < size) {
		ssize_t n = pwrite(memfd, data + done, size - done,
		    (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return lseek(memfd, 0, SEEK_SET) == 0 ? 0 : -1;
}

/* Part 2: the stream source, as `midiplay --dump -`. */
static void
read_stream(const uint8_t *data, size_t size)
{
	struct stream_opts o;
	struct stream *s;
	struct mp_source src;
	struct mp_event ev;
	uint64_t lines = 1, last = 0;
	size_t i;
	int rc;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (load_memfd(data, size) < 0) {
		perror("fuzz-stream: cannot write the memory file");
		abort();
	}
	memset(&o, 0, sizeof o);
	o.fd = memfd;
	o.name = "<stdin>";
	o.clock = NULL;
	o.clock_ctx = NULL;
	o.latency_ns = 0;
	o.strict = 0;
	if (stream_open(&s, &o) < 0)
		breach("stream_open failed");
	stream_source(s, &src);
	if (src.den != 1000000000u)
		breach("stream den is not 10^9");
	while ((rc = mp_source_next(&src, &ev)) > 0) {
		uint64_t t;
		uint8_t x = 0;
		uint32_t j;

		if (rc != 1)
			breach("next() returned more than 1");
		if (ev.time > UINT64_MAX)
			breach("stream time beyond 64 bits");
		t = (uint64_t)ev.time;
		if (t < last)
			breach("stream time went backwards");
		last = t;
		if (ev.kind == MP_EV_MIDI) {
			if (ev.len == 0 || ev.len > MP_MAX_EVENT ||
			    ev.data == NULL)
				breach("MIDI event of 0 or too many bytes");
		} else if (ev.kind == MP_EV_PANIC) {
			if (ev.len != 0)
				breach("panic with bytes");
		} else {
			breach("event of no known kind");
		}
		if (ev.offset < 1 || ev.offset > lines)
			breach("event from a line that is not there");
		for (j = 0; j < ev.len; j++)
			x ^= ev.data[j];
		touch = x;
		dump_event(sink, &ev, src.den);
	}
	/* not strict, and memory is plenty: the end is always 0 */
	if (rc != 0)
		breach("the stream ended with an error though not strict");
	stream_close(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_lines(data, size);
	read_stream(data, size);
	return 0;
}
