"""Small text helpers shared by the brief analyser and the script writer (pure functions)."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable
from functools import lru_cache

MAX_BRIEF_CHARS = 30_000
"""Briefs are analysed up to this many characters: enough for several thousand words."""

_QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‟": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\t": " ",
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
    }
)
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_UNUSUAL_RE = re.compile(r"[^\n\x20-\x7e]")
_WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
_SPACES_RE = re.compile(r"[ ]{2,}")
_SMALL_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "but", "nor", "for", "of", "in", "on", "at", "to", "by"}
    | {"with", "from", "as", "vs", "via", "per", "into"}
)
_DANGLING = _SMALL_WORDS | frozenset(
    [
        "&",
        "et",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "au",
        "aux",
        "à",
        "pour",
        "par",
        "sur",
        "avec",
        "sans",
        "dans",
        "en",
        "jusqu'à",
        "jusqu'au",
        "until",
        "till",
        "your",
        "our",
    ]
)
"""Words a cut headline does not end on."""
_PHRASE_EDGE_RE = re.compile(r"\s*[,;:–—]\s+|\s+-\s+")
_PHRASE_OPENERS = frozenset(
    {"with", "from", "for", "in", "on", "at", "to", "by", "via", "per", "into", "and", "or"}
    | {"until", "till", "avec", "sans", "pour", "par", "sur", "dans", "en", "et", "ou"}
    | {"jusqu'à", "jusqu'au"}
)
"""Words a phrase opens with: a headline too long is cut before one, not in mid-phrase."""
_MIN_PHRASE_WORDS = 2
_CLOSING_PRONOUNS = frozenset({"it", "them", "us", "you", "me", "him", "her"})
_TRIM_CHARS = " \n\t-–—,;:.…\"'()[]{}*_#>|~/\\"


def clean_text(text: str) -> str:
    """Normalise any string: NFC, plain quotes and spaces, no control or private-use chars."""
    text = text[:MAX_BRIEF_CHARS]
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_QUOTE_MAP)
    text = _UNUSUAL_RE.sub(_drop_invisible, text)
    return _SPACES_RE.sub(" ", text)


def _drop_invisible(match: re.Match[str]) -> str:
    ch = match.group(0)
    return "" if unicodedata.category(ch) in _DROP_CATEGORIES else ch


def is_symbol(ch: str) -> bool:
    """True for emoji, pictographs and other symbols that cannot be read aloud."""
    category = unicodedata.category(ch)
    return category in {"So", "Sk", "Cs", "Co", "Cn", "Cf", "Cc"} or ch in "\ufe0f\u200d"


def strip_symbols(text: str) -> str:
    """Remove emoji/symbols and markdown decoration; collapse whitespace."""
    kept = "".join(" " if is_symbol(ch) or ch in '*_#`~|<>[]{}"\\' else ch for ch in text)
    return " ".join(kept.split())


def tidy_phrase(text: str) -> str:
    """A fragment fit to quote: no symbols, no dangling punctuation at either end."""
    return strip_symbols(text).strip(_TRIM_CHARS).strip()


def words(text: str) -> list[str]:
    """Word tokens (letters/digits, inner apostrophes and hyphens kept), in order."""
    return _WORD_RE.findall(text)


def count_words(text: str) -> int:
    """Spoken words: whitespace-separated tokens that contain a letter or a digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip accents, for comparing words (``Apaisant`` ~ ``apaisant``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stable_hash(*parts: str) -> int:
    """A hash that is the same in every process (unlike ``hash``), for template choice."""
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return zlib.crc32(data)


def upper_first(text: str) -> str:
    """Capitalise the first letter only, leaving the rest as written."""
    for index, ch in enumerate(text):
        if ch.isalpha():
            return text[:index] + ch.upper() + text[index + 1 :]
        if ch.isdigit():
            return text
    return text


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like a name or acronym."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or first.isupper()):
        return text
    return text[:1].lower() + text[1:] if text[:1].isupper() else text


def _title_word(word: str, first: bool) -> str:
    if any(ch.isdigit() or ch in ".@" for ch in word) or word[1:].lower() != word[1:]:
        return word
    if not first and word.lower() in _SMALL_WORDS:
        return word.lower()
    return upper_first(word)


def title_case(text: str) -> str:
    """English headline case; leaves domains, numbers and words with inner capitals alone."""
    parts = text.split()
    return " ".join(_title_word(word, index == 0) for index, word in enumerate(parts))


def fit_headline(text: str, limit: int = 32) -> str:
    """Cut at a word boundary so the headline fits ``limit`` characters; no trailing period."""
    text = " ".join(strip_symbols(text).split())
    head, _, last = text.rpartition(" ")
    if len(head) <= limit and fold(last) in _CLOSING_PRONOUNS:
        return text.rstrip(" .")  # 'Already Use It' keeps its 'It'
    if len(text) > limit:
        text = _whole_phrases(text, limit)
    return text.rstrip(" .,;:…-–—&").strip()


def _whole_phrases(text: str, limit: int) -> str:
    """The longest head of ``text`` within ``limit`` that ends on a whole phrase: at a clause
    edge ('Essai de 14 jours, sans carte bancaire' -> 'Essai de 14 jours', not '... sans
    carte'), else before a word that opens a phrase ('with', 'sans'), else at a word."""
    fits = [m.start() for m in _PHRASE_EDGE_RE.finditer(text) if m.start() <= limit]
    opens = [
        m.start()
        for m in re.finditer(r" (\S+)", text)
        if m.start() <= limit and m[1].lower().replace("’", "'") in _PHRASE_OPENERS
    ]
    for at in [*reversed(fits), *reversed(opens)]:
        if len(text[:at].split()) >= _MIN_PHRASE_WORDS:
            return text[:at]
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else ""
    text = cut if cut else text[:limit]
    tail = text.rsplit(" ", 1)
    if len(tail) == 2 and tail[1].lower().replace("’", "'") in _DANGLING:
        text = tail[0]
    return text


def unique(items: Iterable[str]) -> list[str]:
    """Items without case-insensitive duplicates or blanks, first occurrence kept."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = fold(item).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def folded_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, folded, for ``fold(word) in ...`` tests."""
    return frozenset(fold(word) for word in text.split())


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of a literal, as a set (for word lists kept readable)."""
    return frozenset(text.split())


def any_of(
    alternatives: Iterable[str], *, before: str = r"\b", after: str = r"\b"
) -> re.Pattern[str]:
    """One case-insensitive pattern for a table of phrases (each a regular expression) between
    ``before`` and ``after``: the planner's cue tables are all of this shape.

    >>> free = any_of(["free delivery", "livraison (?:gratuite|offerte)"])
    >>> bool(free.search("LIVRAISON OFFERTE"))
    True
    """
    return re.compile(f"{before}(?:{'|'.join(alternatives)}){after}", re.IGNORECASE)
