# SPDX-License-Identifier: GPL-2.0-or-later
"""Python values into the tokens of midiplay's text stream.

Every value is checked here, where the caller can be told at once with a
ValueError or TypeError, so that midiplay never has to reject a line the
Player wrote itself.  Numbers are written in decimal; times and durations
with at most nine decimals and no exponent, as the stream takes them
(midiplay keeps times in whole nanoseconds).
"""

import decimal
import fractions
import math
import numbers
import re

# The stream's limits (midiplay.1, STREAM FORMAT).
MAX_SECONDS = 100000000         # longest time or duration
MAX_MESSAGE = 16384             # longest message, F0 and F7 included
MAX_BPM = 10000

_NOTE_NAME = re.compile(r"([A-Ha-h])([#bB]?)(-?[0-9]+)\Z")
_PITCH_CLASS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11,
                "h": 11}
_DURATION = re.compile(r"[0-9]+(\.[0-9]{1,9})?(s|ms|us|b)?\Z", re.IGNORECASE)


def _integer(value, what):
    """VALUE as an int, refusing bools, floats and strings."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s must be a whole number, not %r" % (what, value))
    return int(value)


def ranged(value, what, lo, hi):
    """VALUE, a whole number from LO to HI, as text."""
    v = _integer(value, what)
    if not lo <= v <= hi:
        raise ValueError("%s %d out of range %d-%d" % (what, v, lo, hi))
    return str(v)


def channel(value):
    """A channel from 1 to 16, as an int."""
    return int(ranged(value, "channel", 1, 16))


def note_number(pitch):
    """A note number (0-127) or name ("C3" = 60, "F#4", "Bb2"), as an int."""
    if isinstance(pitch, str):
        m = _NOTE_NAME.match(pitch.strip())
        if m is None:
            raise ValueError("bad note name %r: want a letter C D E F G A B "
                             "(or H), perhaps # or b, and an octave, as in "
                             "C3 (= 60) or F#-1" % pitch)
        letter, accidental, octave = m.groups()
        pc = _PITCH_CLASS[letter.lower()]
        pc += {"#": 1, "b": -1, "B": -1}.get(accidental, 0)
        n = 12 * (int(octave) + 2) + pc
        if not 0 <= n <= 127:
            raise ValueError("note %s is %d, out of range 0-127" % (pitch, n))
        return n
    return int(ranged(pitch, "note", 0, 127))


def seconds(value, what="time"):
    """VALUE, a number of seconds (int, float, Fraction or Decimal) from 0
    to 10^8, as the stream's decimal text, rounded to the nanosecond
    (halves up, as midiplay rounds)."""
    if isinstance(value, bool) or not isinstance(
            value, (numbers.Real, decimal.Decimal)):
        raise TypeError("%s must be a number of seconds, not %r"
                        % (what, value))
    if isinstance(value, numbers.Integral):
        exact = fractions.Fraction(int(value))
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError("%s must be finite, not %s" % (what, value))
        exact = fractions.Fraction(value)
    else:
        if not math.isfinite(value):
            raise ValueError("%s must be finite, not %r" % (what, value))
        # a float is an exact binary fraction: no rounding before ours
        exact = fractions.Fraction(value)
    if exact < 0:
        raise ValueError("%s %s is negative" % (what, value))
    if exact > MAX_SECONDS:
        raise ValueError("%s %s is more than %d" % (what, value, MAX_SECONDS))
    ns = math.floor(exact * 1000000000 + fractions.Fraction(1, 2))
    whole, frac = divmod(ns, 1000000000)
    if frac == 0:
        return str(whole)
    return ("%d.%09d" % (whole, frac)).rstrip("0")


def beats(value):
    """VALUE, a number of beats, as the stream's "Nb" text."""
    return seconds(value, "beats") + "b"


def duration(value, what="duration"):
    """A duration: seconds as a number, or a string with a unit, as the
    stream writes it ("250ms", "1.5b", "500us", "2s")."""
    if isinstance(value, str):
        text = value.strip()
        if _DURATION.match(text) is None:
            raise ValueError("bad %s %r: want a number of seconds, or a "
                             "string such as '250ms', '500us', '2s' or "
                             "'1.5b' (beats)" % (what, value))
        return text
    return seconds(value, what)


def duration_seconds(text, bpm):
    """TEXT, a duration as duration() writes it, in seconds (beats at BPM
    beats per minute), as a float."""
    t = text.lower()
    for unit, scale in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0),
                        ("b", 60.0 / bpm)):
        if t.endswith(unit):
            return float(t[:-len(unit)]) * scale
    return float(t)


def tempo(bpm):
    """A tempo in beats per minute, more than 0 and at most 10000."""
    text = seconds(bpm, "tempo")
    if text == "0" or fractions.Fraction(text) > MAX_BPM:
        raise ValueError("tempo %s out of range: more than 0, at most %d"
                         % (bpm, MAX_BPM))
    return text


def message_bytes(message, what="message"):
    """MESSAGE (bytes, a list of ints, or an object with a .bytes() method,
    such as a mido Message) as a list of ints from 0 to 255, 1 to 16384 of
    them, starting with a status byte."""
    if hasattr(message, "bytes") and callable(message.bytes):
        message = message.bytes()
    if isinstance(message, str):
        raise TypeError("%s must be bytes or a list of numbers, not a "
                        "string" % what)
    try:
        data = list(message)
    except TypeError:
        raise TypeError("%s must be bytes, a list of numbers or an object "
                        "with a .bytes() method, not %r"
                        % (what, message)) from None
    if not data:
        raise ValueError("%s is empty" % what)
    if len(data) > MAX_MESSAGE:
        raise ValueError("%s of %d bytes: at most %d" % (what, len(data),
                                                          MAX_MESSAGE))
    for i, b in enumerate(data):
        data[i] = int(ranged(b, "byte", 0, 255))
    if data[0] < 0x80:
        raise ValueError("%s starts with 0x%02X, not a status byte "
                         "(0x80-0xFF)" % (what, data[0]))
    return data


def sysex_data(data):
    """The data bytes of a system exclusive message, F0 and F7 taken off
    if they are there, each 0 to 127."""
    if isinstance(data, str):
        raise TypeError("sysex data must be bytes or a list of numbers, "
                        "not a string")
    body = list(data)
    if body and not isinstance(body[0], bool) and body[0] == 0xF0:
        body = body[1:]
        if body and body[-1] == 0xF7:
            body = body[:-1]
    if not body:
        raise ValueError("sysex needs at least one data byte")
    if len(body) + 2 > MAX_MESSAGE:
        raise ValueError("sysex of %d bytes: at most %d with F0 and F7"
                         % (len(body) + 2, MAX_MESSAGE))
    return [int(ranged(b, "sysex byte", 0, 127)) for b in body]
