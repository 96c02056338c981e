"""From the bar plan to notes: every part, the drums and the final chord (pure, no I/O).

The result is a ``Score`` of plain note events, easy to test; ``render.py`` turns it into
MIDI. Variation comes only from the ``numpy`` generator passed in, so a seed fixes the notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from aiprod.providers.music.plan import Arrangement, BarPlan
from aiprod.providers.music.styles import (
    CRASH,
    KICK,
    STEPS_PER_BAR,
    DrumLine,
    MoodStyle,
    PartStyle,
)
from aiprod.providers.music.theory import Chord, close_voicing, place, voicing

ACCENTS = {"X": 1.0, "x": 0.8, "o": 0.5}
ARP_ORDERS = (
    (0, 1, 2, 3, 4, 3, 2, 1),
    (0, 2, 1, 3, 2, 4, 3, 1),
    (4, 3, 2, 1, 0, 1, 2, 3),
    (0, 1, 2, 1, 3, 2, 4, 2),
)
HOLD_FRACTION = 0.3  # share of the ending bar held at full level before the decay
SWELL_FRACTION = 0.4  # single-bar tracks: share spent swelling in
CONTROL_STEP_S = 0.04


@dataclass(frozen=True)
class NoteEvent:
    """One note: MIDI pitch, start and end in seconds, velocity 1..127."""

    pitch: int
    start: float
    end: float
    velocity: int


@dataclass(frozen=True)
class Track:
    """One MIDI instrument: GM program (or drums), mix settings, notes, expression curve."""

    name: str
    program: int
    is_drum: bool
    volume: int
    pan: int
    notes: tuple[NoteEvent, ...]
    expression: tuple[tuple[float, int], ...]


@dataclass(frozen=True)
class Score:
    """Everything to render: the tempo, the exact duration and the tracks."""

    tempo_bpm: float
    duration_s: float
    tracks: tuple[Track, ...]

    def last_note_end(self) -> float:
        """End of the latest note of any track."""
        return max(note.end for track in self.tracks for note in track.notes)


def velocity(base: float, intensity: float, rng: np.random.Generator) -> int:
    """A humanised velocity: louder with intensity, a few steps of seeded jitter."""
    value = base * (0.72 + 0.28 * intensity) + rng.normal(0.0, 3.0)
    return int(min(127, max(1, round(value))))


def tone_sequence(style: MoodStyle, count: int, rng: np.random.Generator) -> list[int]:
    """Chord-tone indices for a top part over one phrase: an arpeggio order or a motif."""
    if not style.top_motif:
        order = ARP_ORDERS[int(rng.integers(len(ARP_ORDERS)))]
        return [order[i % len(order)] for i in range(count)]
    tones, current = [], int(rng.integers(0, 4))
    for _ in range(count):
        tones.append(current)
        current = int(np.clip(current + rng.choice((-2, -1, 0, 1, 1, 2)), 0, 6))
    return tones


def pitches_for(part: PartStyle, chord: Chord, tone: int) -> tuple[int, ...]:
    """The pitches one hit of ``part`` plays over ``chord``."""
    if part.role == "chords":
        return close_voicing(chord, part.low)
    if part.role == "bass":
        root = place(chord.root, part.low)
        ladder = [root + step for step in chord.intervals[:3]] + [root + 12]
        return (ladder[tone % len(ladder)],)
    ladder_top = voicing(chord, part.low, part.low + 24)
    return (ladder_top[tone % len(ladder_top)],)


def part_notes(
    part: PartStyle, style: MoodStyle, plan: Arrangement, rng: np.random.Generator
) -> Iterator[NoteEvent]:
    """Every note of one melodic part, the final chord included."""
    motifs: dict[int, list[int]] = {}
    for bar in plan.bars[:-1]:
        if bar.intensity < part.min_intensity:
            continue
        step_s = bar.length_s / STEPS_PER_BAR
        if part.role == "top" and bar.phrase not in motifs:
            motifs[bar.phrase] = tone_sequence(style, len(part.hits), rng)
        for number, (step, length, written) in enumerate(part.hits):
            tone = motifs[bar.phrase][number] if part.role == "top" else written
            start = bar.start_s + step * step_s
            vel = velocity(part.velocity, bar.intensity, rng)
            for pitch in pitches_for(part, bar.chord, tone):
                yield NoteEvent(pitch, start, start + length * step_s * 0.95, vel)
    yield from final_chord(part, plan, rng)


def final_chord(
    part: PartStyle, plan: Arrangement, rng: np.random.Generator
) -> Iterator[NoteEvent]:
    """The tonic struck on the ending bar's downbeat and held to the end of the track."""
    ending = plan.ending
    if ending.intensity < part.min_intensity:
        return
    vel = velocity(part.velocity * 0.95, ending.intensity, rng)
    pitches = pitches_for(part, ending.chord, 0)
    if part.role == "chords":
        pitches = (*pitches, pitches[0] + 12)
    for pitch in pitches:
        yield NoteEvent(pitch, ending.start_s, plan.duration_s, vel)


def drum_notes(
    style: MoodStyle, plan: Arrangement, rng: np.random.Generator
) -> Iterator[NoteEvent]:
    """The drum kit: one-bar patterns gated by intensity, fills, crashes, the last hit."""
    for bar in plan.bars[:-1]:
        step_s = bar.length_s / STEPS_PER_BAR
        fill_from = style.fill[0][0] if bar.fill and style.fill else STEPS_PER_BAR
        playing = [line for line in style.drums if bar.intensity >= line.min_intensity]
        if not playing:
            continue
        for line in playing:
            cut = STEPS_PER_BAR if line.pitch == KICK else fill_from  # the kick keeps going
            yield from _line_hits(line, bar, cut, rng)
        if fill_from < STEPS_PER_BAR:
            for step, pitch in style.fill:
                vel = velocity(60 + 40 * step / STEPS_PER_BAR, bar.intensity, rng)
                yield NoteEvent(
                    pitch, bar.start_s + step * step_s, bar.start_s + (step + 1) * step_s, vel
                )
        if style.crash and bar.crash and bar.index > 0:
            crash_vel = velocity(96, bar.intensity, rng)
            yield NoteEvent(CRASH, bar.start_s, bar.start_s + 8 * step_s, crash_vel)
    yield from _last_hit(style, plan, rng)


def _line_hits(
    line: DrumLine, bar: BarPlan, fill_from: int, rng: np.random.Generator
) -> Iterator[NoteEvent]:
    step_s = bar.length_s / STEPS_PER_BAR
    for step, mark in enumerate(line.pattern[:fill_from]):
        if mark in ACCENTS:
            start = bar.start_s + step * step_s
            vel = velocity(line.velocity * ACCENTS[mark], bar.intensity, rng)
            yield NoteEvent(line.pitch, start, start + step_s, vel)


def _last_hit(style: MoodStyle, plan: Arrangement, rng: np.random.Generator) -> Iterator[NoteEvent]:
    ending = plan.ending
    if not style.crash or not any(ending.intensity >= d.min_intensity for d in style.drums):
        return
    kick_end = ending.start_s + min(ending.length_s, plan.bar_s / 8)
    yield NoteEvent(KICK, ending.start_s, kick_end, velocity(104, ending.intensity, rng))
    yield NoteEvent(CRASH, ending.start_s, plan.duration_s, velocity(96, ending.intensity, rng))


def expression_level(u: float, single: bool) -> int:
    """CC11 value at fraction ``u`` of the ending bar: hold then decay to 0 at the end.

    A single-bar track (the whole track is the final chord) swells in first.
    """
    hold = SWELL_FRACTION if single else HOLD_FRACTION
    if single and u < hold:
        return round(30 + 97 * u / hold)
    if u <= hold:
        return 127
    return round(127 * (1.0 - (u - hold) / (1.0 - hold)))


def ending_expression(plan: Arrangement) -> tuple[tuple[float, int], ...]:
    """``(time, CC11 value)`` points: full level, then the final chord's decay to silence."""
    ending = plan.ending
    single = len(plan.bars) == 1
    count = max(2, int(ending.length_s / CONTROL_STEP_S))
    points: list[tuple[float, int]] = [] if single else [(0.0, 127)]
    for i in range(count + 1):
        value = expression_level(i / count, single)
        if not points or points[-1][1] != value:
            points.append((ending.start_s + ending.length_s * i / count, value))
    return tuple(points)


def build_score(style: MoodStyle, plan: Arrangement, rng: np.random.Generator) -> Score:
    """All the notes of ``plan`` played in ``style``, ``rng`` choosing the variations."""
    expression = ending_expression(plan)
    tracks = [
        Track(
            p.name,
            p.program,
            False,
            p.volume,
            p.pan,
            tuple(part_notes(p, style, plan, rng)),
            expression,
        )
        for p in style.parts
    ]
    drums = tuple(drum_notes(style, plan, rng))
    tracks.append(Track("drums", 0, True, 100, 64, drums, expression))
    return Score(plan.tempo_bpm, plan.duration_s, tuple(t for t in tracks if t.notes))
