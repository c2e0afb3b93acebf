/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log: levelled messages on stderr for people.  See log.h.
 */
#include <stdio.h>
#include "midiplay/log.h"

static const char *prog = "midiplay";
static enum log_level level = LOG_NORMAL;
static int muted;
static unsigned nerrors, nwarnings;

void
log_init(const char *progname, enum log_level lvl)
{
	prog = progname;
	level = lvl;
}

enum log_level
log_get_level(void)
{
	return level;
}

void
log_mute(int mute)
{
	muted = mute;
}

static void
vlog(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	nerrors++;
	if (muted)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	nwarnings++;
	if (muted || level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (muted || level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

unsigned
log_error_count(void)
{
	return nerrors;
}

unsigned
log_warn_count(void)
{
	return nwarnings;
}
