/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netjack: tell whether the output reaches a netjack2 network port, and
 * warn once, before the first message that netjack2 cannot carry is sent.
 *
 * netjack2 (jackd2 1.9.21, and its source as it stands) copies a MIDI
 * port's events over the network, but not the data of a message longer
 * than the 4 bytes an event header holds: such a message (SysEx, mostly)
 * arrives at its frame, with its length, and every byte 0.  A netjack2
 * port is recognised from what JACK shows any client:
 *  - on the master (the DAW's server), SLAVE:midi_to_slave_N, the ports
 *    that jack_load netmanager makes for each slave;
 *  - on a slave (jackd -d net), system:midi_playback_N with no alias, or
 *    one beginning "net_pcm:".  Of jackd2's drivers only the net driver
 *    makes such a port: its ALSA MIDI drivers (-X seq, -X raw) name theirs
 *    the same but always give them aliases, and the others name theirs
 *    otherwise.  This is an inference over jackd2's drivers, as JACK's
 *    client API does not say which driver a server runs; on PipeWire's
 *    JACK nothing is told.
 *
 * The functions talk to the JACK server: call them from the main or the
 * scheduler thread, never from the process callback.
 */
#ifndef MIDIPLAY_NETJACK_H
#define MIDIPLAY_NETJACK_H

#include <stddef.h>
#include <jack/jack.h>
#include "midiplay/event.h"
#include "midiplay/ports.h"

/* What a port is, as far as netjack2 goes. */
enum netjack_kind {
	NETJACK_NONE = 0,     /* not a netjack2 port, or cannot tell */
	NETJACK_SLAVE,        /* a net slave's system:midi_playback_N */
	NETJACK_MASTER        /* a net master's SLAVE:midi_to_slave_N */
};

/* The kind of the MIDI input port named PORT, seen from CLIENT. */
enum netjack_kind netjack_port_kind(jack_client_t *client, const char *port);

/* The first netjack2 port OUT is connected to, its name copied into BUF
 * (SIZE bytes); its kind, NETJACK_NONE when there is none. */
enum netjack_kind netjack_connected(jack_client_t *client, jack_port_t *out,
    char *buf, size_t size);

/*
 * A source that passes on another's events and, at the first MIDI message
 * longer than 4 bytes for each output port, checks once where that output
 * goes, and warns, naming that message's place, when it is a netjack2
 * port.
 */
struct netjack_watch {
	struct mp_source inner;
	jack_client_t *client;
	jack_port_t *(*port)(void *ctx, unsigned index); /* output INDEX */
	void *ctx;
	uint8_t checked[PORTS_MAX]; /* the check of an output was made */
};

/* Put W between SRC and its reader: SRC becomes the watching source.
 * PORT(CTX, I) is output I's JACK port, or NULL when there is none. */
void netjack_watch(struct netjack_watch *w, struct mp_source *src,
    jack_client_t *client, jack_port_t *(*port)(void *, unsigned),
    void *ctx);

#endif
