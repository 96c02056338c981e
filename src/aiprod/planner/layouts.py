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
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ValidationError

from aiprod.planner.figures import Figure, find_figure, short_unit
from aiprod.planner.offers import (
    CODE_PHRASE_RE,
    find_code,
    find_offer,
    offer_headline,
    offer_price,
)
from aiprod.planner.speech import speakable
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
_SENTENCE_EDGE = re.compile(r"[!?\n]|\.(?=\s|$)")
REPEATABLE = SCORES["stat"]
"""A scene whose content scores this much may repeat the previous scene's layout (two stats
in a row) rather than fall back to a plain card, within the variety bound."""
REPEATABLE_LAYOUTS = frozenset({"stat"})
"""The layouts that may follow themselves: two stats in a row are framed on opposite sides;
two offers in a row (badge, price, chip) look the same, and with one more pair alike by its
frames a 1:1 video failed QA's variety check."""


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


def points_in(scene: Scene, points: list[str], language: str = "en") -> list[str]:
    """The brief's key points a scene says (in its title or narration, where '20 %' is
    spoken '20 pour cent'), in brief order."""
    said = fold(f"{scene.title or ''} {scene.narration}")
    return [p for p in points if fold(p) in said or fold(speakable(p, language)) in said]


def brief_sentences(brief_text: str, points: list[str]) -> list[str]:
    """The brief's whole sentences that hold a key point: where a promo code said before its
    discount ('Code promo VOLT20 : 20 % de réduction') is found."""
    found = []
    for point in points:
        at = brief_text.casefold().find(point.casefold())
        if at < 0:
            continue
        cuts = [m.end() for m in _SENTENCE_EDGE.finditer(brief_text, 0, at)]
        stop = _SENTENCE_EDGE.search(brief_text, at + len(point))
        found.append(brief_text[cuts[-1] if cuts else 0 : stop.start() if stop else None].strip())
    return found


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


def _signed(line: str, figure: Figure) -> bool:
    """True when the line writes a minus before the number ('-30 %', '− 2 kg')."""
    at = line.find(figure.text)
    return at > 0 and line[:at].rstrip()[-1:] in ("-", "−")


def _stat(figure: Figure, language: str, signed: bool = False) -> dict[str, Any] | None:
    """A number shown big; a discount is an offer, never a stat, and a number written with
    its minus keeps it."""
    if abs(figure.value) > MAX_STAT:
        return None
    sign = "-" if signed and figure.value > 0 and "-" not in figure.prefix else ""
    return {
        "value": figure.value,
        "decimals": figure.decimals,
        "prefix": (sign + figure.prefix)[:8],
        "unit": short_unit(figure.unit, language)[:16],
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
    lines: list[str],
    language: str,
    points: list[str],
    quoted: list[str],
    sentences: list[str] | None = None,
) -> list[Choice]:
    """Every content layout the lines support, with the fields each would show; quotes are
    looked for in ``quoted`` first (whole clauses, where the author may be a key point), an
    offer's promo code in the whole ``sentences`` too."""
    found: list[Choice] = []
    quote = next((q for line in [*quoted, *lines] if (q := find_quote(line))), None)
    if quote:
        found.append(
            Choice("quote", SCORES["quote"], {"quote": {"text": quote[0], "author": quote[1]}})
        )
    offer = next((o for line in lines if (o := find_offer(line, language))), None)
    if offer and offer.code is None:
        code = next((k for line in sentences or [] if (k := find_code(line))), None)
        offer = replace(offer, code=code)
    if offer:
        content = {k: v for k, v in vars(offer).items() if v is not None}
        found.append(Choice("offer", SCORES["offer"], {"offer": content}))
    pair = next((c for line in lines if (c := find_comparison(line))), None)
    if pair:
        found.append(Choice("comparison", SCORES["comparison"], {"items": _items(pair)}))
    items = points if len(points) >= 2 else next((i for ln in lines if (i := find_list(ln))), None)
    if items:
        found.append(Choice("list", SCORES["list"], {"items": _items(items)}))
    line, figure = next(((ln, f) for ln in lines if (f := find_figure(ln, language))), ("", None))
    discount = offer is not None and (offer.badge or "").startswith("-")
    shown = figure and not (figure.currency and offer) and not (discount and figure.unit == "%")
    stat = _stat(figure, language, _signed(line, figure)) if figure and shown else None
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
    the next scene's when the user fixed that one); the user's choices stand. A scene with
    strong content (a second number in a row) keeps its layout rather than become a plain
    card, while at most a third of consecutive pairs are alike and never three in a row."""
    picks: list[Choice] = []
    locked = [o.choices[0].layout if o.locked else None for o in options]
    locked_repeats = sum(1 for a, b in pairwise(locked) if a is not None and a == b)
    spare = (len(options) - 1) // 3 - locked_repeats
    for i, option in enumerate(options):
        if option.locked:
            picks.append(option.choices[0])
            continue
        before = picks[-1].layout if picks else None
        after = options[i + 1].choices[0].layout if i + 1 < len(options) else None
        after = after if i + 1 < len(options) and options[i + 1].locked else None
        apart = [c for c in option.choices if c.layout not in (before, after)]
        differs = [c for c in option.choices if c.layout != before]
        pick = (apart or differs or list(option.choices))[0]
        best = option.choices[0]
        twice = len(picks) >= 2 and picks[-2].layout == before
        strong = (
            best.score >= REPEATABLE
            and best.layout in REPEATABLE_LAYOUTS
            and pick.score <= SCORES["benefit"]
        )
        if strong and best.layout == before != after and spare > 0 and not twice:
            pick, spare = best, spare - 1
        picks.append(pick)
    return picks


def _apply(scene: dict[str, Any], choice: Choice) -> None:
    scene["layout"] = choice.layout
    for name, value in choice.content.items():
        if not scene.get(name):  # content the user wrote is kept
            scene[name] = value


def _offer_copy(scene: dict[str, Any], source: str, language: str, brand: str | None) -> None:
    """A planned offer scene's headline says what its badge, price and code chip do not:
    'Free delivery' becomes the badge 'Free' over the headline 'Delivery'; 'Plans from 9 € a
    month' the headline 'Ledgerly Plans' over 'From' and '9 €/month'."""
    offer = scene.get("offer") or {}
    if not scene.get("title"):
        return
    if scene.get("role") is not None and offer.get("price"):
        offer["price"] = offer_price(source, offer, language)
    headline, badge = offer_headline(scene["title"], source, offer, language, brand)
    if scene.get("role") is None:  # the user's own title stays; a badge found in it that
        # says it again ('Free delivery' over 'Free delivery') keeps only what it adds
        if badge and _same_words(offer.get("badge"), scene["title"]):
            offer["badge"] = badge
        return
    scene["title"] = headline
    if badge:
        offer["badge"] = badge


def _same_words(text: str | None, other: str) -> bool:
    """The same words, whatever the case, accents and punctuation."""
    words = re.compile(r"\w+")
    return bool(text) and words.findall(fold(str(text))) == words.findall(fold(other))


def _brief_code(data: dict[str, Any], brief_text: str) -> None:
    """The brief's promo code goes on an offer scene's chip when no scene shows or says it
    (a code another scene says belongs to that scene's offer, not to this price)."""
    offers = [s["offer"] for s in data["scenes"] if s.get("layout") == "offer" and s.get("offer")]
    code = find_code(brief_text)
    said = any(code and code.casefold() in _scene_words(s).casefold() for s in data["scenes"])
    lent = code and offers and not said and not any(o.get("code") for o in offers)
    if lent and code and not _offer_left_out(brief_text, code, data["scenes"]):
        offers[0]["code"] = code


def _offer_left_out(brief_text: str, code: str, scenes: list[dict[str, Any]]) -> bool:
    """True when the code belongs to an offer of its own that no scene says: '10% off beans
    with code EMBER10', left out for want of scenes, does not lend its code to a price."""
    at = brief_text.casefold().find(code.casefold())
    clause = CODE_PHRASE_RE.sub(" ", clause_around(brief_text, at, at + len(code)))
    offer = find_offer(clause)
    if offer is None or not (offer.badge or offer.price):
        return False
    words = {w for w in re.findall(r"\w+", fold(clause)) if len(w) > 2 or w.isdigit()}
    said = set(re.findall(r"\w+", fold(" ".join(_scene_words(s) for s in scenes))))
    return len(words & said) * 2 < len(words)


def _scene_words(scene: dict[str, Any]) -> str:
    stat = scene.get("stat") or {}
    return f"{scene.get('title') or ''} {scene.get('narration') or ''} {stat.get('label') or ''}"


CODE_SAID = {"fr": "avec le code {code}", "en": "with code {code}"}


def _code_said(scene: dict[str, Any], language: str) -> None:
    """A promo code on a planned scene's chip is said too, after the price and the price it
    replaces: '1 490 euros au lieu de 1 790 euros, avec le code VOLT20.'"""
    code = (scene.get("offer") or {}).get("code")
    narration = scene.get("narration") or ""
    if scene.get("role") is None or not code or code.casefold() in narration.casefold():
        return
    said = CODE_SAID.get(language, CODE_SAID["en"]).format(code=code)
    body = narration.rstrip()
    if body.endswith("."):
        scene["narration"] = f"{body[:-1]}, {said}."
    else:
        scene["narration"] = f"{body} {upper_first(said)}."


def _own_sentences(sentences: list[str], said: list[str], points: list[str]) -> list[str]:
    """The brief sentences whose promo code no other key point carries: 'Plans from 9 € a
    month, first month free with code LEDGER20' lends its code to the free month only."""
    others = {find_code(p) for p in points if p not in said} - {None}
    return [s for s in sentences if find_code(s) not in others]


def assign_layouts(spec: VideoSpec) -> VideoSpec:
    """The spec with a layout on every scene, and the chosen layouts' content filled in."""
    language = spec.language[:2].lower()
    points = list(spec.brief.key_points) if spec.brief else []
    brief_text = spec.brief.text if spec.brief else ""
    count = len(spec.scenes)
    options, covered, sources = [], [], []
    for i, scene in enumerate(spec.scenes):
        said = points_in(scene, points, language)
        lines = scene_lines(scene, brief_clauses(brief_text, said, points))
        covered.append(said)
        quoted = brief_clauses(brief_text, said, points, whole=True)
        sentences = _own_sentences(brief_sentences(brief_text, said), said, points)
        found = found_content(lines, language, said, quoted, sentences)
        options.append(scene_options(scene, i, count, found))
        sources.append(next((line for line in lines if find_offer(line, language)), ""))
    with_recap(options, covered, points)
    data = spec.model_dump(mode="json")
    for scene, choice in zip(data["scenes"], vary(options), strict=True):
        _apply(scene, choice)
    _brief_code(data, brief_text)
    for scene, source in zip(data["scenes"], sources, strict=True):
        if scene["layout"] == "offer":
            _offer_copy(scene, source, language, spec.brief.brand if spec.brief else None)
            _code_said(scene, language)
    return VideoSpec.model_validate(data)


def repeated_pairs(spec: VideoSpec) -> int:
    """How many consecutive scene pairs share a layout."""
    layouts = [scene.layout for scene in spec.scenes]
    return sum(1 for a, b in pairwise(layouts) if a == b)
