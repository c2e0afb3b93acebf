/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ports: the output ports an input plays to, by name and index.
 *
 * Without --split a file plays to one port, "out", unless it has SMF port
 * events (FF 21), which select among ports "port1" ... ; --split track
 * gives one port per track that holds MIDI events, named after the track;
 * --split channel one per channel used, "ch1" ... "ch16".  A stream plays
 * to "out" until a "port NAME" line names another, which is added then.
 * Every event carries the index of its port (mp_event.port), or
 * PORTS_ALL for one that goes to every port (MIDI clock; a SysEx with no
 * channel under --split channel).
 *
 * Adding a port calls the table's hook, if any (the JACK output registers
 * and connects a port there).  Return convention: an index, or -1 after
 * reporting through log.h.
 */
#ifndef MIDIPLAY_PORTS_H
#define MIDIPLAY_PORTS_H

#include <stddef.h>
#include <stdint.h>

#define PORTS_MAX 64          /* output ports at most */
#define PORTS_NAME 48         /* bytes of a port's short name, NUL included */
#define PORTS_ALL 0xffff      /* mp_event.port: every port */

enum ports_split { PORTS_SPLIT_NONE = 0, PORTS_SPLIT_TRACK,
	PORTS_SPLIT_CHANNEL };

struct ports {
	unsigned n;
	char name[PORTS_MAX][PORTS_NAME];
	/* called for each port added, with its index and name: 0, or -1
	 * after reporting (then the port is not added) */
	int (*on_add)(void *ctx, unsigned index, const char *name);
	void *ctx;
};

/* An empty table. */
void ports_init(struct ports *p);

/* The index of the port named NAME, or -1. */
int ports_find(const struct ports *p, const char *name);

/*
 * Add a port named NAME, or NAME-2, NAME-3 ... when that is taken; its
 * index.  WHERE says what asked for it, for the message when there are
 * already PORTS_MAX ports.
 */
int ports_add(struct ports *p, const char *name, const char *where);

/* NAME as a port name: only letters, digits and "._+-" kept, every run
 * of anything else one "-", none at either end; FALLBACK when nothing is
 * left.  Into OUT (PORTS_NAME bytes). */
void ports_safe_name(char *out, const uint8_t *name, size_t len,
    const char *fallback);

/* Is NAME (LEN bytes) usable as given by a user ("port NAME", -c
 * NAME=PORT): 1 to PORTS_NAME - 1 bytes, none of them ':', a space or a
 * control character? */
int ports_name_ok(const char *name, size_t len);

#endif
