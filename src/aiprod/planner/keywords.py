"""Language of a brief and the salient nouns that can drive visuals and ambience."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from aiprod.planner.lexicon import EN_ADJ_OPENERS, EN_VERBS, FR_ADJ_OPENERS, FR_VERBS
from aiprod.planner.stopwords import EN_MARKERS, FR_ELISIONS, FR_MARKERS
from aiprod.planner.textutil import fold, folded_set, words
from aiprod.planner.tokens import is_content

Language = Literal["en", "fr"]
MAX_KEYWORDS = 8

_ACCENTED = frozenset("éèêëàâçùûüôîïœæ")
_NOT_VISUAL = folded_set(
    """
    free new best great good better amazing awesome perfect easy simple fast quick super top
    unique important real true whole full every sure lot kind thing things way ways part
    gratuit gratuite gratuits gratuites nouveau nouvelle meilleur meilleure bon bonne vrai
    vraie chose choses façon fois tout toute idéal idéale parfait parfaite simple rapide
    key main points point messages message benefits benefit avantages atouts arguments
    """
)


def detect_language(text: str) -> Language:
    """``"fr"`` when French function words (and accents) outweigh English ones, else ``"en"``."""
    english = french = 0.0
    for word in words(text):
        lowered = word.lower()
        if lowered in EN_MARKERS:
            english += 1.0
        if lowered in FR_MARKERS or lowered.startswith(FR_ELISIONS):
            french += 1.0
        if not lowered.isascii() and any(ch in _ACCENTED for ch in lowered):
            french += 0.5
    return "fr" if french > english else "en"


def _candidate(word: str, banned: set[str]) -> bool:
    folded = fold(word)
    return (
        len(folded) >= 3
        and is_content(folded)
        and folded not in banned
        and folded not in _NOT_VISUAL
        and folded not in EN_VERBS
        and folded not in FR_VERBS
        and folded not in EN_ADJ_OPENERS
        and folded not in FR_ADJ_OPENERS
        and not any(ch.isdigit() for ch in word)
    )


def _unelided(word: str) -> str:
    return word[2:] if word[:2] in {"l'", "d'"} and len(word) > 2 else word


def find_keywords(
    text: str, product: str | None, points: tuple[str, ...], banned_phrases: tuple[str, ...]
) -> tuple[str, ...]:
    """Up to eight nouns for visuals: product words, then point words, then frequent words.

    Words of ``banned_phrases`` (brand, call to action, web address) are never keywords.
    """
    banned = {fold(word) for phrase in banned_phrases for word in words(phrase)}
    banned -= {fold(word) for word in words(product or "")}  # "Café" Lumière sells café
    all_words = [_unelided(word.lower()) for word in words(text)]
    counts = Counter(fold(word) for word in all_words)
    first_seen: dict[str, int] = {}
    for position, word in enumerate(all_words):
        first_seen.setdefault(word, position)
    frequent = sorted(first_seen, key=lambda w: (-counts[fold(w)], first_seen[w]))
    ordered = [
        *(_unelided(word) for word in words((product or "").lower())),
        *(_unelided(w.lower()) for point in points for w in reversed(words(point))),
        *frequent,
    ]
    chosen: list[str] = []
    seen: set[str] = set()
    for word in ordered:
        key = fold(word)
        if key in seen or not _candidate(word, banned):
            continue
        seen.add(key)
        chosen.append(word)
        if len(chosen) == MAX_KEYWORDS:
            break
    return tuple(chosen)


def visual_words(text: str, banned_phrases: tuple[str, ...] = ()) -> list[str]:
    """Keyword-worthy words of ``text`` (head nouns first: "organic beans" -> beans, organic)."""
    banned = {fold(word) for phrase in banned_phrases for word in words(phrase)}
    found = [_unelided(word.lower()) for word in reversed(words(text))]
    return [word for word in found if _candidate(word, banned)]
