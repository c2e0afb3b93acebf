#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# example.sh: a shell loop writing a pattern into `midiplay -`.
#
#   sh samples/example.sh -c fluidsynth      play into FluidSynth
#   sh samples/example.sh --dump             print what would be sent
#
# The arguments go to midiplay.  It is found as $MIDIPLAY, else `midiplay`
# on the PATH, else the one built next to this directory.  The loop prints
# an arpeggio over four chords, two bars each, eighth notes at 132 beats a
# minute, every note with its own length (`note`), and a bass note on the
# first beat of each bar.  All is written ahead, with waits (+0.5b), so it
# plays exactly in time however fast the loop runs.
set -eu

if [ -n "${MIDIPLAY:-}" ]; then
	midiplay=$MIDIPLAY
elif command -v midiplay >/dev/null 2>&1; then
	midiplay=midiplay
else
	midiplay=$(dirname "$0")/../src/midiplay
fi

pattern() {
	echo "tempo 132 ch 1 pc 4 ch 2 pc 33"
	# root of each chord (C, A minor, F, G) and its third and fifth above
	for chord in "48 4 7" "45 3 7" "41 4 7" "43 4 7"; do
		# shellcheck disable=SC2086 # three numbers, split on purpose
		set -- $chord
		root=$1 third=$2 fifth=$3
		for _ in 1 2; do
			echo "ch 2 note $((root - 12)) 100 3.8b"
			step=0
			for up in 0 $third $fifth 12 $((third + 12)) $((fifth + 12)) 12 $fifth; do
				vel=$((step % 2 == 0 ? 96 : 72))
				[ "$step" -ne 0 ] || vel=110
				echo "ch 1 note $((root + 12 + up)) $vel 0.45b +0.5b"
				step=$((step + 1))
			done
		done
	done
	echo "ch 1 note 60 100 2b ch 2 note 36 100 2b"
}

pattern | "$midiplay" "$@" -
