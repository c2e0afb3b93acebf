#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# jackreg-after.sh: the last test of make check.  jackd2's registry of
# servers must hold what it held before the suite (tests/jackreg-before.sh
# saved it): every test stops its servers and reclaims a slot that a dead
# server still holds (tests/jacklib.sh jack_stop), or after this suite no
# JACK server could start on the machine, the user's own included, once
# eight had piled up.
#
# Checked, for the servers the suite started (the names jack_start listed
# in $builddir/jackreg-servers.txt):
# 1. none left a slot held by a dead process that was not so before;
# 2. none still runs (holds its slot alive);
# 3. none left its clients' futex files (/dev/shm/jack_sem.UID_NAME_*).
# A slot newly held by a dead process under another name is shown but not
# counted: other programs on this machine start servers too (other test
# runs, bench), and their slots are not this suite's to judge.
. "${srcdir:-$(dirname "$0")}/jacklib.sh"

tap_plan 3
[ -n "${builddir:-}" ] || tap_bail "builddir is not set: run this through make check"
before=$builddir/jackreg-before.txt
servers=$builddir/jackreg-servers.txt
[ -f "$before" ] && [ -f "$servers" ] ||
    tap_bail "no $before: tests/jackreg-before.sh runs first (make check orders them)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jackreg-after.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
# every user's slots, as tests/jackreg-before.sh saved them: "PID
# jack-UID:NAME: STATE"
"${PYTHON3:-python3}" "$_jl_jackreg" -a >"$tmp/now" 2>"$tmp/err" || tap_bail "$(cat "$tmp/err")"
n=$(sort -u "$servers" | wc -l)

# slots held by a dead process now that were not so before; ours or not
grep ' DEAD$' "$tmp/now" | grep -vxF -f "$before" >"$tmp/new"
sort -u "$servers" >"$tmp/names"
: >"$tmp/ours"
: >"$tmp/others"
while read -r pid rest; do
	name=${rest% DEAD}
	name=${name#jack-*:}
	name=${name%:}
	if grep -qxF "$name" "$tmp/names"; then
		echo "$pid $rest" >>"$tmp/ours"
	else
		echo "$pid $rest" >>"$tmp/others"
	fi
done <"$tmp/new"
[ ! -s "$tmp/ours" ]
tap_ok $? "no slot of JACK's registry left held by a dead server of this suite ($n servers started)"
sed 's/^/#   leaked: /' "$tmp/ours"
[ -s "$tmp/others" ] &&
    tap_diag "held by dead processes since the suite began, not servers of this suite (not counted):" &&
    sed 's/^/#   /' "$tmp/others"

: >"$tmp/running"
while read -r pid rest; do
	name=${rest% ALIVE}
	[ "$name" != "$rest" ] || continue
	name=${name#jack-*:}
	name=${name%:}
	grep -qxF "$name" "$tmp/names" &&
	    echo "$pid $name" >>"$tmp/running"
done <"$tmp/now"
[ ! -s "$tmp/running" ]
tap_ok $? "no server of this suite still running"
sed 's/^/#   running: /' "$tmp/running"

: >"$tmp/sems"
while read -r name; do
	for f in "/dev/shm/jack_sem."*"_${name}_"*; do
		[ -e "$f" ] && echo "$f" >>"$tmp/sems"
	done
done <"$tmp/names"
[ ! -s "$tmp/sems" ]
tap_ok $? "no futex file of this suite's servers left in /dev/shm ($(wc -l <"$tmp/sems") left)"
head -n 20 "$tmp/sems" | sed 's/^/#   left: /'
tap_exit
