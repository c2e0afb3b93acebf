# SPDX-License-Identifier: GPL-2.0-or-later
# playlib.sh: play a file into the recorder (for the JACK tests; source it
# after jacklib.sh, with $tmp a scratch directory).
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
