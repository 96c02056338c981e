"""The QA gate: measure a rendered MP4 (and its SRT) against what the timeline promised.

``run_qa`` returns a ``QAReport``; the caller writes it (``report.write(dir / "qa.json")``)
and decides whether to stop (``report.raise_if_failed()`` raises ``QAFailed``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from aiprod.media.ffmpeg.probe import StreamInfo
from aiprod.media.measure import (
    DEFAULT_SETTINGS,
    SERIES_STEP_S,
    DetectSettings,
    Interval,
    Measurements,
    measure_all,
)
from aiprod.qa import captions
from aiprod.qa.design import design_checks, read_section
from aiprod.qa.pixels import pixel_checks
from aiprod.qa.report import QACheck, QAReport

SILENCE_FLOOR_LUFS = -69.0  # ebur128 reports -70 LUFS (its gate) for digital silence
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class QAExpectations:
    """What the render must be: format, timeline length, loudness, captions, tolerances.

    ``intentional`` ranges (fades, scenes made silent on purpose) are excluded from the
    black, frozen and silence checks. ``word_timings`` are absolute seconds.

    ``design`` is the manifest's design section (boxes per scene, safe zone), or None when
    no layout engine ran: then the design checks are reported as skipped. ``scene_rest_s``
    (a time per scene at which it is at rest) says where to sample a frame per scene when
    there is no design section; with one, each design scene's own rest time is used.
    """

    width: int
    height: int
    fps: Fraction
    total_frames: int
    loudness_target_lufs: float
    loudness_tolerance_lu: float = 1.0
    true_peak_max_dbtp: float = -1.0
    max_black_s: float = 0.5
    max_frozen_s: float = 3.0
    max_silence_s: float = 2.0
    intentional: Sequence[Interval] = ()
    narration_words: Sequence[str] = ()
    caption_cues: Sequence[captions.Cue] = ()
    word_timings: Sequence[captions.WordTiming] = ()
    max_cps: float = 20.0
    max_chars_per_line: int = 42
    max_av_drift_s: float = 0.1
    caption_slack_s: float = 0.25
    silent_programme: bool = False  # nothing audible was asked for: loudness is n/a
    detect: DetectSettings = DEFAULT_SETTINGS
    design: Mapping[str, Any] | None = None
    scene_rest_s: Sequence[float] = ()


@dataclass(frozen=True)
class SamplePoint:
    """Where a scene is looked at: its number, the time and the frame number."""

    scene: int
    time_s: float
    frame: int


def sample_points(expect: QAExpectations) -> list[SamplePoint]:
    """One frame per scene at its rest time (from the design section when there is one)."""
    section = read_section(expect.design)
    if section is not None:
        times = [(s.index, s.rest_time()) for s in section.scenes]
    else:
        times = list(enumerate(expect.scene_rest_s))
    last = max(0, expect.total_frames - 1)
    return [
        SamplePoint(scene, at, min(last, max(0, math.floor(at * expect.fps))))
        for scene, at in times
    ]


# --------------------------------------------------------------------------- intervals


def subtract_intervals(interval: Interval, covers: Sequence[Interval]) -> list[Interval]:
    """The parts of ``interval`` not covered by any of ``covers`` (zero-length parts dropped)."""
    pieces = [interval]
    for cover in sorted(covers, key=lambda c: c.start):
        remaining: list[Interval] = []
        for piece in pieces:
            if cover.end <= piece.start or cover.start >= piece.end:
                remaining.append(piece)
                continue
            if cover.start > piece.start:
                remaining.append(Interval(piece.start, cover.start))
            if cover.end < piece.end:
                remaining.append(Interval(cover.end, piece.end))
        pieces = remaining
    return [p for p in pieces if p.duration > 1e-9]


def uncovered(intervals: Sequence[Interval], covers: Sequence[Interval]) -> list[Interval]:
    """Every detected interval minus the intentional ranges, flattened."""
    return [piece for item in intervals for piece in subtract_intervals(item, covers)]


def _interval_check(
    name: str, detected: Sequence[Interval] | None, covers: Sequence[Interval], max_s: float
) -> QACheck:
    threshold = f"<= {max_s:g} s outside intentional ranges"
    if detected is None:
        return QACheck(name, False, None, threshold, "s", "stream missing, nothing measured")
    pieces = uncovered(detected, covers)
    longest = max(pieces, key=lambda p: p.duration, default=None)
    measured = round(longest.duration, 3) if longest else 0.0
    shown = ", ".join(f"{p.start:.2f}-{p.end:.2f}" for p in pieces[:5])
    detail = f"detected {len(detected)}, unintended: {shown}" if pieces else ""
    if detected and not pieces:
        detail = f"detected {len(detected)}, all within intentional ranges"
    return QACheck(name, measured <= max_s, measured, threshold, "s", detail)


# --------------------------------------------------------------------------- format checks


def _duration_check(video: StreamInfo | None, expect: QAExpectations) -> QACheck:
    expected_s = float(expect.total_frames / expect.fps)
    threshold = f"{expect.total_frames} ± 1 frames ({expected_s:.3f} s)"
    frames = video.packets if video else None
    if frames is None:
        return QACheck("duration", False, None, threshold, "frames", "no video frame count")
    seconds = float(frames / expect.fps)
    detail = f"{seconds:.3f} s at {expect.fps} fps"
    return QACheck(
        "duration", abs(frames - expect.total_frames) <= 1, frames, threshold, "frames", detail
    )


def _streams_check(streams: Sequence[StreamInfo]) -> QACheck:
    videos = [s for s in streams if s.codec_type == "video" and not s.attached_pic]
    audios = [s for s in streams if s.codec_type == "audio"]
    measured = ", ".join(f"{s.codec_type} {s.codec_name}" for s in [*videos, *audios])
    passed = (
        len(videos) == 1
        and len(audios) == 1
        and videos[0].codec_name == "h264"
        and audios[0].codec_name == "aac"
    )
    return QACheck("streams", passed, measured or "none", "1 h264 video + 1 aac audio")


def _resolution_check(video: StreamInfo | None, expect: QAExpectations) -> QACheck:
    wanted = f"{expect.width}x{expect.height}"
    if video is None or video.width is None or video.height is None:
        return QACheck("resolution", False, None, f"= {wanted}", "", "no video stream")
    measured = f"{video.width}x{video.height}"
    return QACheck("resolution", measured == wanted, measured, f"= {wanted}")


def _frame_rate_check(video: StreamInfo | None, expect: QAExpectations) -> QACheck:
    threshold = f"= {float(expect.fps):.3f} ({expect.fps})"
    rate = video.r_frame_rate if video else None
    if rate is None:
        return QACheck("frame_rate", False, None, threshold, "fps", "no video frame rate")
    passed = abs(rate - expect.fps) <= expect.fps / 1000
    avg = video.avg_frame_rate if video else None
    detail = f"r_frame_rate {rate}, avg_frame_rate {avg}"
    return QACheck("frame_rate", passed, round(float(rate), 3), threshold, "fps", detail)


def _av_drift_check(
    video: StreamInfo | None, audio: StreamInfo | None, expect: QAExpectations
) -> QACheck:
    threshold = f"<= {expect.max_av_drift_s:g} s"
    if video is None or audio is None or video.duration is None or audio.duration is None:
        return QACheck("av_drift", False, None, threshold, "s", "a stream duration is missing")
    drift = abs(audio.duration - video.duration)
    detail = f"audio {audio.duration:.3f} s, video {video.duration:.3f} s"
    return QACheck(
        "av_drift", drift <= expect.max_av_drift_s, round(drift, 3), threshold, "s", detail
    )


def _loudness_checks(measured: Measurements, expect: QAExpectations) -> list[QACheck]:
    target, tolerance = expect.loudness_target_lufs, expect.loudness_tolerance_lu
    lufs_threshold = f"{target:g} ± {tolerance:g} LUFS"
    peak_threshold = f"<= {expect.true_peak_max_dbtp:g} dBTP"
    if measured.audio is None:
        return [
            QACheck("loudness_integrated", False, None, lufs_threshold, "LUFS", "no audio"),
            QACheck("true_peak", False, None, peak_threshold, "dBTP", "no audio"),
        ]
    level = measured.audio.loudness
    if expect.silent_programme and not level.integrated_lufs > SILENCE_FLOOR_LUFS:
        detail = "the spec has no narration, music or sound effects"
        return [
            QACheck("loudness_integrated", True, NOT_APPLICABLE, "n/a", "LUFS", detail),
            QACheck("true_peak", True, NOT_APPLICABLE, "n/a", "dBTP", detail),
        ]
    lufs_ok = math.isfinite(level.integrated_lufs) and (
        abs(level.integrated_lufs - target) <= tolerance
    )
    peak_ok = not math.isnan(level.true_peak_dbtp) and (
        level.true_peak_dbtp <= expect.true_peak_max_dbtp
    )
    lra = f"LRA {level.lra:g} LU"
    return [
        QACheck("loudness_integrated", lufs_ok, level.integrated_lufs, lufs_threshold, "LUFS", lra),
        QACheck("true_peak", peak_ok, level.true_peak_dbtp, peak_threshold, "dBTP"),
    ]


# --------------------------------------------------------------------------- caption checks


def _caption_checks(cues: Sequence[captions.Cue], expect: QAExpectations) -> list[QACheck]:
    names = ("captions_words", "captions_timing", "captions_cps", "captions_line_length")
    if not [w for w in expect.narration_words if captions.normalise_word(w)]:
        return [QACheck(n, True, NOT_APPLICABLE, "n/a", "", "no narration") for n in names]
    missing = captions.missing_words(expect.narration_words, cues)
    words_detail = f"missing: {' '.join(missing[:10])}" if missing else f"{len(cues)} cues"
    cps, cps_detail = captions.max_chars_per_second(cues)
    cps_shown = round(cps, 2) if math.isfinite(cps) else cps
    longest, line = captions.max_line_length(cues)
    max_line = expect.max_chars_per_line
    return [
        QACheck("captions_words", not missing, len(missing), "0 missing", "words", words_detail),
        _timing_check(cues, expect),
        QACheck(
            "captions_cps",
            cps_shown <= expect.max_cps,  # SRT keeps milliseconds: compare what it can say
            cps_shown,
            f"<= {expect.max_cps:g}",
            "chars/s",
            cps_detail,
        ),
        QACheck(
            "captions_line_length",
            longest <= max_line,
            longest,
            f"<= {max_line}",
            "chars",
            line,
        ),
    ]


def _timing_check(cues: Sequence[captions.Cue], expect: QAExpectations) -> QACheck:
    threshold = f"<= {expect.caption_slack_s:g} s outside the cue"
    if not expect.word_timings:
        return QACheck("captions_timing", True, NOT_APPLICABLE, threshold, "", "no word timings")
    result = captions.timing_offsets(cues, expect.word_timings)
    detail = result.detail or f"{result.checked_words} words within their cues"
    if result.checked_words == 0 and cues:
        return QACheck("captions_timing", False, None, threshold, "s", "no cue word is timed")
    passed = result.worst_s <= expect.caption_slack_s
    return QACheck("captions_timing", passed, round(result.worst_s, 3), threshold, "s", detail)


# --------------------------------------------------------------------------- entry point


def _design_checks(measured: Measurements, expect: QAExpectations) -> list[QACheck]:
    """Boxes against the safe zone and each other; contrast and emptiness on the frames."""
    points = sample_points(expect)
    section = read_section(expect.design)
    frames = [measured.frames.get(p.frame) for p in points]
    return [
        *design_checks(expect.design),
        *pixel_checks(section, frames, [p.time_s for p in points], [p.scene for p in points]),
    ]


def build_checks(
    measured: Measurements, cues: Sequence[captions.Cue], expect: QAExpectations
) -> list[QACheck]:
    """All checks, in report order, from measurements already taken (pure)."""
    video, audio = measured.first("video"), measured.first("audio")
    picture, sound, covers = measured.video, measured.audio, expect.intentional
    black = picture.black if picture else None
    frozen = picture.frozen if picture else None
    silence = sound.silence if sound else None
    return [
        _duration_check(video, expect),
        _streams_check(measured.streams),
        _resolution_check(video, expect),
        _frame_rate_check(video, expect),
        *_loudness_checks(measured, expect),
        _interval_check("black_frames", black, covers, expect.max_black_s),
        _interval_check("frozen_frames", frozen, covers, expect.max_frozen_s),
        _interval_check("silence", silence, covers, expect.max_silence_s),
        _av_drift_check(video, audio, expect),
        *_caption_checks(cues, expect),
        *_design_checks(measured, expect),
    ]


def run_qa(
    video: Path,
    captions_srt: Path | None,
    expect: QAExpectations,
    *,
    measurements: Measurements | None = None,
) -> QAReport:
    """Measure ``video`` (unless ``measurements`` are given) and check it against ``expect``.

    Captions come from ``captions_srt`` when given (the file actually written), otherwise
    from ``expect.caption_cues``. One frame per scene (``sample_points``) is grabbed from
    the video pass for the design checks; pass ``measurements`` taken with the same
    ``grab_frames`` to reuse them. Raises MediaError if ``video`` is not readable media.
    """
    grab = [p.frame for p in sample_points(expect)]
    measured = measurements or measure_all(video, settings=expect.detect, grab_frames=grab)
    cues = captions.read_srt(captions_srt) if captions_srt else list(expect.caption_cues)
    checks = build_checks(measured, cues, expect)
    return QAReport.from_checks(checks, measured.elapsed_s, loudness_series(measured, expect))


def loudness_series(measured: Measurements, expect: QAExpectations) -> dict[str, Any] | None:
    """The loudness over time for the report (None without an audio stream): a point every
    ``step_s`` as ``[t, momentary, short_term]`` (LUFS, null below the -70 LUFS gate), with
    the integrated value and the target band it is held to."""
    sound = measured.audio
    if sound is None:
        return None
    level = sound.loudness.integrated_lufs
    return {
        "step_s": SERIES_STEP_S,
        "points": [[p.t, p.momentary, p.short_term] for p in sound.series],
        "integrated_lufs": round(level, 1) if math.isfinite(level) else None,
        "target_lufs": expect.loudness_target_lufs,
        "tolerance_lu": expect.loudness_tolerance_lu,
    }
