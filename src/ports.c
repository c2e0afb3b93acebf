/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ports: the table of output ports.  See ports.h.
 */
#include <stdio.h>
#include <string.h>

#include "midiplay/log.h"
#include "midiplay/ports.h"

void
ports_init(struct ports *p)
{
	memset(p, 0, sizeof *p);
}

int
ports_find(const struct ports *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return (int)i;
	return -1;
}

int
ports_add(struct ports *p, const char *name, const char *where)
{
	char try[PORTS_NAME + 16];
	int k;

	if (p->n == PORTS_MAX) {
		log_error("%s: a port '%s' would be the %dth output; at most %d",
		    where, name, PORTS_MAX + 1, PORTS_MAX);
		return -1;
	}
	snprintf(try, PORTS_NAME, "%s", name);
	/* a name taken gets a suffix, shortened to fit if need be */
	for (k = 2; ports_find(p, try) >= 0; k++) {
		char suffix[16];
		size_t room;

		snprintf(suffix, sizeof suffix, "-%d", k);
		room = PORTS_NAME - 1 - strlen(suffix);
		snprintf(try, sizeof try, "%.*s%s", (int)room, name, suffix);
	}
	memcpy(p->name[p->n], try, PORTS_NAME);
	p->name[p->n][PORTS_NAME - 1] = '\0';
	if (p->on_add != NULL && p->on_add(p->ctx, p->n, p->name[p->n]) < 0)
		return -1;
	return (int)p->n++;
}

static int
safe_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
	    c == '-';
}

void
ports_safe_name(char *out, const uint8_t *name, size_t len,
    const char *fallback)
{
	size_t i, n = 0;
	int gap = 0;

	for (i = 0; i < len && n + 2 < PORTS_NAME; i++) {
		if (!safe_char(name[i])) {
			gap = n > 0;
			continue;
		}
		if (gap)
			out[n++] = '-';
		gap = 0;
		out[n++] = (char)name[i];
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, PORTS_NAME, "%s", fallback);
}

int
ports_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= PORTS_NAME)
		return 0;
	for (i = 0; i < len; i++)
		if ((uint8_t)name[i] <= ' ' || name[i] == ':' ||
		    (uint8_t)name[i] == 0x7f)
			return 0;
	return 1;
}
