"""QA gate: measure every rendered MP4 and write qa.json with a verdict per check.

Usage: ``report = run_qa(video, srt, QAExpectations(...))``, then
``report.write(out_dir / "qa.json")``; ``report.raise_if_failed()`` raises ``QAFailed``.
"""

from __future__ import annotations

from aiprod.media.measure import (
    AudioAnalysis,
    DetectSettings,
    Interval,
    Loudness,
    Measurements,
    VideoAnalysis,
    analyse_audio,
    analyse_video,
    measure_all,
)
from aiprod.qa.gate import QAExpectations, run_qa
from aiprod.qa.report import QACheck, QAReport

__all__ = [
    "AudioAnalysis",
    "DetectSettings",
    "Interval",
    "Loudness",
    "Measurements",
    "QACheck",
    "QAExpectations",
    "QAReport",
    "VideoAnalysis",
    "analyse_audio",
    "analyse_video",
    "measure_all",
    "run_qa",
]
