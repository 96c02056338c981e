"""Writing-system rules for caption text (pure functions).

Display width (East Asian wide characters count 2 columns), scripts written without spaces
(CJK), where a line may break inside or between words (kinsoku shori and its Western
equivalents), and how natural a break after a word is (sentence end, clause end, neither).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from itertools import pairwise
from typing import Literal

# --------------------------------------------------------------------------- scripts

# Scripts written without spaces between words (Han, kana, CJK punctuation, fullwidth forms).
# Hangul is deliberately absent: Korean separates words with spaces.
_SPACELESS_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x30FF),
    (0x3100, 0x312F),
    (0x31A0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
_RANGE_STARTS = [lo for lo, _ in _SPACELESS_RANGES]

# Kinsoku shori (Japanese line-breaking rules), plus the Western equivalents.
_NO_LINE_START = frozenset(
    "、。，．・：；？！ー―〜～」』）〕］｝〉》】〗〙〟’”ゝゞヽヾ々〻…‥"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ",.!?;:)]}%،؛؟"
)
_NO_LINE_END = frozenset("「『（〔［｛〈《【〖〘〝‘“([{")
_GLUE = frozenset("\u200d\ufe0e\ufe0f")  # ZWJ and variation selectors bind to neighbours

_CLOSERS = "\"'”’)\\]」』）"
_SENTENCE_END = re.compile(rf"[.!?…。！？‼⁇⁈⁉]+[{_CLOSERS}]*$")
_CLAUSE_END = re.compile(rf"[,;:—–、，；：]+[{_CLOSERS}]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "jr.", "sr.", "vs."})
# Whitespace except the no-break spaces, which must keep their neighbours together.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def is_spaceless(char: str) -> bool:
    """True for characters of scripts written without spaces between words (CJK)."""
    code = ord(char)
    index = bisect.bisect_right(_RANGE_STARTS, code) - 1
    return index >= 0 and code <= _SPACELESS_RANGES[index][1]


def display_width(text: str) -> int:
    """Width in columns: wide/fullwidth characters count 2, combining and format marks 0."""
    width = 0
    for char in text:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def normalise_word_text(text: str) -> str:
    """A word's text as captions show it: trimmed, inner whitespace runs collapsed to one space."""
    return " ".join(part for part in _BREAKING_SPACE.split(text) if part)


def _break_allowed(before: str, after: str) -> bool:
    """May a line break between two adjacent characters of one spaceless-script run?"""
    if not (is_spaceless(before) or is_spaceless(after)):
        return False
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    return unicodedata.category(after)[0] != "M" and after not in _GLUE and before not in _GLUE


def _split_spaceless(part: str) -> list[str]:
    """Split a space-free run into the smallest pieces a line may break between."""
    pieces = [part[0]]
    for before, after in pairwise(part):
        if _break_allowed(before, after):
            pieces.append(after)
        else:
            pieces[-1] += after
    return pieces


def word_atoms(text: str) -> tuple[tuple[str, str], ...]:
    """Layout atoms of a word as (text, joiner before it); joiners are ' ' or ''."""
    atoms: list[tuple[str, str]] = []
    normalised = normalise_word_text(text)
    for part in normalised.split(" ") if normalised else ():
        for index, piece in enumerate(_split_spaceless(part)):
            atoms.append((piece, " " if index == 0 and atoms else ""))
    return tuple(atoms)


def joint(before: str, after: str) -> tuple[str, bool]:
    """Joiner between two consecutive words' texts, and whether a break may fall there."""
    if after[0] in _NO_LINE_START and all(unicodedata.category(c)[0] == "P" for c in after):
        return "", False  # a stand-alone ',' or '。' token sticks to the word before it
    if is_spaceless(before[-1]) and is_spaceless(after[0]):
        return "", _break_allowed(before[-1], after[0])
    return " ", True


# --------------------------------------------------------------------------- breaks

BreakKind = Literal["sentence", "clause", "plain"]


def break_kind(text: str, next_text: str | None) -> BreakKind:
    """How natural a break after ``text`` is: a sentence end, a clause end, or neither."""
    stripped = normalise_word_text(text)
    if _SENTENCE_END.search(stripped):
        if stripped.lower() in _ABBREVIATIONS or re.fullmatch(r"\w\.", stripped):
            return "plain"
        # "wait... what" is one sentence: a lowercase continuation makes it a clause break.
        return "clause" if next_text and next_text.lstrip()[:1].islower() else "sentence"
    return "clause" if _CLAUSE_END.search(stripped) else "plain"
