"""Sound stage: the music bed and every sound effect become files the mix can read.

A user's music file is used as is; a mood is composed to the programme's exact length
(cached by content). A sound-effect kind comes from the user's SFX library when it has a
match, else it is synthesised. Each placed effect is recorded with its source and licence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.media.timeline import SfxPlacement, Timeline, seconds_at
from aiprod.providers.credits import ProviderCalls, credits_for
from aiprod.spec.model import VideoSpec


@dataclass(frozen=True)
class SoundPlan:
    timeline: Timeline  # every sound effect now has a file
    music_file: Path | None
    music: dict[str, Any] | None  # what the manifest says about the bed
    effects: list[dict[str, Any]]  # one record per placed effect: source, licence, time
    providers: dict[str, Any] | None = None  # the music and sfx chains' ledger (cloud only)
    credits: tuple[dict[str, Any], ...] = ()  # sounds that must be credited (credits.txt)


def _music(
    spec: VideoSpec, timeline: Timeline, settings: Settings, calls: ProviderCalls
) -> tuple[Path | None, dict[str, Any] | None]:
    if spec.music is None:
        return None, None
    if spec.music.path is not None:
        return Path(spec.music.path), {"source": "file", "path": spec.music.path}
    from aiprod.providers.music.chain import music_bed

    bed = music_bed(spec, float(timeline.duration), settings, calls.ledger, calls.budget)
    return bed.path, bed.info


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
    spec: VideoSpec, timeline: Timeline, settings: Settings, calls: ProviderCalls
) -> tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]]:
    placed, records = [], []
    designer = None
    credit: dict[str, Any] | None = None
    for i, given in enumerate(timeline.sfx):
        cue, source, licence = given, "file", "as supplied"
        if cue.path is None and cue.kind is not None:
            if designer is None:
                from aiprod.providers.sfx.chain import EffectChain

                designer = EffectChain(settings, calls.ledger)
            category = _category(cue, spec, i)
            duration = float(seconds_at(cue.frames, timeline.fps)) if cue.frames else None
            got = designer.get(cue.kind, category=category, duration=duration, seed=cue.seed)
            asset, credit = got.asset, got.attribution
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
                **({"attribution": credit} if credit else {}),
            }
        )
        credit = None
    return tuple(placed), records


def prepare_music(
    spec: VideoSpec, timeline: Timeline, settings: Settings, calls: ProviderCalls
) -> tuple[Path | None, dict[str, Any] | None]:
    """The music bed's file (None without music) and what the manifest says about it."""
    return _music(spec, timeline, settings, calls)


def prepare_effects(
    spec: VideoSpec, timeline: Timeline, settings: Settings, calls: ProviderCalls
) -> tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]]:
    """Every placed effect with its file, and one manifest record per effect."""
    return _effects(spec, timeline, settings, calls)


def sound_plan(
    timeline: Timeline,
    music: tuple[Path | None, dict[str, Any] | None],
    effects: tuple[tuple[SfxPlacement, ...], list[dict[str, Any]]],
    calls: ProviderCalls,
) -> SoundPlan:
    """The music and effects as the mix and the manifest take them."""
    (music_file, info), (placed, records) = music, effects
    sound = SoundPlan(replace(timeline, sfx=placed), music_file, info, records)
    return replace(sound, providers=calls.record(info, records), credits=credits_for(records))


def prepare_sound(spec: VideoSpec, timeline: Timeline, settings: Settings) -> SoundPlan:
    calls = ProviderCalls.for_job(spec, settings)
    music = prepare_music(spec, timeline, settings, calls)
    effects = prepare_effects(spec, timeline, settings, calls)
    return sound_plan(timeline, music, effects, calls)
