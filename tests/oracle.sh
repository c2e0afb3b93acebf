#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# oracle: a second implementation of SMF timing (tests/oracle.py, exact
# fractions in Python) agrees with midiplay --dump, event for event and to
# the nanosecond, on every file that plays to the end: the samples, the
# good files and the tolerated deviations in tests/data.
. "${top_srcdir:-.}/tests/jacklib.sh"

data="$top_srcdir/tests/data"
files=$(cd "$data" && grep -l '^exit 0$' *.expected | sed 's/\.expected$/.mid/')
n=$(($(echo "$files" | wc -l) + 3))
tap_plan $n
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in $files "../../samples/scale.mid" "../../samples/tempo.mid" \
    "../../samples/drums.mid"; do
	(cd "$data" && "$PYTHON3" ../oracle.py dump "$f") >"$tmp/want" 2>/dev/null
	# the events only: which output port each goes to (port lines, for
	# files with port events) is the golden files' to check
	(cd "$data" && "$MIDIPLAY" --dump -q "$f") | grep -v '^port ' >"$tmp/got"
	tap_diff "$tmp/want" "$tmp/got" "$(basename "$f"): same times and events as the oracle"
done
