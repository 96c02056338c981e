"""The loudness-over-time plot of a QA report, drawn on the server as numbers for an
inline SVG (``fragments/loudness.html``): no script, no library. The short-term loudness
(3 s window) is the line, the momentary one (400 ms) a fainter line under it, the target
band a shaded strip, the integrated value a dashed rule; a sentence says the same for
screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

WIDTH: Final = 640
HEIGHT: Final = 220
LEFT: Final = 44  # room for the LUFS labels
RIGHT: Final = 8
TOP: Final = 10
BOTTOM: Final = 26  # room for the seconds labels
GRID_LU: Final = 6


@dataclass(frozen=True)
class Tick:
    """A grid line at ``at`` (pixels) with its label."""

    at: float
    label: str


@dataclass(frozen=True)
class LoudnessPlot:
    """What the SVG template draws (pixel coordinates) and its text alternative."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    short_term: str  # SVG path data ("" when nothing was loud enough)
    momentary: str
    band_top: float
    band_height: float
    integrated_y: float | None
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    summary: str


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None


def _points(raw: Any) -> list[tuple[float, float | None, float | None]]:
    """``[t, momentary, short_term]`` rows, malformed ones dropped, in time order."""
    rows = []
    for row in raw if isinstance(raw, list) else []:
        if isinstance(row, list) and len(row) == 3 and (t := _number(row[0])) is not None:
            rows.append((t, _number(row[1]), _number(row[2])))
    return sorted(rows)


def _path(samples: Sequence[tuple[float, float | None]], x: Any, y: Any) -> str:
    """Path data through the samples; a gap (None) lifts the pen."""
    parts, pen_down = [], False
    for t, value in samples:
        if value is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x(t):.1f} {y(value):.1f}")
        pen_down = True
    return " ".join(parts)


def _span(values: list[float], target: float, tolerance: float) -> tuple[float, float]:
    low = min([*values, target - tolerance - 12])
    high = max([*values, target + tolerance + 3])
    return math.floor(low / GRID_LU) * GRID_LU, min(0.0, math.ceil(high / GRID_LU) * GRID_LU)


def _summary(
    short: list[float], integrated: float | None, target: float, tolerance: float, end: float
) -> str:
    band = f"target {target:g} ± {tolerance:g} LUFS"
    said = f"integrated {integrated:g} LUFS" if integrated is not None else "no integrated value"
    if not short:
        return f"Loudness over {end:g} s: too quiet to measure short-term loudness; {said}; {band}."
    inside = sum(1 for v in short if abs(v - target) <= tolerance) / len(short)
    return (
        f"Short-term loudness over {end:g} s, from {min(short):g} to {max(short):g} LUFS "
        f"({round(inside * 100)} % of the time within the target band); {said}; {band}."
    )


def loudness_plot(report: dict[str, Any] | None) -> LoudnessPlot | None:
    """The plot of a QA report's ``loudness`` section; None when it has none."""
    section = (report or {}).get("loudness")
    if not isinstance(section, dict):
        return None
    rows = _points(section.get("points"))
    target = _number(section.get("target_lufs"))
    tolerance = _number(section.get("tolerance_lu")) or 0.0
    if not rows or target is None:
        return None
    integrated = _number(section.get("integrated_lufs"))
    values = [v for _, m, s in rows for v in (m, s, integrated) if v is not None]
    low, high = _span(values, target, tolerance)
    end = max(rows[-1][0], 0.5)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(t: float) -> float:
        return LEFT + (right - LEFT) * t / end

    def y(lufs: float) -> float:
        return TOP + (bottom - TOP) * (high - min(max(lufs, low), high)) / (high - low)

    band_top = y(target + tolerance)
    step = 5 if end <= 40 else 10 if end <= 120 else 30
    x_ticks = [Tick(x(float(s)), f"{s} s") for s in range(0, math.floor(end) + 1, step)]
    y_ticks = [Tick(y(float(v)), f"{v}") for v in range(int(high), int(low) - 1, -GRID_LU)]
    short = [s for _, _, s in rows if s is not None]
    return LoudnessPlot(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=right,
        plot_top=TOP,
        plot_bottom=bottom,
        short_term=_path([(t, s) for t, _, s in rows], x, y),
        momentary=_path([(t, m) for t, m, _ in rows], x, y),
        band_top=band_top,
        band_height=max(1.0, y(target - tolerance) - band_top),
        integrated_y=y(integrated) if integrated is not None else None,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        summary=_summary(short, integrated, target, tolerance, round(end, 1)),
    )
