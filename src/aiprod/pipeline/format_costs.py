"""What a render in several aspect ratios costs: the sound once, the picture per format.

Light on purpose (no media imports): the CLI and the API price families with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from aiprod.pipeline.cost import CostEstimate, StageCost, Workload, estimate
from aiprod.spec.formats import OutputFormat
from aiprod.spec.presets import Preset

PER_FORMAT_STAGES = frozenset({"visuals", "compose", "qa"})  # done once per format


def merge_estimates(parts: Sequence[CostEstimate]) -> CostEstimate:
    """The cost of a family from the cost of each format alone: shared stages once,
    per-format stages (:data:`PER_FORMAT_STAGES`) summed."""
    first = parts[0]
    stages = []
    for stage in first.stages:
        if stage.stage not in PER_FORMAT_STAGES:
            stages.append(stage)
            continue
        same = [s for part in parts for s in part.stages if s.stage == stage.stage]
        stages.append(
            replace(
                stage,
                units=round(sum(s.units for s in same), 3),
                seconds=round(sum(s.seconds for s in same), 2),
                cost=round(sum(s.cost for s in same), 6),
            )
        )
    return CostEstimate(first.currency, first.rate_per_hour, tuple(stages))


def estimate_formats(
    work: Workload,
    sizes: Sequence[tuple[int, int]],
    throughput: Mapping[str, float],
    *,
    rate_per_hour: float,
    currency: str,
) -> CostEstimate:
    """The estimate of ``work`` rendered once per frame size in ``sizes``."""
    parts = [
        estimate(
            replace(work, width=w, height=h),
            throughput,
            rate_per_hour=rate_per_hour,
            currency=currency,
        )
        for w, h in sizes
    ]
    return merge_estimates(parts)


def sizes_for(preset: Preset, formats: Sequence[OutputFormat]) -> list[tuple[int, int]]:
    """The frame size of each format for ``preset``."""
    return [fmt.size_for(preset.width, preset.height) for fmt in formats]


def cost_from_dict(data: Mapping[str, Any]) -> CostEstimate:
    """A :class:`CostEstimate` back from its ``to_dict()`` form."""
    stages = tuple(StageCost(**stage) for stage in data["stages"])
    return CostEstimate(str(data["currency"]), float(data["rate_per_hour"]), stages)
