"""Function words (normalised) that never name a visual on their own, per language."""

from __future__ import annotations

_EN = """
    a an and are as at be by for from in into is it its of on or our the their this to
    with without you your we my me us
"""
_FR = """
    a au aux avec ce ces cet cette dans de des du en et est il elle ils la le les leur leurs
    ma mes mon nos notre ou par pas pour qui que sa sans se ses son sur ta tes ton un une
    vos votre vous nous je tu on y
"""

STOPWORDS_EN: frozenset[str] = frozenset(_EN.split())
STOPWORDS_FR: frozenset[str] = frozenset(_FR.split())
STOPWORDS_BY_LANGUAGE: dict[str, frozenset[str]] = {"en": STOPWORDS_EN, "fr": STOPWORDS_FR}
STOPWORDS: frozenset[str] = STOPWORDS_EN | STOPWORDS_FR
