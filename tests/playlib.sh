# SPDX-License-Identifier: GPL-2.0-or-later
# playlib.sh: play a file into the recorder (for the JACK tests; source it
# after jacklib.sh, with $tmp a scratch directory), and the frames a
# --cycle-limit budget gives a file (carried, below).
#
# play_file FILE [MIDIPLAY ARGS]: play FILE into the recorder; leaves
# $tmp/got ("FRAME-ZERO BYTES" lines, frames counted from midiplay's
# playback time zero), $tmp/err and $status.  midiplay exits only after
# the cycle carrying its last event has completed, so the recorder has
# everything by then; it is stopped then, rather than after an idle time
# that a loaded machine can stretch.  On PipeWire, note-on velocity 0 is
# shown as PipeWire delivers it (jl_pw_normalise, tests/jacklib.sh).
play_file() {
	f=$1
	shift
	: >"$tmp/rec"
	rec_start "$tmp/rec" -t 0 || return 1
	timeout -s KILL 120 "$MIDIPLAY" -v -c recorder:in "$@" "$f" 2>"$tmp/err"
	status=$?
	sleep 0.2
	rec_stop 30 >/dev/null
	zero=$(sed -n 's/^midiplay: playing from frame \([0-9]*\) .*/\1/p' "$tmp/err")
	[ -n "$zero" ] || { tap_diag "no start frame from midiplay:"; sed 's/^/# /' "$tmp/err"; zero=0; }
	awk -v z="$zero" '{ $1 = $1 - z; print }' "$tmp/rec" >"$tmp/got"
	jl_pw_normalise "$tmp/got"
}

# carried FILE PERIOD EVENTS BYTES: the frames a budget of EVENTS events
# and BYTES bytes (0: none) a cycle gives the oracle's events of FILE, in
# "FRAME BYTES" lines: each event at its own frame when its cycle has
# room, else at the start of the first later cycle that has (12 bytes an
# event, plus its data when longer than 4 bytes), in order; an event that
# no cycle can hold is left out (midiplay refuses it).
carried() {
	"$PYTHON3" "$top_srcdir/tests/oracle.py" frames 48000 "$1" |
	    awk -v p="$2" -v n="$3" -v b="$4" '{
		cost = 12 + (NF - 1 > 4 ? NF - 1 : 0)
		if (b > 0 && cost > b) next     # refused: no cycle holds it
		c = int($1 / p) * p
		if (c < cur) c = cur
		if (c > cur) { cur = c; cnt = 0; used = 0 }
		while (cnt >= n || (b > 0 && used + cost > b)) { cur += p; cnt = 0; used = 0 }
		f = $1 < cur ? cur : $1
		cnt++; used += cost
		$1 = f; print }'
}
