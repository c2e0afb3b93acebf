# SPDX-License-Identifier: GPL-2.0-or-later
"""The midiplay child process: finding the binary, starting it, writing
stream lines into it, reading what it says, and turning its failures into
midiplay.Error.

midiplay runs with -v so that it says "playing from frame N at R Hz" at
playback time zero; a thread reads its stderr, notes time zero and the
lines it rejected, and passes the rest on to Python's sys.stderr as
midiplay would have printed them: its -v lines only when verbose was asked
for, its warnings unless quiet was.
"""

import collections
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

try:
    from ._paths import BINDIR, VERSION
except ImportError:             # the source tree, not configured or VPATH
    BINDIR, VERSION = None, "(source tree)"


class Error(Exception):
    """midiplay failed, rejected a line, or cannot be run.

    str() of it is what midiplay said (its own messages, such as
    "midiplay: <stdin>:3:7: velocity 200 out of range 0-127" or "midiplay:
    no JACK server is running; ..."), with the text of each rejected line.
    Attributes: returncode (midiplay's exit status, negative for a signal,
    None while it runs), rejected (a list of (line, column, message, text)
    tuples, text None when no longer known) and messages (midiplay's last
    lines on stderr).
    """

    def __init__(self, message, returncode=None, rejected=(), messages=()):
        Exception.__init__(self, message)
        self.returncode = returncode
        self.rejected = list(rejected)
        self.messages = list(messages)


Error.__module__ = "midiplay"

_PLAYING = re.compile(r"midiplay: playing from frame ([0-9]+) at ([0-9]+) Hz$")
_REJECTED = re.compile(r"midiplay: <stdin>:([0-9]+):([0-9]+): (.*)$")
# What midiplay prints with -v only (log_info in its source): these reach
# the user only when verbose was asked for.
_VERBOSE = re.compile(r"midiplay: (JACK: |connected |waiting for a connection"
                      r"|reading the stream |playing from frame "
                      r"|following the JACK transport |[0-9]+ events sent)")

# Lines written, kept to quote a rejected one; and midiplay's messages,
# kept for an error.
_KEEP_LINES = 10000
_KEEP_MESSAGES = 50
_SHOW_REJECTED = 20

_list_count = itertools.count(1)


def binary():
    """The midiplay program the package runs: $MIDIPLAY, else the one
    installed with the package, else midiplay on PATH."""
    env = os.environ.get("MIDIPLAY")
    if env:
        return env
    if BINDIR:
        path = os.path.join(BINDIR, "midiplay")
        if os.access(path, os.X_OK):
            return path
    path = shutil.which("midiplay")
    if path:
        return path
    raise Error("midiplay: the program is not installed: not in %s, nor on "
                "PATH (set MIDIPLAY to its path)" % (BINDIR or "the package"))


def run_list():
    """The MIDI input ports as `midiplay -l` lists them: [(name, aliases)]."""
    # a client name of its own, which no Player of this process has
    name = "midiplay-list-%d-%d" % (os.getpid(), next(_list_count))
    try:
        done = subprocess.run([binary(), "-l", "-n", name],
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise Error("midiplay: cannot run %s: %s" % (binary(), e)) from None
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise Error(err or "midiplay -l exited with status %d"
                    % done.returncode, done.returncode, (), err.splitlines())
    return [_split_port(line) for line in out.splitlines() if line]


def _split_port(line):
    """"name (alias, alias)" into (name, [aliases]).  JACK names are
    client:port, so a trailing parenthesis holds aliases only when each
    part of it has a colon: "synth:in (left)" is a name of its own."""
    if line.endswith(")"):
        i = line.rfind(" (")
        while i > 0:
            parts = line[i + 2:-1].split(", ")
            if 1 <= len(parts) <= 2 and all(":" in p for p in parts):
                return line[:i], parts
            i = line.rfind(" (", 0, i)
    return line, []


def _describe_exit(code):
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "an unknown signal"
        return "midiplay was killed by signal %d (%s)" % (-code, name)
    return "midiplay exited with status %d" % code


class Child:
    """One `midiplay -v ARGS -` process and the thread reading its stderr."""

    def __init__(self, args, verbose=False, quiet=False, await_start=True):
        """Start midiplay with ARGS (before the final "-").  With
        AWAIT_START, return once it plays (time zero), or raise Error with
        what it said when it exits first."""
        self.verbose, self.quiet = verbose, quiet
        self.zero_frame = self.rate = None
        self.lineno = 0
        self.rejected = []
        self._lines = collections.OrderedDict()
        self._messages = collections.deque(maxlen=_KEEP_MESSAGES)
        self._held = [] if await_start else None
        self._started = threading.Event()
        self._lock = threading.Lock()
        self.failed = None
        cmd = [binary(), "-v"] + list(args) + ["-"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
        except OSError as e:
            raise Error("midiplay: cannot run %s: %s" % (cmd[0], e)) from None
        self.pid = self.proc.pid
        self._fd = self.proc.stdin.fileno()
        self._reader = threading.Thread(target=self._read_stderr,
                                        name="midiplay stderr", daemon=True)
        self._reader.start()
        if not await_start:
            return
        try:
            self._started.wait()
        except BaseException:
            self.kill()
            raise
        if self.zero_frame is None:
            # it exited before playing: its messages are the error
            code = self.proc.wait()
            self._join()
            msgs = list(self._messages)
            raise Error("\n".join(msgs) or _describe_exit(code), code, (),
                        msgs)

    def _read_stderr(self):
        """The thread: every line midiplay prints on stderr, until it
        closes.  Unbuffered reads of the descriptor, which this thread
        alone uses and closes: no lock of a buffered file is ever held by
        it (one held at interpreter exit is fatal)."""
        fd, pending = self.proc.stderr.fileno(), b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except InterruptedError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                if pending:
                    self._take(pending)
                break
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for raw in lines:
                self._take(raw)
        self.proc.stderr.close()
        self._started.set()

    def _take(self, raw):
        """One line of midiplay's stderr."""
        text = raw.decode("utf-8", "replace").rstrip("\r")
        m = _PLAYING.match(text)
        if m and self.zero_frame is None:
            self.rate = int(m.group(2))
            self.zero_frame = int(m.group(1))
            with self._lock:
                held, self._held = self._held, None
            for t in held or ():
                self._show(t)
            self._show(text)
            self._started.set()
            return
        m = _REJECTED.match(text)
        if m:
            n = int(m.group(1))
            with self._lock:
                line = self._lines.get(n)
            self.rejected.append((n, int(m.group(2)), m.group(3), line))
        if not _VERBOSE.match(text):
            self._messages.append(text)
        with self._lock:
            if self._held is not None:
                self._held.append(text)
                return
        self._show(text)

    def _show(self, text):
        """Pass one of midiplay's lines on, as midiplay would print it."""
        if _VERBOSE.match(text):
            if not self.verbose:
                return
        elif self.quiet and "warning: " in text:
            return
        err = sys.stderr
        if err is not None:
            try:
                err.write(text + "\n")
                err.flush()
            except (OSError, ValueError):
                pass

    def write(self, text):
        """Write TEXT, one line without its newline, into the stream; raise
        Error at once if midiplay is no longer running."""
        self.check()
        self.lineno += 1
        with self._lock:
            self._lines[self.lineno] = text
            if len(self._lines) > _KEEP_LINES:
                self._lines.popitem(last=False)
        data = (text + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except BrokenPipeError:
            self.proc.wait()
            self.check()
            raise

    def check(self):
        """Raise Error if midiplay has exited or was killed."""
        if self.failed is not None:
            raise self.failed
        code = self.proc.poll()
        if code is not None:
            self._join()
            self.failed = self._error(code, early=True)
            raise self.failed

    def close(self):
        """End the stream, wait until midiplay has played everything and
        exited, and raise Error if it failed or rejected a line."""
        if self.failed is not None:
            raise self.failed
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        code = self.proc.wait()
        self._join()
        if code != 0 or self.rejected:
            self.failed = self._error(code)
            raise self.failed

    def kill(self, sig=signal.SIGTERM):
        """Stop midiplay now (it releases the notes still sounding) and
        wait for it; no error is raised."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except OSError:
                pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()
        self._join()
        if self.failed is None:
            self.failed = Error("midiplay was stopped", self.proc.returncode,
                                self.rejected, self._messages)

    def _join(self):
        """Wait for the reader to take midiplay's last lines (it ends when
        midiplay has exited), unless Python is exiting: threads no longer
        run then."""
        if not sys.is_finalizing():
            self._reader.join(10)

    def _error(self, code, early=False):
        """The Error for midiplay's exit status CODE and what it said."""
        msgs = list(self._messages)
        parts = []
        if self.rejected:
            n = len(self.rejected)
            parts.append("midiplay rejected %d line%s:"
                         % (n, "" if n == 1 else "s"))
            for line, col, why, text in self.rejected[:_SHOW_REJECTED]:
                parts.append("midiplay: <stdin>:%d:%d: %s" % (line, col, why))
                if text is not None:
                    parts.append("    line %d: %s" % (line, text))
            if n > _SHOW_REJECTED:
                parts.append("(and %d more)" % (n - _SHOW_REJECTED))
        others = [m for m in msgs if not _REJECTED.match(m)]
        if code < 0 or (code > 0 and not self.rejected) or early:
            parts.extend(m for m in others if "warning: " not in m)
            if code < 0 or not parts:
                parts.append(_describe_exit(code))
            elif early:
                parts.append("(%s)" % _describe_exit(code))
        return Error("\n".join(parts), code, self.rejected, msgs)
