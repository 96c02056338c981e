"""Writing a paced narration script (hook, one scene per key point, call to action)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.compose import Composer, Draft, SceneRole
from aiprod.planner.keywords import Language
from aiprod.planner.moods import Mood
from aiprod.planner.offers import offer_strength
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
_DROPPED = 6.0
"""Cost per key point left out: a scene count that says every point is preferred."""
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
    dropped: tuple[str, ...] = ()
    """Key points left out: offers too many for the scenes, the weakest first to go."""

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
    headline. When nothing but offers is left to merge, the weakest point is dropped rather
    than two offers share a scene (see :func:`offer_strength`). Offers are then spaced out by
    the other points where there are enough of them: two offers in a row cannot both be laid
    out as offers."""
    groups = [[point] for point in points]
    strength = {point: offer_strength(point, language) for point in points}
    offers = {point for point in points if strength[point] >= 0}
    while len(groups) > max(1, count):
        plain = [i for i, group in enumerate(groups) if not offers & set(group)]
        if len(plain) >= 2:
            first, second = sorted(sorted(plain, key=lambda i: (len(groups[i]), i))[:2])
            groups[first] = groups[first] + groups.pop(second)
            continue
        held = [i for i in range(len(groups)) if i not in plain]
        # the weakest offer goes; a last plain point goes before a last offer
        weakest = plain if len(held) < 2 else held
        groups.pop(min(weakest, key=lambda i: (max(strength[p] for p in groups[i]), -i)))
    return _spaced(groups, offers)


def _spaced(groups: list[list[str]], offers: set[str]) -> list[list[str]]:
    """The groups in brief order as far as possible, no two offers in a row when the other
    points are enough to go between them (the earliest group that keeps that possible is
    taken next)."""
    is_offer = [bool(offers & set(group)) for group in groups]
    if sum(is_offer) > len(groups) - sum(is_offer) + 1:
        return groups
    left = list(range(len(groups)))
    order: list[int] = []
    while left:
        for i in left:
            last = bool(order) and is_offer[order[-1]]
            if is_offer[i] and last:
                continue
            rest = [j for j in left if j != i]
            o = sum(is_offer[j] for j in rest)
            if o <= len(rest) - o + (0 if is_offer[i] else 1):
                order.append(i)
                left.remove(i)
                break
        else:  # unreachable while the counts allow it; kept total
            order += left
            left = []
    return [groups[i] for i in order]


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


def _dropped(analysis: BriefAnalysis, count: int) -> tuple[str, ...]:
    """The key points a script of ``count`` point scenes leaves out."""
    points = analysis.key_points
    if len(points) < count:
        return ()
    kept = {point for group in _chunks(points, count, analysis.language) for point in group}
    return tuple(point for point in points if point not in kept)


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
    best: tuple[float, list[Draft], list[int], tuple[str, ...]] | None = None
    for count in counts:  # ordered by distance from the preferred count
        detour = _OFF_PREFERRED * abs(count - counts[0])
        if best is not None and detour >= best[0]:
            break
        drafts = _drafts(analysis, slots, count, fillers)
        dropped = _dropped(analysis, count)
        picks, _, cost = choose_variants(drafts, target)
        cost += detour + _DROPPED * len(dropped)
        if best is None or cost < best[0]:
            best = (cost, drafts, picks, dropped)
    assert best is not None  # _scene_counts always yields at least one count
    _, drafts, picks, dropped = best
    scenes = [_scene(draft, index) for draft, index in zip(drafts, picks, strict=True)]
    return ScriptPlan(scenes, analysis.language, analysis.mood, target, dropped=dropped)
