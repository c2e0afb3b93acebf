/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ring: SPSC byte ring with C11 acquire/release ordering.  See ring.h.
 *
 * head and tail count bytes for ever (size_t wraps harmlessly); the byte
 * at count i lives at buf[i & (size - 1)].
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "midiplay/ring.h"

int
ring_init(struct ring *r, size_t size)
{
	size_t s = 64;

	while (s < size)
		s *= 2;
	memset(r, 0, sizeof *r);
	if ((r->buf = malloc(s)) == NULL)
		return -1;
	/* touch every page so none faults in the real-time thread */
	memset(r->buf, 0, s);
	r->locked = mlock(r->buf, s) == 0;
	r->size = s;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void
ring_free(struct ring *r)
{
	if (r->buf != NULL) {
		if (r->locked)
			munlock(r->buf, r->size);
		free(r->buf);
	}
	r->buf = NULL;
}

size_t
ring_space(const struct ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	return r->size - (head - tail);
}

size_t
ring_used(const struct ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	return head - tail;
}

/* Copy N bytes into the ring at count POS, wrapping. */
static void
put(struct ring *r, size_t pos, const void *src, size_t n)
{
	size_t i = pos & (r->size - 1), first = r->size - i;

	if (first >= n) {
		memcpy(r->buf + i, src, n);
	} else {
		memcpy(r->buf + i, src, first);
		memcpy(r->buf, (const uint8_t *)src + first, n - first);
	}
}

int
ring_write2(struct ring *r, const void *a, size_t la, const void *b,
    size_t lb)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (ring_space(r) < la + lb)
		return -1;
	put(r, head, a, la);
	if (lb > 0)
		put(r, head + la, b, lb);
	atomic_store_explicit(&r->head, head + la + lb, memory_order_release);
	return 0;
}

int
ring_read_at(const struct ring *r, size_t at, void *dst, size_t n)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t i, first;

	if (ring_used(r) < at + n)
		return -1;
	i = (tail + at) & (r->size - 1);
	first = r->size - i;
	if (first >= n) {
		memcpy(dst, r->buf + i, n);
	} else {
		memcpy(dst, r->buf + i, first);
		memcpy((uint8_t *)dst + first, r->buf, n - first);
	}
	return 0;
}

void
ring_consume(struct ring *r, size_t n)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
}
