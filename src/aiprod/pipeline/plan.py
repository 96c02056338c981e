"""Brief in, production spec out: the review step between the two is the user's.

    analyse the brief ─▶ write a script for the words a duration allows ─▶ speak it (the
    narration stage, into the stage cache, so the render reuses it) and measure ─▶ rewrite
    once if the length is off by > 5 % ─▶ visuals, transitions, sound design, music mood,
    brand ─▶ a VideoSpec

Each script is spoken once: its clips give the length, the voice's pace and the timing the
sound design places its cues on.

The result validates as the render engine's spec, so every later stage is shared and a user
can edit the JSON before rendering it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.media.timeline import build_timeline
from aiprod.pipeline.fetch_visuals import fetch_scene_visuals
from aiprod.pipeline.plan_scenes import scene_dicts, sound_design
from aiprod.pipeline.stages.narration import speak
from aiprod.planner.brief import BriefAnalysis, analyse_brief
from aiprod.planner.cta import default_call_to_action
from aiprod.planner.layouts import assign_layouts
from aiprod.planner.script import ScriptPlan, write_script
from aiprod.providers.base import Ledger
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.sentences import primary_language
from aiprod.spec.load import parse_spec
from aiprod.spec.model import BrandKit, VideoSpec
from aiprod.spec.presets import Preset, resolve_preset

PACE_TOLERANCE = 0.05  # rewrite when the spoken length misses the target by more
START_WORDS_PER_SECOND = 2.5  # first guess; the second pass uses the voice's measured pace
SCENE_OVERHEAD_S = 1.2  # padding around narration plus a transition, per scene
ASPECT_PRESETS = {
    "vertical": "quick_social",
    "square": "square_social",
    "horizontal": "brand_campaign",
}


@dataclass(frozen=True)
class PlanRequest:
    brief: str
    preset: str | None = None
    duration_s: float | None = None
    brand: BrandKit | None = None
    glossary: dict[str, str] | None = None
    language: str | None = None  # BCP-47, English or French: wins over the detected one
    voice: str | None = None
    music_mood: str | None = None  # wins over the mood read in the brief


def stable_seed(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100_000


def with_brand_kit(analysis: BriefAnalysis, kit: BrandKit | None) -> BriefAnalysis:
    """The brand kit fills what the brief leaves open: the brand's name and its call to
    action (a call to action written in the brief still wins)."""
    if kit is None:
        return analysis
    updates: dict[str, Any] = {}
    if kit.name and not analysis.brand:
        updates["brand"] = kit.name
    if kit.call_to_action and not analysis.cta_explicit:
        updates["call_to_action"] = kit.call_to_action
        updates["cta_explicit"] = True
    return replace(analysis, **updates)


def with_choices(analysis: BriefAnalysis, request: PlanRequest) -> BriefAnalysis:
    """The caller's language and music mood win over the brief's (a default call to
    action follows the language; one written in the brief stays)."""
    updates: dict[str, Any] = {}
    if request.language:
        language = "fr" if primary_language(request.language) == "fr" else "en"
        updates["language"] = language
        if not analysis.cta_explicit:
            cta = default_call_to_action(language, analysis.brand, analysis.website)
            updates["call_to_action"] = cta
    if request.music_mood:
        updates["mood"] = request.music_mood
    return replace(analysis, **updates)


def with_tagline(scenes: list[dict[str, Any]], brand: BrandKit) -> list[dict[str, Any]]:
    """The brand's tagline closes the last scene's narration, as a sign-off."""
    if not brand.tagline or not scenes:
        return scenes
    line = brand.tagline.strip().rstrip(".!")
    sign_off = f"{brand.name}: {line}." if brand.name else f"{line}."
    last = dict(scenes[-1])
    last["narration"] = f"{last['narration'].rstrip()} {sign_off}"
    return [*scenes[:-1], last]


def choose_preset(analysis: BriefAnalysis, requested: str | None, settings: Settings) -> Preset:
    name = requested or ASPECT_PRESETS.get(analysis.aspect or "", "quick_social")
    return resolve_preset(name, settings.presets_file)


def brand_for(analysis: BriefAnalysis, kit: BrandKit | None) -> BrandKit:
    """The brand kit, with what the brief says where the kit is silent: the name, and the
    web address the end card shows."""
    kit = kit or BrandKit()
    updates = {"name": kit.name or analysis.brand, "url": kit.url or analysis.website}
    return kit.model_copy(update=updates)


def build_spec(
    analysis: BriefAnalysis,
    script: ScriptPlan,
    request: PlanRequest,
    preset: Preset,
    target: float,
    settings: Settings,
) -> VideoSpec:
    brand = brand_for(analysis, request.brand)
    data: dict[str, Any] = {
        "version": 1,
        "title": f"{brand.name or analysis.product or 'Video'} — {preset.name}",
        "preset": preset.name,
        "language": request.language or analysis.language,
        "voice": request.voice,
        "brand": brand.model_dump(mode="json"),
        "glossary": dict(request.glossary or {}),
        "music": {"mood": analysis.mood, "seed": stable_seed(request.brief)},
        "scenes": with_tagline(scene_dicts(script, analysis, brand, preset, settings), brand),
        "brief": {
            "text": request.brief[:50_000],
            "language": analysis.language,
            "brand": analysis.brand,
            "product": analysis.product,
            "audience": analysis.audience,
            "mood": analysis.mood,
            "key_points": [p for p in analysis.key_points if p not in script.dropped][:20],
            "call_to_action": analysis.call_to_action,
            "target_duration_s": target,
            **({"providers": script.provenance} if script.provenance else {}),
        },
    }
    return assign_layouts(parse_spec(data, source="plan"))


@dataclass(frozen=True)
class Spoken:
    """A script as the voice says it: its clips, the programme's length, its words."""

    clips: list[SpeechClip | None]
    seconds: float
    words: int

    def pace(self) -> float:
        """The voice's measured words per second on this script."""
        speech = sum(c.duration for c in self.clips if c) or 1.0
        return max(0.5, self.words / speech)


def spoken_length(spec: VideoSpec, preset: Preset, settings: Settings, work: Path) -> Spoken:
    """The script with the real voice: spoken now, kept in the stage cache for the render."""
    clips, _ = speak(spec, preset, settings, work)
    timeline = build_timeline(spec, preset, [c.duration if c else None for c in clips])
    words = sum(len(s.narration.split()) for s in spec.scenes)
    return Spoken(clips, float(timeline.duration), words)


@dataclass(frozen=True)
class PlanDraft:
    """The planner's first choices for a brief: no speech yet, so it takes milliseconds.

    Cost estimates use it to price a brief without planning it.
    """

    analysis: BriefAnalysis
    preset: Preset
    target_s: float
    script: ScriptPlan


@dataclass(frozen=True)
class PlanOutline:
    """The planner's first choices, before any script: preset, length, scenes, words."""

    analysis: BriefAnalysis
    preset: Preset
    target_s: float
    scenes: int
    words: int


def outline_plan(request: PlanRequest, settings: Settings) -> PlanOutline:
    """The preset, target length and the scene and word counts the script will aim for."""
    analysis = with_brand_kit(with_choices(analyse_brief(request.brief), request), request.brand)
    preset = choose_preset(analysis, request.preset, settings)
    target = request.duration_s or analysis.duration_s
    scenes_guess = max(3, min(8, len(analysis.key_points) + 2))
    speech = max(2.0, target - scenes_guess * SCENE_OVERHEAD_S)
    words = max(6, round(speech * START_WORDS_PER_SECOND))
    return PlanOutline(analysis, preset, target, scenes_guess, words)


def draft_plan(request: PlanRequest, settings: Settings) -> PlanDraft:
    """The preset, target length and first-pass script the planner starts from."""
    outline = outline_plan(request, settings)
    script = write_script(outline.analysis, target_words=outline.words)
    return PlanDraft(outline.analysis, outline.preset, outline.target_s, script)


def draft_spec(request: PlanRequest, settings: Settings) -> VideoSpec:
    """The first-pass spec for a brief, layouts included, before any speech is measured."""
    draft = draft_plan(request, settings)
    return build_spec(draft.analysis, draft.script, request, draft.preset, draft.target_s, settings)


def plan_from_brief(
    request: PlanRequest, settings: Settings, work: Path
) -> tuple[VideoSpec, Preset]:
    """A production spec for the brief whose length is within 5-10 % of the target."""
    from aiprod.providers.script.chain import script_writer

    outline = outline_plan(request, settings)
    analysis, preset, target = outline.analysis, outline.preset, outline.target_s
    write = script_writer(request.brief, settings)  # the script provider chain, copywriter last
    script = write(analysis, target_words=outline.words)
    spec = build_spec(analysis, script, request, preset, target, settings)
    spoken = spoken_length(spec, preset, settings, work)
    length, said = spoken.seconds, spoken.words
    if abs(length - target) / target > PACE_TOLERANCE:
        overhead = length - said / spoken.pace()
        wanted = max(6, round(said * max(1.0, target - overhead) / max(1.0, length - overhead)))
        spec = build_spec(
            analysis, write(analysis, target_words=wanted), request, preset, target, settings
        )
        spoken = spoken_length(spec, preset, settings, work)
    spec = sound_design(spec, preset, spoken.clips)
    # stock or generated pictures for the scenes that have none (no-op without providers)
    spec = fetch_scene_visuals(spec, settings, Ledger(), width=preset.width, height=preset.height)
    return spec, preset
