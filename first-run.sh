#!/bin/sh
# first-run.sh: from a fresh Debian or Ubuntu checkout to hearing (well,
# seeing) midiplay work.  It installs what is missing, builds, starts a
# private JACK server on the dummy backend (no sound card needed; it never
# touches a JACK server you already run), plays a sample into a MIDI
# monitor, and shows what arrived, frame by frame.
#
#   sh first-run.sh [FILE.mid]        (default samples/scale.mid)
set -eu
cd "$(dirname "$0")"
song=${1:-samples/scale.mid}

packages="build-essential autoconf automake libtool pkg-config python3 \
jackd2 libjack-jackd2-dev libsmf-dev valgrind"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "== installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

if [ ! -x src/midiplay ]; then
	echo "== building"
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure -q
	make -s
fi

# A private server of our own, whatever else runs on this machine.
name="midiplay-first-run-$$"
log=$(mktemp)
JACK_NO_AUDIO_RESERVATION=1 jackd -n "$name" --no-realtime \
	-d dummy -r 48000 -p 256 >"$log" 2>&1 &
jackd_pid=$!
monitor_pid=
cleanup() {
	[ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
	kill "$jackd_pid" 2>/dev/null
	wait 2>/dev/null
	rm -f "$log" "$log.events"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export JACK_DEFAULT_SERVER="$name" JACK_NO_START_SERVER=1
i=0
until jack_wait -c -s "$name" 2>/dev/null | grep -qx running; do
	i=$((i + 1))
	if [ "$i" -gt 50 ]; then
		echo "jackd did not start:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "== private JACK server '$name' running (dummy backend, 48 kHz, period 256)"

# jack_midi_dump (from jackd2) prints every event it receives.
jack_midi_dump -a >"$log.events" 2>/dev/null &
monitor_pid=$!
i=0
until src/midiplay -l 2>/dev/null | grep -q midi-monitor; do
	i=$((i + 1))
	[ "$i" -gt 50 ] && { echo "jack_midi_dump did not start" >&2; exit 1; }
	sleep 0.1
done

echo "== src/midiplay -v -c midi-monitor $song"
src/midiplay -v -c midi-monitor "$song"
sleep 0.2
echo "== what jack_midi_dump received (frame: bytes):"
cat "$log.events"
