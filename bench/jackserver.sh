#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# jackserver.sh PERIOD: hold one private JACK server for the benchmark driver.
#
# Starts `jackd -S -n mptest-PID-N --no-realtime -d dummy -r 48000 -p PERIOD`
# through tests/jacklib.sh's jack_start, prints "NAME" on stdout, then waits
# until its standard input is closed (or a signal comes) and stops the server
# with jack_stop.  The driver keeps our stdin open for as long as it needs
# the server, so the server goes away with the driver however it ends.
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
. "$top_srcdir/tests/jacklib.sh"
jack_require >&2
trap jack_stop EXIT
trap 'exit 1' HUP INT TERM PIPE
jack_start "$1" >&2 || exit 1
echo "$JACK_NAME"
# Wait for EOF on stdin.  `read` returns on EOF; a signal runs the trap.
while read -r _line; do :; done
exit 0
