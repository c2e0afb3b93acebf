/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-linkmap: the arithmetic of --link without a server or a session:
 * song beats in records, the beat map (exact frames, as --bpm's integer
 * arithmetic gives them), a cycle on Link's clock, when the map follows
 * or aligns the session, and where a launch falls.
 */
#include <math.h>
#include <stdlib.h>

#include "midiplay/linkmap.h"
#include "midiplay/timing.h"
#include "tap.h"

/* Every tick of a file at PPQ, played with a map at BPM_NUM / BPM_DEN
 * from song beat 0 at frame 0, lands where --bpm's exact frames are:
 * how many do not (over TICKS ticks). */
static unsigned long
mismatches(int ppq, uint64_t bpm_num, uint64_t bpm_den, uint32_t rate,
    uint64_t ticks)
{
	struct linkmap m;
	unsigned long bad = 0;
	uint64_t t;

	linkmap_set(&m, 0, 0, (double)bpm_num / (double)bpm_den, rate);
	for (t = 0; t < ticks; t++) {
		/* --bpm: tick * 60 * bpm_den / (ppq * bpm_num) seconds */
		uint64_t want = timing_frames((mp_u128)t * 60 * bpm_den,
		    (uint64_t)ppq * bpm_num, rate);
		/* --link: the tick's song beat in a record, then the map */
		uint64_t fx = timing_beat_fx(t, (uint64_t)ppq);
		uint64_t got = linkmap_round(linkmap_frame(&m,
		    linkmap_fx_beat(fx)), m.fpb);

		if (got != want && bad++ < 3)
			diag("ppq %d, %g bpm, tick %llu: frame %llu, "
			    "--bpm %llu",
			    ppq, (double)bpm_num / bpm_den,
			    (unsigned long long)t, (unsigned long long)got,
			    (unsigned long long)want);
	}
	return bad;
}

int
main(void)
{
	struct linkmap m;
	struct linkmap_cycle c;
	int64_t shift = 99;

	plan(25);

	is_u64(timing_beat_fx(1, 1), (uint64_t)1 << 32,
	    "a song beat in a record is 2^32");
	is_u64(timing_beat_fx(1, 3), 1431655765,
	    "a third of a beat rounds to the nearest 2^-32");
	is_u64(timing_beat_fx((mp_u128)1 << 40, 1), UINT64_MAX,
	    "past 2^32 beats a record saturates");

	is_u64(linkmap_round(10.5, 24000), 11, "half a frame rounds up");
	is_u64(linkmap_round(10.499997, 24000), 11,
	    "within 2^-32 beat below half a frame (a record's beat) rounds "
	    "up too");
	is_u64(linkmap_round(10.49, 24000), 10, "below half rounds down");
	is_u64(linkmap_round(-3.2, 24000), 0, "before zero is zero");

	/* the exact frames of --bpm, tick by tick */
	ok(mismatches(96, 120, 1, 48000, 200000) == 0,
	    "ppq 96 at 120 bpm, 48 kHz: 200000 ticks on --bpm's frames");
	ok(mismatches(480, 185, 2, 48000, 200000) == 0,
	    "ppq 480 at 92.5 bpm, 48 kHz: 200000 ticks on --bpm's frames");
	ok(mismatches(960, 873, 10, 44100, 200000) == 0,
	    "ppq 960 at 87.3 bpm, 44.1 kHz: 200000 ticks on --bpm's frames");
	ok(mismatches(384, 140, 1, 96000, 200000) == 0,
	    "ppq 384 at 140 bpm, 96 kHz: 200000 ticks on --bpm's frames");

	linkmap_set(&m, 10, 4800, 120, 48000);
	ok(linkmap_frame(&m, 12) == 4800 + 48000 &&
	    fabs(linkmap_beat(&m, 4800 + 12000) - 10.5) < 1e-12,
	    "a map through beat 10 at frame 4800, 120 bpm: beat 12 at frame "
	    "52800, frame 16800 at beat 10.5");

	/* a cycle of 256 frames at 48 kHz, JACK's clock 252 ms behind
	 * Link's (PipeWire), heard 1 ms after it leaves */
	linkmap_cycle_init(&c, 1000000, 1005333, 256, 252000, 1000);
	c.beat = 7.25;
	c.beats_per_us = 2.0 / 1e6;      /* 120 bpm */
	ok(c.t_us == 1253000, "its first frame is heard at 1253000 us on "
	    "Link's clock");
	ok(fabs(linkmap_cycle_time(&c, 128) - (1253000 + 5333.0 / 2)) < 1e-9,
	    "its middle frame half the period later");
	ok(fabs(linkmap_cycle_offset(&c, linkmap_cycle_time(&c, 37.25)) -
	    37.25) < 1e-9, "time and frame offset are inverses");
	ok(fabs(linkmap_cycle_offset_of_beat(&c, 7.25 + 2.0 * 0.001) -
	    1000.0 / (5333.0 / 256)) < 1e-6,
	    "a beat 1 ms on falls 1 ms of its frames on");

	/* when the map moves */
	linkmap_set(&m, 0, 0, 120, 48000);
	ok(linkmap_check(&m, 24000, 1.00001, 120, 1) == LINKMAP_KEEP,
	    "with peers, 0.00001 beat apart: the map holds");
	ok(linkmap_check(&m, 24000, 1.00015, 120, 1) == LINKMAP_FOLLOW,
	    "with peers, 0.00015 beat apart: the map follows the session");
	ok(linkmap_check(&m, 24000, 1.0, 121, 1) == LINKMAP_FOLLOW &&
	    linkmap_check(&m, 24000, 1.0, 121, 0) == LINKMAP_FOLLOW,
	    "a tempo not the map's: it follows, with peers or alone");
	ok(linkmap_check(&m, 24000, 1.0003, 120, 0) == LINKMAP_KEEP &&
	    linkmap_check(&m, 24000, 1.002, 120, 0) == LINKMAP_ALIGN,
	    "alone: 0.0003 beat apart holds, 0.002 aligns the session to "
	    "the map");

	/* where a launch falls, at 120 bpm and 48 kHz */
	ok(!linkmap_launch(-0.5, 1.0 / 24000, 256, &shift),
	    "beat 0 half a beat away: not in this cycle");
	ok(linkmap_launch(-100.3 / 24000, 1.0 / 24000, 256, &shift) &&
	    shift == 101, "beat 0 100.3 frames on: song time zero at frame "
	    "101 of the cycle");
	ok(linkmap_launch(-100.0 / 24000, 1.0 / 24000, 256, &shift) &&
	    shift == 100 && !linkmap_launch(-256.0 / 24000, 1.0 / 24000, 256,
	    &shift), "beat 0 on frame 100: frame 100; on frame 256: the next "
	    "cycle");
	ok(linkmap_launch(0.01, 1.0 / 24000, 256, &shift) && shift == -240,
	    "beat 0 passed 240 frames before the cycle: a late start, song "
	    "time zero 240 frames back");
	ok(linkmap_launch(100.3 / 24000, 1.0 / 24000, 256, &shift) &&
	    shift == -100, "beat 0 passed 100.3 frames before: the first "
	    "whole frame after it, 100 back");
	return tap_failed ? 1 : 0;
}
