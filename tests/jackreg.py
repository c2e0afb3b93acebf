#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""jackreg.py: read jackd2's registry of servers, and free the slot of a
server that died without giving it back.

jackd2 (1.9.x, POSIX shared memory) keeps one registry for the whole
machine, /dev/shm/jack-shm-registry (common/shm.h in jack2's source): a
header, then MAX_SERVERS = 8 server slots, then 256 entries of segments.

    header   uint32 magic 0x4a41434b ("JACK"), uint16 protocol, (2 padding),
             int32 type (1: POSIX), uint32 size, hdr_len, entry_len:
             24 bytes, then 8 slots of { int32 pid; char name[257]; }
             (260 bytes with padding, 264 a slot): 2136 bytes in all
    entries  256 of { int16 index; int32 allocator; uint32 size;
             char id[255]; } (268 bytes each): 70744 bytes in all

A slot's name is "jack-UID:SERVER:".  jackd claims a slot when it starts
and clears it when it stops cleanly.  A slot held by a dead process is
freed only when a server of the same name (and user) starts again: until
then it counts against the 8, and when all 8 are held no server starts on
the machine ("too many servers already active").  (The segment entries
of dead processes are freed by any server that starts, so they do not
pile up.)

    jackreg.py [-a] [-n NAME]     list the slots held: "PID NAME ALIVE|DEAD"
    jackreg.py --reclaim NAME     free NAME's slot if a dead process holds it

Listing: only this user's slots and their server names; with -a, every
user's, with the name as stored ("jack-UID:SERVER:"); with -n, only the
server NAME.  ALIVE or DEAD is what jackd itself decides with kill(pid,
0).  No registry: nothing held, nothing printed.  A registry of another
layout: an error, exit 2.

Reclaiming: start `jackd -n NAME --no-realtime -d dummy`, which clears
the dead slot as it registers, wait until it runs (registered under NAME,
and `jack_wait -c` says "running"), stop it with SIGTERM, and check that
the slot is free; up to 3 times.  Exit 0 when NAME holds no dead slot at
the end (or held none; a line on stdout says when one was reclaimed), 1
otherwise, saying why.  Standard library only.
"""

import errno
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

REGISTRY = os.environ.get("JACKREG_FILE", "/dev/shm/jack-shm-registry")
MAGIC = 0x4A41434B
MAX_SERVERS = 8
SLOT = 264                      # int32 pid + char[257] name, padded to 4
HDR_FIXED = 24
HDR_LEN = HDR_FIXED + MAX_SERVERS * SLOT
ENTRY_LEN = 268
SIZE = HDR_LEN + 256 * ENTRY_LEN
PROG = "jackreg.py"


class RegistryError(Exception):
    pass


def alive(pid):
    """True when a process pid exists (jackd's own test: kill(pid, 0))."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_once(path):
    try:
        with open(path, "rb") as f:
            data = f.read(HDR_LEN)
    except FileNotFoundError:
        return []
    except OSError as e:
        raise RegistryError("%s: %s" % (path, e.strerror))
    if len(data) < HDR_LEN:
        raise RegistryError("%s: %d bytes, shorter than the header of jackd2's registry (%d)"
                            % (path, len(data), HDR_LEN))
    magic, _protocol, shmtype, size, hdr_len, entry_len = struct.unpack_from("<IHxxiIII", data)
    if (magic, shmtype, size, hdr_len, entry_len) != (MAGIC, 1, SIZE, HDR_LEN, ENTRY_LEN):
        raise RegistryError(
            "%s: not the layout of jackd2 1.9 (magic %#x, type %d, size %d, header %d, "
            "entry %d; expected %#x, 1, %d, %d, %d)"
            % (path, magic, shmtype, size, hdr_len, entry_len, MAGIC, SIZE, HDR_LEN, ENTRY_LEN))
    slots = []
    for i in range(MAX_SERVERS):
        off = HDR_FIXED + i * SLOT
        pid, = struct.unpack_from("<i", data, off)
        raw = data[off + 4:off + SLOT].split(b"\0", 1)[0].decode("utf-8", "replace")
        if pid != 0:
            slots.append((pid, raw))
    return slots


def read_slots(path=REGISTRY):
    """The held slots [(pid, stored name)], read without jackd's lock:
    read again until two reads agree, so that a slot being written is
    not seen half done."""
    prev = _read_once(path)
    for _ in range(10):
        cur = _read_once(path)
        if cur == prev:
            return cur
        prev = cur
        time.sleep(0.01)
    return prev


def server_name(stored, uid=None):
    """The server name of a stored "jack-UID:NAME:" for user uid (default:
    ours), or None for another user's slot or a malformed name."""
    prefix = "jack-%d:" % (os.getuid() if uid is None else uid)
    if stored.startswith(prefix) and stored.endswith(":"):
        return stored[len(prefix):-1]
    return None


def listing(all_users=False, only=None, path=REGISTRY):
    """[(pid, name, "ALIVE" or "DEAD")] of the held slots, as documented."""
    out = []
    for pid, stored in read_slots(path):
        name = stored if all_users else server_name(stored)
        if name is None or (only is not None and server_name(stored) != only):
            continue
        out.append((pid, name, "ALIVE" if alive(pid) else "DEAD"))
    return out


def dead_slot(name):
    """The pid of a dead process holding server name's slot, or None."""
    for pid, _, state in listing(only=name):
        if state == "DEAD":
            return pid
    return None


def _stop(p, grace):
    """SIGTERM p, wait grace s, then SIGKILL; wait for it."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _running(name):
    """True when a server called name accepts clients (jack_wait -c)."""
    if not shutil.which("jack_wait"):
        return True
    r = subprocess.run(["jack_wait", "-c", "-s", name], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() == "running"


def reclaim(name, tries=3):
    """Free name's slot if a dead process holds it; True when none does."""
    first = dead_slot(name)
    for attempt in range(tries):
        dead = dead_slot(name)
        if dead is None:
            break
        env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
        env.pop("JACK_DEFAULT_SERVER", None)
        p = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 10
        up = False
        while time.monotonic() < deadline and p.poll() is None:
            if any(pid == p.pid for pid, _, _ in listing(only=name)) and _running(name):
                up = True
                break
            time.sleep(0.05)
        _stop(p, 5)
        err = p.stderr.read().decode("utf-8", "replace").strip().splitlines()
        p.stderr.close()
        if not up:
            sys.stderr.write("%s: reclaiming %s (held by dead pid %d): jackd did not start"
                             " (attempt %d of %d)%s\n"
                             % (PROG, name, dead, attempt + 1, tries,
                                (": " + err[-1]) if err else ""))
    dead = dead_slot(name)
    if dead is None:
        if first is not None:
            print("%s: reclaimed the slot of server %s, held by dead pid %d" % (PROG, name, first))
        return True
    sys.stderr.write("%s: the slot of server %s is still held by dead pid %d\n" % (PROG, name, dead))
    return False


def usage():
    sys.stderr.write("usage: %s [-a] [-n NAME] | --reclaim NAME\n" % PROG)
    return 2


def main(argv):
    all_users = False
    only = None
    args = list(argv)
    try:
        if args[:1] == ["--reclaim"] and len(args) == 2:
            return 0 if reclaim(args[1]) else 1
        while args:
            a = args.pop(0)
            if a == "-a":
                all_users = True
            elif a == "-n" and args:
                only = args.pop(0)
            else:
                return usage()
        for pid, name, state in listing(all_users, only):
            print("%d %s %s" % (pid, name, state))
    except RegistryError as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 2
    except OSError as e:
        if e.errno == errno.ENOENT and e.filename:
            sys.stderr.write("%s: %s: not found (apt-get install jackd2)\n" % (PROG, e.filename))
        else:
            sys.stderr.write("%s: %s\n" % (PROG, e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
