#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# first-run.sh: from a fresh Debian or Ubuntu checkout to hearing midiplay
# work, with or without a sound card.
#
# It installs what is missing, builds, starts a private JACK server on the
# dummy backend, starts FluidSynth (a General MIDI synth) as a JACK client,
# records FluidSynth's audio to a WAV file, plays the samples into it with
# `midiplay -c`, shows the MIDI events as a monitor received them, frame by
# frame, and says where the WAV is, how long and how loud.  Everything it
# starts is stopped on exit, Ctrl-C included, and JACK's registry of
# servers is left as it was found (tests/jackreg.py).
#
# It never touches a JACK server you already run, unless you ask with
# --running: then it uses that one (the server JACK_DEFAULT_SERVER names, or
# the default server), connects FluidSynth to the system playback ports so
# that you hear it as well, and still records the WAV.
#
#   sh first-run.sh [--running] [-o OUT.wav] [FILE ...]
#
# FILE: Standard MIDI Files (.mid .midi .kar .rmi), played as files, or text
# streams (anything else), played with `midiplay - <FILE`.  Default: every
# samples/*.mid.  SOUNDFONT=/path/to/file.sf2 picks another soundfont.
set -eu

usage() {
	echo "usage: sh first-run.sh [--running] [-o OUT.wav] [FILE ...]" >&2
	exit 2
}

top=$(cd "$(dirname "$0")" && pwd)
running=no
wav=$top/first-run.wav
while [ $# -gt 0 ]; do
	case $1 in
	--running) running=yes ;;
	-o) [ $# -ge 2 ] || usage; wav=$2; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-?*) echo "first-run.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
case $wav in *.wav) ;; *) echo "first-run.sh: $wav: not a .wav name" >&2; exit 2 ;; esac
[ $# -gt 0 ] || set -- "$top"/samples/*.mid
for f in "$@"; do
	[ -r "$f" ] || { echo "first-run.sh: cannot read $f" >&2; exit 1; }
done
events=${wav%.wav}.events.txt

# --- packages ----------------------------------------------------------
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
apt_install() {
	echo "== installing:$*"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "$@"
}
packages="build-essential autoconf automake libtool pkg-config python3 \
jackd2 libjack-jackd2-dev libsmf-dev valgrind fluidsynth timgm6mb-soundfont"
# --link (Ableton Link): headers and standalone Asio, no Boost
packages="$packages ableton-link-dev libasio-dev"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# shellcheck disable=SC2086 # one word per package
[ -z "$missing" ] || apt_install $missing
# Newer releases moved jack_rec and jack_midi_dump out of jackd2.
if ! command -v jack_rec >/dev/null || ! command -v jack_midi_dump >/dev/null; then
	apt_install jack-example-tools
fi

soundfont=${SOUNDFONT:-}
if [ -z "$soundfont" ]; then
	for sf in /usr/share/sounds/sf2/TimGM6mb.sf2 \
	    /usr/share/sounds/sf2/default-GM.sf2 \
	    /usr/share/sounds/sf3/default-GM.sf3; do
		[ -r "$sf" ] && { soundfont=$sf; break; }
	done
fi
if [ -z "$soundfont" ] || [ ! -r "$soundfont" ]; then
	echo "first-run.sh: no General MIDI soundfont found; set SOUNDFONT" >&2
	exit 1
fi

# --- build -------------------------------------------------------------
echo "== building"
(
	cd "$top"
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure -q
	make -s >/dev/null
)
midiplay=$top/src/midiplay

# --- clean-up, whatever happens -----------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/midiplay-first-run.XXXXXX")
jackd_pid='' synth_pid='' rec_pid='' mon_pid='' done=no
cleanup() {
	set +e
	trap '' INT TERM HUP
	# jack_midi_dump closes its JACK client on SIGHUP or SIGINT; SIGTERM
	# kills it, and jackd then takes 6 s to drop it (-S) before it can stop.
	[ -z "$mon_pid" ] || kill -HUP "$mon_pid" 2>/dev/null
	[ -z "$rec_pid" ] || kill "$rec_pid" 2>/dev/null
	if [ -n "$synth_pid" ]; then
		echo quit >&3 2>/dev/null
		i=0
		while kill -0 "$synth_pid" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill "$synth_pid" 2>/dev/null
	fi
	if [ -n "$jackd_pid" ]; then
		kill "$jackd_pid" 2>/dev/null
		i=0
		while kill -0 "$jackd_pid" 2>/dev/null && [ $i -lt 30 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$jackd_pid" 2>/dev/null
	fi
	wait 2>/dev/null
	# JACK's registry of servers (8 for the whole machine) frees the slot
	# of a server that did not stop cleanly only when one of the same name
	# starts again: if ours is left held, reclaim it now, or such slots
	# pile up until no JACK server starts here, yours included.  Also the
	# futex files of clients that were still open when it stopped.
	if [ -n "$jackd_pid" ]; then
		python3 "$top/tests/jackreg.py" --reclaim "$server"
		rm -f "/dev/shm/jack_sem.$(id -u)_${server}_"*
	fi
	# jack_rec finishes its WAV only when it stops by itself.
	[ "$done" = yes ] || rm -f "$wav" "$events"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo; echo "first-run.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# waitfor DESC COMMAND...: run COMMAND every 0.1 s until it succeeds (10 s).
waitfor() {
	_desc=$1
	shift
	_i=0
	until "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "first-run.sh: $_desc did not start; its log:" >&2
			cat "$tmp/$_desc.log" >&2 2>/dev/null
			exit 1
		fi
		sleep 0.1
	done
}
has_port() { jack_lsp 2>/dev/null | grep -qxF "$1"; }
server_up() { jack_wait -c -s "$1" 2>/dev/null | grep -qx running; }

# --- the JACK server ----------------------------------------------------
export JACK_NO_START_SERVER=1
if [ "$running" = yes ]; then
	server=${JACK_DEFAULT_SERVER:-default}
	server_up "$server" || {
		echo "first-run.sh: no JACK server '$server' is running" >&2
		exit 1
	}
	export JACK_DEFAULT_SERVER="$server"
	synth=fluidsynth-first-run-$$
	mon=midi-monitor-first-run-$$
	connect_out=-j
	echo "== using your JACK server '$server'"
else
	server=midiplay-first-run-$$
	export JACK_DEFAULT_SERVER="$server"
	# Synchronous (-S): without real-time scheduling, an asynchronous
	# server on a busy machine can run a client late and lose its events.
	JACK_NO_AUDIO_RESERVATION=1 jackd -n "$server" --no-realtime -S \
		-d dummy -r 48000 -p 256 </dev/null >"$tmp/jackd.log" 2>&1 &
	jackd_pid=$!
	waitfor jackd server_up "$server"
	synth=fluidsynth
	mon=midi-monitor
	connect_out=
	echo "== private JACK server '$server' (dummy backend: no sound card" \
	    "needed, 48 kHz, period 256)"
fi

# --- FluidSynth, the recorder and the monitor ---------------------------
# FluidSynth reads its shell commands from a FIFO held open here, so that it
# keeps running in the background and quits cleanly when told.
mkfifo "$tmp/synth.ctl"
exec 3<>"$tmp/synth.ctl"
# shellcheck disable=SC2086 # connect_out is empty or one word
fluidsynth -a jack -m jack -g 0.6 -r "$(jack_samplerate)" $connect_out \
	-o audio.jack.id="$synth" -o midi.jack.id="$synth" \
	"$soundfont" <"$tmp/synth.ctl" >"$tmp/fluidsynth.log" 2>&1 &
synth_pid=$!
waitfor fluidsynth has_port "$synth:right"
echo "== FluidSynth running as JACK client '$synth' with $soundfont"

# short NAME: NAME relative to the checkout when it lies inside it.
short() { printf '%s\n' "${1#"$top"/}"; }
is_smf() {
	case $1 in *.mid|*.MID|*.midi|*.MIDI|*.kar|*.rmi) return 0 ;; esac
	return 1
}

# How long to record: the length of everything, a second per file for
# starting up, and two for the last notes to ring out.
for f in "$@"; do
	if is_smf "$f"; then
		"$midiplay" --dump "$f"
	else
		"$midiplay" --dump - <"$f"
	fi | tail -n 1 | sed 's/^@\([0-9.]*\).*/\1/'
done >"$tmp/lengths"
seconds=$(awk '{ s += $1 + 1 } END { printf "%d\n", s + 2.999 }' "$tmp/lengths")
rm -f "$wav" "$events"
jack_rec -f "$wav" -d "$seconds" -b 16 "$synth:left" "$synth:right" \
	</dev/null >"$tmp/jack_rec.log" 2>&1 &
rec_pid=$!
echo "== recording $synth:left and $synth:right for $seconds s to $wav"

# jack_midi_dump prints each event it receives with its frame, counted
# from when it started, and channels from 0; stdbuf makes it write each
# line as it comes.
stdbuf -oL jack_midi_dump -a "$mon" </dev/null >"$events" 2>"$tmp/monitor.log" &
mon_pid=$!
waitfor monitor has_port "$mon:input"

# --- play ---------------------------------------------------------------
seen=0
for f in "$@"; do
	if is_smf "$f"; then
		echo "== src/midiplay -v -c $synth -c $mon $(short "$f")"
		"$midiplay" -v -c "$synth" -c "$mon" "$f"
	else
		echo "== src/midiplay -v -c $synth -c $mon - <$(short "$f")"
		"$midiplay" -v -c "$synth" -c "$mon" - <"$f"
	fi
	sleep 0.2
	n=$(wc -l <"$events")
	echo "== what $mon received, $((n - seen)) events" \
	    "(frame since it started: bytes; channels counted from 0):"
	sed -n "$((seen + 1)),${n}p" "$events" | head -n 8
	[ $((n - seen)) -le 8 ] || echo "   ... (all of them in $events)"
	seen=$n
done

echo "== letting the last notes ring out"
wait "$rec_pid" || { echo "first-run.sh: jack_rec failed:" >&2; cat "$tmp/jack_rec.log" >&2; exit 1; }
rec_pid=
done=yes

# --- what was recorded --------------------------------------------------
python3 - "$wav" <<'EOF'
import array, math, sys, wave
with wave.open(sys.argv[1]) as w:
    rate, width, frames = w.getframerate(), w.getsampwidth(), w.getnframes()
    data = array.array("h", w.readframes(frames))
if sys.byteorder == "big":
    data.byteswap()
peak = max((abs(x) for x in data), default=0)
db = 20 * math.log10(peak / 32768) if peak else float("-inf")
print("== %s: %.1f s at %d Hz, 16-bit stereo, peak %d (%.1f dBFS)"
      % (sys.argv[1], frames / rate, rate, peak, db))
if width != 2 or peak < 100:
    print("first-run.sh: the recording is silent: FluidSynth made no sound",
          file=sys.stderr)
    sys.exit(1)
EOF
echo "== the events, as the monitor received them: $events"
