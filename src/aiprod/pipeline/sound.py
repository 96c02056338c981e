"""Sound stage: the music bed and every sound effect become files the mix can read.

A user's music file is used as is; a mood is composed to the programme's exact length
(cached by content). A sound-effect kind comes from the user's SFX library when it has a
match, else it is synthesised. Each placed effect is recorded with its source and licence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.media.timeline import SfxPlacement, Timeline, seconds_at
from aiprod.spec.model import VideoSpec

MUSIC_CACHE_VERSION = "1"


@dataclass(frozen=True)
class SoundPlan:
    timeline: Timeline  # every sound effect now has a file
    music_file: Path | None
    music: dict[str, Any] | None  # what the manifest says about the bed
    effects: list[dict[str, Any]]  # one record per placed effect: source, licence, time


def _music(
    spec: VideoSpec, timeline: Timeline, cache: Path
) -> tuple[Path | None, dict[str, Any] | None]:
    if spec.music is None:
        return None, None
    if spec.music.path is not None:
        return Path(spec.music.path), {"source": "file", "path": spec.music.path}
    from aiprod.providers.music.composer import compose_music

    assert spec.music.mood is not None
    duration = float(timeline.duration)
    key = json.dumps([MUSIC_CACHE_VERSION, spec.music.mood, round(duration, 4), spec.music.seed])
    out = cache / "music" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.wav"
    out.parent.mkdir(parents=True, exist_ok=True)
    track = compose_music(mood=spec.music.mood, duration_s=duration, out=out, seed=spec.music.seed)
    info = {
        "source": "composed",
        "mood": track.mood,
        "tempo_bpm": track.tempo_bpm,
        "key": track.key,
        "progression": list(track.progression),
        "seed": track.seed,
        "licence": "CC0-1.0 (composed by AIPROD)",
    }
    return track.path, info


def _category(cue: SfxPlacement, spec: VideoSpec, index: int) -> str | None:
    if cue.kind != "ambience" or cue.category:
        return cue.category
    from aiprod.providers.sfx.keywords import ambience_for

    found = ambience_for(spec.scenes[cue.scene].keywords, spec.language)
    if found is None:
        raise InvalidSpec(
            [
                SpecProblem(
                    f"scenes.{cue.scene}.sfx",
                    "an ambience needs a 'category' (no scene keyword "
                    "matches one): e.g. rain, city, ocean, forest, cafe, crowd, office",
                )
            ]
        )
    return found


def _effects(
    spec: VideoSpec, timeline: Timeline, settings: Settings
) -> tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]]:
    placed, records = [], []
    designer = None
    for i, given in enumerate(timeline.sfx):
        cue, source, licence = given, "file", "as supplied"
        if cue.path is None and cue.kind is not None:
            if designer is None:
                from aiprod.providers.sfx.provider import SoundDesigner

                designer = SoundDesigner(settings.sfx_library_dir, settings.cache_dir / "sfx")
            category = _category(cue, spec, i)
            duration = float(seconds_at(cue.frames, timeline.fps)) if cue.frames else None
            asset = designer.get(cue.kind, category=category, duration=duration, seed=cue.seed)
            cue = replace(cue, path=str(asset.path), category=category)
            source, licence = asset.source, asset.licence
        placed.append(cue)
        records.append(
            {
                "scene": cue.scene,
                "kind": cue.kind,
                "category": cue.category,
                "path": cue.path,
                "start_s": round(float(seconds_at(cue.start, timeline.fps)), 3),
                "source": source,
                "licence": licence,
            }
        )
    return tuple(placed), records


def prepare_music(
    spec: VideoSpec, timeline: Timeline, settings: Settings
) -> tuple[Path | None, dict[str, Any] | None]:
    """The music bed's file (None without music) and what the manifest says about it."""
    return _music(spec, timeline, settings.cache_dir)


def prepare_effects(
    spec: VideoSpec, timeline: Timeline, settings: Settings
) -> tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]]:
    """Every placed effect with its file, and one manifest record per effect."""
    return _effects(spec, timeline, settings)


def prepare_sound(spec: VideoSpec, timeline: Timeline, settings: Settings) -> SoundPlan:
    music_file, music = prepare_music(spec, timeline, settings)
    effects, records = prepare_effects(spec, timeline, settings)
    return SoundPlan(replace(timeline, sfx=effects), music_file, music, records)
