"""Learning seconds per unit from finished renders, robust to renders unlike the next one.

Compose and QA are priced per frame-megapixel (per second-megapixel), yet a tiny render
spends most of its time on costs that do not scale with pixels (starting FFmpeg, building
the graph, mixing audio): two 128x228 test renders once took the compose rate from 0.0075
to 1.09 s and priced a 30 s vertical brief at 2,779 s. So:

- pixel-scaled stages learn per output size (``compose@1080x1920``); only renders of at
  least :data:`REPRESENTATIVE_MEGAPIXELS` per frame also teach the size-free rate used for
  sizes never rendered here;
- one render moves a rate by at most :data:`MAX_STEP` (its measurement is clamped before it
  joins the moving average), so one outlier cannot swing an estimate;
- a learned rate stays within :data:`MAX_DRIFT` of the reference figure, whatever a file
  (including one written before these rules) says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, TypeGuard


class Workload(Protocol):
    """The part of :class:`aiprod.pipeline.cost.Workload` the learning looks at."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def megapixels(self) -> float: ...


PIXEL_SCALED_STAGES = frozenset({"compose", "qa"})
REPRESENTATIVE_MEGAPIXELS = 0.5  # 960x540 and up: per-frame work dominates fixed costs
MAX_STEP = 4.0  # one measurement counts as at most 4x (or a quarter of) the current rate
MAX_DRIFT = 10.0  # a learned rate stays within 10x of the reference machine's figure


def sized_key(stage: str, work: Workload) -> str:
    """The key a pixel-scaled stage's rate is learned under for ``work``'s output size."""
    return f"{stage}@{work.width}x{work.height}"


def bounded(stage: str, value: float, defaults: Mapping[str, float]) -> float:
    """``value`` within :data:`MAX_DRIFT` of the reference rate of ``stage``."""
    reference = defaults[stage.partition("@")[0]]
    return min(max(value, reference / MAX_DRIFT), reference * MAX_DRIFT)


def rate_for(stage: str, work: Workload, learned: Mapping[str, float], default: float) -> float:
    """Seconds per unit of ``stage`` for ``work``: its own size's rate if one was learned."""
    if stage in PIXEL_SCALED_STAGES:
        own = learned.get(sized_key(stage, work))
        if own is not None:
            return own
    return learned.get(stage, default)


def fold(current: float, seen: float, smoothing: float) -> float:
    """The moving average ``current`` after one measurement ``seen``, clamped to a step."""
    step = min(max(seen, current / MAX_STEP), current * MAX_STEP)
    return round((1 - smoothing) * current + smoothing * step, 6)


def keys_taught(stage: str, work: Workload) -> list[str]:
    """The rate keys one render of ``work`` teaches for ``stage``."""
    if stage not in PIXEL_SCALED_STAGES:
        return [stage]
    keys = [sized_key(stage, work)]
    return [*keys, stage] if work.megapixels >= REPRESENTATIVE_MEGAPIXELS else keys


def learned_rates(data: Mapping[str, object], defaults: Mapping[str, float]) -> dict[str, float]:
    """The rates of a throughput file's JSON object: known stages and sized keys, bounded."""
    rates = dict(defaults)
    for key, value in data.items():
        if key.partition("@")[0] not in defaults or not _finite_number(value):
            continue
        if "@" in key and key.partition("@")[0] not in PIXEL_SCALED_STAGES:
            continue
        rates[key] = bounded(key, float(value), defaults)
    return rates


def _finite_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
