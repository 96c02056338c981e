"""The arrangement, planned in bars before any note is written (pure, no I/O).

A track of ``duration_s`` is a whole number of bars: a sparse intro, the body (with a short
breakdown now and then in long tracks) and one ending bar where the tonic chord is struck
and rings until exactly ``duration_s``. The tempo is nudged (within ``TEMPO_NUDGE``) so the
bars fit; when no whole number fits (very short tracks) the ending bar absorbs the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from aiprod.providers.music.styles import BEATS_PER_BAR, MoodStyle
from aiprod.providers.music.theory import Chord, Key, chord_from_numeral

Section = Literal["intro", "body", "break", "ending"]

TEMPO_NUDGE = 0.08
PHRASE_BARS = 8
BREAK_EVERY = 32
BREAK_BARS = 4
INTRO_INTENSITY = 0.3
BREAK_INTENSITY = 0.45
MIN_ENDING_S = 1.0


@dataclass(frozen=True)
class BarPlan:
    """One bar: where it is, what it plays and how intense it is (0..1)."""

    index: int
    start_s: float
    length_s: float
    section: Section
    chord: Chord
    intensity: float
    phrase: int
    fill: bool = False
    crash: bool = False

    @property
    def end_s(self) -> float:
        """When the bar ends (for the ending bar: the end of the track)."""
        return self.start_s + self.length_s


@dataclass(frozen=True)
class Arrangement:
    """The whole plan: tempo, key, the chord cycle and every bar in order."""

    tempo_bpm: float
    bar_s: float
    duration_s: float
    key: Key
    progression: tuple[Chord, ...]
    bars: tuple[BarPlan, ...]

    @property
    def ending(self) -> BarPlan:
        """The last bar, where the final tonic chord is struck."""
        return self.bars[-1]


def fit_tempo(duration_s: float, base_bpm: float) -> tuple[float, int]:
    """``(tempo, bars)``: the tempo nearest ``base_bpm`` (±8 %) fitting whole bars.

    When no whole number of bars fits within the allowed nudge (very short tracks), the tempo
    is the closest allowed one and the ending bar, the ringing final chord, absorbs the rest:
    it is then between ``MIN_ENDING_S`` (or half a bar) and two bars long.
    """
    low, high = base_bpm * (1 - TEMPO_NUDGE), base_bpm * (1 + TEMPO_NUDGE)
    exact = duration_s * base_bpm / (60.0 * BEATS_PER_BAR)
    candidates = sorted({max(1, math.floor(exact)), max(1, math.ceil(exact))})

    def tempo_for(bars: int) -> float:
        return bars * 60.0 * BEATS_PER_BAR / duration_s

    def cost(bars: int) -> tuple[float, float]:
        tempo = tempo_for(bars)
        return (abs(min(max(tempo, low), high) - tempo), abs(tempo - base_bpm))

    tempo = min(max(tempo_for(min(candidates, key=cost)), low), high)
    bar_s = 60.0 * BEATS_PER_BAR / tempo
    bars = max(1, round(duration_s / bar_s))
    if bars > 1 and duration_s - (bars - 1) * bar_s < max(MIN_ENDING_S, bar_s / 2):
        bars -= 1
    return tempo, bars


def layout_sections(total_bars: int) -> list[Section]:
    """Section of every bar: intro (1, 2 or 4 bars), body with breaks, one ending bar."""
    if total_bars == 1:
        return ["ending"]
    if total_bars == 2:
        return ["body", "ending"]
    intro = 1 if total_bars <= 8 else 2 if total_bars <= 40 else 4
    body = total_bars - intro - 1
    sections: list[Section] = ["intro"] * intro
    for position in range(body):
        in_break = position % BREAK_EVERY >= BREAK_EVERY - BREAK_BARS
        near_end = position >= body - PHRASE_BARS
        sections.append("break" if in_break and not near_end else "body")
    return [*sections, "ending"]


def body_intensity(style: MoodStyle, position: int, body_bars: int) -> float:
    """Intensity of the ``position``-th body bar for the style's shape."""
    if style.shape == "flat":
        return 0.8
    if style.shape == "wave":
        return 0.95 if (position // PHRASE_BARS) % 2 else 0.8
    cycle = min(BREAK_EVERY, body_bars)
    progress = (position % cycle) / max(1, cycle - 1)
    return 0.55 + 0.45 * progress


def intensities(style: MoodStyle, sections: list[Section]) -> list[float]:
    """One intensity per bar; the ending keeps the intensity of the bar before it."""
    body_bars = sum(1 for s in sections if s in ("body", "break"))
    values: list[float] = []
    position = 0
    for section in sections:
        if section == "intro":
            values.append(INTRO_INTENSITY)
        elif section == "ending":
            values.append(values[-1] if values else 0.5)
        else:
            body = body_intensity(style, position, body_bars)
            values.append(BREAK_INTENSITY if section == "break" else body)
            position += 1
    return values


def chords_for(key: Key, cycle: tuple[Chord, ...], count: int) -> list[Chord]:
    """The cycle repeated over ``count`` bars, then a dominant bar and the tonic."""
    tonic = chord_from_numeral(key, "I" if key.mode == "major" else "i")
    if count == 1:
        return [tonic]
    chords = [cycle[i % len(cycle)] for i in range(count - 1)]
    chords[-1] = chord_from_numeral(key, "V")
    return [*chords, tonic]


def plan_arrangement(style: MoodStyle, duration_s: float, rng: np.random.Generator) -> Arrangement:
    """Plan every bar of a ``duration_s`` track in ``style``; ``rng`` picks the variations."""
    tempo, total = fit_tempo(duration_s, style.tempo_bpm)
    bar_s = 60.0 * BEATS_PER_BAR / tempo
    numerals = style.progressions[int(rng.integers(len(style.progressions)))]
    cycle = tuple(chord_from_numeral(style.key, n) for n in numerals)
    sections = layout_sections(total)
    chords = chords_for(style.key, cycle, total)
    levels = intensities(style, sections)
    bars: list[BarPlan] = []
    body_seen = 0
    for index, (section, chord, level) in enumerate(zip(sections, chords, levels, strict=True)):
        start = index * bar_s
        length = duration_s - start if section == "ending" else bar_s
        in_body = section in ("body", "break")
        next_section = sections[index + 1] if index + 1 < total else "ending"
        phrase_end = in_body and body_seen % PHRASE_BARS == PHRASE_BARS - 1
        fill = in_body and (next_section == "ending" or (phrase_end and bool(rng.random() < 0.5)))
        crash = (section == "body" and body_seen % PHRASE_BARS == 0) or section == "ending"
        bars.append(
            BarPlan(index, start, length, section, chord, level, index // PHRASE_BARS, fill, crash)
        )
        body_seen += in_body
    return Arrangement(tempo, bar_s, duration_s, style.key, cycle, tuple(bars))
