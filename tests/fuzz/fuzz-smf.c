/* SPDX-License-Identifier: GPL-2.0-or-later */
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
 * Then the reader is rewound and read again with meta events on, as
 * control.c reads it: MIDI or meta events, in non-decreasing time.
 * (tests/fuzz/fuzz-control.c plays the file through control.c.)
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

#include "midiplay/dump.h"
#include "midiplay/event.h"
#include "midiplay/log.h"
#include "midiplay/smf_reader.h"
#include "midiplay/timing.h"

#define FUZZ_NAME "fuzz-smf"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t touch;  /* so that reading the bytes is not elided */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
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

	/* again from the start, meta events too, as control.c reads */
	smf_reader_want_meta(r, 1);
	smf_reader_rewind(r);
	last = 0;
	while ((rc = smf_reader_next(r, &ev)) > 0) {
		if (ev.kind != MP_EV_MIDI && ev.kind != MP_EV_META)
			breach("meta pass: an event neither MIDI nor meta");
		if (ev.kind == MP_EV_MIDI && (ev.len == 0 ||
		    ev.len > MP_MAX_EVENT || ev.data == NULL))
			breach("meta pass: event length outside 1-MP_MAX_EVENT");
		if (ev.len > 0 && ev.data == NULL)
			breach("meta pass: bytes without data");
		if (ev.time < last)
			breach("meta pass: time went backwards");
		if (ev.track < 0 || ev.track >= ntracks)
			breach("meta pass: track number out of range");
		last = ev.time;
		if (ev.len > 0)
			touch = ev.data[0] ^ ev.data[ev.len - 1];
	}
	smf_reader_close(r);
	return 0;
}
