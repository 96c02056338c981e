"""Semantic QA: every key point of the brief is said or shown.

A key point counts as present when most of its content words (stop-words removed, accents
and plural endings folded) occur in the narration or the on-screen text. Crude, offline
and deterministic; it catches a dropped point, not a reworded one with new vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from aiprod.qa.report import QACheck

PRESENT_SHARE = 2 / 3
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "this",
        "to",
        "we",
        "with",
        "you",
        "your",
        "will",
        "can",
        "all",
        "more",
        "most",
        "very",
        "just",
        "also",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "est",
        "et",
        "la",
        "le",
        "les",
        "leur",
        "nos",
        "notre",
        "ou",
        "par",
        "pour",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "vos",
        "votre",
        "plus",
        "tres",
        "tout",
        "tous",
    ]
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Plural and simple inflection endings off, so 'beans'/'bean', 'livrée'/'livre' meet."""
    for ending in ("ies", "es", "s", "e"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def content_stems(text: str) -> list[str]:
    words = _WORD.findall(fold(text))
    return [stem(w) for w in words if w not in STOP_WORDS and (len(w) > 2 or w.isdigit())]


def point_present(point: str, said: set[str]) -> bool:
    stems = content_stems(point)
    if not stems:
        return True
    found = sum(1 for s in stems if s in said)
    return found / len(stems) >= PRESENT_SHARE - 1e-9


def key_points_check(key_points: Sequence[str], texts: Iterable[str]) -> QACheck:
    """One QA check: measured 'k/n present', with the dropped points named."""
    if not key_points:
        return QACheck("key_points", True, "n/a", "n/a", "", "no key points in the brief")
    said = {s for text in texts for s in content_stems(text)}
    dropped = [p for p in key_points if not point_present(p, said)]
    present = len(key_points) - len(dropped)
    detail = "dropped: " + "; ".join(dropped) if dropped else "all key points present"
    return QACheck(
        "key_points", not dropped, f"{present}/{len(key_points)}", "all present", "", detail
    )
