"""Filling template slots from a brief analysis, and choosing templates deterministically."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from types import ModuleType

from aiprod.planner import templates_en, templates_fr
from aiprod.planner.brief import BriefAnalysis
from aiprod.planner.grammar import en_generic, fr_article, fr_plural
from aiprod.planner.textutil import count_words, fold, lower_first, stable_hash, upper_first

Slots = dict[str, str]
_FORMATTER = string.Formatter()


def templates_for(language: str) -> ModuleType:
    """The template module of ``language`` (French or English)."""
    return templates_fr if language == "fr" else templates_en


def _product_slots(product: str, language: str) -> Slots:
    if language == "fr":
        plural = fr_plural(product)
        le_x = fr_article(product, "le")
        return {
            "x": product,
            "le_x": le_x,
            "Le_x": upper_first(le_x),
            "du_x": fr_article(product, "du"),
            "un_x": fr_article(product, "un"),
            "dun_x": fr_article(product, "de") if plural else "d'" + fr_article(product, "un"),
            "change": "changent" if plural else "change",
            "devenait": "devenaient" if plural else "devenait",
            "sort": "sortent" if plural else "sort",
        }
    generic, plural = en_generic(product)
    return {
        "x": generic,
        "X": upper_first(generic),
        "lets": "let" if plural else "lets",
        "tastes": "taste" if plural else "tastes",
        "is": "are" if plural else "is",
    }


def _audience_slots(audience: str, language: str) -> Slots:
    slots = {"aud": audience, "Aud": upper_first(audience)}
    if language == "fr":
        plural = fr_plural(audience) or audience.rstrip().endswith(("s", "x"))
        slots["les_aud"] = f"les {audience}" if plural else audience
        slots["aux_aud"] = f"aux {audience}" if plural else f"à {audience}"
    return slots


def base_slots(analysis: BriefAnalysis) -> Slots:
    """Slots every template of a script may use (brand, product, audience, call to action)."""
    language = analysis.language
    cta = analysis.call_to_action.strip().rstrip(".!?;:, ") or analysis.call_to_action
    slots: Slots = {"cta": lower_first(cta), "Cta": upper_first(cta)}
    if analysis.brand:
        slots["brand"] = analysis.brand
    if analysis.product:
        slots.update(_product_slots(analysis.product, language))
    if analysis.audience:
        slots.update(_audience_slots(analysis.audience, language))
    return slots


def point_slots(slots: Slots, point: str) -> Slots:
    """``slots`` plus the point itself, as ``{p}`` (mid-sentence) and ``{P}`` (sentence start)."""
    return {**slots, "p": lower_first(point), "P": upper_first(point)}


def fields(template: str) -> set[str]:
    """The slot names a template uses."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def render(template: str, slots: Slots) -> str | None:
    """The filled template, or None when a slot it needs is missing."""
    if not fields(template) <= slots.keys():
        return None
    return template.format_map(slots)


def pick(
    templates: Sequence[str], slots: Slots, key: str, used: set[str], *, again: bool = True
) -> str | None:
    """A usable template chosen by a stable hash of ``key``, avoiding ``used`` ones if possible.

    The chosen template is added to ``used`` so later scenes vary their wording; once every
    one is used, the pool's first (its plainest, '{P}.') is said again rather than a lead-in
    such as 'Au programme :' a second time, or None without ``again`` (the caller says the
    point plainly rather than repeat 'Here's what sets X apart:').
    """
    usable = [t for t in templates if fields(t) <= slots.keys()]
    if not usable:
        return None
    start = stable_hash(key) % len(usable)
    rotated = usable[start:] + usable[:start]
    fresh = next((t for t in rotated if t not in used and not _leads(t) & used), None)
    if fresh is None and not again:
        return None
    chosen = fresh or usable[0]
    used.add(chosen)
    used.update(_leads(chosen))
    return chosen.format_map(slots)


_LEAD_RE = re.compile(r"([^.?!:{}]+?)\s*:")


def _leads(template: str) -> set[str]:
    """A template's lead-ins ('Bonne nouvelle :' in 'Bonne nouvelle : c'est {p}.' or in
    '... ? Bonne nouvelle : {brand} est là.'), shared by templates of other pools."""
    return {f"lead:{fold(m.group(1).strip())}" for m in _LEAD_RE.finditer(template)}


def pick_many(
    templates: Sequence[str], slots: Slots, key: str, used: set[str], count: int
) -> list[str]:
    """Up to ``count`` distinct filled templates, each chosen like :func:`pick`."""
    chosen: list[str] = []
    for index in range(count):
        remaining = [t for t in templates if t not in used]
        text = pick(remaining, slots, f"{key}#{index}", used)
        if text is None:
            break
        chosen.append(text)
    return chosen


def shortest(templates: Sequence[str], slots: Slots) -> str | None:
    """The filled usable template with the fewest words (first one on ties), or None."""
    filled = [t.format_map(slots) for t in templates if fields(t) <= slots.keys()]
    return min(filled, key=count_words) if filled else None
