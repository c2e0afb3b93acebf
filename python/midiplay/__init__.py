# SPDX-License-Identifier: GPL-2.0-or-later
"""midiplay: play MIDI from Python into JACK, every event at its exact frame.

    import midiplay

    with midiplay.Player(connect="fluidsynth") as p:
        p.program(8)
        for i, pitch in enumerate(["C3", "E3", "G3", "C4"]):
            p.note(pitch, 100, 0.4, at=0.5 * i)
        p.tempo(90)
        p.wait(beats=4)
        p.note(60, 80, "1b")

A Player runs `midiplay -` (the program this package comes with) as a child
process and writes its text stream into it: no second implementation, the
same timing.  Times given with at= are seconds from playback time zero and
play exact to the frame; wait() moves a cursor, so a piece computed ahead
plays exactly as written; a call with neither plays when midiplay reads it,
plus the latency (one JACK period by default), as a live line does (plus
the Player's lead: see Player).

midiplay.rtmidi is python-rtmidi's MidiOut over the same program: a script
written for python-rtmidi runs with `import midiplay.rtmidi as rtmidi`.
midiplay.mido_backend is a mido backend: mido.set_backend(
'midiplay.mido_backend').  Standard library only; Python 3.9 or later.
"""

import signal
import threading
import time

from . import _lines
from ._child import VERSION, Child, Error, binary, run_list

__all__ = ["Player", "Error", "ports", "binary", "note_number", "__version__"]

# midiplay's version, as installed with it
__version__ = VERSION

note_number = _lines.note_number


def ports():
    """The names of the JACK MIDI input ports a Player can connect to, as
    `midiplay -l` lists them (without their aliases).  Raises Error with
    midiplay's message when there is no JACK server."""
    return [name for name, _aliases in run_list()]


def _option_args(options):
    """Keyword options as midiplay's long options: release=True is
    --release, latency="5ms" is --latency=5ms, a list repeats it."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is True:
                args.append(flag)
            elif v is not None and v is not False:
                args.append("%s=%s" % (flag, v))
    return args


# Client names tried after a taken one, as JACK itself renames: NAME-01...
_MAX_RENAMES = 99


def _open_unique(connect, name):
    """A Player for messages sent now (no lead), named NAME, or NAME-01,
    NAME-02... when a JACK client of that name exists already (for the
    rtmidi and mido ports, which JACK would rename)."""
    for i in range(_MAX_RENAMES + 1):
        client = name if i == 0 else "%s-%02d" % (name, i)
        try:
            return Player(connect=connect, name=client, lead=0)
        except Error as e:
            if "already exists" not in str(e) or i == _MAX_RENAMES:
                raise
    raise AssertionError("not reached")


class Player:
    """A running midiplay: MIDI events in, a JACK MIDI output port out.

    Player(connect=None, name="midiplay", latency=None, export=None,
           lead=0.002, **options)

    connect: a port, or a list of them, to connect the output NAME:out to
    (midiplay -c: an exact JACK port name, or every MIDI input whose name
    or alias contains it, ignoring case).  name: the JACK client name.
    latency: seconds (or "5ms") from a line's arrival to its playing;
    default one JACK period.  export: a file to write a Standard MIDI File
    to instead of playing (midiplay --export; no JACK server needed, and
    the constructor does not wait for a time zero).
    Other options are midiplay's long options: release=True, strict=True,
    wait=True (start once something is connected).  verbose=True passes on
    what midiplay -v prints; quiet=True keeps its warnings back.

    The constructor returns once playback time zero has come (with
    wait=True, once something is connected), or raises Error with
    midiplay's message (no JACK server, no such port).  Afterwards
    zero_frame is the JACK frame of time zero and rate the sample rate.

    Time: at= is seconds from time zero, exact to the frame.  Without it
    an event plays at the stream's cursor, which wait() moves on, or when
    its line arrives, whichever is later.  Every call writes its line at
    once.  A call that finds the cursor behind (a live call, or the start
    of a piece) plays on arrival plus the latency plus LEAD seconds, and
    puts the cursor there, so that the calls that follow within LEAD play
    from it, exact to the frame, however far apart midiplay happens to
    read them.  So a piece computed ahead with wait() plays exactly as
    written, and calls with no wait between them play together.  lead=0
    is the stream's own rule, each line from its own arrival: for a live
    stream of events closer together than LEAD.

    A call after midiplay died raises Error at once.  close() (also at the
    end of a with block) waits until everything was played; leaving a with
    block by an exception stops playing at once instead (stop()).
    """

    def __init__(self, connect=None, name="midiplay", latency=None,
                 export=None, lead=0.002, **options):
        """Start midiplay; see the class's documentation."""
        if isinstance(connect, str):
            connect = [connect]
        verbose = bool(options.pop("verbose", False))
        quiet = bool(options.pop("quiet", False))
        args = []
        for port in connect or ():
            if not isinstance(port, str) or not port:
                raise TypeError("connect: a port name or a list of them, "
                                "not %r" % (port,))
            args += ["-c", port]
        if not isinstance(name, str) or not name:
            raise TypeError("name must be a non-empty string, not %r"
                            % (name,))
        if name != "midiplay":
            args += ["-n", name]
        if latency is not None:
            args.append("--latency=" + _lines.duration(latency, "latency"))
        if export is not None:
            args.append("--export=%s" % (export,))
        args += _option_args(options)
        self.name = name
        self._lock = threading.RLock()
        self._channel = 1       # the stream's sticky channel
        self._decimal = True    # whether bare numbers read as decimal
        self._closed = False
        if export is not None:
            lead = 0        # no arrivals: the lines are read, not timed
        self._lead_token = "+" + _lines.seconds(lead, "lead")
        self._lead = float(lead)
        self._cursor = float("-inf")    # where the stream's cursor is, in
        self._bpm = 120.0               # time.monotonic(), and its tempo
        self._child = Child(args, verbose=verbose, quiet=quiet,
                            await_start=export is None)

    @property
    def pid(self):
        """The process id of the midiplay child."""
        return self._child.pid

    @property
    def zero_frame(self):
        """The JACK frame of playback time zero (None when exporting)."""
        return self._child.zero_frame

    @property
    def rate(self):
        """The JACK sample rate in Hz (None when exporting)."""
        return self._child.rate

    @property
    def closed(self):
        """Whether close() or stop() was called."""
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.stop()
        return False

    def __repr__(self):
        state = "closed" if self._closed else "pid %d" % self.pid
        return "<midiplay.Player %r, %s>" % (self.name, state)

    # ------------------------------------------------------------ writing

    def _put(self, command, channel=None, at=None, advance=0.0,
             timeless=False):
        """Write COMMAND as one line, on CHANNEL (1-16) if given, at AT
        seconds from time zero if given, else with the lead when the
        cursor is behind; ADVANCE: the seconds it moves the cursor.  A
        TIMELESS command (tempo) sends nothing and takes no time."""
        with self._lock:
            if self._closed:
                raise Error("midiplay: the Player is closed")
            words = []
            if at is not None:
                words.append("@" + _lines.seconds(at, "at"))
            elif not timeless:
                now = time.monotonic()
                if self._lead and now >= self._cursor:
                    # the stream's cursor is behind: start a new run of
                    # lines LEAD after this one arrives
                    words.append(self._lead_token)
                    self._cursor = now + self._lead
                self._cursor = max(self._cursor, now) + advance
            if not self._decimal:
                words.append("dec")
            if channel is not None and channel != self._channel:
                words.append("ch %d" % channel)
            words.append(command)
            self._child.write(" ".join(words))
            self._decimal = True
            if channel is not None:
                self._channel = channel

    def note(self, pitch, velocity=100, duration=0.5, channel=1, at=None):
        """A note: note-on now (or at AT), and its note-off DURATION later
        (seconds, or a string such as "250ms" or "1b" for one beat).
        PITCH is a number or a name ("C3" = 60); VELOCITY 1 to 127."""
        n = _lines.note_number(pitch)
        v = _lines.ranged(velocity, "velocity", 1, 127)
        d = _lines.duration(duration)
        self._put("note %d %s %s" % (n, v, d), _lines.channel(channel), at)

    def on(self, pitch, velocity=100, channel=1, at=None):
        """A note-on: PITCH a number or a name ("C3" = 60), VELOCITY 0-127."""
        n = _lines.note_number(pitch)
        v = _lines.ranged(velocity, "velocity", 0, 127)
        self._put("on %d %s" % (n, v), _lines.channel(channel), at)

    def off(self, pitch, velocity=0, channel=1, at=None):
        """A note-off: PITCH a number or a name ("C3" = 60), VELOCITY 0-127."""
        n = _lines.note_number(pitch)
        v = _lines.ranged(velocity, "velocity", 0, 127)
        self._put("off %d %s" % (n, v), _lines.channel(channel), at)

    def cc(self, number, value, channel=1, at=None):
        """A control change: controller NUMBER 0-127 to VALUE 0-127."""
        n = _lines.ranged(number, "controller", 0, 127)
        v = _lines.ranged(value, "value", 0, 127)
        self._put("cc %s %s" % (n, v), _lines.channel(channel), at)

    def program(self, number, channel=1, at=None):
        """A program change to NUMBER, 0 to 127 (General MIDI's piano is 0)."""
        n = _lines.ranged(number, "program", 0, 127)
        self._put("pc %s" % n, _lines.channel(channel), at)

    def bend(self, value, channel=1, at=None):
        """A pitch bend of VALUE from -8192 to 8191, 0 being the centre
        (as mido counts)."""
        v = int(_lines.ranged(value, "pitch bend", -8192, 8191))
        self._put("pb %d" % (v + 8192), _lines.channel(channel), at)

    def pressure(self, value, pitch=None, channel=1, at=None):
        """Aftertouch of VALUE 0-127: the channel's, or PITCH's alone
        (polyphonic) when a pitch is given."""
        v = _lines.ranged(value, "pressure", 0, 127)
        if pitch is None:
            self._put("cp %s" % v, _lines.channel(channel), at)
        else:
            n = _lines.note_number(pitch)
            self._put("pp %d %s" % (n, v), _lines.channel(channel), at)

    def sysex(self, data, at=None):
        """A system exclusive message: DATA, bytes 0-127, with or without
        the F0 and F7 around them."""
        body = _lines.sysex_data(data)
        self._put("syx " + " ".join(map(str, body)), None, at)

    def send(self, message, at=None):
        """Send MESSAGE as it is: bytes, a list of numbers, or an object
        with a .bytes() method, such as a mido Message."""
        data = _lines.message_bytes(message)
        self._put("raw " + " ".join(map(str, data)), None, at)

    def panic(self, at=None):
        """Note-offs for every note sounding, then sustain off, all sound
        off, reset controllers and all notes off on all 16 channels."""
        self._put("panic", None, at)

    def tempo(self, bpm):
        """Count beats (wait(beats=), durations in "b") at BPM beats per
        minute from here on in the stream (default 120)."""
        text = _lines.tempo(bpm)
        self._put("tempo " + text, timeless=True)
        self._bpm = float(text)

    def wait(self, seconds=None, beats=None):
        """Move the cursor SECONDS (or BEATS at the tempo) past the later of
        itself and now: later calls without at= play there.  A piece
        written ahead with waits plays exactly as written; in a live script
        the waits count from when the lines arrive."""
        if (seconds is None) == (beats is None):
            raise TypeError("wait() takes seconds or beats=, one of them")
        if beats is not None:
            text = _lines.beats(beats)
        else:
            text = _lines.duration(seconds, "wait")
        self._put("+" + text, advance=_lines.duration_seconds(text,
                                                               self._bpm))

    def line(self, text):
        """Write TEXT as it is, in midiplay's stream format (see
        midiplay(1)), one line per line of it.  midiplay checks it: a line
        it rejects makes close() raise Error naming the line and column."""
        if not isinstance(text, str):
            raise TypeError("line() takes a string, not %r" % (text,))
        with self._lock:
            if self._closed:
                raise Error("midiplay: the Player is closed")
            for one in text.split("\n"):
                self._child.write(one)
            # its ch, hex or dec may have changed the sticky state
            self._channel = None
            self._decimal = False

    # ------------------------------------------------------------ the end

    def close(self):
        """End the stream, wait until midiplay has played every event and
        exited, and raise Error if it rejected a line or failed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._child.close()

    def stop(self):
        """Stop playing now: midiplay sends note-offs for the notes that
        sound and exits.  Raises nothing."""
        with self._lock:
            self._closed = True
            self._child.kill(signal.SIGTERM)

    def __del__(self):
        # Not closed: midiplay still plays what it was given, then exits
        # (its stdin closes with this object); nothing waits for it.
        child = getattr(self, "_child", None)
        if child is not None and not self._closed:
            try:
                child.proc.stdin.close()
            except (OSError, ValueError):
                pass
