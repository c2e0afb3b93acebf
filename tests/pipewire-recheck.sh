#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pipewire-recheck.sh TEST...: after `make check-pipewire` failed, decide
# whether the failed tests may run once more (exit 0) or the failure
# stands (exit 1).  Run from the build directory, where automake's test
# harness left TEST's .trs and .log files.
#
# PipeWire has no synchronous mode: when a client's cycle is held up past
# the next tick (on this project's VM it comes in spells, with nothing
# else running), the daemon runs on, logs a missed cycle, and an event can be lost whatever
# the player did.  tests/jacklib.sh already runs a playback again when
# that happened during it (jl_exact), and marks every failed check during
# which the daemon logged a missed cycle ("# PipeWire missed N cycle(s)
# during this check", right after its "not ok" line).  A test may run
# again only when every failed check in it is so marked and nothing else
# went wrong (no bail-out, no crash, no exit status but the 1 that failed
# checks give): one failure with no missed cycle is midiplay's, and stands.  The first run's log is kept as
# TEST.log.first.

status=0
again=
for t in "$@"; do
	b=${t%.sh}
	[ -f "$b.trs" ] || continue
	grep -q '^:global-test-result: PASS' "$b.trs" && continue
	# Every "not ok" must carry the mark before the next result; the
	# only error allowed is the exit status 1 that failed checks give.
	unmarked=$(awk -v name="$t" '
		function close_block() { if (open && !marked) n++; open = 0 }
		/^(ok|not ok) [0-9]/ { close_block() }
		/^not ok [0-9]/ { open = 1; marked = 0; failed++ }
		/^# PipeWire missed [0-9]+ cycle\(s\) during this check$/ { marked = 1 }
		/^ERROR: / && $0 != "ERROR: " name " - exited with status 1" { n++ }
		END { close_block(); if (!failed) n++; print n + 0 }' "$b.log")
	if [ "$unmarked" -ne 0 ]; then
		echo "pipewire-recheck: $t: failed with no missed cycle logged ($unmarked), or erred; not run again" >&2
		status=1
		continue
	fi
	cp "$b.log" "$b.log.first"
	again="$again $t"
done
if [ "$status" -eq 0 ]; then
	if [ -z "$again" ]; then
		echo "pipewire-recheck: no failed test found to run again" >&2
		exit 1
	fi
	echo "pipewire-recheck: every failed check ran while PipeWire missed cycles; running again once:$again (first logs: *.log.first)" >&2
fi
exit "$status"
