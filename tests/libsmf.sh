#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# libsmf as a second opinion: on the files it reads correctly, midiplay's
# reader returns the same events.  The others are left out on purpose:
# libsmf aborts on big-delta, no-eot and sysex (F7 packets), rejects
# format 2, SMPTE division, RMID and a long MThd, drops the notes of
# long-meta (a meta event of 128 bytes or more) and of the track after
# unknown-chunk, and stops at rs-after-meta.
d="$top_srcdir/tests/data"
exec "${top_builddir:-.}/tests/test-libsmf" \
	"$d/after-eot.mid" "$d/all-messages.mid" "$d/burst-3000.mid" \
	"$d/f0-basic.mid" "$d/f1-tempo-many.mid" "$d/fewer-tracks.mid" \
	"$d/long-tempo.mid" "$d/running-status.mid" "$d/trailing-bytes.mid" \
	"$d/trailing-garbage.mid" "$d/vel0.mid" \
	"$top_srcdir/samples/drums.mid" "$top_srcdir/samples/scale.mid" \
	"$top_srcdir/samples/tempo.mid"
