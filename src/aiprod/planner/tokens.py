"""Tokens with their positions in the brief, and the word classes the extractors share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aiprod.planner.moods import is_mood_word
from aiprod.planner.stopwords import FORMAT_WORDS, NOT_BRANDS, STOP_WORDS
from aiprod.planner.textutil import fold

_TOKEN_RE = re.compile(r"\w+(?:['.&+-]\w+)*%?|\S")


@dataclass(frozen=True, slots=True)
class Token:
    """One word or punctuation mark of the brief, with its character span."""

    text: str
    start: int
    end: int

    @property
    def folded(self) -> str:
        """Lower-case, accent-free form used for every word-list lookup."""
        return fold(self.text)

    @property
    def is_word(self) -> bool:
        """True for words (letters or digits), False for punctuation and symbols."""
        return any(ch.isalnum() for ch in self.text)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words and single punctuation marks."""
    return list(_tokenize(text))


@lru_cache(maxsize=8)
def _tokenize(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text))


def is_capitalised(text: str) -> bool:
    """A word that looks like part of a name: ``Bean``, ``GlowUp``, ``iPhone``, ``7UP``."""
    if not text or not any(ch.isalpha() for ch in text):
        return False
    body = text[2:] if text[:2].lower() in {"l'", "d'"} else text
    if not body:
        return False
    if body[0].isupper():
        return True
    if body[0].isdigit():
        return any(ch.isupper() for ch in body)
    return body[0].islower() and any(ch.isupper() for ch in body[1:])


def is_lower_word(token: Token) -> bool:
    """A plain lower-case word (not a name, not a number, not punctuation)."""
    text = token.text
    return token.is_word and text[:1].isalpha() and text == text.lower()


def is_content(folded: str) -> bool:
    """A word that carries meaning about the product (not a function, tone or format word)."""
    return (
        len(folded) > 1
        and folded not in STOP_WORDS
        and folded not in FORMAT_WORDS
        and not is_mood_word(folded)
        and not folded.isdigit()
    )


def is_name_word(token: Token) -> bool:
    """A capitalised word that may belong to a brand name."""
    return is_capitalised(token.text) and token.folded not in NOT_BRANDS


def mostly_upper(text: str) -> bool:
    """True when the brief is written in capitals, so capitalisation says nothing."""
    letters = sum(map(str.isalpha, text))
    if letters < 8:
        return False
    return sum(map(str.isupper, text)) / letters > 0.6
