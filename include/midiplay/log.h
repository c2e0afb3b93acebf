/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log: messages for people, on stderr, prefixed with the program name.
 *
 * Errors are always printed; warnings unless quiet (-q); info only when
 * verbose (-v).  Every message names the place it is about, as
 * "midiplay: song.mid: track 2 at byte 1234: ...".
 */
#ifndef MIDIPLAY_LOG_H
#define MIDIPLAY_LOG_H

#include <stdarg.h>

enum log_level { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2 };

/* Set the prefix (program name) and how much is printed. */
void log_init(const char *progname, enum log_level level);
enum log_level log_get_level(void);

/* Silence everything, errors included (fuzzers, benchmarks). */
void log_mute(int mute);

/* "prog: MSG" for errors, "prog: MSG" with "warning: " before the cause
 * for warnings; a newline is added. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Count of errors and warnings printed or muted so far. */
unsigned log_error_count(void);
unsigned log_warn_count(void);

#endif
