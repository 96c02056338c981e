"""Pure parts of the QA gate: output parsing, interval arithmetic, caption checks, report."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from aiprod.media.ffmpeg.probe import StreamInfo
from aiprod.media.measure import (
    AudioAnalysis,
    Interval,
    Loudness,
    LoudnessPoint,
    Measurements,
    VideoAnalysis,
    parse_blackdetect,
    parse_ebur128_series,
    parse_ebur128_summary,
    parse_freezedetect,
    parse_input_duration,
    parse_silencedetect,
)
from aiprod.qa import captions
from aiprod.qa.gate import QAExpectations, build_checks, subtract_intervals, uncovered
from aiprod.qa.report import QACheck, QAReport

# Verbatim ffmpeg 5.1 stderr (addresses shortened).
EBUR128 = """\
  Duration: 00:00:09.50, start: 0.000000, bitrate: 94 kb/s
[silencedetect @ 0x55e] silence_start: 2.0004
[silencedetect @ 0x55e] silence_end: 5.00002 | silence_duration: 2.99962
[silencedetect @ 0x55e] silence_start: 7
size=N/A time=00:00:09.51 bitrate=N/A speed= 340x
video:0kB audio:892kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_0 @ 0x55f] Summary:

  Integrated loudness:
    I:         -21.5 LUFS
    Threshold: -31.7 LUFS

  Loudness range:
    LRA:         7.0 LU
    Threshold: -44.9 LUFS
    LRA low:   -29.8 LUFS
    LRA high:  -22.8 LUFS

  True peak:
    Peak:      -17.3 dBFS
[silencedetect @ 0x55e] silence_end: 9.51467 | silence_duration: 2.51467
"""

SILENT_SUMMARY = """\
[Parsed_ebur128_0 @ 0x55f] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold:   0.0 LUFS
    LRA low:     0.0 LUFS
    LRA high:    0.0 LUFS

  True peak:
    Peak:       -inf dBFS
"""

VIDEO = """\
  Duration: 00:00:11.00, start: 0.000000, bitrate: 310 kb/s
[blackdetect @ 0x559] black_start:2 black_end:3 black_duration:1
[freezedetect @ 0x55e] lavfi.freezedetect.freeze_start: 2
[freezedetect @ 0x55e] lavfi.freezedetect.freeze_duration: 4.03333
[freezedetect @ 0x55e] lavfi.freezedetect.freeze_end: 6.03333
[freezedetect @ 0x55e] lavfi.freezedetect.freeze_start: 8
[blackdetect @ 0x559] black_start:9.5 black_end:10.9667 black_duration:1.46667
"""


FRAME_LOG = """\
[Parsed_ebur128_0 @ 0x55] t: 0.0999773  TARGET:-23 LUFS    M:-120.7 S:-120.7     I: -70.0 LUFS       LRA:   0.0 LU  FTPK: -18.1 dBFS  TPK: -18.1 dBFS
[silencedetect @ 0x56] silence_start: 0.2
[Parsed_ebur128_0 @ 0x55] t: 0.499977   TARGET:-23 LUFS    M: -21.8 S:-120.7     I: -21.8 LUFS       LRA:   0.0 LU  FTPK: -18.1 dBFS  TPK: -18.1 dBFS
[Parsed_ebur128_0 @ 0x55] t: 0.599977   TARGET:-23 LUFS    M: -21.8 S:-120.7     I: -21.8 LUFS       LRA:   0.0 LU  FTPK: -18.1 dBFS  TPK: -18.1 dBFS
[Parsed_ebur128_0 @ 0x55] t: 1.09998    TARGET:-23 LUFS    M: -inf S: -14.04     I: -21.8 LUFS       LRA:   0.0 LU  FTPK: -18.1 dBFS  TPK: -18.1 dBFS
"""  # noqa: E501  (verbatim ffmpeg lines)


def test_parse_ebur128_series_keeps_a_point_every_half_second() -> None:
    assert parse_ebur128_series(FRAME_LOG) == [
        LoudnessPoint(0.5, -21.8, None),  # below the -70 LUFS gate: no value
        LoudnessPoint(1.1, None, -14.0),  # 1.0 s not logged: the next line stands for it
    ]
    assert parse_ebur128_series("no meter here") == []


def test_the_report_carries_the_loudness_series_through_added_checks() -> None:
    series = {"step_s": 0.5, "points": [[0.5, -20.0, None]], "target_lufs": -14.0}
    report = QAReport.from_checks([QACheck("a", True, 1, "1")], 0.5, series)
    grown = report.with_checks(QACheck("b", False, 0, "1"))
    assert not grown.passed and grown.to_dict()["loudness"] == series
    assert "loudness" not in QAReport.from_checks([]).to_dict()


def test_parse_ebur128_summary() -> None:
    assert parse_ebur128_summary(EBUR128) == Loudness(-21.5, -17.3, 7.0)


def test_parse_ebur128_silent_gives_minus_inf_peak() -> None:
    level = parse_ebur128_summary(SILENT_SUMMARY)
    assert level.integrated_lufs == -70.0
    assert level.true_peak_dbtp == -math.inf


def test_parse_ebur128_without_summary_raises() -> None:
    with pytest.raises(ValueError, match="Summary"):
        parse_ebur128_summary("[Parsed_ebur128_0 @ 0x1] t: 0.1 M: -70 S: -70 I: -70 LUFS")


def test_parse_silencedetect_closes_and_clamps_at_end_of_file() -> None:
    assert parse_silencedetect(EBUR128, end_of_file=9.5) == [
        Interval(2.0004, 5.00002),
        Interval(7.0, 9.5),
    ]


def test_parse_silencedetect_open_interval_without_final_end() -> None:
    text = "[silencedetect @ 0x1] silence_start: -0.0105\n"
    assert parse_silencedetect(text, end_of_file=3.0) == [Interval(0.0, 3.0)]
    assert parse_silencedetect(text) == []


def test_parse_blackdetect_and_freezedetect_from_one_stderr() -> None:
    assert parse_blackdetect(VIDEO) == [Interval(2.0, 3.0), Interval(9.5, 10.9667)]
    end = parse_input_duration(VIDEO)
    assert end == 11.0
    assert parse_freezedetect(VIDEO, end) == [Interval(2.0, 6.03333), Interval(8.0, 11.0)]


def test_parse_input_duration_missing() -> None:
    assert parse_input_duration("  Duration: N/A, bitrate: N/A") is None


@pytest.mark.parametrize(
    ("interval", "covers", "expected"),
    [
        (Interval(2, 5), [], [Interval(2, 5)]),
        (Interval(2, 5), [Interval(0, 10)], []),
        (Interval(2, 5), [Interval(0, 3)], [Interval(3, 5)]),
        (Interval(2, 5), [Interval(4, 9)], [Interval(2, 4)]),
        (Interval(2, 8), [Interval(3, 4), Interval(5, 6)], [
            Interval(2, 3), Interval(4, 5), Interval(6, 8)]),
        (Interval(2, 8), [Interval(5, 6), Interval(3, 4)], [
            Interval(2, 3), Interval(4, 5), Interval(6, 8)]),
        (Interval(2, 5), [Interval(5, 6), Interval(0, 2)], [Interval(2, 5)]),
        (Interval(2, 5), [Interval(1, 3), Interval(2.5, 4.5)], [Interval(4.5, 5)]),
    ],
)  # fmt: skip
def test_subtract_intervals(
    interval: Interval, covers: list[Interval], expected: list[Interval]
) -> None:
    assert subtract_intervals(interval, covers) == expected


def test_uncovered_flattens() -> None:
    found = uncovered([Interval(0, 1), Interval(9, 12)], [Interval(0, 1), Interval(11, 12)])
    assert found == [Interval(9, 11)]


SRT = (
    "\ufeff1\r\n00:00:00,200 --> 00:00:01,950\r\n<i>Hello</i> world,\r\nthis is a\r\n\r\n"
    "2\r\n00:00:02.000 --> 00:00:03,800 X1:0\r\n{\\an8}test of the\r\nquality gate.\r\n"
)
CUES = [(0.2, 1.95, "Hello world,\nthis is a"), (2.0, 3.8, "test of the\nquality gate.")]
WORDS = ["Hello", "world,", "this", "is", "a", "test", "of", "the", "quality", "gate."]
TIMINGS = [(w, 0.2 + 0.36 * i, 0.5 + 0.36 * i) for i, w in enumerate(WORDS)]


def test_parse_srt_strips_markup_and_handles_crlf_bom_and_dot_millis() -> None:
    assert captions.parse_srt(SRT) == CUES


def test_read_srt(tmp_path: Path) -> None:
    path = tmp_path / "c.srt"
    path.write_text(SRT, encoding="utf-8")
    assert captions.read_srt(path) == CUES


def test_missing_words_normalises_and_respects_order_and_count() -> None:
    assert captions.missing_words(WORDS, CUES) == []
    assert captions.missing_words(["HELLO!", "World"], [(0, 1, "hello world")]) == []
    assert captions.missing_words(["a", "b", "a"], [(0, 1, "a b")]) == ["a"]
    assert captions.missing_words(["b", "a"], [(0, 1, "a b")]) == ["a"]


def test_timing_offsets() -> None:
    assert captions.timing_offsets(CUES, TIMINGS).worst_s == 0.0
    late = [*TIMINGS[:-1], ("gate.", 3.9, 4.3)]
    result = captions.timing_offsets(CUES, late)
    assert result.worst_s == pytest.approx(0.5)
    assert "gate." in result.detail


def test_cps_and_line_length() -> None:
    cps, detail = captions.max_chars_per_second(CUES)
    assert cps == pytest.approx(24 / 1.8)
    assert "24 chars" in detail
    assert captions.max_chars_per_second([(1.0, 1.0, "x")])[0] == math.inf
    assert captions.max_line_length(CUES) == (13, "'quality gate.'")


def _measurements(*, black: list[Interval], loudness: Loudness) -> Measurements:
    streams = (
        StreamInfo(0, "video", "h264", 320, 240, r_frame_rate=Fraction(30),
                   avg_frame_rate=Fraction(30), duration=4.0, packets=120),
        StreamInfo(1, "audio", "aac", duration=4.02, packets=189),
    )  # fmt: skip
    return Measurements(
        streams, VideoAnalysis(black, []), AudioAnalysis(loudness, []), elapsed_s=0.1
    )


def _expect(**extra: object) -> QAExpectations:
    return QAExpectations(
        width=320, height=240, fps=Fraction(30), total_frames=121, loudness_target_lufs=-16.0,
        narration_words=WORDS, word_timings=TIMINGS, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_build_checks_from_measurements() -> None:
    measured = _measurements(black=[Interval(3.0, 4.0)], loudness=Loudness(-16.4, -1.5, 3.0))
    checks = {c.name: c for c in build_checks(measured, CUES, _expect())}
    assert all(c.passed for n, c in checks.items() if n != "black_frames")
    assert checks["black_frames"].measured == 1.0
    assert checks["duration"].measured == 120
    assert checks["av_drift"].measured == 0.02
    excused = build_checks(measured, CUES, _expect(intentional=[Interval(2.5, 4.0)]))
    assert all(c.passed for c in excused)


def test_frame_rate_check_uses_r_frame_rate_and_streams_check_skips_cover_art() -> None:
    measured = _measurements(black=[], loudness=Loudness(-16.0, -1.5, 3.0))
    video, audio = measured.streams
    cover = StreamInfo(2, "video", "mjpeg", 320, 240, attached_pic=True)
    odd = replace(video, r_frame_rate=Fraction(25), avg_frame_rate=Fraction(30))
    checks = {c.name: c for c in build_checks(replace(measured, streams=(odd, audio, cover)),
                                              CUES, _expect())}  # fmt: skip
    assert checks["frame_rate"].measured == 25.0 and not checks["frame_rate"].passed
    assert checks["frame_rate"].detail == "r_frame_rate 25, avg_frame_rate 30"
    assert checks["streams"].passed and checks["streams"].measured == "video h264, audio aac"
    uncounted = replace(measured, streams=(replace(video, packets=None), audio))
    duration = build_checks(uncounted, CUES, _expect())[0]
    assert (duration.name, duration.passed, duration.measured) == ("duration", False, None)


def test_build_checks_silent_audio_fails_loudness_with_json_safe_values(tmp_path: Path) -> None:
    measured = _measurements(black=[], loudness=Loudness(-70.0, -math.inf, 0.0))
    report = QAReport.from_checks(build_checks(measured, [], _expect()))
    failed = {c.name for c in report.checks if not c.passed}
    assert failed == {"loudness_integrated", "captions_words"}
    data = json.loads(report.write(tmp_path / "qa.json").read_text(encoding="utf-8"))
    assert data["passed"] is False
    peak = next(c for c in data["checks"] if c["name"] == "true_peak")
    assert peak == {"name": "true_peak", "verdict": "pass", "passed": True, "measured": "-inf",
                    "threshold": "<= -1 dBTP", "unit": "dBTP", "detail": ""}  # fmt: skip


def test_report_failures_are_one_line_each() -> None:
    report = QAReport.from_checks(
        [
            QACheck("resolution", False, "320x240", "= 640x480"),
            QACheck("silence", False, 2.5, "<= 2 s", "s", "detected 1"),
            QACheck("true_peak", True, -2.0, "<= -1 dBTP", "dBTP"),
        ]
    )
    assert not report.passed
    assert report.failures() == [
        "resolution: measured 320x240, expected = 640x480",
        "silence: measured 2.5 s, expected <= 2 s (detected 1)",
    ]
