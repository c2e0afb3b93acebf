#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# completion: the bash completion (completion/midiplay), sourced into bash
# and called as bash would: options, files, and after -c the MIDI input
# ports of a private JACK server, names with spaces and ':' and aliases.
. "${top_srcdir:-.}/tests/jacklib.sh"
jack_require
command -v bash >/dev/null 2>&1 || tap_bail "bash is not installed"
command -v jack_alias >/dev/null 2>&1 || tap_bail "jack_alias is not installed (apt-get install jackd2)"
tmp=$(mktemp -d)
trap 'jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# comp LINE: what the completion offers with the cursor at the end of
# LINE, one a line, sorted, into $tmp/out.
comp() {
	# shellcheck disable=SC2016 # expanded by bash, not here
	(cd "$tmp/files" && timeout -s KILL 20 bash --norc -c '
		. "$1"
		COMP_WORDBREAKS=" 	
\"'\''><=;|&(:"
		COMP_LINE=$2 COMP_POINT=${#2}
		_midiplay
		printf "%s\n" "${COMPREPLY[@]}"' \
	    completion "$top_srcdir/completion/midiplay" "$1") >"$tmp/raw" 2>"$tmp/err"
	LC_ALL=C sort "$tmp/raw" >"$tmp/out"
}
# is LINE EXPECTED DESC: the offers for LINE, joined by '|', are EXPECTED.
is() {
	comp "$1"
	got=$(paste -s -d '|' "$tmp/out")
	[ "$got" = "$2" ] && [ ! -s "$tmp/err" ]
	tap_ok $? "$3"
	[ "$got" = "$2" ] || tap_diag "'$1': expected '$2', got '$got'"
	_jl_catlog "$tmp/err"
}

mkdir "$tmp/files" "$tmp/files/sub dir"
: >"$tmp/files/song.mid"
: >"$tmp/files/LOUD.MIDI"
: >"$tmp/files/karaoke.kar"
: >"$tmp/files/notes.txt"

tap_plan 15

is "midiplay --con" "--connect" "an option from its beginning"
is "midiplay --" "--bpm|--channels|--clock|--connect|--cycle-limit|--dump|--end|--export|--help|--latency|--link|--link-publish|--link-start-stop|--link-wait|--list|--loop|--name|--offset|--ppq|--quantum|--quiet|--record|--release|--split|--start|--strict|--tempo|--tracks|--transport|--transpose|--verbose|--version|--wait" \
    "the long options"
comp "midiplay -"
grep -qx -- -c "$tmp/out" && grep -qx -- -W "$tmp/out" && grep -qx -- - "$tmp/out"
tap_ok $? "'-': the short options and - (standard input)"
is "midiplay " "-|LOUD.MIDI|karaoke.kar|song.mid|sub dir" \
    "a file: - and the MIDI files and directories, not the others"
is "midiplay so" "song.mid" "a file from its beginning"
is "midiplay -n " "" "nothing after -n"
is "midiplay --split " "channel|track" "after --split: track or channel"

# No server: nothing to offer, at once, and no server started.
start=$(date +%s)
JACK_DEFAULT_SERVER=mptest-none-$$ JACK_NO_START_SERVER=1
export JACK_DEFAULT_SERVER JACK_NO_START_SERVER
is "$MIDIPLAY -c " "" "-c with no JACK server: nothing"
[ $(($(date +%s) - start)) -le 5 ]
tap_ok $? "-c with no JACK server: answers within 5 s"

jack_start 256 || exit 1
rec_start "$tmp/rec" -n "Fancy Synth" || exit 1
jack_alias "Fancy Synth:in" "alsa_pcm:Fancy/midi_in_1" >/dev/null 2>&1 &&
    jack_alias "Fancy Synth:in" "some:other alias" >/dev/null 2>&1
tap_ok $? "two aliases given to the recorder's port"
"$MIDIPLAY" -l | grep -qx 'Fancy Synth:in (alsa_pcm:Fancy/midi_in_1, some:other alias)'
tap_ok $? "midiplay -l lists the port with its aliases"

is "$MIDIPLAY -c Fan" 'Fancy\ Synth:in' \
    "-c: the port name, whole, the space escaped, no aliases"
is "$MIDIPLAY --connect Fancy\\ Synth:" "in" \
    "-c after a ':': what follows it (':' is a word break)"
is "$MIDIPLAY -c \"fancy" "" "-c: names start as they are spelled (case counts)"
is "$MIDIPLAY -W -c \"Fancy S" "Fancy Synth:in" "-c inside quotes: the name as it is"

tap_exit
