#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# replay: every input the fuzzers once crashed on (tests/data/fuzz/), and
# every seed of their corpora, goes through `midiplay --dump` again: SMF
# inputs as a file, stream inputs on stdin.  SMF inputs also go through
# the playback control options three times (--loop 2 --clock; --start 1:2
# --end 3:1 --loop 2 --transpose 5; --start 0.5 --end 3 --loop 2
# --channels 1-9, which SMPTE files take too), where the dumped times
# must never go back.  Each must end by itself within 10 s with exit status 0 or 1 (a
# refused input is fine; a signal, a sanitizer abort or a hang is not).
# Needs no JACK.  top_srcdir and MIDIPLAY come from the test harness.
top_srcdir=${top_srcdir:-.}
MIDIPLAY=${MIDIPLAY:-./src/midiplay}
dir=$top_srcdir/tests/data/fuzz
# In a --enable-sanitizers build a finding exits 1 by default, which would
# pass for "input refused": make it abort (status 134) instead.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

n=0
failed=0
tap_ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

# The crashers first, then the fuzzers' seed corpora (every kind of file
# and line the fuzzers start from): none may crash or hang either.
files=
for f in "$dir"/*.mid "$dir"/*.txt "$top_srcdir"/tests/fuzz/corpus-smf/* \
    "$top_srcdir"/tests/fuzz/corpus-stream/*; do
	[ -f "$f" ] && files="$files $f"
done
# the names are ours: no blanks in them
set -- $files
nsmf=0
for f in "$@"; do
	case $f in */corpus-smf/* | *.mid) nsmf=$((nsmf + 1)) ;; esac
done

echo "1..$(($# + 3 * nsmf))"
out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.st"' EXIT
trap 'exit 1' HUP INT TERM
for f in "$@"; do
	name=${f#"$top_srcdir"/tests/}
	case $f in
	*/corpus-smf/* | *.mid) timeout -s KILL 10 "$MIDIPLAY" --dump "$f" >/dev/null 2>"$out" ;;
	*) timeout -s KILL 10 "$MIDIPLAY" --dump - <"$f" >/dev/null 2>"$out" ;;
	esac
	st=$?
	case $st in
	0 | 1) tap_ok 0 "$name: exit status $st" ;;
	137) tap_ok 1 "$name: killed after 10 s (a hang)" ;;
	*) tap_ok 1 "$name: exit status $st (a crash)" ;;
	esac
	if [ "$st" -gt 1 ]; then
		# the last words, for the log
		tail -n 20 "$out" | sed 's/^/# /'
	fi
	case $f in */corpus-smf/* | *.mid) ;; *) continue ;; esac
	for opts in "--loop 2 --clock" "--start 1:2 --end 3:1 --loop 2 --transpose 5" \
	    "--start 0.5 --end 3 --loop 2 --channels 1-9"; do
		# (the first 200000 events: a long song with --clock has tens
		# of millions; cutting it short ends midiplay with SIGPIPE)
		# shellcheck disable=SC2086 # split on purpose
		{ timeout -s KILL 10 "$MIDIPLAY" --dump $opts "$f" 2>"$out"
		  echo $? >"$out.st"; } | head -n 200000 |
		    awk 'substr($1, 2) + 0 < last { bad = 1 } { last = substr($1, 2) + 0 }
		        END { exit bad }'
		back=$?
		st=$(cat "$out.st")
		if [ $back -eq 0 ] && { [ $st -eq 0 ] || [ $st -eq 1 ] ||
		    [ $st -eq 141 ]; }; then
			tap_ok 0 "$name $opts: exit status $st, times in order"
		else
			tap_ok 1 "$name $opts: exit status $st, times back: $back"
			tail -n 20 "$out" | sed 's/^/# /'
		fi
	done
done
exit 0
