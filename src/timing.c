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
timing_ns(mp_u128 time, uint64_t den)
{
	return (uint64_t)((time * 1000000000u + den / 2) / den);
}
