#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Rewrite tests/data/*.expected from what midiplay does now.  Run from the
# top of the source tree after building; review `git diff tests/data`.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
midiplay=${MIDIPLAY:-$top/src/midiplay}
cd "$top/tests/data"
for f in *.mid *.txt; do
	base=${f%.*}
	set +e
	case $f in
	*.txt) "$midiplay" --dump - <"$f" >"$base.out" 2>"$base.err" ;;
	*) "$midiplay" --dump "$f" >"$base.out" 2>"$base.err" ;;
	esac
	status=$?
	set -e
	{ cat "$base.out"; sed 's/^/! /' "$base.err"; echo "exit $status"; } \
	    >"$base.expected"
	rm -f "$base.out" "$base.err"
done
