#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench.py: midiplay's benchmarks, each row measured for midiplay and for the
usual alternative in the same run, printed as one markdown table.

Run it through `make bench` (BENCH_QUICK=1 for a short run).  Python 3
standard library; the mido and python-rtmidi helpers run under
BENCH_PYTHON (default /usr/bin/python3, where Debian's python3-mido and
python3-rtmidi are).  Environment (set by bench/bench.am):

    top_srcdir   the source tree (tests/jacklib.sh, tests/oracle.py, bench/)
    MIDIPLAY     src/midiplay          RECORDER   tests/recorder
    SMFLOAD      bench/smfload         CBTIME_SO  bench/cbtime.so
    SMFSAVE      bench/smfsave         RUNRSS     bench/runrss
    CBWRAP_SO    bench/cbwrap.so       BENCH_QUICK  1: smaller, fewer runs
    BENCH_LIBSMF_SECONDS  time limit of a libsmf load (default 120, quick 20)

Every JACK server is private: bench/jackserver.sh starts it with
tests/jacklib.sh's jack_start (jackd -n mptest-PID-N -d dummy -r 48000 -p
PERIOD) and stops it when we close its stdin, so it goes away however this
script ends, leaving JACK's registry of servers as it found it.  Servers
run real-time (jackd -R, asynchronous: jackd's defaults, as users run it)
where the system allows it (root, or an rtprio limit); elsewhere they run
--no-realtime -S, as make check's, and the output says so.  Files are
generated into one temporary directory, removed at the end; child
processes are stopped on the way out, also on Ctrl-C.

Before anything starts, the Python packages (python3-mido, python3-rtmidi
for BENCH_PYTHON) and programs (jackd, valgrind, chrt) that the rows asked
for need are checked, and what is missing is named with the command that
installs it.  BENCH_ONLY=ROW,... runs only those rows, of timing, live,
live-load (the live row with two busy loops beside it), load, parse,
callback, callback16 (the callback with 16 ports), export.
"""

import hashlib
import os
import platform
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

RATE = 48000
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
TOP = os.environ.get("top_srcdir") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(TOP, "bench")
MIDIPLAY = os.environ.get("MIDIPLAY", "src/midiplay")
RECORDER = os.environ.get("RECORDER", "tests/recorder")
SMFLOAD = os.environ.get("SMFLOAD", "bench/smfload")
SMFSAVE = os.environ.get("SMFSAVE", "bench/smfsave")
RUNRSS = os.environ.get("RUNRSS", "bench/runrss")
CBTIME_SO = os.path.abspath(os.environ.get("CBTIME_SO", "bench/cbtime.so"))
CBWRAP_SO = os.path.abspath(os.environ.get("CBWRAP_SO", "bench/cbwrap.so"))
PY = os.environ.get("BENCH_PYTHON") or "/usr/bin/python3"
LIBSMF_LIMIT = float(os.environ.get("BENCH_LIBSMF_SECONDS") or ("20" if QUICK else "120"))
LIBSMF_MEM = (4 if QUICK else 8) << 30     # RLIMIT_AS of a libsmf load

PROCS = []
SERVERS = []
TMP = None
# "rt" until a server could not run real-time; then the reason it could not
SERVER_MODE = {"mode": "rt", "why": None, "started": 0}


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def spawn(argv, **kw):
    p = subprocess.Popen(argv, **kw)
    PROCS.append(p)
    return p


def reap(p, timeout):
    """Wait for p (kill it after timeout s); return its ru_maxrss in KiB."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return ru.ru_maxrss
        if time.monotonic() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            return ru.ru_maxrss
        time.sleep(0.005)


def wait_for(path, text, timeout, proc=None):
    """Wait until the file at path holds text; return the time it was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                if text in f.read():
                    return time.monotonic()
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.002)
    raise BenchError("%r did not appear in %s:\n%s" % (text, path, readfile(path)))


def readfile(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def readline_timeout(stream, timeout):
    r, _, _ = select.select([stream], [], [], timeout)
    if not r:
        raise BenchError("no output within %g s" % timeout)
    return stream.readline()


class Server:
    """A private JACK server held by bench/jackserver.sh: real-time while
    SERVER_MODE says so; the first that cannot be sets SERVER_MODE to
    --no-realtime for the rest of the run, and says so."""

    def __init__(self, period):
        self.period = period
        self.err = os.path.join(TMP, "jackserver-%d.err" % period)
        env = dict(os.environ, top_srcdir=TOP)
        argv = ["sh", os.path.join(BENCH, "jackserver.sh"), str(period)]
        if SERVER_MODE["mode"] == "rt":
            argv.append("rt")
        self.p = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=open(self.err, "w"), env=env, text=True)
        SERVERS.append(self)
        name, _, mode = self.p.stdout.readline().strip().partition(" ")
        if not name:
            raise BenchError("cannot start a JACK server:\n" + readfile(self.err))
        if SERVER_MODE["mode"] == "rt" and mode != "rt":
            SERVER_MODE.update(mode="no-realtime", why=mode.partition(": ")[2])
            log("real-time scheduling is not allowed here: %s; every server runs "
                "jackd --no-realtime -S from now on, which is not how users run jackd"
                % SERVER_MODE["why"])
        SERVER_MODE["started"] += 1
        self.name = name
        self.env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")

    def stop(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.close()
            except OSError:
                pass
            try:
                # jack_stop: up to 3 s, and a reclaim of the registry slot
                self.p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.p.terminate()
                self.p.wait()
        if self in SERVERS:
            SERVERS.remove(self)


_rec_n = [0]


class Recorder:
    """tests/recorder on a server; ready once connected (it prints "ready")."""

    def __init__(self, srv, args):
        _rec_n[0] += 1
        self.out = os.path.join(TMP, "rec-%d.txt" % _rec_n[0])
        self.err = self.out + ".err"
        self.p = spawn([RECORDER, "-o", self.out] + args, stdin=subprocess.DEVNULL,
                       stderr=open(self.err, "w"), env=srv.env)
        wait_for(self.err, "ready\n", 15, self.p)

    def xruns(self):
        """The xruns the recorder counted (after wait)."""
        m = re.search(r"recorder: (\d+) xruns", readfile(self.err))
        return int(m.group(1)) if m else 0

    def wait(self, timeout):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.terminate()
            self.p.wait()
        events = []
        with open(self.out) as f:
            for line in f:
                frame, _, data = line.strip().partition(" ")
                events.append((int(frame), data))
        return events


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---------------------------------------------------------------- row 1

def oracle_frames(path):
    out = subprocess.run([sys.executable, os.path.join(TOP, "tests", "oracle.py"), "frames",
                          str(RATE), path], check=True, capture_output=True, text=True).stdout
    want = []
    for line in out.splitlines():
        frame, _, data = line.partition(" ")
        want.append((int(frame), data))
    return want


def frame_errors(got, want):
    """Per-event |error| in frames.  Each received event is matched to the
    earliest unmatched event of the schedule with the same bytes (so
    simultaneous events sent in another order still match); the recording
    is then aligned to the schedule by the median of (received - exact),
    the same for both players: error = |(got - exact) - median|.
    Returns (errors, missing, extra)."""
    queues = {}
    for frame, data in want:
        queues.setdefault(data, []).append(frame)
    heads = {k: 0 for k in queues}
    diffs = []
    extra = 0
    for frame, data in got:
        q = queues.get(data)
        if q is None or heads[data] >= len(q):
            extra += 1
            continue
        diffs.append(frame - q[heads[data]])
        heads[data] += 1
    if not diffs:
        return [], len(want), extra
    m = sorted(diffs)[len(diffs) // 2]
    return [abs(x - m) for x in diffs], len(want) - len(diffs), extra


def row_timing(results):
    seconds = 4 if QUICK else 10
    runs = 1 if QUICK else 2
    path = os.path.join(TMP, "timing.mid")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "timing", str(seconds), path],
                   check=True)
    want = oracle_frames(path)
    n = str(len(want))
    for period in (64, 256, 1024):
        srv = Server(period)
        res = {"mp": [], "alt": [], "mp_bad": 0, "alt_bad": 0}
        for r in range(runs):
            log("timing: period %d, run %d/%d: midiplay" % (period, r + 1, runs))
            rec = Recorder(srv, ["-N", n, "-t", "3"])
            mp = subprocess.run([MIDIPLAY, "-q", "-c", "recorder:in", path], env=srv.env,
                                timeout=seconds + 60)
            errs, missing, extra = frame_errors(rec.wait(30), want)
            res["mp"] += errs
            res["mp_bad"] += missing + extra + (mp.returncode != 0)
            log("timing: period %d, run %d/%d: mido + python-rtmidi" % (period, r + 1, runs))
            pl = spawn([PY, os.path.join(BENCH, "mido_play.py"), path, "midobench"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=srv.env, text=True)
            if readline_timeout(pl.stdout, 30).strip() != "open":
                raise BenchError("mido_play.py did not open its port")
            rec = Recorder(srv, ["-N", n, "-t", "3", "-c", "midobench:out"])
            pl.stdin.write("go\n")
            pl.stdin.flush()
            pl.wait(timeout=seconds + 60)
            errs, missing, extra = frame_errors(rec.wait(30), want)
            res["alt"] += errs
            res["alt_bad"] += missing + extra + (pl.returncode != 0)
        srv.stop()
        results[period] = res
    return len(want), runs, seconds


# ---------------------------------------------------------------- row 2

def jitter(got, times_path):
    """For each event, its received frame less the server's frame when the
    writer's call returned (the jack_frame_time() the writer read just
    after it), in ms; the deviation of each from their median, sorted.
    Also the same against the writer's wall clock taken as frames (frame /
    rate - write time), which counts a server that falls behind real time
    as jitter.  None when counts differ."""
    with open(times_path) as f:
        stamps = [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    if len(stamps) != len(got) or not got:
        return None
    d = []
    for (frame, _), (_, at) in zip(got, stamps):
        diff = (frame - at) & 0xFFFFFFFF           # jack_frame_time() wraps at 2^32
        d.append((diff - (1 << 32) if diff >= 1 << 31 else diff) / RATE)
    wall = [frame / RATE - t / 1e9 for (frame, _), (t, _) in zip(got, stamps)]
    m, mw = median(d), median(wall)
    return (sorted(abs(x - m) * 1e3 for x in d), sorted(abs(x - mw) * 1e3 for x in wall))


# The writer runs SCHED_FIFO where allowed, so that its stamp after each
# write is not delayed by a busy machine: the row is about what the player
# adds.  python-rtmidi's JACK thread inherits it; midiplay's reader asks
# for its own.
WRITER_PREFIX = (["chrt", "-f", "1"] if shutil.which("chrt") and
                 subprocess.run(["chrt", "-f", "1", "true"], stderr=subprocess.DEVNULL).returncode == 0
                 else [])


BUSY_LOOPS = 2


def busy_loops(n):
    """n processes spinning at nice 0 (where we may set it), as a busy
    desktop beside the player; stop them with stop_procs."""
    def nice0():
        try:
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        except OSError:
            pass
    return [spawn([sys.executable, "-c", "while True: pass"], preexec_fn=nice0)
            for _ in range(n)]


def stop_procs(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
        PROCS.remove(p)


def row_live(results, load=False):
    """The live row; with load, with BUSY_LOOPS busy loops running
    beside it from its first server to its last."""
    interval = 7.0                       # ms: not a multiple of any period
    count = 300 if QUICK else 700
    runs = 1 if QUICK else 2
    name = "live under load" if load else "live"
    loops = busy_loops(BUSY_LOOPS) if load else []
    try:
        _row_live(results, name, interval, count, runs)
    finally:
        stop_procs(loops)
    return count, runs, interval


def _row_live(results, name, interval, count, runs):
    for period in (256, 1024):
        res = {"mp": [], "alt": [], "mp_wall": [], "alt_wall": [], "bad": [], "mp_xruns": 0,
               "alt_xruns": 0}
        for r in range(runs):
            # A fresh server for each side: after a python-rtmidi client
            # exits, a synchronous jackd was seen running its cycles late
            # (31 ms apart instead of 5.3 at period 256, 3.8 s behind the
            # clock), so frames no longer follow real time for whatever
            # runs next on it.
            srv = Server(period)
            times = os.path.join(TMP, "times-%d-%d-mp.txt" % (period, r))
            log("%s: period %d, run %d/%d: writer | midiplay -" % (name, period, r + 1, runs))
            rec = Recorder(srv, ["-N", str(count), "-t", "5"])
            mperr = os.path.join(TMP, "mp-live-%d-%d.err" % (period, r))
            mp = spawn([MIDIPLAY, "-v", "-c", "recorder:in", "-"], stdin=subprocess.PIPE,
                       stdout=subprocess.DEVNULL, stderr=open(mperr, "w"), env=srv.env)
            wr = spawn(WRITER_PREFIX + [PY, os.path.join(BENCH, "writer.py"), "stream", str(interval), str(count), times],
                       stdin=subprocess.PIPE, stdout=mp.stdin, env=srv.env, text=True)
            mp.stdin.close()
            wait_for(mperr, "playing from frame", 15, mp)
            wr.stdin.write("go\n")
            wr.stdin.flush()
            wr.wait(timeout=count * interval / 1e3 + 60)
            mp.wait(timeout=30)
            j = jitter(rec.wait(30), times)
            if j is None:
                res["bad"].append("midiplay: counts differ")
            else:
                res["mp"] += j[0]
                res["mp_wall"] += j[1]
            res["mp_xruns"] += rec.xruns()
            srv.stop()
            srv = Server(period)
            log("%s: period %d, run %d/%d: writer -> python-rtmidi send_message"
                % (name, period, r + 1, runs))
            times = os.path.join(TMP, "times-%d-%d-rt.txt" % (period, r))
            wr = spawn(WRITER_PREFIX + [PY, os.path.join(BENCH, "writer.py"), "rtmidi", str(interval), str(count), times,
                        "rtwriter"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=srv.env, text=True)
            if readline_timeout(wr.stdout, 30).strip() != "open":
                raise BenchError("writer.py rtmidi did not open its port")
            rec = Recorder(srv, ["-N", str(count), "-t", "5", "-c", "rtwriter:out"])
            wr.stdin.write("go\n")
            wr.stdin.flush()
            wr.wait(timeout=count * interval / 1e3 + 60)
            j = jitter(rec.wait(30), times)
            if j is None:
                res["bad"].append("python-rtmidi: counts differ")
            else:
                res["alt"] += j[0]
                res["alt_wall"] += j[1]
            res["alt_xruns"] += rec.xruns()
            srv.stop()
        results[period] = res


_rss_n = [0]


def spawn_measured(argv, timeout, **kw):
    """Start argv through bench/runrss, which kills it after timeout s, so
    that the peak RSS measured is its own and not the driver's (a child's
    ru_maxrss starts from the RSS of the process it was forked from;
    runrss.c says more).  measured() gives the figures."""
    _rss_n[0] += 1
    report = os.path.join(TMP, "runrss-%d.txt" % _rss_n[0])
    p = spawn([RUNRSS, "-t", str(int(timeout)), report] + argv, **kw)
    p.report = report
    return p


def measured(p, timeout=None):
    """Wait for p from spawn_measured (SIGTERM after timeout s, which
    runrss passes on): (wall seconds, peak RSS in KiB, exit status or
    -signal, or None when runrss's time limit killed it)."""
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.terminate()
        p.wait()
    w = readfile(p.report).split()
    if len(w) < 6:
        raise BenchError("bench/runrss gave no report for %s" % " ".join(p.args[4:]))
    status = int(w[5]) if w[4] == "status" else -int(w[5])
    return int(w[1]) / 1e9, int(w[3]), None if "timeout" in w else status


def run_measured(argv, timeout, **kw):
    """Run argv to its end through bench/runrss: measured()'s figures, and
    its stdout when stdout=PIPE."""
    p = spawn_measured(argv, timeout, **kw)
    out, _ = p.communicate()
    return measured(p) + (out,)


# ---------------------------------------------------------------- row 3

def first_line_ms(argv, env=None, timeout=60):
    """Milliseconds from just before starting argv to its first line on stdout."""
    t0 = time.monotonic()
    p = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    readline_timeout(p.stdout, timeout)
    t1 = time.monotonic()
    p.kill()
    reap(p, 5)
    return (t1 - t0) * 1e3


def midiplay_playing(path, srv):
    """midiplay playing PATH on the server: ms from exec to its "playing
    from frame" message (-v; the first event goes out in that cycle), and
    its peak RSS in KiB after 1.5 s of playing (stopped with SIGTERM).
    Started directly (not through runrss, which would add its own start
    to the time): the JACK client's 105 MB of shared memory make its RSS
    larger than the driver's whatever the file."""
    err = os.path.join(TMP, "mp-load.err")
    t0 = time.monotonic()
    p = spawn([MIDIPLAY, "-v", path], stdout=subprocess.DEVNULL, stderr=open(err, "w"), env=srv.env)
    t1 = wait_for(err, "playing from frame", 30, p)
    time.sleep(1.5)
    p.terminate()
    rss = reap(p, 10)
    return (t1 - t0) * 1e3, rss


def midiplay_dump_rss(path):
    """(peak RSS in KiB, seconds) of a whole `midiplay --dump PATH`."""
    secs, rss, _, _ = run_measured([MIDIPLAY, "--dump", path], 600, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    return rss, secs


def libsmf_load(path):
    """(first event ms or None when stopped, peak RSS KiB, note)."""
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (LIBSMF_MEM, LIBSMF_MEM))
    t0 = time.monotonic()
    p = spawn_measured([SMFLOAD, path], LIBSMF_LIMIT + 60, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, preexec_fn=limits, text=True)
    try:
        line = readline_timeout(p.stdout, LIBSMF_LIMIT)
    except BenchError:
        rss = measured(p, 0)[1]
        return None, rss, "stopped"
    t1 = time.monotonic()
    _, rss, status = measured(p, 30)
    if not line.startswith("first_event_ms"):
        return None, rss, "failed (exit %s)" % status
    return (t1 - t0) * 1e3, rss, ""


def row_load(results):
    sizes = [20000, 200000, 2000000] if QUICK else [200000, 2000000, 20000000]
    runs = 3 if QUICK else 5
    srv = Server(256)
    prev_stopped = None
    log("load: midiplay playing samples/scale.mid (JACK client baseline)")
    base = [midiplay_playing(os.path.join(TOP, "samples", "scale.mid"), srv) for _ in range(runs)]
    results["baseline_first"] = median([x[0] for x in base])
    results["baseline_rss"] = max(x[1] for x in base)
    for n in sizes:
        path = os.path.join(TMP, "load-%d.mid" % n)
        subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "load", str(n), path],
                       check=True)
        size = os.path.getsize(path)
        log("load: %d events (%.1f MB): midiplay" % (n, size / 1e6))
        dump_first = median([first_line_ms([MIDIPLAY, "--dump", path]) for _ in range(runs)])
        play = [midiplay_playing(path, srv) for _ in range(runs)]
        play_first = median([x[0] for x in play])
        play_rss = max(x[1] for x in play)
        dump_rss, dump_secs = midiplay_dump_rss(path)
        if prev_stopped is not None:
            log("load: %d events: libsmf not run (%d events already took over %g s)"
                % (n, prev_stopped, LIBSMF_LIMIT))
            smf = (None, None, "not run")
        else:
            log("load: %d events: libsmf smf_load (limit %g s)" % (n, LIBSMF_LIMIT))
            smf = libsmf_load(path)
            if smf[2] == "stopped":
                prev_stopped = n
        results[n] = {"size": size, "dump_first": dump_first, "play_first": play_first,
                      "play_rss": play_rss, "dump_rss": dump_rss, "dump_secs": dump_secs,
                      "smf": smf}
        os.unlink(path)
    srv.stop()
    return sizes, runs


# ---------------------------------------------------------------- row 4

def row_parse(results):
    lines = 500000 if QUICK else 2000000
    alt_lines = min(lines, 200000)
    runs = 3
    path = os.path.join(TMP, "stream.txt")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "stream", str(lines), path],
                   check=True)
    mp = []
    for _ in range(runs):
        log("parse: midiplay --dump - (%d lines)" % lines)
        with open(path, "rb") as f:
            t0 = time.monotonic()
            subprocess.run([MIDIPLAY, "--dump", "-"], stdin=f, stdout=subprocess.DEVNULL, check=True)
            mp.append(lines / (time.monotonic() - t0))
    alt = []
    for _ in range(runs):
        log("parse: Python into mido messages (%d lines)" % alt_lines)
        out = subprocess.run([PY, os.path.join(BENCH, "mido_parse.py"), path, str(alt_lines)],
                             check=True, capture_output=True, text=True).stdout.split()
        alt.append(int(out[1]) / float(out[3]))
    results.update(mp=median(mp), alt=median(alt), lines=lines, alt_lines=alt_lines, runs=runs)
    os.unlink(path)


# ---------------------------------------------------------------- row 5

def per_event_ns(cbfile, min_events=100):
    """Median over cycles of at least min_events events of ns / events."""
    vals = []
    with open(cbfile) as f:
        for line in f:
            ns, ev = (int(x) for x in line.split())
            if ev >= min_events:
                vals.append(ns / ev)
    return median(vals), len(vals)


def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise BenchError("no total in " + path)


def run_rtmidi_dense(srv, seconds, period, env_extra, valgrind=None):
    env = dict(srv.env, **env_extra)
    argv = [PY, os.path.join(BENCH, "rtmidi_dense.py"), "rtdense", str(seconds), str(period)]
    if valgrind:
        argv = valgrind + argv
    p = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
              env=env, text=True)
    if readline_timeout(p.stdout, 120).strip() != "open":
        raise BenchError("rtmidi_dense.py did not open its port")
    rec = Recorder(srv, ["-t", "3", "-c", "rtdense:out"])
    p.stdin.write("go\n")
    p.stdin.flush()
    out = p.stdout.read()
    p.wait(timeout=300)
    got = rec.wait(60)
    return out, len(got)


def row_callback(results):
    seconds = 2 if QUICK else 3
    path = os.path.join(TMP, "dense.mid")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "dense", str(seconds), path],
                   check=True)
    # time per event, under cbtime.so, at period 256 (about 256 events a cycle)
    srv = Server(256)
    log("callback: midiplay under cbtime.so (period 256)")
    cb = os.path.join(TMP, "cb-mp.txt")
    rec = Recorder(srv, ["-t", "3"])
    subprocess.run([MIDIPLAY, "-q", "-c", "recorder:in", path], check=True, timeout=seconds + 60,
                   env=dict(srv.env, LD_PRELOAD=CBTIME_SO, CBTIME_OUT=cb))
    mp_events = len(rec.wait(30))
    mp_ns, mp_cycles = per_event_ns(cb)
    log("callback: python-rtmidi under cbtime.so (period 256)")
    cb = os.path.join(TMP, "cb-rt.txt")
    out, rt_events = run_rtmidi_dense(srv, seconds, 256, {"LD_PRELOAD": CBTIME_SO, "CBTIME_OUT": cb})
    rt_ns, rt_cycles = per_event_ns(cb)
    send_ns = float(out.split()[1])
    srv.stop()
    # instructions per event under callgrind, at period 1024 (valgrind is slow)
    srv = Server(1024)
    vg = ["valgrind", "--tool=callgrind", "--toggle-collect=wrapper"]
    log("callback: midiplay under callgrind (period 1024)")
    cgo = os.path.join(TMP, "cg-mp.out")
    rec = Recorder(srv, ["-t", "3"])
    subprocess.run(vg + ["--callgrind-out-file=" + cgo, MIDIPLAY, "-q", "-c", "recorder:in", path],
                   check=True, timeout=seconds * 20 + 120, stderr=subprocess.DEVNULL,
                   env=dict(srv.env, LD_PRELOAD=CBWRAP_SO))
    mp_cg_events = len(rec.wait(30))
    mp_ir = callgrind_total(cgo) / mp_cg_events
    log("callback: python-rtmidi under callgrind (period 1024)")
    cgo = os.path.join(TMP, "cg-rt.out")
    out, rt_cg_events = run_rtmidi_dense(srv, 1, 1024, {"LD_PRELOAD": CBWRAP_SO},
                                         valgrind=vg + ["--callgrind-out-file=" + cgo])
    rt_ir = callgrind_total(cgo) / rt_cg_events
    srv.stop()
    results.update(mp_ns=mp_ns, mp_cycles=mp_cycles, mp_events=mp_events, rt_ns=rt_ns,
                   rt_cycles=rt_cycles, rt_events=rt_events, send_ns=send_ns, mp_ir=mp_ir,
                   rt_ir=rt_ir, mp_cg_events=mp_cg_events, rt_cg_events=rt_cg_events)


def channel_counts(events):
    """{channel 1..16: events} of (frame, "HEX BYTES") events."""
    c = {}
    for _, data in events:
        ch = (int(data.split()[0], 16) & 0x0F) + 1
        c[ch] = c.get(ch, 0) + 1
    return c


def dump_channel_counts(path):
    """{channel: events} of the file as midiplay --dump reads it."""
    out = subprocess.run([MIDIPLAY, "--dump", path], check=True, capture_output=True,
                         text=True).stdout
    c = {}
    for line in out.splitlines():
        w = line.split()
        if len(w) > 2 and w[0].startswith("@") and w[1] == "ch":
            c[int(w[2])] = c.get(int(w[2]), 0) + 1
    return c


def row_callback16(results):
    """Row 5 with 16 ports: the same measure (cbtime.so, period 256) on a
    file of the same size and density whose events are shared evenly by the
    16 channels, played with --split channel (ports ch1..ch16, every one
    connected to the recorder) and, on the same server, with one port."""
    seconds = 2 if QUICK else 3
    runs = 2 if QUICK else 3
    path = os.path.join(TMP, "dense16.mid")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "dense16", str(seconds), path],
                   check=True)
    want = dump_channel_counts(path)
    srv = Server(256)
    res = {}
    for r in range(runs):
        for ports, extra in ((1, []), (16, ["--split", "channel"])):
            log("callback16: midiplay under cbtime.so, %d port(s) (period 256), run %d/%d"
                % (ports, r + 1, runs))
            cb = os.path.join(TMP, "cb16-%d-%d.txt" % (ports, r))
            err = cb + ".err"
            rec = Recorder(srv, ["-t", "3"])
            with open(err, "w") as ef:
                mp = subprocess.run([MIDIPLAY, "-v", "-c", "recorder:in"] + extra + [path], stderr=ef,
                                    timeout=seconds + 60, env=dict(srv.env, LD_PRELOAD=CBTIME_SO, CBTIME_OUT=cb))
            got = rec.wait(30)
            connected = len(re.findall(r"^midiplay: connected .* to recorder:in$", readfile(err), re.M))
            t = res.setdefault(ports, {"vals": [], "events": 0, "bad": []})
            if mp.returncode != 0:
                t["bad"].append("exit %d" % mp.returncode)
            if connected != ports:
                t["bad"].append("%d ports connected" % connected)
            if channel_counts(got) != want:
                t["bad"].append("%d of %d events received" % (len(got), sum(want.values())))
            t["events"] += len(got)
            with open(cb) as f:
                for line in f:
                    ns, ev = (int(x) for x in line.split())
                    if ev >= 100:
                        t["vals"].append(ns / ev)
    srv.stop()
    for ports, t in res.items():
        results[ports] = {"ns": median(t["vals"]), "cycles": len(t["vals"]), "events": t["events"],
                          "bad": t["bad"]}
    results.update(runs=runs, seconds=seconds, size=os.path.getsize(path), file_events=sum(want.values()))
    os.unlink(path)


# ---------------------------------------------------------------- row 6

def input_digest(path):
    """dump_digest of an input, which must be readable: otherwise every
    output would compare equal to its None."""
    d = dump_digest(path)
    if d is None:
        raise BenchError("midiplay --dump %s failed" % path)
    return d


def dump_digest(path):
    """(lines, sha256) of `midiplay --dump PATH`: the events, their exact
    times and bytes, as midiplay reads them."""
    p = spawn([MIDIPLAY, "--dump", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    h = hashlib.sha256()
    lines = 0
    for line in p.stdout:
        h.update(line)
        lines += 1
    p.wait()
    if p.returncode != 0:
        return None
    return lines, h.hexdigest()


def midiplay_export(path, out, runs):
    """midiplay --export of PATH, RUNS times: (median s, max peak RSS KiB,
    problems)."""
    secs, rss, bad = [], [], []
    for _ in range(runs):
        t, kib, status, _ = run_measured([MIDIPLAY, "-q", "--export", out, path], 120,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if status != 0:
            bad.append("exit %s" % status)
        secs.append(t)
        rss.append(kib)
    return median(secs), max(rss), bad


def row_export(results):
    n = 1000000
    runs = 3 if QUICK else 5
    alt_runs = 1 if QUICK else 3
    smf_n = 50000 if QUICK else 200000
    delete_limit = 20 if QUICK else 60
    smf_timeout = 120 if QUICK else 600
    path = os.path.join(TMP, "export-in.mid")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "load", str(n), path], check=True)
    want = input_digest(path)
    log("export: midiplay --export, %d events, %d runs" % (n, runs))
    out = os.path.join(TMP, "export-mp.mid")
    mp_s, mp_rss, mp_bad = midiplay_export(path, out, runs)
    if dump_digest(out) != want:
        mp_bad.append("--dump differs from the input's")
    alt = {"load": [], "save": [], "rss": [], "bad": [], "events": None}
    out = os.path.join(TMP, "export-mido.mid")
    for r in range(alt_runs):
        log("export: mido MidiFile.save, %d events, run %d/%d" % (n, r + 1, alt_runs))
        _, kib, status, line = run_measured([PY, os.path.join(BENCH, "mido_save.py"), path, out], 600,
                                            stdout=subprocess.PIPE, text=True)
        w = (line or "").split()
        if status != 0 or len(w) < 8:
            alt["bad"].append("exit %s" % status)
            continue
        alt["load"].append(float(w[1]))
        alt["save"].append(float(w[3]))
        alt["events"] = int(w[5])
        alt["rss"].append(kib)
    if not alt["bad"] and dump_digest(out) != want:
        alt["bad"].append("--dump differs from the input's")
    results.update(n=n, size=os.path.getsize(path), events=want[0] if want else 0, runs=runs,
                   alt_runs=alt_runs, mp_s=mp_s, mp_rss=mp_rss, mp_bad=mp_bad,
                   alt_load=median(alt["load"]), alt_save=median(alt["save"]),
                   alt_rss=max(alt["rss"]) if alt["rss"] else None, alt_bad=alt["bad"],
                   alt_events=alt["events"])
    os.unlink(path)
    # libsmf's writing path, on fewer events: its smf_save is quadratic
    path = os.path.join(TMP, "export-smf-in.mid")
    subprocess.run([sys.executable, os.path.join(BENCH, "mkbench.py"), "load", str(smf_n), path], check=True)
    want = input_digest(path)
    log("export: midiplay --export, %d events, %d runs" % (smf_n, runs))
    out = os.path.join(TMP, "export-mp-small.mid")
    small_s, small_rss, small_bad = midiplay_export(path, out, runs)
    if dump_digest(out) != want:
        small_bad.append("--dump differs from the input's")
    log("export: libsmf (bench/smfsave), %d events (limit %d s, smf_delete %d s)"
        % (smf_n, smf_timeout, delete_limit))
    out = os.path.join(TMP, "export-smf.mid")
    _, kib, status, line = run_measured([SMFSAVE, path, out], smf_timeout, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        env=dict(os.environ, DELETE_LIMIT=str(delete_limit)))
    smf = {"rss": kib, "bad": []}
    m = re.match(r"build_ms (\S+) save_ms (\S+) delete_ms (\S+) maxrss_kb \d+ events (\d+)", line or "")
    if status is None:
        smf["bad"].append("stopped after %d s" % smf_timeout)
    elif status != 0 or not m:
        smf["bad"].append("exit %s" % status)
    else:
        smf.update(build_ms=float(m.group(1)), save_ms=float(m.group(2)),
                   delete_ms=None if m.group(3) == "-" else float(m.group(3)), events=int(m.group(4)))
        if dump_digest(out) != want:
            smf["bad"].append("--dump differs from the input's")
    results.update(smf_n=smf_n, small_s=small_s, small_rss=small_rss, small_bad=small_bad, smf=smf,
                   delete_limit=delete_limit)
    os.unlink(path)


# ---------------------------------------------------------------- table

def fmt_ratio(mp, alt, higher_better=False):
    if mp is None or alt is None:
        return "—"
    if higher_better:
        mp, alt = alt, mp
    if mp == 0:
        return "∞" if alt > 0 else "—"
    return "%.1f×" % (alt / mp)


def mb(kib):
    return "%.1f MB" % (kib * 1024 / 1e6)


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    model = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
    deb = readfile("/etc/debian_version").strip()
    jackv = sh("dpkg-query -W -f '${Version}' jackd2 2>/dev/null")
    return ("%s CPUs (%s), %.1f GB RAM, Linux %s, Debian %s, jackd2 %s, python-rtmidi %s, mido %s"
            % (os.cpu_count(), model, os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1e9,
               platform.release(), deb, jackv,
               sh(PY + " -c 'import rtmidi.version as v; print(v.version)'"),
               sh(PY + " -c 'import mido; print(mido.__version__)'")))


def table(r):
    rows = []
    ok = {}

    def row(key, what, mp, alt, ratio, target, met):
        ok[key] = met
        rows.append("| %s | %s | %s | %s | %s | %s |" % (what, mp, alt, ratio, target,
                                                         "—" if met is None else ("yes" if met else "**no**")))

    if "timing_meta" in r:
        n_ev, runs, secs = r["timing_meta"]
        for period in (64, 256, 1024):
            t = r["timing"][period]
            mpmax = max(t["mp"]) if t["mp"] else None
            almax = max(t["alt"]) if t["alt"] else None
            mpmean = statistics.mean(t["mp"]) if t["mp"] else None
            almean = statistics.mean(t["alt"]) if t["alt"] else None
            mps = "max %s, mean %.2f" % (mpmax, mpmean) if mpmax is not None else "no events"
            als = "max %s, mean %.1f" % (almax, almean) if almax is not None else "no events"
            if t["mp_bad"]:
                mps += " (%d missing/extra/failed)" % t["mp_bad"]
            if t["alt_bad"]:
                als += " (%d missing/extra/failed)" % t["alt_bad"]
            row("timing%d" % period, "1. SMF timing error, frames, period %d" % period, mps, als,
                fmt_ratio(mpmean, almean) + " (mean)", "0 frames",
                mpmax == 0 and t["mp_bad"] == 0)
    for key, what in (("live", "2. live jitter added, ms"),
                      ("liveload", "2. live jitter added, under load (%d busy loops), ms" % BUSY_LOOPS)):
        if key + "_meta" not in r:
            continue
        for period in (256, 1024):
            t = r[key][period]
            for k in ("mp", "alt", "mp_wall", "alt_wall"):
                t[k] = sorted(t[k])   # the runs' lists, merged

            def p99(v):
                return v[min(len(v) - 1, int(len(v) * 0.99))] if v else None

            def js(v):
                if not v:
                    return "failed"
                def q(f):
                    return v[min(len(v) - 1, int(len(v) * f))]
                return "median %.3f, p95 %.3f, p99 %.3f, max %.3f" % (
                    q(0.5), q(0.95), q(0.99), v[-1])
            mp99, al99 = p99(t["mp"]), p99(t["alt"])
            row("%s%d" % (key, period), "%s, period %d" % (what, period),
                js(t["mp"]) + "; %d xruns" % t["mp_xruns"],
                js(t["alt"]) + "; %d xruns" % t["alt_xruns"], fmt_ratio(mp99, al99) + " (p99)", "< 0.5 ms (p99)",
                mp99 is not None and mp99 < 0.5 and not t["bad"])
            row("%swall%d" % (key, period), "   the same against the wall clock, period %d" % period,
                js(t["mp_wall"]), js(t["alt_wall"]), fmt_ratio(p99(t["mp_wall"]), p99(t["alt_wall"])) + " (p99)",
                "(not a target)", None)
    if "load_meta" in r:
        sizes, lr = r["load_meta"]
        for n in sizes:
            t = r["load"][n]
            ft, rss, note = t["smf"]
            mp_first = max(t["play_first"], t["dump_first"])
            if note == "stopped":
                alt = ">%g s (stopped)" % LIBSMF_LIMIT
            elif note:
                alt = note
            else:
                alt = "%.0f ms" % ft
            row("first%d" % n, "3. first event, %s events (%.0f MB file)" % (label(n), t["size"] / 1e6),
                "%.1f ms playing (1 KB file: %.1f), %.1f ms --dump"
                % (t["play_first"], r["load"]["baseline_first"], t["dump_first"]), alt,
                fmt_ratio(mp_first, ft if not note else None) if not note else
                ("> %.0f×" % (LIBSMF_LIMIT * 1e3 / mp_first) if note == "stopped" else "—"),
                "< 50 ms", mp_first < 50)
        for n in sizes:
            t = r["load"][n]
            ft, rss, note = t["smf"]
            # judged net of what any JACK client costs (the same playback
            # of a 1 KB file); the gross figures are in the cell
            peak_net = max(t["play_rss"] - r["load"]["baseline_rss"], t["dump_rss"])
            limit_kib = (32e6 + t["size"]) / 1024
            if note == "stopped":
                alt = "≥ %s when stopped" % mb(rss)
            elif note == "not run":
                alt = "not run"
                if "per_event_kib" in r:
                    alt += " (≈ %.0f MB at %.0f B/event)" % (r["per_event_kib"] * n * 1024 / 1e6,
                                                            r["per_event_kib"] * 1024)
            elif note:
                alt = note
            else:
                alt = mb(rss)
                r["per_event_kib"] = rss / n      # the largest completed load
            row("mem%d" % n, "3. peak memory, %s events" % label(n),
                "%s playing (%s for a 1 KB file), %s whole --dump"
                % (mb(t["play_rss"]), mb(r["load"]["baseline_rss"]), mb(t["dump_rss"])), alt,
                fmt_ratio(t["dump_rss"], rss if not note else None) + (" (--dump)" if not note else ""),
                "< 32 MB + file (%.0f MB), net of JACK" % ((32e6 + t["size"]) / 1e6)
                if n == sizes[-1] else "—",
                peak_net < limit_kib if n == sizes[-1] else None)
    if "parse" in r:
        p = r["parse"]
        row("parse", "4. stream parsing, lines/s", "%.2f M" % (p["mp"] / 1e6), "%.3f M" % (p["alt"] / 1e6),
            fmt_ratio(p["mp"], p["alt"], higher_better=True), "≥ 2 M/s", p["mp"] >= 2e6)
    if "callback" in r:
        c = r["callback"]
        row("cbns", "5. process callback, ns/event", "%.1f" % c["mp_ns"],
            "%.1f (+ %.0f in send_message)" % (c["rt_ns"], c["send_ns"]),
            fmt_ratio(c["mp_ns"], c["rt_ns"]), "< 100 ns", c["mp_ns"] < 100)
    if "callback16" in r:
        c = r["callback16"]
        one, six = c[1], c[16]

        def bad(t):
            return " (%s)" % "; ".join(t["bad"]) if t["bad"] else ""
        row("cb16", "5. process callback, 16 ports (--split channel), ns/event",
            "%.1f with 16 ports%s; %.1f with 1 port%s, same file and run (%.2f×)"
            % (six["ns"], bad(six), one["ns"], bad(one), six["ns"] / one["ns"]), "—", "—", "< 100 ns",
            six["ns"] < 100 and not six["bad"])
    if "callback" in r:
        c = r["callback"]
        row("cbir", "5. process callback, instructions/event", "%.0f" % c["mp_ir"], "%.0f" % c["rt_ir"],
            fmt_ratio(c["mp_ir"], c["rt_ir"]), "—", None)
    if "export" in r:
        e = r["export"]

        def secs(x):
            return "%.0f ms" % (x * 1e3) if x < 1 else "%.2f s" % x
        mps = "%s, %s" % (secs(e["mp_s"]), mb(e["mp_rss"]))
        if e["mp_bad"]:
            mps += " (%s)" % "; ".join(e["mp_bad"])
        if e["alt_rss"] is None:
            als = "failed (%s)" % "; ".join(e["alt_bad"])
            ratio = "—"
        else:
            als = "save %s, %s (load, not timed: %s)" % (secs(e["alt_save"]), mb(e["alt_rss"]),
                                                         secs(e["alt_load"]))
            if e["alt_bad"]:
                als += " (%s)" % "; ".join(e["alt_bad"])
            ratio = "%s (time), %s (memory)" % (fmt_ratio(e["mp_s"], e["alt_save"]),
                                                fmt_ratio(e["mp_rss"], e["alt_rss"]))
        row("export", "6. export, %s events (%.0f MB file): time, peak memory" % (label(e["n"]), e["size"] / 1e6),
            mps, als, ratio, "< 2 s, < 300 MB",
            e["mp_s"] < 2 and e["mp_rss"] * 1024 < 300e6 and not e["mp_bad"])
        m = e["smf"]
        mps = "%s, %s" % (secs(e["small_s"]), mb(e["small_rss"]))
        if e["small_bad"]:
            mps += " (%s)" % "; ".join(e["small_bad"])
        if "save_ms" in m:
            als = "libsmf: build %s, smf_save %s, smf_delete %s; %s" % (
                secs(m["build_ms"] / 1e3), secs(m["save_ms"] / 1e3),
                secs(m["delete_ms"] / 1e3) if m["delete_ms"] is not None
                else "> %d s (stopped)" % e["delete_limit"], mb(m["rss"]))
            ratio = fmt_ratio(e["small_s"], (m["build_ms"] + m["save_ms"]) / 1e3) + " (time to the file)"
        else:
            als = "libsmf: ≥ %s" % mb(m["rss"])
            ratio = "—"
        if m["bad"]:
            als += " (%s)" % "; ".join(m["bad"])
        row("exportsmf", "   the same, %s events, against libsmf 1.3 (quadratic: fewer events)"
            % label(e["smf_n"]), mps, als, ratio, "(not a target)", None)
    head = ["| row | midiplay | alternative | ratio (× better for midiplay) | target | met |",
            "| --- | --- | --- | --- | --- | --- |"]
    return "\n".join(head + rows), ok


def label(n):
    return "%gk" % (n / 1e3) if n < 1000000 else "%gM" % (n / 1e6)


def notes(r):
    out = ["", "How each row was measured (private %s -d dummy -r 48000, "
           "tests/recorder stamping every event with jack_last_frame_time + offset):"
           % ("jackd -R" if SERVER_MODE["mode"] == "rt" else "jackd -S --no-realtime"), ""]
    if "timing_meta" in r:
        n_ev, runs, secs = r["timing_meta"]
        out.append(
            "1. A %d s format-1 file (%d events, tempo changes at odd ticks in track 2), %d run(s) a "
            "period; alternative: mido's MidiFile.play() into a python-rtmidi JACK port (mido rtmidi "
            "backend, UNIX_JACK), as a script plays a file. Each received event is matched to the "
            "exact schedule of tests/oracle.py (same bytes, in order) and each recording is aligned to "
            "it by the median of (frame - exact frame): error = |frame - exact - median|; max and mean "
            "over every event of every run." % (secs, n_ev, runs))
    if "live_meta" in r:
        count, lruns, interval = r["live_meta"]
        out.append(
            "2. bench/writer.py (%s) writes a note-on or note-off every %g ms with time.sleep, %d events, "
            "%d run(s) a period, stamping CLOCK_MONOTONIC after each write; as lines into `midiplay -` "
            "(default latency, one period), or through python-rtmidi's send_message. For each event d = "
            "received frame - the server's frame when the write returned (jack_frame_time(), read by "
            "the writer right after each write through libjack with ctypes), in ms; the figure is "
            "|d - median(d)|, its median, p95, p99 and max over every event of every run. The target "
            "is judged on the 99th percentile, as single events delayed by a stall of this shared "
            "machine (seen up to tens of ms, for both) say more about the machine than about the "
            "player. The row under it takes received frame / 48000 - write time instead: a server "
            "that falls behind real time (a --no-realtime dummy-driver jackd under load does) shows there as "
            "jitter of whichever client ran on it." % ("SCHED_FIFO 1 through chrt; its JACK thread in the python-rtmidi runs inherits it" if WRITER_PREFIX else "an ordinary process", interval, count, lruns))
    if "liveload_meta" in r:
        out.append(
            "2. Under load: the same, with %d busy loops (Python `while True: pass`, nice 0) running "
            "beside it from the row's first server to its last, as on a busy desktop. They compete "
            "with every ordinary thread (python-rtmidi's Python code, and the writer and midiplay's "
            "reader where they cannot run SCHED_FIFO), and, on a --no-realtime server, with the "
            "server's and the clients' process threads too." % BUSY_LOOPS)
    if "load_meta" in r:
        sizes, lr = r["load_meta"]
        out.append(
            "3. Files of %s events (1 in 33 a tempo change, all in track 2; notes in track 1). midiplay: "
            "exec to its `-v` \"playing from frame\" message (the cycle of its first event; includes "
            "opening the JACK client) and exec to the first line of `--dump` output (stdio-buffered, "
            "so the first 4 KiB), medians of %d runs; alternative: bench/smfload, exec to the return of "
            "smf_load() plus the first smf_get_next_event(), one run, stopped after %g s or %d GB of "
            "address space. Peak memory is the child's ru_maxrss (wait4; through bench/runrss for "
            "--dump and libsmf, so that it is theirs and not the driver's): midiplay after 1.5 s of "
            "playing (max over the runs, mmapped file pages touched included) and over a whole `--dump` "
            "of the file; libsmf once loaded (or when stopped). The same two figures for samples/scale.mid "
            "(1 KB) show what opening a JACK client costs whatever the file; the memory target is "
            "judged net of that (playing RSS minus the 1 KB file's, or the --dump RSS if larger)."
            % (", ".join(label(n) for n in sizes), lr, LIBSMF_LIMIT, LIBSMF_MEM >> 30))
    if "parse" in r:
        p = r["parse"]
        out.append(
            "4. %d lines of the --dump format (`@S.NNNNNNNNN ch C on|off K V`) through `midiplay "
            "--dump - >/dev/null`, wall time including start-up; alternative: the first %d of them parsed "
            "in Python into mido.Message objects (bench/mido_parse.py). Medians of %d runs."
            % (p["lines"], p["alt_lines"], p["runs"]))
    if "callback" in r:
        c = r["callback"]
        out.append(
            "5. A dense file (48000 events/s, ~256 per 256-frame cycle). ns/event: bench/cbtime.so "
            "(LD_PRELOAD) times each process callback with CLOCK_MONOTONIC and counts the events it "
            "writes; median over cycles of at least 100 events (midiplay %d cycles, %d events; "
            "python-rtmidi %d cycles, %d events, sent with send_message in batches of one period, "
            "whose Python-side cost per call is given after the +). Instructions/event: callgrind, "
            "counting only inside the wrapped callback (bench/cbwrap.so, --toggle-collect=wrapper), "
            "JACK's own midi functions included, divided by the events the recorder received "
            "(midiplay %d, python-rtmidi %d), at period 1024. The hardware counters of perf stat are "
            "not available on this machine."
            % (c["mp_cycles"], c["mp_events"], c["rt_cycles"], c["rt_events"], c["mp_cg_events"],
            c["rt_cg_events"]))
    if "callback16" in r:
        c = r["callback16"]
        out.append(
            "5. With 16 ports: a file of the same size and density (%d events in %d s, %.0f KB), its 25 "
            "note pairs a tick spread over the 16 channels so that each gets the same share "
            "(mkbench.py dense16), played with `--split channel` (ports ch1..ch16, every one connected "
            "to the recorder's input by `-c recorder:in`) and, on the same server in the same run, "
            "with one port; %d runs of each, alternating, at period 256. ns/event as above, bench/cbtime.so "
            "counting the events written to every port: median over cycles of at least 100 events "
            "(16 ports %d cycles, 1 port %d). Every run's recording is checked: each channel's "
            "events all received (16 ports %d events in all, 1 port %d), and midiplay -v naming one "
            "connection a port. No alternative: the figure to compare is midiplay's own with one port."
            % (c["file_events"], c["seconds"], c["size"] / 1e3, c["runs"], c[16]["cycles"],
               c[1]["cycles"], c[16]["events"], c[1]["events"]))
    if "export" in r:
        e = r["export"]
        out.append(
            "6. mkbench.py load %d: format 1, ppq 480, notes in track 1, a tempo change every bar in "
            "track 2 (%d note events, %d tempo changes). midiplay: `midiplay -q --export OUT FILE`, "
            "exec to exit (reading, writing, fsync and rename), median of %d runs, peak RSS (max; wait4 through "
            "bench/runrss, so that it is the program's own and not the driver's). "
            "Alternative: bench/mido_save.py under %s, mido.MidiFile(FILE) (not timed; its time is "
            "given in the cell) then MidiFile.save(OUT) timed, %d run(s), peak RSS of the whole process "
            "(the loaded file has to be in memory to be saved). The row under it: libsmf's writing "
            "path, bench/smfsave (the events read by midiplay's reader, not timed; then smf_new, "
            "smf_track_add_event_pulses for each, smf_save, smf_delete stopped after %d s), on a "
            "file of %s events made the same way, against midiplay --export of that file; Debian's "
            "libsmf is built with its assertions, so smf_save also loads the saved file back and "
            "compares it. Every output file is checked: `midiplay --dump` of it is identical to "
            "that of the input (same lines, times and bytes)."
            % (e["n"], e["events"], e["n"] - e["events"], e["runs"], PY, e["alt_runs"],
               e["delete_limit"], label(e["smf_n"])))
    return "\n".join(out)


# The rows, in order, and what each needs beyond what make bench builds:
# Python modules for BENCH_PYTHON, and programs.
ROWS = {
    "timing": (["mido", "rtmidi"], ["jackd"]),
    "live": (["rtmidi"], ["jackd"]),
    "live-load": (["rtmidi"], ["jackd"]),
    "load": ([], ["jackd"]),
    "parse": (["mido"], []),
    "callback": (["rtmidi"], ["jackd", "valgrind"]),
    "callback16": ([], ["jackd"]),
    "export": (["mido"], []),
}
DEBIAN = {"mido": "python3-mido", "rtmidi": "python3-rtmidi", "jackd": "jackd2",
          "valgrind": "valgrind"}


def preflight(only):
    """Fail before anything starts, naming every package that the rows
    asked for need and is missing, and the command that installs them."""
    modules = sorted({m for row in only for m in ROWS[row][0]})
    programs = sorted({c for row in only for c in ROWS[row][1]})
    missing = []
    if modules and not (os.access(PY, os.X_OK) or shutil.which(PY)):
        raise BenchError("BENCH_PYTHON=%s: no such program (Debian's is /usr/bin/python3)" % PY)
    for m in modules:
        if subprocess.run([PY, "-c", "import " + m], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            missing.append((m, "%s (Python module %s, for %s)" % (DEBIAN[m], m, PY)))
    for c in programs:
        if not shutil.which(c):
            missing.append((c, "%s (for %s)" % (DEBIAN[c], c)))
    if not missing:
        return
    sudo = "" if os.geteuid() == 0 else "sudo "
    raise BenchError(
        "missing, so nothing was run:\n%s\ninstall with:\n    %sapt-get install %s%s"
        % ("\n".join("    " + why for _, why in missing), sudo,
           " ".join(DEBIAN[k] for k, _ in missing),
           "\n(or set BENCH_PYTHON to a Python 3 that has mido and rtmidi)"
           if any(k in ("mido", "rtmidi") for k, _ in missing) else ""))


def server_line():
    """How the servers ran, for the output."""
    if SERVER_MODE["mode"] == "rt":
        return ("Servers: private jackd -R (real-time, SCHED_FIFO, asynchronous: jackd's defaults, "
                "as users run it), -d dummy -r 48000.")
    return ("Servers: private jackd --no-realtime -S -d dummy -r 48000, because real-time "
            "scheduling is not allowed here: %s. Users run jackd real-time (its default) or "
            "PipeWire, where the timing rows may differ from these."
            % SERVER_MODE["why"])


def main():
    global TMP
    for f in (MIDIPLAY, RECORDER, SMFLOAD, SMFSAVE, RUNRSS, CBTIME_SO, CBWRAP_SO):
        if not os.access(f, os.R_OK):
            raise BenchError("%s is missing (run make bench)" % f)
    only = (os.environ.get("BENCH_ONLY") or ",".join(ROWS)).split(",")
    unknown = [x for x in only if x not in ROWS]
    if unknown:
        raise BenchError("BENCH_ONLY: no row %s (rows: %s)" % (", ".join(unknown), ", ".join(ROWS)))
    preflight(only)
    TMP = tempfile.mkdtemp(prefix="midiplay-bench.")
    started = time.monotonic()
    log("temporary files in %s; %s mode" % (TMP, "quick" if QUICK else "full"))
    r = {}
    if "timing" in only:
        r["timing"] = {}
        r["timing_meta"] = row_timing(r["timing"])
    if "live" in only:
        r["live"] = {}
        r["live_meta"] = row_live(r["live"])
    if "live-load" in only:
        r["liveload"] = {}
        r["liveload_meta"] = row_live(r["liveload"], load=True)
    if "load" in only:
        r["load"] = {}
        r["load_meta"] = row_load(r["load"])
    if "parse" in only:
        r["parse"] = {}
        row_parse(r["parse"])
    if "callback" in only:
        r["callback"] = {}
        row_callback(r["callback"])
    if "callback16" in only:
        r["callback16"] = {}
        row_callback16(r["callback16"])
    if "export" in only:
        r["export"] = {}
        row_export(r["export"])
    tab, ok = table(r)
    print("midiplay benchmarks (`make bench`%s), %s" % (" BENCH_QUICK=1" if QUICK else "",
                                                        time.strftime("%Y-%m-%d")))
    print()
    print("Machine: " + machine())
    print()
    if SERVER_MODE["started"]:
        print(server_line())
        print()
    print(tab)
    print(notes(r))
    print()
    missed = [k for k, v in ok.items() if v is False]
    print("Targets missed: %s. Took %.0f s." % (", ".join(missed) if missed else "none",
                                                 time.monotonic() - started))
    return 0


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            try:
                p.terminate()
            except OSError:
                pass
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        except ChildProcessError:
            pass
    for s in list(SERVERS):
        s.stop()
    if TMP and os.environ.get("BENCH_KEEP"):
        log("kept %s (BENCH_KEEP)" % TMP)
    elif TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def on_signal(sig, frame):
    raise SystemExit(128 + sig)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        status = main()
    except BenchError as e:
        log("error: %s" % e)
        status = 1
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        cleanup()
    sys.exit(status)
