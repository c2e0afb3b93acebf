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

_jl_n=0
_tap_n=0
_tap_failed=0
JL_TMP=
JACKD_PID=
REC_PID=

# _jl_mktmp: create the private temporary directory JL_TMP if needed.
_jl_mktmp() {
	if [ -z "$JL_TMP" ] || [ ! -d "$JL_TMP" ]; then
		JL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mptest.XXXXXX") || return 1
	fi
}

# _jl_running NAME: succeed when a JACK server called NAME accepts clients.
_jl_running() {
	jack_wait -c -s "$1" 2>/dev/null | grep -qx running
}

# _jl_catlog FILE: print FILE as TAP comment lines.
_jl_catlog() {
	[ -f "$1" ] && sed 's/^/# /' "$1"
	return 0
}

# jack_require: bail out unless jackd, jack_wait and jack_lsp are installed.
jack_require() {
	for _jl_c in jackd jack_wait jack_lsp; do
		command -v "$_jl_c" >/dev/null 2>&1 || tap_bail "$_jl_c is not installed (apt-get install jackd2)"
	done
}

# jack_start PERIOD [RATE]: start a private dummy-driver jackd and wait (10 s) until it accepts clients.
jack_start() {
	_jl_period=$1
	_jl_rate=${2:-48000}
	[ -n "$JACKD_PID" ] && jack_stop
	_jl_mktmp || return 1
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
	# shellcheck disable=SC2086 # JL_JACKD_OPTS is split on purpose
	JACK_NO_AUDIO_RESERVATION=1 jackd -n "$JACK_NAME" --no-realtime ${JL_JACKD_OPTS--S} \
		-d dummy -r "$_jl_rate" -p "$_jl_period" </dev/null >"$JACK_LOG" 2>&1 &
	JACKD_PID=$!
	_jl_i=0
	while [ "$_jl_i" -lt 100 ]; do
		if ! kill -0 "$JACKD_PID" 2>/dev/null; then
			wait "$JACKD_PID"
			tap_diag "jack_start: jackd -n $JACK_NAME exited with status $? at once; its log:"
			_jl_catlog "$JACK_LOG"
			JACKD_PID=
			return 1
		fi
		_jl_running "$JACK_NAME" && return 0
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	tap_diag "jack_start: jackd -n $JACK_NAME did not accept clients within 10 s; its log:"
	_jl_catlog "$JACK_LOG"
	jack_stop
	return 1
}

# jack_reclaim NAME: after a jackd called NAME was killed with SIGKILL,
# start and cleanly stop one under the same name.  JACK's shared registry
# holds a few servers and frees the entry of a dead one only when its name
# is used again: without this, killed test servers would pile up until no
# server could start on the machine ("Too many servers already active").
jack_reclaim() {
	JACK_NO_AUDIO_RESERVATION=1 jackd -n "$1" --no-realtime -d dummy \
		</dev/null >/dev/null 2>&1 &
	_jl_rpid=$!
	_jl_i=0
	while [ "$_jl_i" -lt 50 ] && kill -0 "$_jl_rpid" 2>/dev/null &&
	    ! _jl_running "$1"; do
		sleep 0.1
		_jl_i=$((_jl_i + 1))
	done
	kill -TERM "$_jl_rpid" 2>/dev/null
	wait "$_jl_rpid" 2>/dev/null
	return 0
}

# jack_stop: stop the recorder and our jackd (TERM, KILL after 3 s), remove JL_TMP; safe to call twice.
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
			kill -KILL "$JACKD_PID" 2>/dev/null
			wait "$JACKD_PID" 2>/dev/null
			jack_reclaim "$JACK_NAME"
		fi
		wait "$JACKD_PID" 2>/dev/null
		JACKD_PID=
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
tap_ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
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
