/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-control: libFuzzer target for playback control (control.c).
 *
 * The input is taken as a whole Standard MIDI File and played through
 * control.c, as --tempo, --bpm, --start, --end, --loop, --tracks,
 * --channels, --transpose, --clock and --transport do, with one of eight
 * sets of options chosen by the input's size (a seek, as the transport
 * asks for, included).  Control's events must come as MIDI of 1 to
 * MP_MAX_EVENT bytes in non-decreasing time.  At most 5000 of them are
 * taken per input: a long song with --clock has tens of millions.
 *
 * Build and run: `make fuzz` (tests/fuzz/fuzz.am), or by hand as
 * fuzz-smf.c says, with tests/fuzz/fuzz-control.c and src/control.c and
 * -pthread; it starts from tests/fuzz/corpus-smf with smf.dict.
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

#define FUZZ_NAME "fuzz-control"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* The file through control.c, with options picked by SIZE. */
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
	through_control(data, size);
	return 0;
}
