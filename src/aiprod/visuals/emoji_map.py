"""Scene keywords (English or French) to one fitting emoji.

The vocabularies live in :mod:`words_en` and :mod:`words_fr`; this module normalises them
into one index per language and looks keywords up:

* keywords are tried in order; the first that maps to an emoji not in ``exclude`` wins;
* a keyword is tried whole ("free delivery", "pain au chocolat"), then word by word from
  its head: the last word first in English ("running shoes" -> shoe), the first word first
  in French ("chaussures de course" -> chaussure);
* each word is tried as written, then in its singular forms (see :func:`text.word_forms`);
* the scene language's index is searched first, then the other one, except for "false
  friends" that mean something else across the two ("car", "pain", "the"...).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from aiprod.visuals.text import normalise, word_forms
from aiprod.visuals.words_en import WORDS_EN
from aiprod.visuals.words_fr import WORDS_FR
from aiprod.visuals.words_stop import STOPWORDS_BY_LANGUAGE

VS16 = "\ufe0f"
LANGUAGES = ("en", "fr")
_TABLES = {"en": WORDS_EN, "fr": WORDS_FR}

# Words of language X never looked up in the other language's index.
FALSE_FRIENDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {"the", "pain", "main", "lit", "ours", "or", "four", "but", "son", "dent", "sur"}
    ),
    "fr": frozenset(
        {"car", "sale", "coin", "four", "pie", "chair", "store", "tape", "sort", "ring"}
        | {"bat", "lame", "mare", "rate", "rage", "bras", "fin", "stage", "cap", "net"}
    ),
}


@dataclass(frozen=True)
class EmojiMatch:
    """The emoji found for a list of keywords and the keyword that produced it."""

    emoji: str
    keyword: str
    word: str  # the normalised word or phrase that hit the index


def build_index(rows: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Normalised word or phrase -> emoji; the first row naming a word wins."""
    index: dict[str, str] = {}
    for emoji, words in rows:
        for word in words.split(","):
            key = normalise(word)
            if key:
                index.setdefault(key, emoji)
    return index


@cache
def language_index(language: str) -> dict[str, str]:
    """The index of one language ("en" or "fr")."""
    return build_index(_TABLES[language])


def primary_language(language: str) -> str:
    """'fr-CA' -> 'fr'; unknown languages fall back to English."""
    code = language.replace("_", "-").split("-")[0].casefold()
    return code if code in _TABLES else "en"


def same_emoji(a: str, b: str) -> bool:
    """True when two emoji differ at most by the emoji presentation selector (VS16)."""
    return a.replace(VS16, "") == b.replace(VS16, "")


def _singular_phrase(words: Sequence[str]) -> str:
    """Every word of a phrase in its most likely singular form ("credit cards")."""
    return " ".join(word_forms(word)[1] if len(word_forms(word)) > 1 else word for word in words)


def _candidates(keyword: str, language: str) -> Iterator[str]:
    """Normalised lookups for one keyword: the whole phrase, then its words from the head."""
    words = normalise(keyword).split()
    if len(words) > 1:
        yield " ".join(words)
        yield _singular_phrase(words)
    for word in words[::-1] if language == "en" else words:
        if len(word) > 1 and word not in STOPWORDS_BY_LANGUAGE[language]:
            yield from word_forms(word)


def _lookup(word: str, language: str) -> str | None:
    """Emoji for one normalised word: own language first, then the others."""
    found = language_index(language).get(word)
    if found is not None or word in FALSE_FRIENDS[language]:
        return found
    for other in LANGUAGES:
        if other != language and (found := language_index(other).get(word)) is not None:
            return found
    return None


def match_emoji(
    keywords: Sequence[str], language: str = "en", *, exclude: Collection[str] = ()
) -> EmojiMatch | None:
    """The best emoji for ``keywords`` (first keyword that maps wins), skipping ``exclude``."""
    lang = primary_language(language)
    for keyword in [keywords] if isinstance(keywords, str) else keywords:
        for word in _candidates(keyword, lang):
            emoji = _lookup(word, lang)
            if emoji is not None and not any(same_emoji(emoji, e) for e in exclude):
                return EmojiMatch(emoji, keyword, word)
    return None


def emoji_for(
    keywords: Sequence[str], language: str = "en", *, exclude: Collection[str] = ()
) -> str | None:
    """The emoji for the first keyword that maps to one not in ``exclude``, else None.

    >>> emoji_for(["Cafés", "livraison"], "fr")
    '☕'
    """
    found = match_emoji(keywords, language, exclude=exclude)
    return None if found is None else found.emoji
