/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-libsmf: on files that libsmf reads correctly, midiplay's reader
 * returns the same events (bytes, tick and time) in the same order.
 *
 * libsmf is only a second opinion here: DESIGN.md lists the files it
 * mangles or aborts on, and those are not given to this test.
 * Usage: test-libsmf FILE...
 */
#include <math.h>
#include <stdlib.h>
#include <smf.h>
#include "midiplay/log.h"
#include "midiplay/smf_reader.h"
#include "tap.h"

static int
compare(const char *path)
{
	struct smf_reader *r;
	struct mp_event ev;
	smf_t *smf;
	smf_event_t *se;
	long n = 0;
	int rc;

	if ((smf = smf_load(path)) == NULL) {
		diag("libsmf cannot load %s", path);
		return 0;
	}
	if (smf_reader_open(&r, path) < 0) {
		smf_delete(smf);
		return 0;
	}
	for (;;) {
		do
			se = smf_get_next_event(smf);
		while (se != NULL && smf_event_is_metadata(se));
		rc = smf_reader_next(r, &ev);
		if (se == NULL || rc != 1)
			break;
		n++;
		if (ev.len != (uint32_t)se->midi_buffer_length ||
		    memcmp(ev.data, se->midi_buffer, ev.len) != 0 ||
		    ev.tick != (uint64_t)se->time_pulses ||
		    fabs((double)ev.time / (double)smf_reader_den(r) -
		    se->time_seconds) > 1e-6) {
			diag("%s: event %ld differs: ours tick %llu %.9f s "
			    "%02X (%u bytes), libsmf tick %d %.9f s %02X "
			    "(%d bytes)", path, n,
			    (unsigned long long)ev.tick,
			    (double)ev.time / (double)smf_reader_den(r),
			    ev.data[0], ev.len, se->time_pulses,
			    se->time_seconds, se->midi_buffer[0],
			    se->midi_buffer_length);
			break;
		}
	}
	smf_reader_close(r);
	smf_delete(smf);
	if (se != NULL || rc != 0) {
		diag("%s: ends differ after %ld events (libsmf %s, ours %d)",
		    path, n, se ? "has more" : "ended", rc);
		return 0;
	}
	return n > 0;
}

int
main(int argc, char **argv)
{
	int i;

	plan(argc - 1);
	log_init("test-libsmf", LOG_QUIET);
	for (i = 1; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');

		ok(compare(argv[i]), "%s: same events as libsmf",
		    base ? base + 1 : argv[i]);
	}
	return tap_done();
}
