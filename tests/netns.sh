# SPDX-License-Identifier: GPL-2.0-or-later
# netns.sh - run a network test inside a private network namespace.
#
# Link and netjack2 find their peers by UDP multicast on every interface
# that is up, loopback included.  A test of them must never reach the
# machine's own network, nor meet a Link session or a netjack2 master
# that runs there.  So, as the first thing a test script does:
#
#     . "${top_srcdir:-.}/tests/netns.sh"
#     netns_enter "$0" "$@"
#
# netns_enter runs the script again inside a new network namespace, made
# by unshare(1) (`unshare -n` as root, `unshare -rn` otherwise), and exits
# with its status; the copy inside finds MP_NETNS set and goes on.  Inside,
# it checks that `lo` is the only interface there is, before anything
# else starts, and brings it up.  Where no namespace can be made, or it
# holds anything but `lo`, the test bails out (TAP "Bail out!"): it never
# runs on the machine's network instead.
#
# JACK servers work across it as usual (they talk through UNIX sockets
# and shared memory, which a network namespace does not separate).

netns_enter() {
	_ns_script=$1
	shift
	if [ -z "${MP_NETNS_PID:-}" ]; then
		command -v unshare >/dev/null 2>&1 ||
		    { echo "Bail out! unshare(1) is not installed (util-linux)"; exit 1; }
		command -v ip >/dev/null 2>&1 ||
		    { echo "Bail out! ip(8) is not installed (apt-get install iproute2)"; exit 1; }
		if [ "$(id -u)" -eq 0 ]; then
			_ns_flags=-n
		else
			_ns_flags=-rn
		fi
		MP_NETNS_PID=$$ exec unshare $_ns_flags -- \
		    /bin/sh "$_ns_script" "$@"
		echo "Bail out! cannot make a private network namespace (unshare $_ns_flags)"
		exit 1
	fi
	# inside: nothing but lo, or nothing runs
	_ns_links=$(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' |
	    sed 's/@.*//' | tr '\n' ' ')
	if [ "$_ns_links" != "lo " ]; then
		echo "Bail out! the private network namespace holds '$_ns_links', not only lo"
		exit 1
	fi
	ip link set lo up 2>/dev/null ||
	    { echo "Bail out! cannot bring lo up in the private network namespace"; exit 1; }
	MP_NETNS=inside
	export MP_NETNS
}

# netns_check: succeed when running inside netns_enter's namespace with
# lo alone (for code that must never run outside one).
netns_check() {
	[ "${MP_NETNS:-}" = inside ] &&
	    [ "$(ip -o link show 2>/dev/null | wc -l)" -eq 1 ] &&
	    ip -o link show lo 2>/dev/null | grep -q 'UP'
}
