/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ring: a lock-free single-producer / single-consumer byte ring of
 * variable-sized records, joining the scheduler thread (producer) to the
 * JACK process callback (consumer).
 *
 * The consumer side (ring_peek, ring_read_at, ring_consume) never
 * allocates, locks or makes a system call, so it is safe in a real-time
 * thread.  Memory is allocated, and locked when the system allows, by
 * ring_init before the real-time thread starts.
 */
#ifndef MIDIPLAY_RING_H
#define MIDIPLAY_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t size;                   /* a power of two */
	_Atomic size_t head;           /* total bytes written */
	_Atomic size_t tail;           /* total bytes consumed */
	int locked;                    /* buf is mlock()ed */
};

/* Allocate a ring of at least SIZE bytes.  0, or -1 (out of memory). */
int ring_init(struct ring *r, size_t size);
void ring_free(struct ring *r);

/* Producer: bytes free for writing. */
size_t ring_space(const struct ring *r);

/* Producer: append A (LA bytes) then B (LB bytes) as one record, all or
 * nothing.  0, or -1 when there is not room for both. */
int ring_write2(struct ring *r, const void *a, size_t la, const void *b,
    size_t lb);

/* Consumer: bytes waiting to be read. */
size_t ring_used(const struct ring *r);

/* Consumer: copy N bytes starting AT bytes past the read position, without
 * consuming them.  0, or -1 when fewer than AT + N bytes are waiting. */
int ring_read_at(const struct ring *r, size_t at, void *dst, size_t n);

/* Consumer: drop the first N waiting bytes (N <= ring_used). */
void ring_consume(struct ring *r, size_t n);

#endif
