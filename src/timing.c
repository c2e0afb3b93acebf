/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timing: exact time conversions.  See timing.h.
 */
#include "midiplay/timing.h"

uint64_t
timing_frames(mp_u128 time, uint64_t den, uint32_t rate)
{
	return (uint64_t)((time * rate + den / 2) / den);
}

uint64_t
timing_beat_fx(mp_u128 time, uint64_t den)
{
	/* beats past 2^32 do not fit a record anyway */
	if (time >= (mp_u128)den << 32)
		return UINT64_MAX;
	return (uint64_t)(((time << 32) + den / 2) / den);
}

uint64_t
timing_ns(mp_u128 time, uint64_t den)
{
	/* a stream's times are in ns already: skip the 128-bit division
	 * (the result is the same, the half added rounding nothing) */
	if (den == 1000000000u)
		return (uint64_t)time;
	return (uint64_t)((time * 1000000000u + den / 2) / den);
}
