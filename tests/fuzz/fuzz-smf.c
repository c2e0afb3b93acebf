/*
 * fuzz-smf: libFuzzer target for the Standard MIDI File reader.
 *
 * The input is taken as a whole file: smf_reader_open_mem(), then every
 * event with smf_reader_next() until the end or an error, each one also
 * written by dump_event() (as `midiplay --dump` does), then
 * smf_reader_close().  Besides what the sanitizers catch, the documented
 * contracts are checked and a breach aborts: events come in
 * non-decreasing time, within the schedulable range, from a track that
 * exists, with 1 to MP_MAX_EVENT bytes.
 *
 * Then the same file is played through control.c (what --tempo, --bpm,
 * --start, --end, --loop, --tracks, --channels, --transpose, --clock and
 * --transport do), with one of eight sets of options chosen by the
 * input's size, a seek included: control's events must come in
 * non-decreasing time too, as MIDI of 1 to MP_MAX_EVENT bytes.  At most
 * 5000 of them are taken (a long song with --clock has far more).
 *
 * Build and run: `make fuzz` (tests/fuzz/fuzz.am), or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *       -D_POSIX_C_SOURCE=200809L -std=c11 tests/fuzz/fuzz-smf.c \
 *       src/dump.c src/log.c src/ring.c src/smf_reader.c src/stream.c \
 *       src/stream_parse.c src/timing.c -o tests/fuzz/fuzz-smf
 *   tests/fuzz/fuzz-smf -dict=tests/fuzz/smf.dict -max_len=65536 DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midiplay/control.h"
#include "midiplay/dump.h"
#include "midiplay/event.h"
#include "midiplay/log.h"
#include "midiplay/smf_reader.h"
#include "midiplay/timing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;              /* dump_event() writes here: /dev/null */
static volatile uint8_t touch;  /* so that reading the bytes is not elided */

static void
breach(const char *what)
{
	fprintf(stderr, "fuzz-smf: contract broken: %s\n", what);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_mute(1);
	if ((sink = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz-smf: /dev/null");
		exit(1);
	}
	return 0;
}

/* Part 2: the file through control.c, with options picked by SIZE. */
static void
through_control(const uint8_t *data, size_t size)
{
	static uint8_t tracks[65536];
	struct control_opts o;
	struct smf_reader *r;
	struct control *c;
	struct mp_source src;
	struct mp_event ev;
	mp_u128 last = 0;
	unsigned long n = 0;
	int rc, pick = (int)(size % 8);

	memset(&o, 0, sizeof o);
	o.speed_num = o.speed_den = 1;
	o.loops = 1;
	o.channels = 0xffff;
	switch (pick) {
	case 0:
		o.start.kind = CTL_POS_BBT;
		o.start.bar = 2;
		o.start.beat = 1;
		o.end.kind = CTL_POS_BBT;
		o.end.bar = 4;
		o.end.beat = 1;
		o.loops = 2;
		o.clock = 1;
		break;
	case 1:
		o.start.kind = CTL_POS_SECONDS;
		o.start.us = 500000;
		o.transpose = 20;
		o.channels = 0x00ff;
		break;
	case 2:
		o.bpm_num = 90;
		o.bpm_den = 1;
		o.clock = 1;
		o.loops = 3;
		o.end.kind = CTL_POS_SECONDS;
		o.end.us = 1000000;
		break;
	case 3:
		o.speed_num = 3;
		o.speed_den = 2;
		o.start.kind = CTL_POS_BBT;
		o.start.bar = 1;
		o.start.beat = 3;
		o.start.tick = 7;
		memset(tracks, 0, sizeof tracks);
		tracks[0] = tracks[2] = 1;
		o.tracks = tracks;
		break;
	case 5:
		o.transpose = -30;
		o.end.kind = CTL_POS_BBT;
		o.end.bar = 2;
		o.end.beat = 2;
		break;
	case 6:
		o.loops = 2;
		o.clock = 1;
		break;
	default:        /* 4: seeks, as --transport; 7: plain */
		break;
	}
	if (smf_reader_open_mem(&r, "fuzz.mid", data, size) < 0)
		return;
	if (control_open(&c, r, "fuzz.mid", &o) < 0) {
		smf_reader_close(r);
		return;
	}
	control_source(c, &src);
	if (pick == 4)
		control_seek(c, 24000, 48000);
	while (n < 5000 && (rc = mp_source_next(&src, &ev)) > 0) {
		if (ev.kind != MP_EV_MIDI)
			breach("control: an event that is not MIDI");
		if (ev.len == 0 || ev.len > MP_MAX_EVENT || ev.data == NULL)
			breach("control: event length outside 1-MP_MAX_EVENT");
		if (ev.time < last)
			breach("control: time went backwards");
		last = ev.time;
		dump_event(sink, &ev, src.den);
		if (++n == 50 && pick == 4) {
			control_seek(c, 0, 44100);
			last = 0;
		}
	}
	control_close(c);
	smf_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smf_reader *r;
	struct mp_event ev;
	mp_u128 last = 0;
	uint64_t den;
	int ntracks, rc;

	if (smf_reader_open_mem(&r, "fuzz.mid", data, size) < 0) {
		if (r != NULL)
			breach("open failed but left a reader");
		return 0;
	}
	if (r == NULL)
		breach("open succeeded without a reader");
	den = smf_reader_den(r);
	ntracks = smf_reader_ntracks(r);
	if (den == 0)
		breach("time units per second of 0");
	if (ntracks < 1)
		breach("no track in an open file");
	if (smf_reader_format(r) < 0 || smf_reader_format(r) > 2)
		breach("format outside 0-2");

	while ((rc = smf_reader_next(r, &ev)) > 0) {
		uint8_t x = 0;
		uint32_t i;

		if (rc != 1)
			breach("next() returned more than 1");
		if (ev.kind != MP_EV_MIDI)
			breach("an event that is not MIDI");
		if (ev.len == 0 || ev.len > MP_MAX_EVENT || ev.data == NULL)
			breach("event length outside 1-MP_MAX_EVENT");
		if (ev.time < last)
			breach("time went backwards");
		if (ev.time > TIMING_MAX_UNITS)
			breach("time beyond TIMING_MAX_UNITS");
		if (ev.track < 0 || ev.track >= ntracks)
			breach("track number out of range");
		if (ev.offset >= size)
			breach("byte offset beyond the file");
		last = ev.time;
		/* every byte must be readable (ASan checks each) */
		for (i = 0; i < ev.len; i++)
			x ^= ev.data[i];
		touch = x;
		dump_event(sink, &ev, den);
	}
	if (rc < -1)
		breach("next() returned less than -1");
	smf_reader_close(r);
	through_control(data, size);
	return 0;
}
