"""From a script to scenes: visuals, backgrounds, transitions and sound design.

Consistency across scenes: one brand palette (a gradient per scene role), one type family
(the brand font), one motion style (the same gradient speed and a small set of
transitions); consecutive scenes never share a picture or a background.
"""

from __future__ import annotations

from typing import Any

from aiprod.config import Settings
from aiprod.media.timeline import Timeline, build_timeline, seconds_at
from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.script import ScenePlan, ScriptPlan
from aiprod.providers.tts.base import SpeechClip
from aiprod.spec.model import BrandKit, SfxCue, VideoSpec
from aiprod.spec.presets import Preset
from aiprod.visuals.choose import VisualChoice, choose_visuals, scene_line
from aiprod.visuals.library import AssetLibrary
from aiprod.visuals.palette import Palette, derive_palette

TRANSITION_S = 0.5
MOTION_SPEED = 0.02  # every gradient moves at the same pace: one motion style
TRANSITIONS = {
    "vertical": ("slideup", "wipeleft", "circleopen", "smoothup", "slideleft"),
    "other": ("slideleft", "wipeup", "circleopen", "smoothleft", "slideup"),
}
SFX_LEVELS_DB = {
    "whoosh": -14.0,
    "pop": -16.0,
    "impact": -12.0,
    "riser": -14.0,
    "ambience": -22.0,
}
RISER_S = 2.0
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv")


def _gradient(palette: Palette, role: str, index: int, text: str) -> list[str]:
    """The role's gradient, if the brand's text colour reads on it; else a darker one."""
    choices = [getattr(palette, r) for r in (role, "hook", "point") if hasattr(palette, r)]
    colours = next((c for c in choices if c.text.upper() == text.upper()), choices[0])
    stops = list(colours.gradient)
    return stops if index % 2 == 0 else stops[::-1]  # consecutive points never look the same


def _visual(choice: VisualChoice, background: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """(background, illustration) for a visual choice: clips become the background."""
    if choice.kind == "asset" and choice.path:
        if choice.path.lower().endswith(VIDEO_SUFFIXES):
            return {"type": "video", "path": choice.path}, None
        return background, {"path": choice.path}
    return background, {"icon": choice.icon} if choice.icon else None


def scene_keywords(plan: ScenePlan, analysis: BriefAnalysis) -> list[str]:
    """What the scene is about, most specific first: its key point for a point scene, the
    product for the hook, the call to action for the last scene; then the script's words."""
    product = [analysis.product] if analysis.product else []
    lead = {
        "point": [plan.headline.casefold()],
        "hook": product,
        "cta": [analysis.call_to_action.casefold()],
    }.get(plan.role, [])
    ordered = [*lead, *product, *plan.keywords, *analysis.keywords]
    return list(dict.fromkeys(k for k in ordered if k))[:30]


def _cues(plan: ScenePlan, index: int) -> list[dict[str, Any]]:
    reveal = (TRANSITION_S if index else 0.0) + 0.1  # when the title starts to appear
    cues = []
    for kind in plan.sfx_cues:
        if kind == "whoosh" and index:
            cues.append({"kind": "whoosh", "at": 0.0, "volume_db": SFX_LEVELS_DB["whoosh"]})
        elif kind in ("pop", "impact"):
            cues.append({"kind": kind, "at": reveal, "volume_db": SFX_LEVELS_DB[kind]})
    return cues


def scene_dicts(
    script: ScriptPlan,
    analysis: BriefAnalysis,
    brand: BrandKit,
    preset: Preset,
    settings: Settings,
) -> list[dict[str, Any]]:
    palette = derive_palette(
        brand.colors.primary, brand.colors.secondary, brand.colors.accent, text=brand.colors.text
    )
    library = AssetLibrary(settings.asset_library_dir) if settings.asset_library_dir else None
    keywords = [scene_keywords(s, analysis) for s in script.scenes]
    product = [analysis.product] if analysis.product else []
    lines = [
        scene_line(s.headline, s.narration, *(product if s.role == "hook" else []))
        for s in script.scenes
    ]
    choices = choose_visuals(lines, keywords, library=library)
    moves = TRANSITIONS["vertical" if preset.height > preset.width else "other"]
    last = len(script.scenes) - 1
    scenes = []
    for i, (plan, choice) in enumerate(zip(script.scenes, choices, strict=True)):
        gradient = {
            "type": "gradient",
            "colors": _gradient(palette, plan.role, i, brand.colors.text),
            "speed": MOTION_SPEED,
        }
        background, illustration = _visual(choice, gradient)
        scenes.append(
            {
                "role": plan.role,
                "narration": plan.narration,
                "title": plan.headline,
                "keywords": keywords[i],
                "background": background,
                "illustration": illustration,
                "sfx": _cues(plan, i),
                "transition": None
                if i == last
                else {
                    "type": "fade" if i + 1 == last else moves[i % len(moves)],
                    "duration": TRANSITION_S,
                },
            }
        )
    return scenes


def _ambience(spec: VideoSpec, timeline: Timeline) -> dict[int, SfxCue]:
    """One bed per run of scenes with the same ambience, lasting the whole run."""
    from aiprod.providers.sfx.keywords import ambience_for

    found = [ambience_for(scene.keywords, spec.language) for scene in spec.scenes]
    beds: dict[int, SfxCue] = {}
    i = 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and found[j + 1] == found[i]:
            j += 1
        if found[i] is not None:
            first, last = timeline.scenes[i], timeline.scenes[j]
            seconds = float(seconds_at(last.end - first.start, timeline.fps))
            beds[i] = SfxCue(
                kind="ambience",
                category=found[i],
                duration=round(seconds, 3),
                volume_db=SFX_LEVELS_DB["ambience"],
            )
        i = j + 1
    return beds


def sound_design(spec: VideoSpec, preset: Preset, clips: list[SpeechClip | None]) -> VideoSpec:
    """Ambience beds from scene keywords, and a riser that peaks as the CTA scene starts;
    ``clips`` are the script's narration, already spoken."""
    timeline = build_timeline(spec, preset, [c.duration if c else None for c in clips])
    beds = _ambience(spec, timeline)
    scenes = []
    for i, scene in enumerate(spec.scenes):
        extra = [beds[i]] if i in beds else []
        nxt = spec.scenes[i + 1] if i + 1 < len(spec.scenes) else None
        if nxt is not None and nxt.role == "cta":
            slot = timeline.scenes[i]
            length = float(seconds_at(slot.frames - slot.transition_out, timeline.fps))
            at = max(0.0, length - RISER_S)
            extra.append(
                SfxCue(
                    kind="riser",
                    at=round(at, 3),
                    duration=length - at + 0.25,
                    volume_db=SFX_LEVELS_DB["riser"],
                )
            )
        scenes.append(scene.model_copy(update={"sfx": [*scene.sfx, *extra]}))
    return spec.model_copy(update={"scenes": scenes})
