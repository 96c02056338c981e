"""Just enough music theory for the composer: keys, roman-numeral chords and voicings.

Everything here is pure: pitch classes are ``0..11`` (C = 0), pitches are MIDI note numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Mode = Literal["major", "minor"]

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
SCALES: dict[Mode, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
}
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii")
_NUMERAL = re.compile(r"^(?P<roman>[ivIV]+)(?P<seventh>7?)$")


@dataclass(frozen=True)
class Key:
    """A tonic pitch class and a mode, e.g. ``Key(0, "major")`` is C major."""

    tonic: int
    mode: Mode

    @property
    def name(self) -> str:
        """Human name such as ``"D minor"``."""
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def scale(self) -> tuple[int, ...]:
        """The seven pitch classes of the key, tonic first."""
        return tuple((self.tonic + step) % 12 for step in SCALES[self.mode])


@dataclass(frozen=True)
class Chord:
    """A chord as a root pitch class plus intervals (semitones above the root)."""

    root: int
    intervals: tuple[int, ...]
    name: str

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Pitch classes of the chord tones, root first."""
        return tuple((self.root + step) % 12 for step in self.intervals)


def chord_from_numeral(key: Key, numeral: str) -> Chord:
    """Build a chord from a roman numeral in ``key``.

    Upper case is a major triad, lower case minor; a trailing ``7`` adds the seventh that
    suits the chord (dominant 7 on an upper-case V, major 7 on other upper case, minor 7 on
    lower case). ``V`` in a minor key is therefore the harmonic-minor dominant.
    """
    match = _NUMERAL.match(numeral)
    if match is None or match["roman"].lower() not in _ROMAN:
        raise ValueError(f"not a roman numeral chord: {numeral!r}")
    roman = match["roman"]
    degree = _ROMAN.index(roman.lower())
    root = key.scale()[degree]
    major = roman.isupper()
    intervals: tuple[int, ...] = (0, 4, 7) if major else (0, 3, 7)
    suffix = "" if major else "m"
    if match["seventh"]:
        if major and degree == 4:
            intervals, suffix = (*intervals, 10), "7"
        elif major:
            intervals, suffix = (*intervals, 11), "maj7"
        else:
            intervals, suffix = (*intervals, 10), "m7"
    return Chord(root=root, intervals=intervals, name=NOTE_NAMES[root] + suffix)


def place(pitch_class: int, low: int) -> int:
    """The lowest MIDI pitch ``>= low`` with the given pitch class."""
    return low + (pitch_class - low) % 12


def voicing(chord: Chord, low: int, high: int) -> tuple[int, ...]:
    """Every chord tone in ``[low, high)``, ascending (the range sets the inversion)."""
    pitches = {pitch for pc in chord.pitch_classes for pitch in range(place(pc, low), high, 12)}
    return tuple(sorted(pitches))


def close_voicing(chord: Chord, low: int) -> tuple[int, ...]:
    """One note per chord tone, each the lowest above ``low`` (a close-position chord)."""
    return tuple(sorted(place(pc, low) for pc in chord.pitch_classes))
