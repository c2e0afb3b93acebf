# SPDX-License-Identifier: GPL-2.0-or-later
# jacklib.sh - helpers for the midiplay JACK tests (POSIX sh, dash-compatible).
#
# Source it from a test script:
#     . "${srcdir:-$(dirname "$0")}/jacklib.sh"
#     jack_require                      # TAP skip-all when jackd is not installed
#     trap jack_stop EXIT
#     trap 'exit 1' HUP INT PIPE TERM   # so that the EXIT trap also runs on signals
#     tap_plan 2
#     jack_start 256 || ...
#     rec_start "$out" -N 3; ...; rec_wait; tap_ok $? "recorder exit status"
#
# Every server gets a private name (mptest-PID-N); JACK_DEFAULT_SERVER and
# JACK_NO_START_SERVER=1 are exported, so clients started afterwards talk to
# that server only and never start or use the default server.
# Variables set: JACK_NAME, JACKD_PID, JACK_LOG (server log), JL_TMP (private
# temporary directory, removed by jack_stop), REC_PID, REC_ERR (recorder
# stderr), REC_STATUS (recorder exit status after rec_wait/rec_stop).
# Optional input: JL_JACKD_OPTS, extra jackd server options inserted before
# "-d dummy"; default "-S".  Synchronous mode, because without real-time
# scheduling an asynchronous jackd on a busy machine sometimes runs a client
# late or twice in one cycle and the recorder then misses or mis-stamps an
# event that was written correctly (seen at period 64).  A synchronous
# server runs every client once per cycle, in graph order, however late:
# the frames stay exact and so the tests compare what midiplay did.
# JL_REALTIME=yes starts jackd real-time (-R, its default, as users run
# it) instead of --no-realtime: for the benchmarks (bench/jackserver.sh);
# make check's servers stay --no-realtime.
#
# MP_JACK=pipewire runs the same tests against PipeWire's libjack instead:
# jack_start then starts a private pipewire daemon (its own configuration
# and socket directory under JL_TMP, no D-Bus, no session manager, no
# devices: one dummy driver at the period and rate asked for), and exports
# LD_LIBRARY_PATH (PipeWire's libjack, as pw-jack does), PIPEWIRE_RUNTIME_DIR,
# PIPEWIRE_REMOTE and PIPEWIRE_CONFIG_DIR, so that every client of the test
# (midiplay, the recorder, midisend, jack_lsp, jack_connect) talks to that
# daemon only.  JACKD_PID is then the daemon's pid.  MP_JACK unset or
# "jackd" is the jackd described above, unchanged.  What PipeWire changes
# by design, tests compare through jl_pw_normalise; jl_pipewire tells
# them which server they run on.  PipeWire has no synchronous mode:
# where the machine allows it (root, or an RLIMIT_RTPRIO), the daemon's and
# the clients' data threads run SCHED_FIFO, as on a desktop, and a run
# during which the daemon logged a missed cycle may be repeated (jl_exact).
# JL_PW_LIBJACK: where PipeWire's libjack is, when it is not in
# /usr/lib/*/pipewire-0.3/jack.  JL_PW_LOG_LEVEL: the daemon's log level
# (default 3, info, which jl_pw_xruns reads).
#
# JACK's registry of servers is left as it was found.  jackd2 keeps one
# for the machine (/dev/shm/jack-shm-registry, 8 slots; tests/jackreg.py
# reads it) and frees the slot of a server that died uncleanly only when a
# server of the same name starts again: killed servers would pile up until
# no JACK server could start on the machine, the user's own included
# ("too many servers already active").  So after every server of ours
# has gone, SIGTERM or SIGKILL, jack_stop checks its slot and, when a dead
# process still holds it, reclaims it (jack_reclaim); and it removes the
# futex files jackd leaves in /dev/shm for clients that were still open
# when the server stopped (jack_sem.UID_SERVER_CLIENT): harmless, a page
# of memory each, but ours.  Under make check, jack_start also appends each
# server's name to $builddir/jackreg-servers.txt, which
# tests/jackreg-before.sh creates and tests/jackreg-after.sh checks.

_jl_n=0
_tap_n=0
_tap_failed=0
JL_TMP=
JACKD_PID=
REC_PID=
if [ -n "${top_srcdir:-}" ]; then
	_jl_jackreg=$top_srcdir/tests/jackreg.py
else
	_jl_jackreg=${srcdir:-$(dirname "$0")}/jackreg.py
fi

# _jl_mktmp: create the private temporary directory JL_TMP if needed.
_jl_mktmp() {
	if [ -z "$JL_TMP" ] || [ ! -d "$JL_TMP" ]; then
		JL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mptest.XXXXXX") || return 1
	fi
}

# _jl_running NAME: succeed when a JACK server called NAME accepts clients
# (with MP_JACK=pipewire: a pipewire daemon whose socket is NAME in
# PIPEWIRE_RUNTIME_DIR).
_jl_running() {
	if jl_pipewire; then
		[ -S "$PIPEWIRE_RUNTIME_DIR/$1" ] &&
		    PIPEWIRE_REMOTE=$1 jack_lsp >/dev/null 2>&1
		return
	fi
	jack_wait -c -s "$1" 2>/dev/null | grep -qx running
}

# jl_pipewire: succeed when the tests run on PipeWire's libjack (MP_JACK=pipewire).
jl_pipewire() {
	[ "${MP_JACK:-jackd}" = pipewire ]
}

# jl_small_period: the smallest period the playback tests use: 64 frames
# on jackd; 128 on PipeWire, which on this project's 2-core test machine
# missed cycles at 64 frames in every run of tests/play.sh, quiet machine
# and real-time data threads notwithstanding (a missed cycle loses events
# whatever the player does, so such a run proves nothing about it).
jl_small_period() {
	if jl_pipewire; then echo 128; else echo 64; fi
}

# jl_pw_normalise FILE...: on PipeWire only, rewrite the recorder lines
# "FRAME 9n KK 00" into "FRAME 8n KK 40", in place.  PipeWire's libjack
# (0.3.65, DESIGN.md) delivers a note-on of velocity 0 as a note-off of
# velocity 64: it turns MIDI into its own control events and back.
# midiplay sends what the file says; this lets a test compare what it
# expects with what arrived.  On jackd it does nothing: nothing is loosened.
jl_pw_normalise() {
	jl_pipewire || return 0
	for _jl_f in "$@"; do
		awk 'NF == 4 && $2 ~ /^9[0-9A-F]$/ && $4 == "00" {
			$2 = "8" substr($2, 2); $4 = "40" } { print }' \
		    "$_jl_f" >"$_jl_f.pw" && mv "$_jl_f.pw" "$_jl_f"
	done
	return 0
}

# jl_pw_xruns: print how many missed cycles the private pipewire daemon
# has logged so far (0 on jackd).  PipeWire has no synchronous mode like
# jackd -S: when a client has not finished its cycle by the next timer
# tick, the driver starts the next cycle anyway and the late client runs
# once for both, so an event goes out late or, when the reader was the
# late one, never arrives.  The clients are not told (their xrun callback
# is not called; 0.3.65); only the daemon logs it, at info level: "client
# too slow!" (a client late) or "client missed N wakeups" (the driver's own
# timer late).  _jl_pw_miss matches those lines, for jl_exact too.
_jl_pw_miss='client too slow|client missed|graph xrun|not finished'
jl_pw_xruns() {
	if jl_pipewire && [ -n "$JACK_LOG" ] && [ -f "$JACK_LOG" ]; then
		grep -c -E "$_jl_pw_miss" "$JACK_LOG"
	else
		echo 0
	fi
	return 0
}

# jl_pw_links: on PipeWire, print as TAP comments how long each link
# the daemon made so far took from creation to active (its info lines
# "(A -> B) (client) -> (client)" and "(A -> B) paused -> active"): the
# order of a new link's two clients is set only then, and until then an
# event can be lost with no missed cycle logged.  Here it took 0.3-4 ms
# (100 runs beside two busy loops); midiplay waits at least 10 ms.
jl_pw_links() {
	jl_pipewire && [ -n "$JACK_LOG" ] && [ -f "$JACK_LOG" ] || return 0
	awk '/pw_context_create_link\(\)\] \(/ {
		t = $1; gsub(/^\[[A-Z]\]\[|\]$/, "", t)
		match($0, /\([0-9.]+ -> [0-9.]+\) \(.*\) -> \(.*\)$/)
		id = substr($0, RSTART, index(substr($0, RSTART), ")"))
		made[id] = t; name[id] = substr($0, RSTART + length(id) + 1, RLENGTH - length(id) - 1)
	}
	/link_update_state\(\)\] \(.*paused -> active$/ {
		t = $1; gsub(/^\[[A-Z]\]\[|\]$/, "", t)
		match($0, /\([0-9.]+ -> [0-9.]+\)/); id = substr($0, RSTART, RLENGTH)
		if (id in made) { printf "# PipeWire link %s: active %.1f ms after it was made\n", name[id], (t - made[id]) * 1000; delete made[id] }
	}' "$JACK_LOG" | tail -n 3
	return 0
}

# jl_await_line FILE PATTERN [SECONDS] [PID]: wait until FILE holds a line
# matching the extended regular expression PATTERN (what a client says
# when it is ready, say midiplay -v's "playing from frame"), for at most
# SECONDS (default 10), or until process PID has exited.  0 when the line
# came.  A fixed sleep before signalling a client fails on a loaded
# machine, where starting can take longer than the sleep.
jl_await_line() {
	_al_i=0
	while [ "$_al_i" -lt $((${3:-10} * 20)) ]; do
		grep -q -E -e "$2" "$1" 2>/dev/null && return 0
		if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
			grep -q -E -e "$2" "$1" 2>/dev/null
			return
		fi
		sleep 0.05
		_al_i=$((_al_i + 1))
	done
	return 1
}

# jl_exact FUNC [ARGS...]: run FUNC, which plays and records something and
# returns 0 when what arrived is what was expected.  On PipeWire, when it
# failed and the daemon logged missed cycles meanwhile (jl_pw_xruns), that
# run proves nothing about midiplay: say so, with the daemon's lines, and
# run FUNC again, at most JL_PW_RETRIES (default 4) times, after a pause
# of as many seconds as runs so far, so that a spell of missed cycles
# (on this project's VM they come in spells, with nothing else running)
# can pass.  A failure without a missed cycle is never run again, and on
# jackd FUNC runs once.  Returns FUNC's last status.  FUNC must open its
# own inputs: a redirection of jl_exact's stdin is used up by the first
# run, and a second would read nothing.
jl_exact() {
	_jl_try=0
	while :; do
		_jl_x0=$(jl_pw_xruns)
		# The check's tap_ok marks missed cycles of this run only.
		_tap_m0=$_jl_x0
		_tap_mlog=${JACK_LOG:-}
		"$@"
		_jl_st=$?
		[ "$_jl_st" -eq 0 ] && return 0
		_jl_x1=$(jl_pw_xruns)
		if [ "$_jl_x1" -le "$_jl_x0" ]; then
			jl_pw_links
			return "$_jl_st"
		fi
		tap_diag "PipeWire missed $((_jl_x1 - _jl_x0)) cycle(s) during this run, which therefore proves nothing:"
		grep -E "$_jl_pw_miss" "$JACK_LOG" |
		    tail -n $((_jl_x1 - _jl_x0)) | head -n 5 | cut -c 1-200 | sed 's/^/#   /'
		_jl_try=$((_jl_try + 1))
		if [ "$_jl_try" -gt "${JL_PW_RETRIES:-4}" ]; then
			tap_diag "giving up after $_jl_try runs with missed cycles"
			return "$_jl_st"
		fi
		tap_diag "running it again in $_jl_try s ($_jl_try of ${JL_PW_RETRIES:-4})"
		sleep "$_jl_try"
	done
}

# _jl_await WHAT: wait (10 s) until the server just started (JACKD_PID,
# log JACK_LOG, name JACK_NAME) accepts clients.  0, or 1 after saying
# why, with its log (and stopping it if it still runs).
_jl_await() {
	_jl_i=0
	while [ "$_jl_i" -lt 100 ]; do
		if ! kill -0 "$JACKD_PID" 2>/dev/null; then
			wait "$JACKD_PID"
			tap_diag "jack_start: $1 exited with status $? at once; its log:"
			_jl_catlog "$JACK_LOG"
			JACKD_PID=
			jack_reclaim "$JACK_NAME"
			return 1
		fi
		_jl_running "$JACK_NAME" && return 0
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	tap_diag "jack_start: $1 did not accept clients within 10 s; its log:"
	_jl_catlog "$JACK_LOG"
	jack_stop
	return 1
}

# _jl_catlog FILE: print FILE as TAP comment lines.
_jl_catlog() {
	[ -f "$1" ] && sed 's/^/# /' "$1"
	return 0
}

# jack_require: bail out unless jackd, jack_wait and jack_lsp are installed
# (with MP_JACK=pipewire: pipewire, PipeWire's libjack, and jackd2's
# jack_lsp, jack_bufsize and jack_samplerate to run through it).  On
# PipeWire it also exports LD_LIBRARY_PATH, and points every client at a
# socket that does not exist until jack_start, so that nothing a test runs
# before it can reach the user's own PipeWire.
jack_require() {
	case ${MP_JACK:-jackd} in
	jackd)
		for _jl_c in jackd jack_wait jack_lsp; do
			command -v "$_jl_c" >/dev/null 2>&1 || tap_bail "$_jl_c is not installed (apt-get install jackd2)"
		done
		;;
	pipewire)
		_jl_pw_require
		;;
	*)
		tap_bail "MP_JACK=$MP_JACK: expected jackd or pipewire"
		;;
	esac
}

# _jl_pw_require: jack_require for MP_JACK=pipewire.
_jl_pw_require() {
	for _jl_c in pipewire jack_lsp jack_bufsize jack_samplerate; do
		command -v "$_jl_c" >/dev/null 2>&1 ||
		    tap_bail "$_jl_c is not installed (apt-get install pipewire pipewire-jack jackd2)"
	done
	_jl_pwlib=${JL_PW_LIBJACK:-}
	if [ -z "$_jl_pwlib" ]; then
		for _jl_d in /usr/lib/*/pipewire-0.3/jack /usr/lib64/pipewire-0.3/jack \
		    /usr/lib/pipewire-0.3/jack; do
			if [ -e "$_jl_d/libjack.so.0" ]; then
				_jl_pwlib=$_jl_d
				break
			fi
		done
	fi
	[ -n "$_jl_pwlib" ] && [ -e "$_jl_pwlib/libjack.so.0" ] ||
	    tap_bail "PipeWire's libjack is not installed (apt-get install pipewire-jack)"
	LD_LIBRARY_PATH=$_jl_pwlib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	# where no daemon listens: under a directory that nobody creates
	PIPEWIRE_RUNTIME_DIR="${TMPDIR:-/tmp}/mptest-nopw-$$/none"
	PIPEWIRE_REMOTE="mptest-$$-none"
	JACK_DEFAULT_SERVER=$PIPEWIRE_REMOTE
	JACK_NO_START_SERVER=1
	export LD_LIBRARY_PATH PIPEWIRE_RUNTIME_DIR PIPEWIRE_REMOTE \
	    JACK_DEFAULT_SERVER JACK_NO_START_SERVER
	# In a sanitizer build, LeakSanitizer reports what PipeWire's libjack
	# and libpipewire leak (every jack_port_register, as under valgrind:
	# tests/pipewire.supp), and every client would exit 1 for it.
	LSAN_OPTIONS="suppressions=${top_srcdir:-.}/tests/pipewire-lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export LSAN_OPTIONS
	# nothing of the caller's PipeWire settings applies to the test clients
	unset PIPEWIRE_PROPS PIPEWIRE_QUANTUM PIPEWIRE_RATE PIPEWIRE_LATENCY \
	    PIPEWIRE_NODE PIPEWIRE_CORE PIPEWIRE_CONFIG_NAME PIPEWIRE_CONFIG_PREFIX
	# a client that did not load PipeWire's libjack (an RPATH, a static
	# link) would test jackd's library instead, or nothing: refuse
	for _jl_c in "$(command -v jack_lsp)" "${MIDIPLAY:-}" "${RECORDER:-}" "${MIDISEND:-}"; do
		[ -n "$_jl_c" ] && [ -f "$_jl_c" ] || continue
		ldd "$_jl_c" 2>/dev/null | grep -q "=> $_jl_pwlib/libjack.so" ||
		    tap_bail "$_jl_c does not load $_jl_pwlib/libjack.so.0 through LD_LIBRARY_PATH"
	done
	tap_diag "JACK library: PipeWire's, in $_jl_pwlib ($(pipewire --version 2>/dev/null | sed -n 's/^Linked with //p'))"
}

# jack_start PERIOD [RATE]: start a private dummy-driver jackd and wait (10 s) until it accepts clients.
jack_start() {
	_jl_period=$1
	_jl_rate=${2:-48000}
	[ -n "$JACKD_PID" ] && jack_stop
	_jl_mktmp || return 1
	if jl_pipewire; then
		_jl_pw_start
		return
	fi
	_jl_try=0
	while :; do
		_jl_n=$((_jl_n + 1))
		JACK_NAME="mptest-$$-$_jl_n"
		_jl_running "$JACK_NAME" || break
		_jl_try=$((_jl_try + 1))
		if [ "$_jl_try" -ge 10 ]; then
			tap_diag "jack_start: cannot find an unused server name"
			return 1
		fi
	done
	JACK_DEFAULT_SERVER=$JACK_NAME
	JACK_NO_START_SERVER=1
	export JACK_DEFAULT_SERVER JACK_NO_START_SERVER
	JACK_LOG="$JL_TMP/jackd-$_jl_n.log"
	_jl_rt=--no-realtime
	[ "${JL_REALTIME:-no}" = yes ] && _jl_rt=-R
	# shellcheck disable=SC2086 # JL_JACKD_OPTS is split on purpose
	JACK_NO_AUDIO_RESERVATION=1 jackd -n "$JACK_NAME" $_jl_rt ${JL_JACKD_OPTS--S} \
		-d dummy -r "$_jl_rate" -p "$_jl_period" </dev/null >"$JACK_LOG" 2>&1 &
	JACKD_PID=$!
	if [ -n "${builddir:-}" ] && [ -f "$builddir/jackreg-servers.txt" ]; then
		echo "$JACK_NAME" >>"$builddir/jackreg-servers.txt"
	fi
	_jl_await "jackd -n $JACK_NAME"
}

# _jl_pw_conf DIR: write the daemon's configuration (_jl_period frames at
# _jl_rate Hz, socket JACK_NAME) to DIR/pipewire.conf and the clients' to
# DIR/jack.conf.  Only what JACK clients need: the native protocol,
# client nodes, metadata and links; a dummy driver (support.node.driver, a
# timer, like jackd -d dummy) and the freewheel driver.  No D-Bus, no
# devices, no session manager: JACK clients are always-process nodes, and
# the core itself puts such a node on the highest-priority driver.  The
# quantum is pinned (default = min = max) and so is the rate.  The
# real-time module makes the data threads SCHED_FIFO where that is
# allowed, and only warns where it is not (without RTKit: no D-Bus): with
# no synchronous mode, a busy machine otherwise makes PipeWire skip
# cycles (seen at period 64 in about one run of drums.mid in three here).
_jl_pw_conf() {
	cat >"$1/pipewire.conf" <<EOF || return 1
# midiplay test server, written by tests/jacklib.sh
context.properties = {
    core.daemon = true
    core.name = $JACK_NAME
    support.dbus = false
    log.level = ${JL_PW_LOG_LEVEL:-3}
    default.clock.rate = $_jl_rate
    default.clock.allowed-rates = [ $_jl_rate ]
    default.clock.quantum = $_jl_period
    default.clock.min-quantum = $_jl_period
    default.clock.max-quantum = $_jl_period
    settings.check-quantum = false
    settings.check-rate = false
}
context.spa-libs = {
    support.* = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-rt
        args = { nice.level = -11 rt.prio = 80 }
        flags = [ ifexists nofail ]
    }
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = {
            factory.name = support.node.driver
            node.name = Dummy-Driver
            node.group = pipewire.dummy
            priority.driver = 20000
        }
    }
    { factory = spa-node-factory
        args = {
            factory.name = support.node.driver
            node.name = Freewheel-Driver
            node.group = pipewire.freewheel
            node.freewheel = true
            priority.driver = 19000
        }
    }
]
EOF
	cat >"$1/jack.conf" <<EOF
# midiplay test clients, written by tests/jacklib.sh: PipeWire's defaults,
# and nothing from the user's own jack.conf
context.properties = {
    support.dbus = false
    log.level = 0
}
context.spa-libs = {
    support.* = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-rt
        args = { rt.prio = 70 }
        flags = [ ifexists nofail ]
    }
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-metadata }
]
jack.properties = {
    node.always-process = true
}
EOF
}

# _jl_pw_start: jack_start with MP_JACK=pipewire: a private pipewire
# daemon under JL_TMP; fails unless the graph runs at the period and rate asked.
_jl_pw_start() {
	_jl_n=$((_jl_n + 1))
	JACK_NAME="mptest-$$-$_jl_n"
	_jl_pwdir="$JL_TMP/pw-$_jl_n"
	mkdir -p "$_jl_pwdir/conf" "$_jl_pwdir/run" "$_jl_pwdir/state" || return 1
	chmod 700 "$_jl_pwdir/run"
	_jl_pw_conf "$_jl_pwdir/conf" || return 1
	PIPEWIRE_RUNTIME_DIR="$_jl_pwdir/run"
	PIPEWIRE_REMOTE=$JACK_NAME
	PIPEWIRE_CONFIG_DIR="$_jl_pwdir/conf"
	PIPEWIRE_STATE_DIR="$_jl_pwdir/state"
	JACK_DEFAULT_SERVER=$JACK_NAME
	JACK_NO_START_SERVER=1
	export PIPEWIRE_RUNTIME_DIR PIPEWIRE_REMOTE PIPEWIRE_CONFIG_DIR \
	    PIPEWIRE_STATE_DIR JACK_DEFAULT_SERVER JACK_NO_START_SERVER
	JACK_LOG="$JL_TMP/pipewire-$_jl_n.log"
	pipewire -c "$_jl_pwdir/conf/pipewire.conf" </dev/null >"$JACK_LOG" 2>&1 &
	JACKD_PID=$!
	_jl_await "pipewire $JACK_NAME" || return 1
	# the graph runs at what was asked, or the test means nothing
	_jl_got="$(jack_bufsize 2>/dev/null | head -n 1) $(jack_samplerate 2>/dev/null | head -n 1)"
	[ "$_jl_got" = "$_jl_period $_jl_rate" ] && return 0
	tap_diag "jack_start: pipewire $JACK_NAME runs at '$_jl_got' (period rate), not '$_jl_period $_jl_rate'"
	jack_stop
	return 1
}

# jack_reclaim NAME: after a jackd called NAME has exited, however it
# ended: when a dead process still holds NAME's slot in JACK's registry
# of servers, start and cleanly stop a server of that name, which frees it
# (tests/jackreg.py --reclaim); then remove the futex files of NAME's
# clients from /dev/shm.  1 (after saying why) when the slot stays held.
jack_reclaim() {
	jl_pipewire && return 0   # a pipewire daemon leaves no shared registry
	_jl_rst=0
	_jl_msg=$("${PYTHON3:-python3}" "$_jl_jackreg" --reclaim "$1" 2>&1) || _jl_rst=1
	[ -z "$_jl_msg" ] || tap_diag "jack_reclaim: $_jl_msg"
	rm -f "/dev/shm/jack_sem.$(id -u)_$1_"*
	return "$_jl_rst"
}

# jack_stop: stop the recorder and our jackd (TERM, KILL after 3 s), leave
# JACK's registry as found (jack_reclaim), remove JL_TMP; safe to call twice.
jack_stop() {
	if [ -n "$REC_PID" ]; then
		kill -TERM "$REC_PID" 2>/dev/null
		rec_wait 5 >/dev/null
	fi
	if [ -n "$JACKD_PID" ]; then
		kill -TERM "$JACKD_PID" 2>/dev/null
		_jl_i=0
		while kill -0 "$JACKD_PID" 2>/dev/null && [ "$_jl_i" -lt 30 ]; do
			sleep 0.1
			_jl_i=$((_jl_i + 1))
		done
		if kill -0 "$JACKD_PID" 2>/dev/null; then
			tap_diag "jack_stop: $JACK_NAME did not stop within 3 s of SIGTERM; SIGKILL"
			kill -KILL "$JACKD_PID" 2>/dev/null
		fi
		wait "$JACKD_PID" 2>/dev/null
		JACKD_PID=
		jack_reclaim "$JACK_NAME"
	fi
	if [ -n "$JL_TMP" ]; then
		rm -rf "$JL_TMP"
		JL_TMP=
	fi
	return 0
}

# rec_start OUTFILE [ARGS...]: run the recorder (${RECORDER:-${builddir:-.}/recorder}) in the background, wait (10 s) for "ready".
rec_start() {
	_jl_out=$1
	shift
	if [ -n "$REC_PID" ]; then
		tap_diag "rec_start: a recorder is already running (pid $REC_PID)"
		return 1
	fi
	_jl_mktmp || return 1
	_jl_n=$((_jl_n + 1))
	REC_ERR="$JL_TMP/recorder-$_jl_n.err"
	REC_STATUS=
	"${RECORDER:-${builddir:-.}/recorder}" -o "$_jl_out" "$@" </dev/null 2>"$REC_ERR" &
	REC_PID=$!
	_jl_i=0
	while [ "$_jl_i" -lt 200 ]; do
		grep -qx ready "$REC_ERR" 2>/dev/null && return 0
		if ! kill -0 "$REC_PID" 2>/dev/null; then
			wait "$REC_PID"
			REC_STATUS=$?
			REC_PID=
			tap_diag "rec_start: the recorder exited with status $REC_STATUS before it was ready:"
			_jl_catlog "$REC_ERR"
			return 1
		fi
		sleep 0.05
		_jl_i=$((_jl_i + 1))
	done
	tap_diag "rec_start: the recorder was not ready within 10 s:"
	_jl_catlog "$REC_ERR"
	kill -TERM "$REC_PID" 2>/dev/null
	rec_wait 5 >/dev/null
	return 1
}

# rec_wait [SECONDS]: wait (whole seconds, default 30, then kill and fail) for the recorder; returns and sets REC_STATUS.
rec_wait() {
	if [ -z "$REC_PID" ]; then
		tap_diag "rec_wait: no recorder is running"
		return 1
	fi
	_jl_max=$((${1:-30} * 10))
	_jl_i=0
	while kill -0 "$REC_PID" 2>/dev/null && [ "$_jl_i" -lt "$_jl_max" ]; do
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	if kill -0 "$REC_PID" 2>/dev/null; then
		tap_diag "rec_wait: the recorder did not exit within ${1:-30} s; killing it"
		kill -TERM "$REC_PID" 2>/dev/null
		sleep 1
		kill -KILL "$REC_PID" 2>/dev/null
		wait "$REC_PID" 2>/dev/null
		REC_PID=
		REC_STATUS=timeout
		return 1
	fi
	wait "$REC_PID"
	REC_STATUS=$?
	REC_PID=
	return "$REC_STATUS"
}

# rec_stop [SECONDS]: send SIGTERM to the recorder (it drains and exits 0), then rec_wait.
rec_stop() {
	[ -n "$REC_PID" ] && kill -TERM "$REC_PID" 2>/dev/null
	rec_wait "${1:-10}"
}

# tap_plan N: print the TAP plan "1..N".
tap_plan() {
	echo "1..$1"
}

# tap_ok STATUS DESC: "ok N - DESC" when STATUS is 0, else "not ok N - DESC"; always returns 0.
# On PipeWire a failed check is followed by "# PipeWire missed N cycle(s)
# during this check" when the daemon logged missed cycles since the
# previous check (jl_pw_xruns): tests/pipewire-recheck.sh reads it.
tap_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_mx=$(jl_pw_xruns)
	[ "${JACK_LOG:-}" = "${_tap_mlog:-}" ] || _tap_m0=0
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
		[ "$_tap_mx" -gt "${_tap_m0:-0}" ] &&
		    tap_diag "PipeWire missed $((_tap_mx - ${_tap_m0:-0})) cycle(s) during this check"
	fi
	_tap_m0=$_tap_mx
	_tap_mlog=${JACK_LOG:-}
	return 0
}

# tap_diff EXPECTED ACTUAL DESC: ok when the files are identical, else not ok plus the diff as comments.
tap_diff() {
	if cmp -s "$1" "$2"; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		diff -u "$1" "$2" 2>&1 | head -n 100 | cut -c 1-200 | sed 's/^/# /'
	fi
	return 0
}

# tap_diag MSG...: print MSG as TAP comment lines ("# ...").
tap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# tap_bail REASON: the test cannot run here: "Bail out! REASON", exit 1.
# (Never a skip: a check that silently does not run proves nothing.)
tap_bail() {
	echo "Bail out! $*"
	exit 1
}

# tap_exit: exit 1 if any test failed so far, else 0.
tap_exit() {
	[ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}

# --- several servers at once ---------------------------------------------
# A test that needs two servers at the same time (tests/netjack.sh: a
# netjack2 master and its slave) names each by a ROLE (a word of letters,
# digits and _); jack_start and jack_stop above are for the one server of
# the other tests, and these leave it alone.
#     jack_start_named master dummy -r 48000 -p 256
#     JL_JACKD_OPTS= jack_start_named slave net -a 127.0.0.1
#     jack_use slave; "$MIDIPLAY" ...   # clients talk to the slave
#     jack_stop_named slave; jack_stop_named master
# Variables set for each ROLE: JL_NAME_ROLE (the server's name, from the
# same scheme as jack_start's), JL_PID_ROLE, JL_LOG_ROLE (its log, in JL_TMP).

# jack_start_named ROLE DRIVER [DRIVER ARGS...]: start a private jackd
# named for ROLE, with JL_JACKD_OPTS (default -S) before "-d DRIVER", and
# wait (10 s) until it accepts clients.  0, or 1 after saying why (with its
# log; a server that did not come up is stopped, its slot reclaimed).
# JACK_DEFAULT_SERVER is left as it was: see jack_use.
jack_start_named() {
	_jl_role=$1
	shift
	_jl_mktmp || return 1
	jack_stop_named "$_jl_role"
	_jl_try=0
	while :; do
		_jl_n=$((_jl_n + 1))
		_jl_name="mptest-$$-$_jl_n"
		_jl_running "$_jl_name" || break
		_jl_try=$((_jl_try + 1))
		if [ "$_jl_try" -ge 10 ]; then
			tap_diag "jack_start_named: cannot find an unused server name"
			return 1
		fi
	done
	_jl_log="$JL_TMP/jackd-$_jl_role-$_jl_n.log"
	# shellcheck disable=SC2086 # JL_JACKD_OPTS is split on purpose
	JACK_NO_AUDIO_RESERVATION=1 jackd -n "$_jl_name" --no-realtime \
		${JL_JACKD_OPTS--S} -d "$@" </dev/null >"$_jl_log" 2>&1 &
	eval "JL_PID_$_jl_role=\$! JL_NAME_$_jl_role=\$_jl_name JL_LOG_$_jl_role=\$_jl_log"
	# (for jackreg-after.sh, as jack_start's servers)
	if [ -n "${builddir:-}" ] && [ -f "$builddir/jackreg-servers.txt" ]; then
		echo "$_jl_name" >>"$builddir/jackreg-servers.txt"
	fi
	JACK_NO_START_SERVER=1
	export JACK_NO_START_SERVER
	_jl_i=0
	while [ "$_jl_i" -lt 100 ]; do
		if ! jack_alive "$_jl_role"; then
			if ! kill -0 "$(_jl_get PID "$_jl_role")" 2>/dev/null; then
				tap_diag "jack_start_named: jackd -n $_jl_name ($_jl_role) exited at once; its log:"
				_jl_catlog "$_jl_log"
				jack_stop_named "$_jl_role"
				return 1
			fi
		else
			return 0
		fi
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	tap_diag "jack_start_named: jackd -n $_jl_name ($_jl_role) did not accept clients within 10 s; its log:"
	_jl_catlog "$_jl_log"
	jack_stop_named "$_jl_role"
	return 1
}

# _jl_get WHAT ROLE: print JL_WHAT_ROLE.
_jl_get() {
	eval "printf '%s' \"\${JL_$1_$2:-}\""
}

# jack_use ROLE: export JACK_DEFAULT_SERVER for ROLE's server, so that the
# clients started afterwards (midiplay, rec_start, jack_lsp...) talk to it.
jack_use() {
	JACK_DEFAULT_SERVER=$(_jl_get NAME "$1")
	export JACK_DEFAULT_SERVER
}

# jack_alive ROLE: succeed while ROLE's server runs and accepts clients.
jack_alive() {
	_jl_p=$(_jl_get PID "$1")
	[ -n "$_jl_p" ] && kill -0 "$_jl_p" 2>/dev/null &&
	    _jl_running "$(_jl_get NAME "$1")"
}

# jack_stop_named ROLE [SECONDS]: stop ROLE's server with SIGTERM, or
# SIGKILL after SECONDS (default 20); then reclaim its slot in JACK's
# registry if a dead process still holds it (jack_reclaim).  Safe to
# call twice, and for a ROLE never started.
jack_stop_named() {
	_jl_p=$(_jl_get PID "$1")
	[ -n "$_jl_p" ] || return 0
	_jl_name=$(_jl_get NAME "$1")
	kill -TERM "$_jl_p" 2>/dev/null
	_jl_i=0
	while kill -0 "$_jl_p" 2>/dev/null && [ "$_jl_i" -lt "$((${2:-20} * 10))" ]; do
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	kill -KILL "$_jl_p" 2>/dev/null
	wait "$_jl_p" 2>/dev/null
	# a server stopped with SIGTERM can leave its slot too (jack_stop)
	jack_reclaim "$_jl_name"
	eval "JL_PID_$1="
	return 0
}
