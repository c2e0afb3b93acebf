/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netjack: is the output going over netjack2, which zeroes the bytes of
 * every message longer than 4?  See netjack.h.
 */
#include <string.h>
#include <jack/midiport.h>

#include "midiplay/log.h"
#include "midiplay/netjack.h"

/* Does S, after PREFIX, hold one or more digits and nothing else? */
static int
prefix_number(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || s[n] == '\0')
		return 0;
	for (s += n; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A net slave's port by its aliases: none at all, or a "net_pcm:" one. */
static int
slave_aliases(jack_port_t *port)
{
	char a0[jack_port_name_size()], a1[jack_port_name_size()];
	char *aliases[2] = { a0, a1 };
	int i, n;

	a0[0] = a1[0] = '\0';
	n = jack_port_get_aliases(port, aliases);
	if (n <= 0)
		return 1;
	for (i = 0; i < 2; i++)
		if (strncmp(aliases[i], "net_pcm:", 8) == 0)
			return 1;
	return 0;
}

enum netjack_kind
netjack_port_kind(jack_client_t *client, const char *name)
{
	jack_port_t *port = jack_port_by_name(client, name);
	const char *colon = strchr(name, ':');
	int flags;

	if (port == NULL || colon == NULL ||
	    strcmp(jack_port_type(port), JACK_DEFAULT_MIDI_TYPE) != 0)
		return NETJACK_NONE;
	flags = jack_port_flags(port);
	if (!(flags & JackPortIsInput))
		return NETJACK_NONE;
	if (!(flags & JackPortIsPhysical) &&
	    prefix_number(colon + 1, "midi_to_slave_"))
		return NETJACK_MASTER;
	if ((flags & JackPortIsPhysical) &&
	    prefix_number(name, "system:midi_playback_") &&
	    strstr(jack_get_version_string(), "PipeWire") == NULL &&
	    slave_aliases(port))
		return NETJACK_SLAVE;
	return NETJACK_NONE;
}

enum netjack_kind
netjack_connected(jack_client_t *client, jack_port_t *out, char *buf,
    size_t size)
{
	const char **ports = jack_port_get_all_connections(client, out);
	enum netjack_kind kind = NETJACK_NONE;
	int i;

	for (i = 0; ports != NULL && ports[i] != NULL; i++) {
		if ((kind = netjack_port_kind(client, ports[i])) !=
		    NETJACK_NONE) {
			if (size > 0) {
				strncpy(buf, ports[i], size - 1);
				buf[size - 1] = '\0';
			}
			break;
		}
	}
	if (ports != NULL)
		jack_free(ports);
	return kind;
}

/* Check output P once, for EV: warn when it reaches a netjack2 port. */
static void
watch_port(struct netjack_watch *w, unsigned p, const struct mp_event *ev)
{
	char port[jack_port_name_size()];
	enum netjack_kind kind;
	jack_port_t *out;

	if (p >= PORTS_MAX || w->checked[p])
		return;
	w->checked[p] = 1;
	if ((out = w->port(w->ctx, p)) == NULL)
		return;
	kind = netjack_connected(w->client, out, port, sizeof port);
	if (kind == NETJACK_NONE)
		return;
	log_warn("%s: %s %llu: warning: %s is a netjack2 port (%s), which "
	    "delivers every message longer than 4 bytes, this one of %u "
	    "included, with all its bytes 0", w->inner.name != NULL ?
	    w->inner.name : "input", w->inner.lines ? "line" : "byte",
	    (unsigned long long)ev->offset, port, kind == NETJACK_MASTER ?
	    "to a net slave" : "of a net slave", ev->len);
}

/* The watching source's next(): the inner one's, checking each output
 * at its first message longer than 4 bytes. */
static int
watch_next(void *ctx, struct mp_event *ev)
{
	struct netjack_watch *w = ctx;
	int rc = mp_source_next(&w->inner, ev);
	unsigned p;

	if (rc <= 0 || ev->kind != MP_EV_MIDI || ev->len <= 4)
		return rc;
	if (ev->port != PORTS_ALL)
		watch_port(w, ev->port, ev);
	else
		for (p = 0; w->port(w->ctx, p) != NULL; p++)
			watch_port(w, p, ev);
	return rc;
}

static const struct mp_source_ops watch_ops = { watch_next };

void
netjack_watch(struct netjack_watch *w, struct mp_source *src,
    jack_client_t *client, jack_port_t *(*port)(void *, unsigned),
    void *ctx)
{
	memset(w, 0, sizeof *w);
	w->inner = *src;
	w->client = client;
	w->port = port;
	w->ctx = ctx;
	src->ops = &watch_ops;
	src->ctx = w;
}
