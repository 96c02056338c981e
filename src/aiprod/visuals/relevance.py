"""Relevance of the icons chosen for scene lines, measured on a labelled set.

The set (``tests/data/icon_relevance.tsv``) is a TSV file with ``#`` comments and a header:
``split``, ``language``, ``line``, ``acceptable`` (space-separated icon names, any of which is
a right answer). ``split`` is ``tune`` (lines the icon descriptions may be improved on) or
``held`` (never looked at while tuning): figures quoted for the held-out half are honest.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aiprod.visuals.icon_index import IconIndex


@dataclass(frozen=True)
class LabelledLine:
    split: str
    language: str
    line: str
    acceptable: frozenset[str]


@dataclass(frozen=True)
class Precision:
    """Top-1 and top-3 precision of one group of lines."""

    split: str
    language: str
    lines: int
    top1: float
    top3: float
    misses: tuple[tuple[str, tuple[str, ...]], ...]  # (line, top 3) where top 1 was wrong


def read_labelled(path: Path) -> list[LabelledLine]:
    rows = (line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    reader = csv.DictReader((r for r in rows if not r.startswith("#")), delimiter="\t")
    return [
        LabelledLine(
            split=row["split"],
            language=row["language"],
            line=row["line"],
            acceptable=frozenset(row["acceptable"].split()),
        )
        for row in reader
    ]


def precision(index: IconIndex, labelled: Sequence[LabelledLine]) -> list[Precision]:
    """Precision per (split, language), sorted; lines are embedded in one batch."""
    scores = index.scores([item.line for item in labelled])
    groups: dict[tuple[str, str], list[tuple[LabelledLine, tuple[str, ...]]]] = {}
    for item, row in zip(labelled, scores, strict=True):
        top = tuple(index.names[i] for i in np.argsort(-row, kind="stable")[:3])
        groups.setdefault((item.split, item.language), []).append((item, top))
    result = []
    for (split, language), found in sorted(groups.items()):
        top1 = sum(top[0] in item.acceptable for item, top in found)
        top3 = sum(bool(item.acceptable.intersection(top)) for item, top in found)
        misses = tuple((item.line, top) for item, top in found if top[0] not in item.acceptable)
        result.append(
            Precision(split, language, len(found), top1 / len(found), top3 / len(found), misses)
        )
    return result
