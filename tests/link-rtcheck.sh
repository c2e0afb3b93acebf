#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# link-rtcheck: the real-time rule with --link.  midiplay plays on a Link
# session, with a peer (tests/linkpeer) that changes the tempo, under
# tests/rtcheck.so (see tests/rtcheck.sh), which counts the allocations,
# locks, stdio and system call wrappers inside the process callback: a
# file with --link-publish and --clock, and a stream with a tempo
# proposal, must show none.  The callback also reads two clocks each cycle
# (clock_gettime of CLOCK_MONOTONIC_RAW, and jack_get_time), which the
# checker leaves alone as vDSO calls: strace, which sees every system
# call, must see no clock_gettime from any of midiplay's threads.
# In a private network namespace with lo alone (tests/netns.sh); not in
# the sanitizer build, as tests/rtcheck.sh.
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/tests/netns.sh"
netns_enter "$0" "$@"
. "$top_srcdir/tests/jacklib.sh"
jack_require
. "$top_srcdir/tests/linklib.sh"
unset RTCHECK_SELFTEST RTCHECK_OUT
so_dir=$(cd "${builddir:-$(dirname "$0")}" && pwd) || exit 1
[ -f "$so_dir/rtcheck.so" ] || tap_bail "$so_dir/rtcheck.so is not built"
command -v strace >/dev/null 2>&1 ||
    tap_bail "strace is not installed (apt-get install strace)"

tap_plan 5
jack_start 256 || tap_bail "cannot start a JACK server"
scale=$top_srcdir/samples/scale.mid
tempo=$top_srcdir/samples/tempo.mid
# --- the real-time rule --------------------------------------------------
count() {
	if [ -f "$1" ]; then
		awk -v k="$2" '$1 == k { n = $2 } END { print (n == "" ? -1 : n) }' "$1"
	else
		echo -1
	fi
}
rt_file() {
	peer_start rtf -b 150 +3:tempo:118 +40:quit
	play rtf LD_PRELOAD="$so_dir/rtcheck.so" RTCHECK_OUT="$tmp/rtf.rt" -- \
	    --link-publish --clock --end 3:1 "$tempo"
	peer_stop
}
rt_file
# (the peer's tempo change came while the file played: the callback
# followed it under the checker)
set -- $(rec_times rtf)
at=$(did rtf tempo)
[ "$status" -eq 0 ] && [ "$(count "$tmp/rtf.rt" cycles)" -gt 0 ] &&
    [ "$(wc -l <"$tmp/rtf.rec")" -gt 100 ] && [ -n "$at" ] &&
    [ -n "${2:-}" ] && awk -v a="$at" -v f="$1" -v l="$2" \
    'BEGIN { exit !(f < a && a < l) }'
tap_ok $? "rtcheck: --link --link-publish --clock with a peer that changed tempo while it played ran under the checker ($(count "$tmp/rtf.rt" cycles) cycles)"
[ "$status" -eq 0 ] || fail_log rtf
[ "$(count "$tmp/rtf.rt" total)" -eq 0 ]
tap_ok $? "rtcheck: a file on the session: no allocation, lock or system call in the callback (total $(count "$tmp/rtf.rt" total))"
[ "$(count "$tmp/rtf.rt" total)" -eq 0 ] || _jl_catlog "$tmp/rtf.rt"
printf 'tempo 130\n+1b on 60 100\n+0.5b off 60 0\n+1b note 61 100 0.5b\n+0.5b\n+1b on 62 100 +0.25 off 62 0\n@2b on 63 1 +0.5b off 63 0\n' >"$tmp/rts.in"
rt_stream() {
	peer_start rts -b 150 +3:tempo:118 +40:quit
	play rts LD_PRELOAD="$so_dir/rtcheck.so" RTCHECK_OUT="$tmp/rts.rt" -- -
	peer_stop
}
rt_stream
[ "$status" -eq 0 ] && [ "$(count "$tmp/rts.rt" cycles)" -gt 0 ] &&
    [ "$(wc -l <"$tmp/rts.rec")" -eq 8 ]
tap_ok $? "rtcheck: a --link stream with a tempo proposal ran under the checker ($(count "$tmp/rts.rt" cycles) cycles)"
[ "$status" -eq 0 ] || fail_log rts
[ "$(count "$tmp/rts.rt" total)" -eq 0 ]
tap_ok $? "rtcheck: a stream on the session: no allocation, lock or system call in the callback (total $(count "$tmp/rts.rt" total))"
[ "$(count "$tmp/rts.rt" total)" -eq 0 ] || _jl_catlog "$tmp/rts.rt"
# The callback reads two clocks each cycle (clock_gettime of
# CLOCK_MONOTONIC_RAW, and jack_get_time), which the checker leaves
# alone as vDSO calls: strace sees every clock_gettime that is a system
# call, and there is none, from any thread.
peer_start strace -b 150 +40:quit
: >"$tmp/strace.rec"
rec_start "$tmp/strace.rec" -t 1.5 || true
timeout -s KILL 60 strace -f --seccomp-bpf -e trace=clock_gettime \
    -o "$tmp/strace.txt" "$MIDIPLAY" --link -c recorder:in --end 2:1 "$scale" \
    2>"$tmp/strace.err"
status=$?
rec_wait 30 >/dev/null
peer_stop
[ "$status" -eq 0 ] && [ "$(wc -l <"$tmp/strace.rec")" -gt 5 ] &&
    [ -f "$tmp/strace.txt" ] && ! grep -q 'clock_gettime(' "$tmp/strace.txt"
tap_ok $? "strace: midiplay --link made no clock_gettime system call (its clock reads are vDSO calls)"
[ -f "$tmp/strace.txt" ] && grep 'clock_gettime(' "$tmp/strace.txt" | head -n 5 | sed 's/^/# /'
[ "$status" -eq 0 ] || fail_log strace

jack_stop
tap_exit
