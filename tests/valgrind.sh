#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind: short playbacks (a file, a stream with note and panic, and a
# SIGINT mid-play) and dumps of broken input, all clean under memcheck:
# no invalid access, no use of uninitialised memory, no definite leak.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
command -v valgrind >/dev/null 2>&1 || tap_bail "valgrind is not installed (apt-get install valgrind)"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# On PipeWire: its libjack's own leak is suppressed (tests/pipewire.supp),
# and the "possibly lost" blocks of its threads, still reachable through
# interior pointers at exit, are not listed: they are not errors here
# either (--errors-for-leak-kinds=definite).
vg_pw=
if jl_pipewire; then
	vg_pw="--suppressions=$top_srcdir/tests/pipewire.supp --show-leak-kinds=definite"
fi
vg() {
	# shellcheck disable=SC2086 # vg_pw is split on purpose
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --track-origins=yes $vg_pw \
	    --log-file="$tmp/vg.log" "$MIDIPLAY" "$@"
}
# check STATUS WANT DESC: STATUS is WANT and valgrind said nothing
check() {
	[ "$1" -eq "$2" ] && [ ! -s "$tmp/vg.log" ]
	st=$?
	tap_ok $st "$3 (exit $1)"
	[ $st -eq 0 ] || sed 's/^/# /' "$tmp/vg.log" | head -40
}

tap_plan 5
jack_start 256 || exit 1

# (a slow client under valgrind: on PipeWire, which does not wait for it,
# a run where the daemon logged missed cycles is made again, jl_exact)
played_clean() {
	rec_start "$tmp/rec" -t 1 || exit 1
	vg -c recorder:in "$top_srcdir/tests/data/f0-basic.mid" 2>"$tmp/err"
	st=$?
	rec_wait 10 >/dev/null
	[ "$(wc -l <"$tmp/rec")" -eq 12 ] || st=98
	[ $st -eq 0 ]
}
jl_exact played_clean
check $st 0 "a file plays clean under memcheck, all 12 events (got $(wc -l <"$tmp/rec"))"

rec_start "$tmp/rec" -t 1 || exit 1
printf '@0 on 60 100\n@0.3 note 64 100 0.2\n@0.4 panic\n@0.6 syx 0x7E 0x7F 0x09 0x01\n' >"$tmp/in"
vg -c recorder:in - <"$tmp/in" 2>"$tmp/err"
st=$?
rec_wait 10 >/dev/null
check $st 0 "a stream with note, panic and SysEx plays clean"

rec_start "$tmp/rec" -t 1 || exit 1
# shellcheck disable=SC2086
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $vg_pw \
    --log-file="$tmp/vg.log" "$MIDIPLAY" -v -c recorder:in "$top_srcdir/samples/tempo.mid" 2>"$tmp/err" &
pid=$!
# (valgrind's start is slow, and slower on a loaded machine)
jl_await_line "$tmp/err" '^midiplay: playing from frame' 30 $pid
sleep 1
kill -INT $pid
wait $pid
st=$?
rec_wait 10 >/dev/null
check $st 130 "SIGINT mid-play: released and clean"

vg --dump "$top_srcdir/tests/data/bad-data.mid" >/dev/null 2>&1
check $? 1 "--dump of a broken file: clean"
vg --dump - <"$top_srcdir/tests/data/stream-errors.txt" >/dev/null 2>&1
check $? 1 "--dump of a stream with bad lines: clean"
