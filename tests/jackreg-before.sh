#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# jackreg-before.sh: the first test of make check.  What jackd2's registry
# of servers (/dev/shm/jack-shm-registry, tests/jackreg.py) holds for this
# user before the suite starts a server, kept in $builddir/jackreg-before.txt
# for tests/jackreg-after.sh, the last test, which fails when the suite
# left a slot held by a dead server.  Also starts the list of the servers
# the suite starts ($builddir/jackreg-servers.txt, which tests/jacklib.sh's
# jack_start appends to).  Makefile.am orders the two around every other
# test, with make -j too.
. "${srcdir:-$(dirname "$0")}/jacklib.sh"

tap_plan 1
[ -n "${builddir:-}" ] && [ -d "$builddir" ] ||
    tap_bail "builddir is not set: run this through make check"
before=$builddir/jackreg-before.txt
: >"$builddir/jackreg-servers.txt" || tap_bail "cannot write $builddir/jackreg-servers.txt"
# every user's slots: a test in a user namespace (tests/netns.sh as a
# user) runs its servers as another uid
"${PYTHON3:-python3}" "$_jl_jackreg" -a >"$before" 2>"$before.err"
st=$?
[ $st -eq 0 ] || tap_bail "$(cat "$before.err")"
rm -f "$before.err"
all=$(wc -l <"$before")
dead=$(grep -c ' DEAD$' "$before")
tap_ok $st "registry read: $all of 8 server slots held, $dead of them by dead processes"
sed 's/^/#   held: /' "$before"
if [ "$all" -ge 6 ]; then
	tap_diag "only $((8 - all)) slot(s) free: the tests start one server at a time per test;" \
	    "free a dead server's slot with: python3 tests/jackreg.py --reclaim NAME"
fi
tap_exit
