# SPDX-License-Identifier: GPL-2.0-or-later
# linklib.sh - helpers for the --link tests (tests/link.sh,
# tests/link-rtcheck.sh), sourced after tests/netns.sh's netns_enter and
# tests/jacklib.sh's jack_require:
#
#     peer_start NAME ARGS...   tests/linkpeer, logging to $tmp/NAME.peer
#     peer_stop                 stop it
#     play NAME [ENV=V...] -- ARGS...
#                               midiplay -v --link ARGS into the recorder (-J)
#     judge NAME EXPECTED [OPTIONS]   tests/linkoracle.py's verdict
#     say NAME, fail_log NAME   the verdict, midiplay's stderr, as comments
#     did NAME WHAT [N]         when the peer did WHAT (its Nth time)
#     rec_times NAME            the first and last event's time
#
# It makes $tmp, and an EXIT trap that stops the peer and the server and
# removes $tmp.
MIDIPLAY=${MIDIPLAY:-${top_builddir:-$top_srcdir}/src/midiplay}
LINKPEER=${LINKPEER:-${builddir:-$top_srcdir/tests}/linkpeer}
PYTHON3=${PYTHON3:-python3}
oracle="$top_srcdir/tests/linkoracle.py"
[ -x "$LINKPEER" ] || tap_bail "$LINKPEER is not built (configure found no Link?)"
"$MIDIPLAY" --help | grep -q -- --link || tap_bail "$MIDIPLAY has no --link"

tmp=$(mktemp -d)
PEER_PID=
peer_stop() {
	if [ -n "$PEER_PID" ]; then
		kill -TERM "$PEER_PID" 2>/dev/null
		wait "$PEER_PID" 2>/dev/null
		PEER_PID=
	fi
}
trap 'peer_stop; jack_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# peer_start NAME ARGS...: tests/linkpeer logging to $tmp/NAME.peer.
peer_start() {
	_n=$1
	shift
	"$LINKPEER" -o "$tmp/$_n.peer" "$@" &
	PEER_PID=$!
	jl_await_line "$tmp/$_n.peer" '^start' 5 "$PEER_PID"
	# Link joins the older of two sessions, but of two begun within
	# 0.5 s of each other the one with the lower (random) id: the
	# peer's is to be the older, as Live's would be
	sleep 0.7
}

# play NAME [ENV=VALUE...] -- ARGS...: midiplay -v --link ARGS into the
# recorder; $tmp/NAME.rec, $tmp/NAME.err, $status (and $tmp/NAME.status,
# for a play in the background).  Standard input is
# $tmp/NAME.in when there is one.
play() {
	_n=$1
	shift
	_env=
	while [ "$1" != "--" ]; do
		_env="$_env $1"
		shift
	done
	shift
	: >"$tmp/$_n.rec"
	rec_start "$tmp/$_n.rec" -J -t 1.5 || { status=1; return 1; }
	[ -f "$tmp/$_n.in" ] || : >"$tmp/$_n.in"
	# shellcheck disable=SC2086 # $_env is split on purpose
	timeout -s KILL 90 env $_env "$MIDIPLAY" -v --link -c recorder:in "$@" \
	    <"$tmp/$_n.in" 2>"$tmp/$_n.err"
	status=$?
	echo "$status" >"$tmp/$_n.status"
	rec_wait 30 >/dev/null
}

# judge NAME EXPECTED [ORACLE OPTIONS]: the oracle on NAME's recording and
# peer log; its verdict in $tmp/NAME.verdict, its status returned.
judge() {
	_n=$1
	_e=$2
	shift 2
	"$PYTHON3" "$oracle" "$tmp/$_n.peer" "$tmp/$_n.rec" "$_e" --show 3 "$@" \
	    >"$tmp/$_n.verdict" 2>&1
}

# say NAME: the verdict and, if it failed, midiplay's stderr, as comments.
say() {
	_jl_catlog "$tmp/$1.verdict"
}
fail_log() {
	tap_diag "midiplay's stderr:"
	head -n 40 "$tmp/$1.err" | sed 's/^/# /'
}

# did NAME WHAT [N]: the time (us) of the peer's Nth (default 1st) WHAT.
did() {
	awk -v w="$2" -v k="${3:-1}" '$1 == "did" && $3 == w && ++n == k {
		print $2; exit }' "$tmp/$1.peer"
}

# rec_times NAME: the first and the last event's time (us), on one line.
rec_times() {
	awk 'NR == 1 { f = $NF } { l = $NF } END { gsub("@", "", f);
		gsub("@", "", l); print f, l }' "$tmp/$1.rec"
}

