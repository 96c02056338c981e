"""Scene keywords (English and French) to an ambience category, and words to effect kinds.

Words are normalised before lookup: case-folded, accents and punctuation removed, a plural
``s``/``x``/``es`` tried off. Multi-word phrases ("coffee shop", "feu de camp") win over
single words. Each category has its own vocabulary in each language.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from aiprod.providers.sfx.vocabulary import KIND_WORDS, VOCABULARY

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_PHRASE_WORDS = 4


def normalise(text: str) -> str:
    """Case-folded, accent-free words separated by single spaces ("Forêt-Noire" → "foret noire")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", plain.replace("œ", "oe").replace("æ", "ae")).strip()


def singulars(word: str) -> list[str]:
    """``word`` and the forms it may be a plural of ("oiseaux" → "oiseau", "beaches" → "beach")."""
    forms = [word]
    if len(word) > 3 and word[-1] in "sx":
        forms.append(word[:-1])
        if word.endswith("es"):
            forms.append(word[:-2])
    return forms


def _table(words_by_category: dict[str, str]) -> dict[str, str]:
    """Normalised word or phrase → category, from comma-separated vocabulary lists."""
    return {
        normalise(word): category
        for category, words in words_by_category.items()
        for word in words.split(",")
        if word.strip()
    }


_TABLES: dict[str, dict[str, str]] = {
    language: _table(categories) for language, categories in VOCABULARY.items()
}
_KINDS: dict[str, str] = _table(KIND_WORDS)


def _lookup(table: dict[str, str], phrase: str) -> str | None:
    for form in singulars(phrase):
        if form in table:
            return table[form]
    return None


def _matches(words: list[str], table: dict[str, str]) -> list[str]:
    """Categories of the phrases in ``words``, longest phrase first, left to right."""
    found: list[str] = []
    index = 0
    while index < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - index), 0, -1):
            hit = _lookup(table, " ".join(words[index : index + size]))
            if hit is not None:
                found.append(hit)
                index += size
                break
        else:
            index += 1
    return found


def _tables_for(language: str) -> list[dict[str, str]]:
    """The language's own table first, then the others (mixed-language keywords)."""
    primary = language.casefold().split("-")[0].split("_")[0]
    ordered = [primary] if primary in _TABLES else []
    ordered += [name for name in _TABLES if name != primary]
    return [_TABLES[name] for name in ordered]


def ambience_for(keywords: Sequence[str], language: str = "en") -> str | None:
    """The ambience category the scene ``keywords`` describe, or None if none is recognised.

    Each keyword (a word or a phrase, English or French) votes for the categories its
    words name; the most voted category wins, ties going to the one named first. Words
    are looked up in ``language`` first and, only if nothing matched, in the others.
    """
    words = [normalise(keyword).split() for keyword in keywords]
    for table in _tables_for(language):
        votes: Counter[str] = Counter()
        order: list[str] = []
        for phrase_words in words:
            for category in _matches(phrase_words, table):
                votes[category] += 1
                if category not in order:
                    order.append(category)
        if votes:
            best = max(votes.values())
            return next(category for category in order if votes[category] == best)
    return None


def categories_in(words: Iterable[str]) -> set[str]:
    """Every ambience category named by any of ``words`` (any language)."""
    joined = normalise(" ".join(words)).split()
    return {category for table in _TABLES.values() for category in _matches(joined, table)}


def kinds_in(words: Iterable[str]) -> set[str]:
    """Every effect kind (whoosh, impact, ambience, ...) named by any of ``words``."""
    return set(_matches(normalise(" ".join(words)).split(), _KINDS))
