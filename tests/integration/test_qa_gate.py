"""The QA gate end to end on small MP4s generated here with ffmpeg (nothing committed)."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from aiprod.design.boxes import Box, safe_zone
from aiprod.errors import QAFailed
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.qa import Interval, Measurements, QAExpectations, measure_all, run_qa

TARGET_LUFS = -16.0
WORDS = ["Hello", "world,", "this", "is", "a", "test", "of", "the", "quality", "gate."]
# word i is spoken from 0.2 + 0.36 i for 0.3 s: "Hello" 0.20-0.50 ... "gate." 3.44-3.74
TIMINGS = [(w, round(0.2 + 0.36 * i, 2), round(0.5 + 0.36 * i, 2)) for i, w in enumerate(WORDS)]
GOOD_SRT = """1
00:00:00,200 --> 00:00:01,950
Hello world,
this is a

2
00:00:02,000 --> 00:00:03,800
test of the
quality gate.
"""


def _make_mp4(out: Path, *, video_filter: str = "null", audio_filter: str | None = None) -> Path:
    """4 s 320x240 30 fps H.264 + stereo AAC; audio loudnorm'ed to TARGET_LUFS by default."""
    loudnorm = f"loudnorm=I={TARGET_LUFS}:TP=-2:LRA=11,aresample=48000"
    run_ffmpeg(
        [
            "-y",
            "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=4",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4,apulsator=hz=2",
            "-vf", video_filter, "-af", audio_filter or loudnorm,
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-shortest", str(out),
        ],
        timeout=120,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qa_gate")


@pytest.fixture(scope="module")
def clip(work: Path) -> Path:
    return _make_mp4(work / "ok.mp4")


@pytest.fixture(scope="module")
def clip_measured(clip: Path) -> Measurements:
    return measure_all(clip)


def _expect(**changes: object) -> QAExpectations:
    base = QAExpectations(
        width=320,
        height=240,
        fps=Fraction(30),
        total_frames=120,
        loudness_target_lufs=TARGET_LUFS,
        narration_words=WORDS,
        word_timings=TIMINGS,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _srt(work: Path, name: str, text: str) -> Path:
    path = work / name
    path.write_text(text, encoding="utf-8")
    return path


def _failed(report_checks: list[tuple[str, bool]]) -> set[str]:
    return {name for name, passed in report_checks if not passed}


def test_good_render_passes_and_writes_qa_json(clip: Path, work: Path) -> None:
    report = run_qa(clip, _srt(work, "good.srt", GOOD_SRT), _expect())
    assert report.passed, report.failures()
    written = json.loads(report.write(work / "out" / "qa.json").read_text(encoding="utf-8"))
    assert written["passed"] is True
    names = [c["name"] for c in written["checks"]]
    assert names == [
        "duration", "streams", "resolution", "frame_rate", "loudness_integrated",
        "true_peak", "black_frames", "frozen_frames", "silence", "av_drift",
        "captions_words", "captions_timing", "captions_cps", "captions_line_length",
        "design_safe_zone", "design_overlaps", "design_layout_variety", "design_headline_size",
        "design_contrast", "design_emptiness",
    ]  # fmt: skip
    for check in written["checks"]:
        assert check["verdict"] == "pass"
        assert {"measured", "threshold", "unit", "detail"} <= check.keys()
    assert written["checks"][0]["measured"] == 120
    report.raise_if_failed()


def test_wrong_expected_resolution_fails_resolution(
    clip: Path, clip_measured: Measurements, work: Path
) -> None:
    srt = _srt(work, "good.srt", GOOD_SRT)
    report = run_qa(clip, srt, _expect(width=640, height=480), measurements=clip_measured)
    assert _failed([(c.name, c.passed) for c in report.checks]) == {"resolution"}
    assert report.check("resolution").measured == "320x240"
    with pytest.raises(QAFailed, match="resolution"):
        report.raise_if_failed()


def test_too_long_caption_line_fails_line_length(
    clip: Path, clip_measured: Measurements, work: Path
) -> None:
    one_line = (
        "1\n00:00:00,200 --> 00:00:03,800\nHello world, this is a test of the quality gate.\n"
    )
    report = run_qa(clip, _srt(work, "long.srt", one_line), _expect(), measurements=clip_measured)
    assert _failed([(c.name, c.passed) for c in report.checks]) == {"captions_line_length"}
    assert report.check("captions_line_length").measured == 48


def test_missing_narration_word_fails_captions_words(
    clip: Path, clip_measured: Measurements, work: Path
) -> None:
    srt = _srt(work, "missing.srt", GOOD_SRT.replace("quality gate.", "gate."))
    report = run_qa(clip, srt, _expect(), measurements=clip_measured)
    assert _failed([(c.name, c.passed) for c in report.checks]) == {"captions_words"}
    assert "quality" in report.check("captions_words").detail
    assert any(line.startswith("captions_words:") for line in report.failures())


def test_loud_track_fails_loudness(work: Path) -> None:
    loud = _make_mp4(work / "loud.mp4", audio_filter="volume=20dB")
    report = run_qa(loud, None, _expect(narration_words=[]))
    failed = _failed([(c.name, c.passed) for c in report.checks])
    assert failed == {"loudness_integrated", "true_peak"}
    measured = report.check("loudness_integrated").measured
    assert isinstance(measured, float) and measured > TARGET_LUFS + 5


def test_intentional_range_excludes_a_fade_to_black(work: Path) -> None:
    faded = _make_mp4(work / "fade.mp4", video_filter="fade=t=out:st=2.5:d=0.5")
    measured = measure_all(faded)
    plain = run_qa(faded, None, _expect(narration_words=[]), measurements=measured)
    assert _failed([(c.name, c.passed) for c in plain.checks]) == {"black_frames"}
    black = plain.check("black_frames").measured
    assert isinstance(black, float) and black >= 0.9
    fade = [Interval(2.5, 4.0)]
    excused = run_qa(
        faded, None, _expect(narration_words=[], intentional=fade), measurements=measured
    )
    assert excused.passed, excused.failures()
    assert excused.check("black_frames").measured == 0.0


def test_no_narration_means_caption_checks_not_applicable(
    clip: Path, clip_measured: Measurements
) -> None:
    report = run_qa(clip, None, _expect(narration_words=[]), measurements=clip_measured)
    assert report.passed
    for name in ("captions_words", "captions_timing", "captions_cps", "captions_line_length"):
        assert report.check(name).measured == "n/a"


def test_video_without_audio_fails_stream_checks_without_crashing(work: Path) -> None:
    silent = work / "noaudio.mp4"
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=4", "-c:v", "libx264",
         "-preset", "veryfast", "-pix_fmt", "yuv420p", str(silent)],
        timeout=60,
    )  # fmt: skip
    report = run_qa(silent, None, _expect(narration_words=[]))
    failed = _failed([(c.name, c.passed) for c in report.checks])
    assert failed == {"streams", "loudness_integrated", "true_peak", "silence", "av_drift"}


# --------------------------------------------------------------------------- design checks


def _design(boxes: list[Box]) -> dict[str, object]:
    """A design section for the 4 s 320x240 clip: one scene, ``boxes`` in it."""
    return {
        "aspect": "16:9",
        "width": 320,
        "height": 240,
        "safe_zone": safe_zone(320, 240).to_dict(),
        "stage_s": 0.0,
        "scenes": [
            {"index": 0, "layout": "hook", "start_s": 0.0, "end_s": 4.0,
             "boxes": [b.to_dict() for b in boxes]},
        ],
    }  # fmt: skip


def test_without_a_design_section_design_checks_are_skipped_and_emptiness_shown(
    clip: Path, work: Path
) -> None:
    report = run_qa(clip, _srt(work, "good.srt", GOOD_SRT), _expect(scene_rest_s=[2.0]))
    assert report.passed, report.failures()
    assert report.check("design_safe_zone").measured == "skipped"
    assert report.check("design_contrast").measured == "skipped"
    emptiness = report.check("design_emptiness")
    assert isinstance(emptiness.measured, float) and 0 < emptiness.measured < 100
    assert "per scene 0:" in emptiness.detail
    assert "not enforced" in emptiness.threshold


def test_design_failures_fail_the_render_with_their_reasons(work: Path) -> None:
    white = _make_mp4(work / "white.mp4", video_filter="drawbox=c=white:t=fill")
    head = Box("head", "headline", 40, 60, 200, 40, 0.0, 4.0, text_px=36, colour="#FFFFFF")
    cta = Box("cta", "button", 250, 200, 80, 30, 0.0, 4.0, text_px=20, colour="#000000")
    still = [Interval(0.0, 4.0)]  # a still white frame on purpose
    expect = _expect(narration_words=[], intentional=still, design=_design([head, cta]))
    report = run_qa(white, None, expect)
    failed = _failed([(c.name, c.passed) for c in report.checks])
    assert failed == {"design_safe_zone", "design_contrast", "design_emptiness"}
    assert (
        "'cta' (button): 26 px past the right, 2 px past the bottom"
        in report.check("design_safe_zone").detail
    )
    assert "'head' (headline) 1.00:1 < 3:1" in report.check("design_contrast").detail
    assert report.check("design_emptiness").measured == 100.0
    with pytest.raises(QAFailed, match="design_contrast"):
        report.raise_if_failed()
