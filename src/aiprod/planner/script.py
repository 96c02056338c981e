"""Writing a paced narration script (hook, one scene per key point, call to action)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.compose import Composer, Draft, SceneRole
from aiprod.planner.keywords import Language
from aiprod.planner.moods import Mood
from aiprod.planner.offers import find_offer
from aiprod.planner.pacing import choose_variants
from aiprod.planner.slots import Slots, base_slots, fields, templates_for
from aiprod.planner.templates_en import Synthetic
from aiprod.planner.textutil import count_words, stable_hash

SfxKind = Literal["whoosh", "pop", "riser", "impact"]

MIN_SCENES = 3
MAX_SCENES_LIMIT = 40
"""Scene counts are clamped to 3-40 whatever the caller asks."""

_WORDS_PER_SCENE = 20
_OFF_PREFERRED = 6.0
"""Cost per scene away from the preferred count (pacing may still pick another count)."""
_MIN_WORDS_PER_SCENE = 10
_MAX_POINTS_PER_SCENE = 3
_SFX: dict[SceneRole, list[SfxKind]] = {
    "hook": ["pop"],
    "point": ["whoosh", "pop"],
    "cta": ["riser", "whoosh", "impact"],
}


@dataclass(frozen=True)
class ScenePlan:
    """One scene of the script.

    Attributes:
        role: ``"hook"`` (first), ``"point"`` (key points), or ``"cta"`` (last).
        narration: what the voice says: one or more sentences, never empty, no markup/URLs.
        headline: on-screen text, at most 32 characters, no trailing period.
        keywords: words for choosing visuals and ambience.
        sfx_cues: sound effects in order: ``whoosh`` on the transition into the scene (never
            the first), ``pop`` for the title reveal, ``riser`` into and ``impact`` on the CTA.
    """

    role: SceneRole
    narration: str
    headline: str
    keywords: list[str]
    sfx_cues: list[SfxKind]

    @property
    def word_count(self) -> int:
        """Spoken words in the narration."""
        return count_words(self.narration)


@dataclass(frozen=True)
class ScriptPlan:
    """The scenes of a script, in order, with what it was written for."""

    scenes: list[ScenePlan]
    language: Language
    mood: Mood
    target_words: int
    provenance: dict[str, Any] | None = None
    """Set when a script provider chain wrote it: calls, costs, fallbacks (see providers)."""

    @property
    def word_count(self) -> int:
        """Spoken words over all scenes."""
        return sum(scene.word_count for scene in self.scenes)

    @property
    def narration(self) -> str:
        """The whole voice-over, scene after scene."""
        return " ".join(scene.narration for scene in self.scenes)


def words_for_duration(seconds: float, words_per_second: float = 2.5) -> int:
    """Narration words that fit ``seconds`` at ``words_per_second`` (0 for nonsense input)."""
    words = seconds * words_per_second
    return max(0, round(words)) if math.isfinite(words) else 0


def _fillers(analysis: BriefAnalysis, slots: Slots) -> list[Synthetic]:
    copy = templates_for(analysis.language)
    generic: list[Synthetic] = list(copy.SYNTHETIC_GENERIC)
    turn = stable_hash(analysis.brand or "", analysis.product or "") % len(generic)
    items = [
        copy.SYNTHETIC_PRODUCT,
        copy.SYNTHETIC_AUDIENCE,
        *generic[turn:],
        *generic[:turn],
    ]
    return [item for item in items if all(fields(text) <= slots.keys() for text in item)]


def _scene_counts(points: int, low: int, high: int, target: int) -> list[int]:
    """Point-scene counts to try, the preferred one first, then its neighbours."""
    by_pace = round(target / _WORDS_PER_SCENE) - 2
    if points >= by_pace:
        merge_floor = math.ceil(points / _MAX_POINTS_PER_SCENE)
        preferred = min(points, max(merge_floor, round(target / _MIN_WORDS_PER_SCENE) - 2))
    else:
        preferred = by_pace
    preferred = min(high, max(low, preferred))
    order = [preferred]
    for step in range(1, high - low + 1):
        order += [n for n in (preferred + step, preferred - step) if low <= n <= high]
    return order


def _chunks(points: tuple[str, ...], count: int, language: str) -> list[list[str]]:
    """``count`` groups of points, smallest merges first. An offer (a price, a discount, a
    code) keeps a scene of its own while other points can be merged, even ones apart (the
    later joins the earlier), so an offer scene never shows an unrelated fact as its
    headline; neighbours are merged only when nothing else is left."""
    groups = [[point] for point in points]
    offers = {point for point in points if find_offer(point, language)}
    while len(groups) > max(1, count):
        plain = [i for i, group in enumerate(groups) if not offers & set(group)]
        if len(plain) >= 2:
            first, second = sorted(sorted(plain, key=lambda i: (len(groups[i]), i))[:2])
        else:
            pairs = range(len(groups) - 1)
            first = min(pairs, key=lambda i: (len(groups[i]) + len(groups[i + 1]), i))
            second = first + 1
        groups[first] = groups[first] + groups.pop(second)
    return groups


def _drafts(
    analysis: BriefAnalysis, slots: Slots, count: int, fillers: list[Synthetic]
) -> list[Draft]:
    composer = Composer(analysis, slots)
    points = analysis.key_points
    drafts = [composer.hook()]
    if len(points) >= count:
        groups = _chunks(points, count, analysis.language)
        drafts += [composer.points(group, i) for i, group in enumerate(groups)]
    else:
        drafts += [composer.points([point], i) for i, point in enumerate(points)]
        for index in range(count - len(points)):
            item = fillers[index % len(fillers)]
            drafts.append(composer.synthetic(item, len(points) + index))
    drafts.append(composer.call_to_action())
    return drafts


def _scene(draft: Draft, variant_index: int) -> ScenePlan:
    variant = draft.variants[variant_index]
    return ScenePlan(
        role=draft.role,
        narration=variant.text,
        headline=draft.headline,
        keywords=list(draft.keywords),
        sfx_cues=list(_SFX[draft.role]),
    )


def write_script(
    analysis: BriefAnalysis, *, target_words: int, min_scenes: int = 3, max_scenes: int = 8
) -> ScriptPlan:
    """Write hook -> key points -> call to action, paced to ``target_words`` (+/-10% if possible).

    Points are merged or filler scenes added to respect ``min_scenes``/``max_scenes`` (always
    at least 3 scenes); sentence templates are chosen by a stable hash, so the same analysis
    always gives the same script.
    """
    target = max(1, int(target_words))
    low = min(MAX_SCENES_LIMIT, max(MIN_SCENES, min_scenes)) - 2
    high = min(MAX_SCENES_LIMIT, max(low + 2, max_scenes)) - 2
    slots = base_slots(analysis)
    fillers = _fillers(analysis, slots)
    high = min(high, max(low, len(analysis.key_points) + len(fillers)))
    counts = _scene_counts(len(analysis.key_points), low, high, target)
    best: tuple[float, list[Draft], list[int]] | None = None
    for count in counts:  # ordered by distance from the preferred count
        detour = _OFF_PREFERRED * abs(count - counts[0])
        if best is not None and detour >= best[0]:
            break
        drafts = _drafts(analysis, slots, count, fillers)
        picks, _, cost = choose_variants(drafts, target)
        cost += detour
        if best is None or cost < best[0]:
            best = (cost, drafts, picks)
    assert best is not None  # _scene_counts always yields at least one count
    _, drafts, picks = best
    scenes = [_scene(draft, index) for draft, index in zip(drafts, picks, strict=True)]
    return ScriptPlan(scenes, analysis.language, analysis.mood, target)
