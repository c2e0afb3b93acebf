#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# golden: every file in tests/data is dumped by midiplay and compared with
# the expected output beside it (X.mid or X.txt -> X.expected; a .txt is a
# text stream, read as `midiplay --dump - < X.txt`): the events on stdout,
# then each line on stderr behind "! ", then the exit status.  Good files,
# tolerated deviations (with their warnings) and broken files (with their
# error, and the events before it) alike.  tests/refresh-golden.sh rewrites
# the expected files; review the diff before committing one.
. "${top_srcdir:-.}/tests/jacklib.sh"

data="$top_srcdir/tests/data"
files=$(cd "$data" && ls *.mid *.txt)
tap_plan $(echo "$files" | wc -l)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in $files; do
	base=${f%.*}
	(
		cd "$data" || exit 1
		case $f in
		*.txt) "$MIDIPLAY" --dump - <"$f" >"$tmp/out" 2>"$tmp/err" ;;
		*) "$MIDIPLAY" --dump "$f" >"$tmp/out" 2>"$tmp/err" ;;
		esac
		echo "exit $?" >"$tmp/status"
	)
	{ cat "$tmp/out"; sed 's/^/! /' "$tmp/err"; cat "$tmp/status"; } \
	    >"$tmp/$base.actual"
	tap_diff "$data/$base.expected" "$tmp/$base.actual" \
	    "$f: dump, messages and exit status as expected"
done
