"""The loudness-over-time plot's numbers: scale, gaps, band, integrated rule and the
sentence that says it for screen readers; malformed reports draw nothing."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from aiprod.studio.loudness_plot import BOTTOM, HEIGHT, TOP, loudness_plot


def report(points: list[Any], **extra: Any) -> dict[str, Any]:
    section = {"step_s": 0.5, "points": points, "integrated_lufs": -14.2}
    return {"loudness": {**section, "target_lufs": -14.0, "tolerance_lu": 1.0, **extra}}


def test_the_lines_follow_the_series_and_lift_the_pen_over_gaps() -> None:
    points = [[0.5, -20.0, None], [1.0, None, None], [1.5, -13.0, -16.0], [2.0, -14.0, -14.0]]
    plot = loudness_plot(report(points))
    assert plot is not None
    assert plot.momentary.count("M") == 2 and plot.momentary.count("L") == 1  # one gap
    assert plot.short_term.startswith("M") and plot.short_term.count("L") == 1
    # scale: multiples of 6 LU, wide enough for the band and every value
    labels = [int(t.label) for t in plot.y_ticks]
    assert (
        labels[0] == -6
        and labels[-1] == -30
        and all(a - b == 6 for a, b in itertools.pairwise(labels))
    )
    assert plot.y_ticks[0].at == TOP and plot.y_ticks[-1].at == HEIGHT - BOTTOM
    band_middle = plot.band_top + plot.band_height / 2
    assert plot.integrated_y is not None and plot.integrated_y > band_middle  # -14.2 < -14
    assert [t.label for t in plot.x_ticks] == ["0 s"]
    assert plot.summary == (
        "Short-term loudness over 2 s, from -16 to -14 LUFS (50 % of the time within the "
        "target band); integrated -14.2 LUFS; target -14 ± 1 LUFS."
    )


def test_a_long_video_gets_fewer_time_labels() -> None:
    points = [[0.5 * n, -14.0, -14.0] for n in range(1, 121)]
    plot = loudness_plot(report(points))
    assert plot is not None
    assert [t.label for t in plot.x_ticks] == [f"{s} s" for s in range(0, 61, 10)]


def test_silence_says_so() -> None:
    plot = loudness_plot(report([[0.5, None, None], [1.0, None, None]], integrated_lufs=None))
    assert plot is not None and plot.short_term == "" and plot.integrated_y is None
    assert "too quiet" in plot.summary and "no integrated value" in plot.summary


@pytest.mark.parametrize(
    "qa",
    [
        None,
        {},
        {"loudness": "loud"},
        report([]),
        report([["a", 1, 2], [1.0], "x", [True, -14.0, -14.0]]),
        report([[0.5, -14.0, -14.0]], target_lufs="-14"),
    ],
)
def test_malformed_reports_draw_nothing(qa: Any) -> None:
    assert loudness_plot(qa) is None
