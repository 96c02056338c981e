"""Choosing one narration length per scene so the script lands on its word target."""

from __future__ import annotations

from collections.abc import Sequence

from aiprod.planner.compose import Draft

TOLERANCE = 0.10
"""Scripts aim for the target word count within +/-10%."""

_EXTRA_SENTENCE = 2.0
_IMBALANCE = 0.08
_OUT_OF_BAND = 1000.0
_HOOK_SHARE = 0.18
_CTA_SHARE = 0.17


def within(total: int, target: int) -> bool:
    """True when ``total`` words is within the tolerance of ``target``."""
    return abs(total - target) <= TOLERANCE * target


def _ideal_words(drafts: Sequence[Draft], target: int) -> list[float]:
    points = sum(1 for d in drafts if d.role == "point") or 1
    rest = target * (1.0 - _HOOK_SHARE - _CTA_SHARE)
    share = {"hook": target * _HOOK_SHARE, "cta": target * _CTA_SHARE, "point": rest / points}
    return [share[d.role] for d in drafts]


def pace_cost(total: int, target: int) -> float:
    """How far a total is from the target; leaving the tolerance band costs a lot."""
    return abs(total - target) + (0.0 if within(total, target) else _OUT_OF_BAND)


def choose_variants(drafts: Sequence[Draft], target: int) -> tuple[list[int], int, float]:
    """Variant index per draft, total words and cost, by dynamic programming over totals.

    Cost = distance to target (dominant) + small penalties for long or unbalanced scenes.
    """
    ideals = _ideal_words(drafts, target)
    states: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for draft, ideal in zip(drafts, ideals, strict=True):
        following: dict[int, tuple[float, tuple[int, ...]]] = {}
        for total, (cost, picks) in states.items():
            for index, variant in enumerate(draft.variants):
                extra = max(0, variant.sentences - draft.sentence_budget)
                penalty = extra * _EXTRA_SENTENCE + abs(variant.words - ideal) * _IMBALANCE
                penalty += variant.bias
                key = total + variant.words
                known = following.get(key)
                if known is None or cost + penalty < known[0]:
                    following[key] = (cost + penalty, (*picks, index))
        states = following
    total, (cost, picks) = min(
        states.items(), key=lambda item: (pace_cost(item[0], target) + item[1][0], item[0])
    )
    return list(picks), total, pace_cost(total, target) + cost
