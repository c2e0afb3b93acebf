/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap: the few Test Anything Protocol helpers the C tests need, for
 * automake's tap-driver.sh.
 */
#ifndef MIDIPLAY_TESTS_TAP_H
#define MIDIPLAY_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void
plan(int n)
{
	printf("1..%d\n", n);
}

static int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static int __attribute__((format(printf, 3, 4), unused))
is_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;
	char desc[256];

	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	if (!ok(got == want, "%s", desc))
		printf("#   got %" PRIu64 ", want %" PRIu64 "\n", got, want);
	return got == want;
}

static void __attribute__((format(printf, 1, 2), unused))
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int __attribute__((unused))
tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
