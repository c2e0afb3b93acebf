#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# licence: midiplay is GPL-2.0-or-later.  COPYING holds the licence text,
# --version names it, and every source and script file of the tree says
# so in an SPDX line at its top (the first line, or the second after a
# "#!" line), so that a file copied out of the tree keeps its licence.
. "${top_srcdir:-.}/tests/jacklib.sh"
cd "$top_srcdir" || tap_bail "no source tree at '$top_srcdir'"

tag='SPDX-License-Identifier: GPL-2.0-or-later'
# Sources and scripts: C, C++, shell, Python, automake and autoconf
# input, the man page and the completion.  Data (MIDI files, streams,
# expected outputs, fuzz corpora) is not code and carries no tag.
files=$(find . -path ./tests/data -prune -o -path ./autom4te.cache -prune \
    -o -path ./build-aux -prune -o -path ./m4 -prune -o -path './midiplay-*' -prune \
    -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \
    -o -name '*.sh' -o -name '*.py' -o -name '*.am' -o -name configure.ac \
    -o -name midiplay.1 -o -path ./completion/midiplay -o -path ./.ci/run \) \
    -print | grep -v -e '/config\.h$' -e '/\.deps/' | sort)

tap_plan 4

[ -s COPYING ] && grep -q 'GNU GENERAL PUBLIC LICENSE' COPYING &&
    grep -q 'Version 2, June 1991' COPYING
tap_ok $? "COPYING holds the GNU GPL version 2"

"$MIDIPLAY" --version 2>&1 | grep -q '^License GPL-2.0-or-later'
tap_ok $? "midiplay --version names the licence"

n=0
missing=
for f in $files; do
	n=$((n + 1))
	if head -n 1 "$f" | grep -q '^#!'; then
		sed -n 2p "$f"
	else
		sed -n 1p "$f"
	fi | grep -q "$tag" || missing="$missing $f"
done
[ "$n" -ge 60 ]
tap_ok $? "the tree's source and script files were found ($n)"
[ -z "$missing" ]
tap_ok $? "each begins with '$tag'"
[ -z "$missing" ] || tap_diag "without it:$missing"
tap_exit
