/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-timing: exact conversions (half-up rounding, no overflow at hours of
 * audio or at 64-bit tick counts) and the reader's 64-bit times.
 */
#include <stdlib.h>
#include "midiplay/log.h"
#include "midiplay/smf_reader.h"
#include "midiplay/timing.h"
#include "tap.h"

static size_t
vlq(uint8_t *p, uint32_t v)
{
	uint8_t tmp[5];
	size_t n = 0, i;

	do {
		tmp[n++] = v & 0x7f;
		v >>= 7;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0);
	return n;
}

int
main(void)
{
	uint8_t file[256], *p, *len_at;
	struct smf_reader *r;
	struct mp_event ev;
	uint64_t den = 96ull * 1000000u, ticks;
	int i, rc;

	plan(11);
	/* 480 ticks at 500000 us per quarter and ppq 480: 0.5 s */
	is_u64(timing_frames((mp_u128)480 * 500000, 480ull * 1000000u, 48000),
	    24000, "one beat at 120 bpm is 24000 frames at 48 kHz");
	is_u64(timing_frames(1, 2, 1), 1, "exactly half a frame rounds up");
	is_u64(timing_frames(1, 3, 1), 0, "a third of a frame rounds down");
	is_u64(timing_frames(2, 3, 1), 1, "two thirds round up");
	/* 30000/1001 fps, 80 ticks per frame: 2400000 ticks = 1001 s */
	is_u64(timing_frames((mp_u128)2400000 * 1001, 30000ull * 80, 44100),
	    1001ull * 44100, "SMPTE 29.97 fps lands on whole seconds");
	/* ten hours at 192 kHz, tempo 0xFFFFFF at ppq 1 */
	is_u64(timing_frames((mp_u128)36000 * 1000000 * 1, 1000000, 192000),
	    36000ull * 192000, "ten hours at 192 kHz");
	is_u64(timing_ns((mp_u128)1, 3000000000u), 0,
	    "a third of a nanosecond is 0 ns");
	is_u64(timing_ns((mp_u128)1, 3), 333333333, "a third of a second");

	/* a format-0 file: nine deltas of 0x0FFFFFFF ticks, then a note */
	p = file;
	memcpy(p, "MThd\0\0\0\6\0\0\0\1\0\x60MTrk\0\0\0\0", 22);
	len_at = p + 18;
	p += 22;
	for (i = 0; i < 9; i++) {
		p += vlq(p, 0x0FFFFFFF);
		*p++ = 0xFF; *p++ = 0x01; *p++ = 0x00;   /* empty text */
	}
	p += vlq(p, 0);
	*p++ = 0x90; *p++ = 60; *p++ = 100;
	p += vlq(p, 0);
	*p++ = 0xFF; *p++ = 0x2F; *p++ = 0x00;
	len_at[3] = (uint8_t)(p - len_at - 4);

	log_init("test-timing", LOG_NORMAL);
	rc = smf_reader_open_mem(&r, "big-delta", file, (size_t)(p - file));
	ok(rc == 0 && smf_reader_next(r, &ev) == 1,
	    "a file with huge deltas opens and has an event");
	ticks = 9ull * 0x0FFFFFFF;
	is_u64(ev.tick, ticks, "nine deltas of 0x0FFFFFFF do not wrap");
	/* at ppq 96 and 120 bpm a tick is 1/192 s, so 250 frames at 48 kHz:
	 * 2415919095 ticks are 603979773750 frames, far beyond 2^32 */
	is_u64(timing_frames(ev.time, den, 48000), ticks * 250,
	    "its frame is exact beyond 2^32 frames");
	smf_reader_close(r);
	return tap_done();
}
