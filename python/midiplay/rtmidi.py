# SPDX-License-Identifier: GPL-2.0-or-later
"""python-rtmidi's MIDI output API, played through midiplay into JACK.

A script written for python-rtmidi runs unchanged with one import line
changed:

    import midiplay.rtmidi as rtmidi

    midiout = rtmidi.MidiOut()
    if midiout.get_ports():
        midiout.open_port(0)
    else:
        midiout.open_virtual_port("My virtual output")
    with midiout:
        midiout.send_message([0x90, 60, 112])
        time.sleep(0.5)
        midiout.send_message([0x80, 60, 0])
        time.sleep(0.1)
    del midiout

The ports are JACK MIDI inputs, as `midiplay -l` lists them.  open_port(i)
starts a midiplay connected to port i; open_virtual_port(name) starts one
whose output, NAME:out, is connected to nothing, for patching by hand.
send_message() plays the message when midiplay reads it plus one JACK
period: a constant latency, where python-rtmidi's JACK backend snaps every
message to the start of the next period.  Only output is offered (MidiOut);
the names, arguments and exceptions are python-rtmidi's (1.4).
"""

import threading

from . import Error, _open_unique
from ._child import run_list

__all__ = [
    "MidiOut", "get_compiled_api", "get_compiled_api_by_name",
    "get_api_name", "get_api_display_name", "get_rtmidi_version",
    "RtMidiError", "InvalidPortError", "InvalidUseError", "SystemError",
    "NoDevicesError", "UnsupportedOperationError", "MemoryAllocationError",
    "API_UNSPECIFIED", "API_MACOSX_CORE", "API_LINUX_ALSA", "API_UNIX_JACK",
    "API_WINDOWS_MM", "API_RTMIDI_DUMMY",
]

# python-rtmidi's constants, with its values.
API_UNSPECIFIED = 0
API_MACOSX_CORE = 1
API_LINUX_ALSA = 2
API_UNIX_JACK = 3
API_WINDOWS_MM = 4
API_RTMIDI_DUMMY = 5

ERRORTYPE_WARNING = 0
ERRORTYPE_DEBUG_WARNING = 1
ERRORTYPE_UNSPECIFIED = 2
ERRORTYPE_NO_DEVICES_FOUND = 3
ERRORTYPE_INVALID_DEVICE = 4
ERRORTYPE_MEMORY_ERROR = 5
ERRORTYPE_INVALID_PARAMETER = 6
ERRORTYPE_INVALID_USE = 7
ERRORTYPE_DRIVER_ERROR = 8
ERRORTYPE_SYSTEM_ERROR = 9
ERRORTYPE_THREAD_ERROR = 10

class RtMidiError(Error):
    """Base class of this module's errors (and a midiplay.Error)."""

    def __init__(self, msg, type=ERRORTYPE_UNSPECIFIED):
        """MSG, and TYPE: one of the ERRORTYPE_* constants."""
        Error.__init__(self, msg)
        self.type = type


class InvalidPortError(RtMidiError, ValueError):
    """An invalid port number was given."""

    def __init__(self, msg, type=ERRORTYPE_INVALID_PARAMETER):
        RtMidiError.__init__(self, msg, type)


class InvalidUseError(RtMidiError, RuntimeError):
    """A port was opened twice, or a message sent with no port open."""

    def __init__(self, msg, type=ERRORTYPE_INVALID_USE):
        RtMidiError.__init__(self, msg, type)


class SystemError(RtMidiError, OSError):   # noqa: A001 (python-rtmidi's name)
    """midiplay failed: no JACK server, or it stopped."""

    def __init__(self, msg, type=ERRORTYPE_SYSTEM_ERROR):
        RtMidiError.__init__(self, msg, type)


class NoDevicesError(SystemError):
    """No MIDI port there (python-rtmidi's name; not raised here)."""

    def __init__(self, msg, type=ERRORTYPE_NO_DEVICES_FOUND):
        SystemError.__init__(self, msg, type)


class UnsupportedOperationError(RtMidiError, RuntimeError):
    """Something midiplay does not do: another MIDI API than JACK's."""

    def __init__(self, msg, type=ERRORTYPE_INVALID_USE):
        RtMidiError.__init__(self, msg, type)


class MemoryAllocationError(RtMidiError, MemoryError):
    """python-rtmidi's name; not raised here."""

    def __init__(self, msg, type=ERRORTYPE_MEMORY_ERROR):
        RtMidiError.__init__(self, msg, type)


def _system_error(e):
    """E, a midiplay.Error, as this module's SystemError."""
    err = SystemError(str(e))
    err.returncode, err.rejected, err.messages = (
        e.returncode, e.rejected, e.messages)
    return err


def get_compiled_api():
    """The MIDI APIs available: JACK's, through midiplay."""
    return [API_UNIX_JACK]


def get_compiled_api_by_name(name):
    """API_UNIX_JACK for "jack", else API_UNSPECIFIED."""
    return API_UNIX_JACK if name == "jack" else API_UNSPECIFIED


def get_api_name(api):
    """"jack" for API_UNIX_JACK, else ""."""
    return "jack" if api == API_UNIX_JACK else ""


def get_api_display_name(api):
    """"Jack" for API_UNIX_JACK, else ""."""
    return "Jack" if api == API_UNIX_JACK else ""


def get_rtmidi_version():
    """The version of what plays the messages: midiplay's."""
    from . import __version__
    return "midiplay " + __version__


class MidiOut:
    """MIDI output through midiplay, as python-rtmidi's MidiOut.

    MidiOut(rtapi=API_UNSPECIFIED, name=None): RTAPI must be
    API_UNSPECIFIED or API_UNIX_JACK (others raise SystemError).  NAME is
    the JACK client name, "midiplay" by default; the port is NAME:out.
    When a client of that name exists, NAME-01, NAME-02... are tried, as
    JACK itself renames clients.
    """

    def __init__(self, rtapi=API_UNSPECIFIED, name=None):
        """See the class's documentation."""
        if rtapi not in (API_UNSPECIFIED, API_UNIX_JACK):
            raise SystemError("midiplay.rtmidi: MIDI API %r is not "
                              "available: midiplay plays into JACK only "
                              "(API_UNIX_JACK)" % (rtapi,))
        if name is not None and not isinstance(name, str):
            raise TypeError("name must be a string, not %r" % (name,))
        self._client_name = name or "midiplay"
        self._player = None
        self._virtual = False
        self._deleted = False
        self._lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close_port()

    def __del__(self):
        try:
            self.delete()
        except Exception:
            pass

    @property
    def is_deleted(self):
        """Whether delete() was called."""
        return self._deleted

    def get_current_api(self):
        """API_UNIX_JACK."""
        return API_UNIX_JACK

    def get_ports(self, encoding="auto"):
        """The JACK MIDI input ports, by name; a port's number is its index.
        With no JACK server, SystemError with midiplay's message."""
        try:
            names = [name for name, _aliases in run_list()]
        except Error as e:
            raise _system_error(e) from None
        if encoding is None:
            return [n.encode("utf-8") for n in names]
        return names

    def get_port_count(self):
        """How many JACK MIDI input ports there are."""
        return len(self.get_ports())

    def get_port_name(self, port, encoding="auto"):
        """The name of port number PORT; InvalidPortError if there is none."""
        names = self.get_ports(encoding)
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError("port must be a port number, not %r" % (port,))
        if not 0 <= port < len(names):
            raise InvalidPortError(self._no_port(port, len(names)))
        return names[port]

    @staticmethod
    def _no_port(port, count):
        if count == 0:
            return "MidiOut: invalid port number %d: no MIDI input ports" % port
        return "MidiOut: invalid port number %d: there are %d (0-%d)" % (
            port, count, count - 1)

    def _check_unopened(self):
        if self._deleted:
            raise InvalidUseError("MidiOut: the instance was deleted")
        if self._player is not None:
            raise InvalidUseError("%r already opened %s output port."
                                  % (self, "virtual" if self._virtual
                                     else "an"))

    def _start(self, connect, name):
        """Start midiplay as NAME (or a free variant), connected to
        CONNECT (an exact port name) or to nothing."""
        try:
            return _open_unique(connect, name or self._client_name)
        except Error as e:
            raise _system_error(e) from None

    def open_port(self, port=0, name=None):
        """Connect to port number PORT of get_ports().  NAME, if given, is
        the JACK client name (the output is NAME:out).  Returns self."""
        with self._lock:
            self._check_unopened()
            names = self.get_ports()
            if isinstance(port, bool) or not isinstance(port, int):
                raise TypeError("port must be a port number, not %r"
                                % (port,))
            if not 0 <= port < len(names):
                raise InvalidPortError(self._no_port(port, len(names)))
            self._player = self._start(names[port], name)
            self._virtual = False
        return self

    def open_virtual_port(self, name=None):
        """Open an output connected to nothing, NAME:out, for patching by
        hand (jack_connect, a patchbay).  Returns self."""
        with self._lock:
            self._check_unopened()
            self._player = self._start(None, name)
            self._virtual = True
        return self

    def is_port_open(self):
        """Whether a port (virtual or not) is open."""
        return self._player is not None

    def send_message(self, message):
        """Send MESSAGE, an iterable of ints (one to three bytes, or a
        system exclusive message starting with 0xF0), now."""
        data = list(message)
        if not data:
            raise ValueError("'message' must not be empty.")
        if len(data) > 3 and data[0] != 0xF0:
            raise ValueError("'message' longer than 3 bytes but does not "
                             "start with 0xF0.")
        for b in data:
            if isinstance(b, bool) or not isinstance(b, int):
                raise TypeError("message bytes must be ints, not %r" % (b,))
            if not 0 <= b <= 255:
                raise OverflowError("value too large to convert to "
                                    "unsigned char")
        player = self._player
        if player is None:
            raise InvalidUseError("MidiOut.send_message: no port is open "
                                  "(open_port or open_virtual_port first)")
        try:
            player.send(data)
        except Error as e:
            raise _system_error(e) from None

    def close_port(self):
        """Close the port opened with open_port(): wait until the messages
        sent have been played.  As in python-rtmidi, a virtual port stays
        open until delete().  Safe to call again."""
        with self._lock:
            if self._player is None or self._virtual:
                return
            player, self._player = self._player, None
        self._close(player)

    def delete(self):
        """Close any port, virtual ones too (waiting until the messages
        sent have been played); the instance is of no use afterwards."""
        with self._lock:
            player, self._player = self._player, None
            self._deleted = True
        if player is not None:
            self._close(player)

    @staticmethod
    def _close(player):
        try:
            player.close()
        except Error as e:
            raise _system_error(e) from None

    def set_client_name(self, name):
        """The JACK client name of the next port opened."""
        if not isinstance(name, str) or not name:
            raise TypeError("name must be a non-empty string")
        if self._player is not None:
            raise UnsupportedOperationError(
                "MidiOut.set_client_name: midiplay cannot rename an open "
                "port's client; close it first")
        self._client_name = name

    def set_error_callback(self, func, data=None):
        """Accepted for python-rtmidi scripts; errors are raised as
        exceptions here, never passed to a callback."""
        self._error_callback = (func, data)

    def cancel_error_callback(self):
        """Forget the error callback (see set_error_callback)."""
        self._error_callback = None

    def __repr__(self):
        return "<midiplay.rtmidi.MidiOut %s>" % (
            "deleted" if self._deleted else repr(self._player))
