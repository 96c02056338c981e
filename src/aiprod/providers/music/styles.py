"""What each mood sounds like: tempo, key, progressions, instruments and drum patterns.

Bars are 4/4 and patterns are written on a 16-step (sixteenth-note) grid. Drum patterns are
strings of 16 characters: ``X`` accent, ``x`` normal hit, ``o`` ghost hit, ``.`` rest.
Every part and drum line has a ``min_intensity``: it plays only in bars at least that intense,
so the sparse intro, the build-ups and the breakdowns all come from one number per bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from aiprod.providers.music.theory import Key

Mood = Literal["upbeat", "calm", "corporate", "inspiring", "dramatic", "playful"]
MOODS: tuple[Mood, ...] = get_args(Mood)

Role = Literal["bass", "chords", "top"]
Shape = Literal["flat", "wave", "build"]
Hit = tuple[int, int, int]  # (step, length in steps, chord-tone index; -1 = whole chord)

STEPS_PER_BAR = 16
BEATS_PER_BAR = 4
CRASH = 49
KICK = 36


@dataclass(frozen=True)
class PartStyle:
    """One melodic part: a GM program, its register, rhythm and mix settings."""

    name: str
    role: Role
    program: int
    low: int
    hits: tuple[Hit, ...]
    velocity: int
    min_intensity: float = 0.0
    volume: int = 100
    pan: int = 64


@dataclass(frozen=True)
class DrumLine:
    """One percussion sound (GM key on channel 10) and its one-bar pattern."""

    pitch: int
    pattern: str
    velocity: int
    min_intensity: float = 0.0


@dataclass(frozen=True)
class MoodStyle:
    """Everything the planner and the part writer need to know about one mood."""

    mood: Mood
    tempo_bpm: float
    key: Key
    progressions: tuple[tuple[str, ...], ...]
    parts: tuple[PartStyle, ...]
    drums: tuple[DrumLine, ...] = ()
    fill: tuple[tuple[int, int], ...] = ()  # (step, GM key) replacing the bar's tail
    crash: bool = False
    shape: Shape = "wave"
    top_motif: bool = False  # top part: seeded motif (True) or seeded arpeggio order
    reverb_room: float = 0.5
    reverb_wet: float = 0.15


def every(step: int, length: int, tone: int = -1, start: int = 0) -> tuple[Hit, ...]:
    """Hits every ``step`` sixteenths from ``start`` to the end of the bar."""
    return tuple((s, length, tone) for s in range(start, STEPS_PER_BAR, step))


SUSTAIN: tuple[Hit, ...] = ((0, 16, -1),)
EIGHTHS = every(2, 2)
OCTAVE_POPS: tuple[Hit, ...] = tuple((s, 2, 3 if s % 8 == 4 else 0) for s in range(0, 16, 2))

UPBEAT = MoodStyle(
    mood="upbeat",
    tempo_bpm=118,
    key=Key(0, "major"),
    progressions=(("I", "V", "vi", "IV"), ("vi", "IV", "I", "V"), ("I", "vi", "IV", "V")),
    parts=(
        PartStyle("pad", "chords", 89, 52, SUSTAIN, 62, 0.0, 72),
        PartStyle("keys", "chords", 4, 57, ((0, 3, -1), *every(4, 1, start=2)), 84, 0.0, 92, 44),
        PartStyle("bass", "bass", 33, 36, OCTAVE_POPS, 96, 0.5, 104),
        PartStyle("arp", "top", 5, 72, EIGHTHS, 78, 0.0, 80, 88),
    ),
    drums=(
        DrumLine(KICK, "X...x...X...x...", 112, 0.5),
        DrumLine(39, "....x.......x...", 84, 0.55),
        DrumLine(38, "....x.......x...", 76, 0.55),
        DrumLine(42, "..x...x...x...x.", 70, 0.2),
        DrumLine(70, "o.o.o.o.o.o.o.o.", 52, 0.7),
    ),
    fill=((8, 38), (10, 38), (12, 38), (13, 38), (14, 38), (15, 38)),
    crash=True,
    reverb_room=0.4,
    reverb_wet=0.12,
)

CALM = MoodStyle(
    mood="calm",
    tempo_bpm=80,
    key=Key(5, "major"),
    progressions=(
        ("I7", "vi7", "IV7", "V"),
        ("I7", "iii7", "IV7", "I7"),
        ("IV7", "I7", "ii7", "V"),
    ),
    parts=(
        PartStyle("pad", "chords", 89, 53, SUSTAIN, 72, 0.0, 96),
        PartStyle("strings", "chords", 49, 60, SUSTAIN, 52, 0.5, 70),
        PartStyle("bass", "bass", 32, 36, ((0, 8, 0), (8, 8, 2)), 70, 0.4, 96),
        PartStyle("piano", "top", 0, 65, EIGHTHS, 56, 0.0, 90, 76),
    ),
    drums=(DrumLine(70, "o.o.o.o.o.o.o.o.", 40, 0.55),),
    shape="flat",
    reverb_room=0.75,
    reverb_wet=0.28,
)

CORPORATE = MoodStyle(
    mood="corporate",
    tempo_bpm=104,
    key=Key(2, "major"),
    progressions=(("I", "V", "vi", "IV"), ("I", "IV", "vi", "V"), ("vi", "IV", "I", "V")),
    parts=(
        PartStyle("piano", "chords", 0, 57, EIGHTHS, 66, 0.0, 100, 52),
        PartStyle("pad", "chords", 48, 50, SUSTAIN, 54, 0.5, 68),
        PartStyle("bass", "bass", 33, 38, ((0, 6, 0), (6, 2, 0), (8, 6, 0), (14, 2, 2)), 92, 0.45),
        PartStyle("lead", "top", 0, 72, ((0, 3, 0), (4, 2, 0), (6, 4, 0), (12, 4, 0)), 70, 0.6),
    ),
    drums=(
        DrumLine(KICK, "x.......x.x.....", 92, 0.5),
        DrumLine(37, "....x.......x...", 70, 0.5),
        DrumLine(42, "x.o.x.o.x.o.x.o.", 56, 0.3),
    ),
    fill=((12, 38), (13, 38), (14, 38), (15, 38)),
    crash=True,
    top_motif=True,
    reverb_room=0.5,
    reverb_wet=0.15,
)

INSPIRING = MoodStyle(
    mood="inspiring",
    tempo_bpm=96,
    key=Key(7, "major"),
    progressions=(("IV", "I", "V", "vi"), ("I", "V", "vi", "IV"), ("vi", "IV", "I", "V")),
    parts=(
        PartStyle("strings", "chords", 48, 50, SUSTAIN, 74, 0.0, 100),
        PartStyle("high strings", "chords", 49, 67, SUSTAIN, 66, 0.72, 84),
        PartStyle("bass", "bass", 33, 36, every(2, 2, 0), 84, 0.55),
        PartStyle("piano", "top", 0, 67, EIGHTHS, 70, 0.0, 92, 80),
    ),
    drums=(
        DrumLine(KICK, "x.......x.......", 96, 0.6),
        DrumLine(KICK, "......x.........", 80, 0.8),
        DrumLine(38, "....x.......x...", 84, 0.75),
        DrumLine(51, "x.x.x.x.x.x.x.x.", 58, 0.5),
    ),
    fill=((10, 48), (12, 47), (13, 45), (14, 43), (15, 41)),
    crash=True,
    shape="build",
    reverb_room=0.7,
    reverb_wet=0.24,
)

DRAMATIC = MoodStyle(
    mood="dramatic",
    tempo_bpm=84,
    key=Key(2, "minor"),
    progressions=(("i", "VI", "III", "VII"), ("i", "iv", "VI", "V"), ("i", "VII", "VI", "V")),
    parts=(
        PartStyle("strings", "chords", 48, 50, SUSTAIN, 82, 0.0, 100),
        PartStyle("brass", "chords", 61, 55, ((0, 6, -1), (8, 2, -1), (10, 6, -1)), 84, 0.7, 82),
        PartStyle("choir", "chords", 52, 62, SUSTAIN, 62, 0.8, 70),
        PartStyle("timpani", "bass", 47, 38, ((0, 4, 0), (6, 2, 0), (8, 4, 0)), 100, 0.45),
        PartStyle("contrabass", "bass", 43, 33, ((0, 16, 0),), 80, 0.0, 96),
        PartStyle("ostinato", "top", 45, 50, every(2, 1), 86, 0.0, 88, 84),
    ),
    drums=(
        DrumLine(KICK, "X.........x.....", 104, 0.45),
        DrumLine(41, "X.....x...x.....", 98, 0.5),
        DrumLine(45, ".......x......x.", 84, 0.6),
        DrumLine(38, "........X.......", 92, 0.7),
    ),
    fill=((10, 50), (11, 48), (12, 47), (13, 45), (14, 43), (15, 41)),
    crash=True,
    shape="build",
    reverb_room=0.8,
    reverb_wet=0.26,
)

PLAYFUL = MoodStyle(
    mood="playful",
    tempo_bpm=112,
    key=Key(9, "major"),
    progressions=(("I", "vi", "ii", "V"), ("I", "IV", "V", "IV"), ("I", "iii", "IV", "V")),
    parts=(
        PartStyle("pizzicato", "chords", 45, 55, every(4, 2, start=2), 82, 0.0, 96, 48),
        PartStyle("bass", "bass", 45, 40, ((0, 2, 0), (4, 2, 2), (8, 2, 0), (12, 2, 2)), 96, 0.4),
        PartStyle("marimba", "top", 12, 67, EIGHTHS, 96, 0.0, 104, 84),
        PartStyle("glockenspiel", "top", 9, 79, ((0, 4, 0), (6, 2, 0), (12, 4, 0)), 62, 0.8, 64),
    ),
    drums=(
        DrumLine(KICK, "x.....x...x.....", 86, 0.5),
        DrumLine(37, "....x.......x...", 76, 0.5),
        DrumLine(76, "..x...x...x.x...", 70, 0.55),
        DrumLine(54, "..x...x...x...x.", 48, 0.7),
    ),
    fill=((12, 76), (13, 77), (14, 76), (15, 77)),
    crash=False,
    top_motif=True,
    reverb_room=0.35,
    reverb_wet=0.12,
)

STYLES: dict[Mood, MoodStyle] = {
    style.mood: style for style in (UPBEAT, CALM, CORPORATE, INSPIRING, DRAMATIC, PLAYFUL)
}


def style_for(mood: str) -> MoodStyle:
    """The style of ``mood``; ``ValueError`` naming the valid moods otherwise."""
    for known, style in STYLES.items():
        if known == mood:
            return style
    raise ValueError(f"unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
