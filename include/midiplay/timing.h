/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timing: exact conversion of source times to frames and nanoseconds.
 *
 * All arithmetic is integer (128-bit), rounding half up, so an event's
 * frame is round(exact_seconds * rate) whatever came before it.
 */
#ifndef MIDIPLAY_TIMING_H
#define MIDIPLAY_TIMING_H

#include <stdint.h>
#include "midiplay/event.h"

/* Largest time (in units) the conversions accept for any den >= 1: past it
 * the products could overflow 128 bits. */
#define TIMING_MAX_UNITS (((mp_u128)1) << 96)

/* round(time / den * rate); time must be <= TIMING_MAX_UNITS. */
uint64_t timing_frames(mp_u128 time, uint64_t den, uint32_t rate);

/* round(time / den * 2^32): song beats in a record (--link). */
uint64_t timing_beat_fx(mp_u128 time, uint64_t den);

/* round(time / den * 10^9) */
uint64_t timing_ns(mp_u128 time, uint64_t den);

#endif
