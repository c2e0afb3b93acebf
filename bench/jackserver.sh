#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# jackserver.sh PERIOD [rt]: hold one private JACK server for the benchmark driver.
#
# Starts a dummy-driver jackd at 48 kHz and PERIOD frames, named
# mptest-PID-N, through tests/jacklib.sh's jack_start, prints one line on
# stdout, then waits until its standard input is closed (or a signal comes)
# and stops the server with jack_stop, which also leaves JACK's registry of
# servers as it found it.  The driver keeps our stdin open for as long as
# it needs the server, so the server goes away with the driver however it
# ends.
#
# With "rt": `jackd -R` (real-time, asynchronous: jackd's defaults, as users
# run it), and the line is "NAME rt" once one of the server's threads is seen
# running SCHED_FIFO.  Where that is not so (not root and no rtprio limit,
# or a container without CAP_SYS_NICE), it stops that server and falls back
# to `jackd --no-realtime -S`, and the line is "NAME no-realtime: WHY".
# Without "rt": `jackd --no-realtime -S` (as make check), line "NAME no-realtime".
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
. "$top_srcdir/tests/jacklib.sh"
jack_require >&2
trap 'jack_stop >&2' EXIT
trap 'exit 1' HUP INT TERM PIPE

# _js_fifo PID: succeed when a thread of process PID runs SCHED_FIFO or SCHED_RR.
_js_fifo() {
	for _js_t in /proc/"$1"/task/*; do
		chrt -p "${_js_t##*/}" 2>/dev/null | grep -q 'SCHED_\(FIFO\|RR\)' && return 0
	done
	return 1
}

mode=no-realtime
if [ "${2:-}" = rt ]; then
	why=
	if ! command -v chrt >/dev/null 2>&1; then
		why="chrt (util-linux) is missing, so the server's scheduling cannot be checked"
	elif [ "$(id -u)" -ne 0 ] && [ "$(ulimit -r 2>/dev/null || echo 0)" = 0 ]; then
		why="not root and RLIMIT_RTPRIO is 0 (join the audio group, or see /etc/security/limits.d)"
	elif ! JL_REALTIME=yes JL_JACKD_OPTS= jack_start "$1" >&2; then
		why="jackd -R did not start"
	elif ! _js_fifo "$JACKD_PID"; then
		why="jackd -R ran no thread real-time (uid $(id -u), RLIMIT_RTPRIO $(ulimit -r 2>/dev/null))"
		jack_stop >&2
	else
		mode=rt
	fi
	[ -z "$why" ] || mode="no-realtime: $why"
fi
if [ "$mode" != rt ]; then
	jack_start "$1" >&2 || exit 1
fi
echo "$JACK_NAME $mode"
# Wait for EOF on stdin.  `read` returns on EOF; a signal runs the trap.
while read -r _line; do :; done
exit 0
