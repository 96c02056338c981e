"""``compose_music``: an original, royalty-free backing track for a mood, fully offline.

Plan in bars (``plan.py``), write the notes (``score.py``), render them with FluidSynth and
a General MIDI soundfont (``render.py``), master and write the WAV (``master.py``). The same
``(mood, duration_s, seed, sample_rate, soundfont)`` always gives the same WAV bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.music.master import master, write_wav16
from aiprod.providers.music.plan import plan_arrangement
from aiprod.providers.music.render import (
    find_soundfont,
    render_midi,
    require_fluidsynth,
    write_midi,
)
from aiprod.providers.music.score import build_score
from aiprod.providers.music.styles import MOODS, Mood, style_for

MIN_DURATION_S = 1.0
MAX_DURATION_S = 900.0
MIN_SAMPLE_RATE = 22050
MAX_SAMPLE_RATE = 96000


@dataclass(frozen=True)
class MusicTrack:
    """A composed track on disk and how it was made (enough to reproduce it)."""

    path: Path
    mood: Mood
    tempo_bpm: float
    key: str
    progression: list[str]
    duration_s: float
    sample_rate: int
    soundfont: Path
    seed: int

    @property
    def num_samples(self) -> int:
        """Frames in the WAV: exactly ``round(duration_s * sample_rate)``."""
        return round(self.duration_s * self.sample_rate)


def check_request(mood: str, duration_s: float, sample_rate: int) -> None:
    """Raise ``ProviderRejectedInput`` for a mood, duration or rate the composer can't do."""
    if mood not in MOODS:
        raise ProviderRejectedInput(f"unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
    if not MIN_DURATION_S <= duration_s <= MAX_DURATION_S:
        raise ProviderRejectedInput(
            f"music duration {duration_s} s is outside {MIN_DURATION_S:g}..{MAX_DURATION_S:g} s"
        )
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise ProviderRejectedInput(
            f"sample rate {sample_rate} is outside {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz"
        )


def compose_music(
    *,
    mood: Mood,
    duration_s: float,
    out: Path,
    seed: int = 0,
    sample_rate: int = 48000,
    soundfont: Path | None = None,
) -> MusicTrack:
    """Compose, render and master a ``duration_s`` track for ``mood`` into the WAV ``out``.

    The WAV is 16-bit stereo at ``sample_rate`` with exactly ``round(duration_s *
    sample_rate)`` frames, peaking at -1.5 dBFS; its last chord rings out to the very end.
    ``seed`` picks the progression and the variations. Raises ``ProviderUnavailable`` when
    fluidsynth or a soundfont is missing, ``ProviderRejectedInput`` for an impossible request.
    """
    check_request(mood, duration_s, sample_rate)
    require_fluidsynth()
    font = find_soundfont(soundfont)
    style = style_for(mood)
    rng = np.random.default_rng(seed)
    plan = plan_arrangement(style, duration_s, rng)
    score = build_score(style, plan, rng)
    num_frames = round(duration_s * sample_rate)
    with tempfile.TemporaryDirectory(prefix="aiprod-music-") as scratch:
        midi = write_midi(score, Path(scratch) / "music.mid")
        raw = render_midi(
            midi, font, Path(scratch) / "music.raw", sample_rate, timeout_s=60.0 + duration_s
        )
        audio = master(raw, num_frames, sample_rate, style.reverb_room, style.reverb_wet)
        del raw
    write_wav16(out, audio, sample_rate)
    return MusicTrack(
        path=out,
        mood=mood,
        tempo_bpm=round(plan.tempo_bpm, 3),
        key=plan.key.name,
        progression=[chord.name for chord in plan.progression],
        duration_s=duration_s,
        sample_rate=sample_rate,
        soundfont=font,
        seed=seed,
    )
