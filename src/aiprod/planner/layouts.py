"""Choosing each scene's layout from what it says, and filling the layout's content fields.

    first scene ─▶ hook          last scene ─▶ end_card
    a testimonial with its author ─▶ quote     a price, code or discount ─▶ offer
    before/after, 'X vs Y' ─▶ comparison       2-4 items (key points, bullets, 'a, b and c') ─▶ list
    a number with a unit ─▶ stat               the user's image or clip ─▶ product
    anything else ─▶ benefit

Consecutive scenes vary: when a scene would repeat the previous scene's layout it takes its
next-best layout (a benefit scene becomes a headline-only 'hook' card), so a plan never has
two alike in a row unless the user chose both. A ``layout`` the user wrote is never changed,
and content fields the user wrote (``stat``, ``items``, ``offer``, ``quote``) are kept and
decide the layout of a scene that has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ValidationError

from aiprod.planner.figures import Figure, find_figure
from aiprod.planner.offers import find_offer
from aiprod.planner.structure import find_comparison, find_list, find_quote
from aiprod.planner.textutil import fold, upper_first
from aiprod.spec.model import (
    ImageBackground,
    Offer,
    Quote,
    Scene,
    Stat,
    VideoBackground,
    VideoSpec,
)

SCORES = {
    "quote": 6.0,
    "offer": 5.0,
    "comparison": 4.5,
    "list": 4.0,
    "stat": 3.5,
    "product": 3.0,
    "recap": 2.0,
    "benefit": 1.0,
    "card": 0.5,
}
"""How strongly each finding asks for its layout; 'card' is the headline-only variant."""
POSITION_SCORE = 10.0
MAX_ITEMS = 4
MAX_ITEM_CHARS = 80
MAX_STAT = 1e12
MAX_LINE_CHARS = 800
"""Lines are read up to here: what a scene shows is said early, and a long one stays cheap."""
_SPACES = re.compile(r"[^\S\n]+")
_CLAUSE_EDGE = re.compile(r"[;:!?\n]|[.,](?=\s|$)")


@dataclass(frozen=True)
class Choice:
    """A layout a scene could take, how well it fits, and the content it would show."""

    layout: str
    score: float
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SceneOptions:
    """A scene's possible layouts, best first; ``locked`` when the user decided it."""

    choices: tuple[Choice, ...]
    locked: bool


def clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` that holds ``text[start:end]`` (between , ; : . ! ? or lines)."""
    cuts = [m.end() for m in _CLAUSE_EDGE.finditer(text, 0, start)]
    stop = _CLAUSE_EDGE.search(text, end)
    return text[cuts[-1] if cuts else 0 : stop.start() if stop else len(text)].strip()


def points_in(scene: Scene, points: list[str]) -> list[str]:
    """The brief's key points a scene says (in its title or narration), in brief order."""
    said = fold(f"{scene.title or ''} {scene.narration}")
    return [p for p in points if fold(p) in said]


def brief_clauses(
    brief_text: str, points: list[str], others: list[str], *, whole: bool = False
) -> list[str]:
    """Each key point as the brief wrote it, to the end of its clause ('20% off this week
    with code X'), without the other points in it ('organic beans and free delivery'); with
    ``whole``, the whole clause as written (a quote and its author)."""
    clauses = []
    for point in points:
        found = re.search(re.escape(point), brief_text, re.IGNORECASE)
        if not found:
            continue
        clause = clause_around(brief_text, found.start(), found.end())
        if not whole:
            start = clause.casefold().find(point.casefold())
            clause = _without_others(clause[max(0, start) :], point, others)
        clauses.append(" ".join(clause.split()))
    return clauses


def _without_others(clause: str, point: str, others: list[str]) -> str:
    for other in others:
        if fold(point) not in fold(other):
            clause = re.sub(re.escape(other), " ", clause, flags=re.IGNORECASE)
    return clause


def scene_lines(scene: Scene, clauses: list[str]) -> list[str]:
    """What a scene says, most telling first: the brief's clauses for its key points (the
    written form), its title and lower third, then its narration. Narration the planner
    wrote (a scene with a ``role``) is left out: its turns of phrase come from templates."""
    narration = "" if scene.role is not None else scene.narration
    lines = [*clauses, scene.title or "", scene.text or "", narration]
    return [_SPACES.sub(" ", line[:MAX_LINE_CHARS]) for line in lines if line.strip()]


def _stat(figure: Figure) -> dict[str, Any] | None:
    if abs(figure.value) > MAX_STAT:
        return None
    return {
        "value": figure.value,
        "decimals": figure.decimals,
        "prefix": figure.prefix[:8],
        "unit": figure.unit[:16],
        "label": upper_first(figure.label)[:120],
    }


def _items(items: list[str]) -> list[str]:
    tidy = [" ".join(i.strip(" .,;:!?\"'“”«»").split()) for i in items]
    return [upper_first(i)[:MAX_ITEM_CHARS] for i in tidy if i][:MAX_ITEMS]


def has_user_picture(scene: Scene) -> bool:
    """True when the scene's picture is a file (the user's image or clip), not an icon."""
    picture = scene.illustration is not None and scene.illustration.path is not None
    return picture or isinstance(scene.background, ImageBackground | VideoBackground)


def found_content(
    lines: list[str], language: str, points: list[str], quoted: list[str]
) -> list[Choice]:
    """Every content layout the lines support, with the fields each would show; quotes are
    looked for in ``quoted`` first (whole clauses, where the author may be a key point)."""
    found: list[Choice] = []
    quote = next((q for line in [*quoted, *lines] if (q := find_quote(line))), None)
    if quote:
        found.append(
            Choice("quote", SCORES["quote"], {"quote": {"text": quote[0], "author": quote[1]}})
        )
    offer = next((o for line in lines if (o := find_offer(line, language))), None)
    if offer:
        content = {k: v for k, v in vars(offer).items() if v is not None}
        found.append(Choice("offer", SCORES["offer"], {"offer": content}))
    pair = next((c for line in lines if (c := find_comparison(line))), None)
    if pair:
        found.append(Choice("comparison", SCORES["comparison"], {"items": _items(pair)}))
    items = points if len(points) >= 2 else next((i for ln in lines if (i := find_list(ln))), None)
    if items:
        found.append(Choice("list", SCORES["list"], {"items": _items(items)}))
    figure = next((f for line in lines if (f := find_figure(line, language))), None)
    stat = _stat(figure) if figure and not (figure.currency and offer) else None
    if stat:
        found.append(Choice("stat", SCORES["stat"], {"stat": stat}))
    return [choice for choice in found if _valid(choice)]


CONTENT_MODELS: dict[str, type[BaseModel]] = {"stat": Stat, "offer": Offer, "quote": Quote}


def _valid(choice: Choice) -> bool:
    """True when the content fits the spec's limits (a finding never makes a spec invalid)."""
    try:
        for name, value in choice.content.items():
            if name in CONTENT_MODELS:
                CONTENT_MODELS[name].model_validate(value)
    except ValidationError:
        return False
    return True


USER_CONTENT = (("quote", "quote"), ("offer", "offer"), ("stat", "stat"))


def implied_layout(scene: Scene) -> str | None:
    """The layout content the user wrote asks for: a stat, offer or quote, or 2+ items."""
    for name, layout in USER_CONTENT:
        if getattr(scene, name) is not None:
            return layout
    return "list" if len(scene.items) >= 2 else None


def _ranked(choices: list[Choice]) -> tuple[Choice, ...]:
    best: dict[str, Choice] = {}
    for choice in sorted(choices, key=lambda c: -c.score):
        best.setdefault(choice.layout, choice)
    return tuple(best.values())


def scene_options(scene: Scene, index: int, count: int, found: list[Choice]) -> SceneOptions:
    """The layouts a scene could take, best first, with the content each would fill."""
    chosen = scene.layout or implied_layout(scene)
    if chosen is not None:
        match = next((c for c in found if c.layout == chosen), Choice(chosen, POSITION_SCORE))
        return SceneOptions((Choice(chosen, POSITION_SCORE, match.content),), locked=True)
    choices = [*found, Choice("benefit", SCORES["benefit"])]
    if index == 0:
        choices.append(Choice("hook", POSITION_SCORE))
    elif index == count - 1:
        choices.append(Choice("end_card", POSITION_SCORE))
    else:
        choices.append(Choice("hook", SCORES["card"]))
    if has_user_picture(scene):
        choices.append(Choice("product", SCORES["product"]))
    return SceneOptions(_ranked(choices), locked=False)


def with_recap(options: list[SceneOptions], covered: list[list[str]], points: list[str]) -> None:
    """When the brief lists 2-4 key points and no scene shows a list, the last filler scene
    (one that says no key point and has nothing else to show) recaps them as a list."""
    if not 2 <= len(points) <= MAX_ITEMS or any(o.choices[0].layout == "list" for o in options):
        return
    for i in range(len(options) - 2, 0, -1):
        if not options[i].locked and not covered[i] and options[i].choices[0].layout == "benefit":
            recap = Choice("list", SCORES["recap"], {"items": _items(points)})
            options[i] = SceneOptions(_ranked([recap, *options[i].choices]), locked=False)
            return


def vary(options: list[SceneOptions]) -> list[Choice]:
    """One choice per scene: the best that differs from the previous scene's layout (and from
    the next scene's when the user fixed that one); the user's choices stand."""
    picks: list[Choice] = []
    for i, option in enumerate(options):
        if option.locked:
            picks.append(option.choices[0])
            continue
        before = picks[-1].layout if picks else None
        after = options[i + 1].choices[0].layout if i + 1 < len(options) else None
        after = after if i + 1 < len(options) and options[i + 1].locked else None
        apart = [c for c in option.choices if c.layout not in (before, after)]
        differs = [c for c in option.choices if c.layout != before]
        picks.append((apart or differs or list(option.choices))[0])
    return picks


def _apply(scene: dict[str, Any], choice: Choice) -> None:
    scene["layout"] = choice.layout
    for name, value in choice.content.items():
        if not scene.get(name):  # content the user wrote is kept
            scene[name] = value


def assign_layouts(spec: VideoSpec) -> VideoSpec:
    """The spec with a layout on every scene, and the chosen layouts' content filled in."""
    language = spec.language[:2].lower()
    points = list(spec.brief.key_points) if spec.brief else []
    brief_text = spec.brief.text if spec.brief else ""
    count = len(spec.scenes)
    options, covered = [], []
    for i, scene in enumerate(spec.scenes):
        said = points_in(scene, points)
        lines = scene_lines(scene, brief_clauses(brief_text, said, points))
        covered.append(said)
        quoted = brief_clauses(brief_text, said, points, whole=True)
        found = found_content(lines, language, said, quoted)
        options.append(scene_options(scene, i, count, found))
    with_recap(options, covered, points)
    data = spec.model_dump(mode="json")
    for scene, choice in zip(data["scenes"], vary(options), strict=True):
        _apply(scene, choice)
    return VideoSpec.model_validate(data)


def repeated_pairs(spec: VideoSpec) -> int:
    """How many consecutive scene pairs share a layout."""
    layouts = [scene.layout for scene in spec.scenes]
    return sum(1 for a, b in pairwise(layouts) if a == b)
