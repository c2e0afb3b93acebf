# SPDX-License-Identifier: GPL-2.0-or-later
"""A mido backend that plays through midiplay into JACK.

    import mido
    mido.set_backend("midiplay.mido_backend")
    print(mido.get_output_names())          # JACK MIDI inputs
    with mido.open_output("fluidsynth") as port:
        port.send(mido.Message("note_on", note=60, velocity=100))

The output names are the JACK MIDI input ports (`midiplay -l`).  The name
given to open_output() is matched as midiplay -c matches it: an exact port
name, or every MIDI input whose name or alias contains it, ignoring case.
With no name, the first port; with virtual=True, an output NAME:out
connected to nothing, for patching by hand (client_name= names it too).
Each message plays when midiplay reads it plus one JACK period.  There are
no input ports: opening one raises midiplay.Error.
"""

import mido.ports

from . import Error, _open_unique
from ._child import run_list

__all__ = ["Output", "Input", "IOPort", "get_devices", "get_output_names",
           "get_input_names", "get_ioport_names"]

_NO_INPUT = ("midiplay.mido_backend: no input ports: midiplay only plays "
             "MIDI out (use mido.open_output, or another backend for input)")


def get_devices(**kwargs):
    """The JACK MIDI input ports, as mido's backends describe devices."""
    return [{"name": name, "is_input": False, "is_output": True}
            for name, _aliases in run_list()]


def get_output_names(**kwargs):
    """The names of the ports an Output can open: the JACK MIDI inputs."""
    return [d["name"] for d in get_devices()]


def get_input_names(**kwargs):
    """No input ports: an empty list."""
    return []


def get_ioport_names(**kwargs):
    """No input ports, so no I/O ports: an empty list."""
    return []


class Output(mido.ports.BaseOutput):
    """A mido output port whose messages go through a midiplay.Player."""

    def _open(self, virtual=False, client_name=None, api=None, **kwargs):
        if virtual:
            if not self.name:
                raise IOError("virtual port must have a name")
            self._player = _open_unique(None, client_name or self.name)
        else:
            if self.name is None:
                names = get_output_names()
                if not names:
                    raise IOError("no ports available")
                self.name = names[0]
            self._player = _open_unique(self.name,
                                        client_name or "midiplay")
        self._device_type = "midiplay"

    def _send(self, msg):
        self._player.send(msg)

    def _close(self):
        self._player.close()


def Input(name=None, **kwargs):
    """Not offered: raises midiplay.Error."""
    raise Error(_NO_INPUT)


def IOPort(name=None, **kwargs):
    """Not offered: raises midiplay.Error."""
    raise Error(_NO_INPUT)
