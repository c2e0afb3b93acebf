/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ring: the single-producer/single-consumer ring keeps every record,
 * whole and in order, across wrap-around and with two threads at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include "midiplay/ring.h"
#include "tap.h"

#define RECORDS 200000

struct hdr {
	uint32_t seq;
	uint32_t len;
};

static struct ring ring;
static int consumer_errors;

static uint8_t
byte_of(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31u + i * 7u);
}

static void *
producer(void *arg)
{
	uint8_t data[300];
	uint32_t seq;

	(void)arg;
	for (seq = 0; seq < RECORDS; seq++) {
		struct hdr h = { seq, seq % 300 };
		uint32_t i;

		for (i = 0; i < h.len; i++)
			data[i] = byte_of(seq, i);
		while (ring_write2(&ring, &h, sizeof h, data, h.len) < 0)
			;       /* test only: spin until the consumer drains */
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	uint8_t data[300];
	uint32_t seq = 0;

	(void)arg;
	while (seq < RECORDS) {
		struct hdr h;
		uint32_t i;

		if (ring_read_at(&ring, 0, &h, sizeof h) < 0)
			continue;
		if (h.seq != seq || h.len != seq % 300 ||
		    ring_read_at(&ring, sizeof h, data, h.len) < 0) {
			consumer_errors++;
			return NULL;
		}
		for (i = 0; i < h.len; i++)
			if (data[i] != byte_of(seq, i))
				consumer_errors++;
		ring_consume(&ring, sizeof h + h.len);
		seq++;
	}
	return NULL;
}

int
main(void)
{
	uint8_t a[100], b[100], out[200];
	pthread_t tp, tc;
	int i, round, wrapped_ok = 1;

	plan(8);
	ok(ring_init(&ring, 1000) == 0 && ring.size == 1024,
	    "a ring of 1000 bytes is rounded up to 1024");
	ok(ring_space(&ring) == 1024 && ring_used(&ring) == 0,
	    "a new ring is empty");

	for (i = 0; i < 100; i++) {
		a[i] = (uint8_t)i;
		b[i] = (uint8_t)(200 - i);
	}
	/* records of 150 bytes cross the end of the buffer every few */
	for (round = 0; round < 50; round++) {
		if (ring_write2(&ring, a, 100, b, 50) < 0 ||
		    ring_read_at(&ring, 0, out, 150) < 0 ||
		    memcmp(out, a, 100) != 0 || memcmp(out + 100, b, 50) != 0)
			wrapped_ok = 0;
		ring_consume(&ring, 150);
	}
	ok(wrapped_ok, "records that wrap around the end read back whole");

	while (ring_write2(&ring, a, 100, NULL, 0) == 0)
		;
	ok(ring_used(&ring) == 1000 && ring_space(&ring) == 24,
	    "writes stop when the next record does not fit (used %zu)",
	    ring_used(&ring));
	ok(ring_write2(&ring, a, 20, b, 10) < 0 && ring_used(&ring) == 1000,
	    "a record that does not fit writes nothing at all");
	ok(ring_read_at(&ring, 990, out, 20) < 0,
	    "reading past what is waiting fails");
	ring_free(&ring);

	ring_init(&ring, 4096);
	pthread_create(&tc, NULL, consumer, NULL);
	pthread_create(&tp, NULL, producer, NULL);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	ok(consumer_errors == 0, "%d records through two threads arrive "
	    "whole and in order", RECORDS);
	ok(ring_used(&ring) == 0, "and the ring is empty after them");
	ring_free(&ring);
	return tap_done();
}
