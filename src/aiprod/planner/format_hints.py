"""Video length and frame shape named in a brief ("30-second", "1 minute", "9:16", "carré")."""

from __future__ import annotations

import re
from typing import Literal

Aspect = Literal["vertical", "square", "horizontal"]
Span = tuple[int, int]

DEFAULT_DURATION_S = 30.0
MIN_DURATION_S = 5.0
MAX_DURATION_S = 300.0

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "fifty": 50, "sixty": 60, "ninety": 90, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "quatre": 4, "cinq": 5, "dix": 10, "quinze": 15, "vingt": 20, "trente": 30,
    "quarante": 40, "quarante-cinq": 45, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_ARTICLES = frozenset({"a", "an", "un", "une"})
_WORD_NUMBER = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_MINUTES = (
    r"(minutes?|mins?|mn)\b(?:\s?(?:and\s|et\s)?(\d{1,2})\s?(?:seconds?|secs?|secondes?|s)\b)?"
)
_SECONDS = r"(seconds?|secondes?|secs?|sec\.|s|\")(?![\w'])"
_NOT_DECADE = r"(?!\s*(?:vibe|style|aesthetic|era|look|music|hits))"
_DURATION_RES = (
    re.compile(
        rf"(?<![\w.,$€£])(\d{{1,4}}(?:[.,]\d+)?)\s?-?\s?(?:{_MINUTES}|{_SECONDS}{_NOT_DECADE})",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?<![\w-])({_WORD_NUMBER})[\s-](?:{_MINUTES}|(seconds?|secondes?)\b)",
        re.IGNORECASE,
    ),
)
_GOOD_AFTER = re.compile(
    r"^[\s\-\"']{0,3}(?:[\w-]+\s){0,2}(?:ad|advert|video|spot|clip|commercial|promo|reel|teaser|film|"
    r"cut|version|long|vidéo|pub|publicité|max|maximum|format)\b",
    re.IGNORECASE,
)
_GOOD_BEFORE = re.compile(
    r"(?:duration|length|runtime|durée|long|lasting|max|maximum|under|about|around|de|of|"
    r"d'environ|environ)\W{0,3}$",
    re.IGNORECASE,
)
_BAD_BEFORE = re.compile(
    r"(?:\bin|within|en|dans|every|toutes les|per|par|after|après|only|just|takes?|prend)\W{0,3}$",
    re.IGNORECASE,
)


def _seconds(match: re.Match[str]) -> float | None:
    raw = match.group(1).lower()
    value = float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw.replace(",", "."))
    if match.group(2):
        extra = float(match.group(3)) if match.group(3) else 0.0
        return value * 60.0 + extra
    if raw in _ARTICLES:
        return None  # "wait a second" is not a duration
    return value


def _score(text: str, match: re.Match[str]) -> int:
    before = text[max(0, match.start() - 24) : match.start()]
    after = text[match.end() : match.end() + 40]
    if "-" in match.group(0):
        return 2
    if _BAD_BEFORE.search(before):
        return 0
    return 2 if _GOOD_AFTER.search(after) or _GOOD_BEFORE.search(before) else 1


def find_duration(text: str) -> tuple[float | None, Span | None]:
    """Seconds named in ``text`` (clamped to 5-300) and where, or (None, None)."""
    best: tuple[int, float, Span] | None = None
    matches = [m for pattern in _DURATION_RES for m in pattern.finditer(text)]
    for match in sorted(matches, key=lambda m: m.start()):
        seconds = _seconds(match)
        score = _score(text, match)
        if seconds is None or seconds <= 0 or score == 0:
            continue
        if best is None or score > best[0]:
            best = (score, seconds, (match.start(), match.end()))
        if score == 2:
            break
    if best is None:
        return None, None
    return min(MAX_DURATION_S, max(MIN_DURATION_S, best[1])), best[2]


_RATIO = r"\s?[:x/×]\s?"
_ASPECT_PATTERNS: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    (
        "vertical",
        re.compile(
            rf"\b(?:verticale?s?|9{_RATIO}16|tik\s?tok|instagram\s+(?:reels?|stories)|reels|"
            r"youtube\s+shorts|(?:format|mode|en|in)\s+portrait|portrait\s+(?:format|mode|video))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "square",
        re.compile(
            rf"\b(?:1{_RATIO}1|square(?!\s+(?:meters?|metres?|feet|foot|miles?|km|one))|"
            r"carré(?:e|s)?(?!\s+(?:de|d'|du|des)))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "horizontal",
        re.compile(
            rf"\b(?:horizontale?s?|16{_RATIO}9|widescreen|youtube(?!\s+shorts)|"
            r"(?:format|mode|en|in)\s+(?:landscape|paysage)|landscape\s+(?:format|mode|video)|"
            rf"cinemascope|21{_RATIO}9)\b",
            re.IGNORECASE,
        ),
    ),
)


def find_aspect(text: str) -> tuple[Aspect | None, list[Span]]:
    """The frame shape asked for (earliest mention wins) and every span that named one."""
    found: list[tuple[int, Aspect]] = []
    spans: list[Span] = []
    for aspect, pattern in _ASPECT_PATTERNS:
        for match in pattern.finditer(text):
            found.append((match.start(), aspect))
            spans.append((match.start(), match.end()))
    if not found:
        return None, spans
    return min(found)[1], spans
