"""Offline background music: mood → an original track rendered with FluidSynth."""

from __future__ import annotations

from aiprod.providers.music.composer import MusicTrack, compose_music
from aiprod.providers.music.styles import MOODS, Mood

__all__ = ["MOODS", "Mood", "MusicTrack", "compose_music"]
