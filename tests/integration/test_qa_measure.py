"""QA measurements against real ffmpeg on fixtures generated here (nothing committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiprod.errors import MediaError
from aiprod.media.ffmpeg.probe import probe
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.media.measure import (
    Interval,
    analyse_audio,
    analyse_video,
    detect_black,
    detect_frozen,
    detect_silence,
    measure_all,
    measure_loudness,
)

FPS = 30
FRAME = 1 / FPS
SIZE = "320x240"


def _concat_video(out: Path, sources: list[str]) -> Path:
    """Concatenate lavfi video sources into an H.264 MP4 (30 fps, 320x240)."""
    inputs = [arg for src in sources for arg in ("-f", "lavfi", "-i", src)]
    pads = "".join(f"[{i}:v]" for i in range(len(sources)))
    graph = f"{pads}concat=n={len(sources)}:v=1:a=0,format=yuv420p[v]"
    run_ffmpeg(
        ["-y", *inputs, "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264",
         "-preset", "veryfast", str(out)],
        timeout=120,
    )  # fmt: skip
    return out


def _video(kind: str, seconds: float) -> str:
    joiner = ":" if "=" in kind else "="
    return f"{kind}{joiner}s={SIZE}:r={FPS}:d={seconds}"


def _near(got: Interval, start: float, end: float, tolerance: float) -> bool:
    return abs(got.start - start) <= tolerance and abs(got.end - end) <= tolerance


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qa_measure")


@pytest.fixture(scope="module")
def tone_wav(work: Path) -> Path:
    """6 s, 1 kHz mono sine at -16.99 dBFS peak: -20.0 LUFS by BS.1770 calibration."""
    out = work / "tone.wav"
    # sine's default amplitude is 1/8 (-18.06 dBFS); +1.07 dB -> -16.99 dBFS -> -20.00 LUFS.
    source = "sine=frequency=1000:sample_rate=48000:duration=6,volume=1.07dB"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", source, "-c:a", "pcm_s16le", str(out)], timeout=60)
    return out


@pytest.fixture(scope="module")
def black_mp4(work: Path) -> Path:
    """2 s moving, 1.0 s black, 2 s moving."""
    sources = [_video("testsrc2", 2), _video("color=c=black", 1), _video("testsrc2", 2)]
    return _concat_video(work / "black.mp4", sources)


@pytest.fixture(scope="module")
def frozen_mp4(work: Path) -> Path:
    """2 s moving, 4 s static bars, 2 s moving, 2 s static bars up to the end."""
    sources = [
        _video("testsrc2", 2),
        _video("smptebars", 4),
        _video("testsrc2", 2),
        _video("smptebars", 2),
    ]
    return _concat_video(work / "frozen.mp4", sources)


@pytest.fixture(scope="module")
def gaps_wav(work: Path) -> Path:
    """2 s tone, 3 s silence, 2 s tone, 2.5 s silence to the end (9.5 s)."""
    out = work / "gaps.wav"
    tone = "sine=frequency=1000:sample_rate=48000:duration=2"
    inputs = ["-f", "lavfi", "-i", tone, "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono"]
    graph = (
        "[1:a]atrim=duration=3[s1];[1:a]atrim=duration=2.5[s2];"
        "[0:a]asplit[t1][t2];[t1][s1][t2][s2]concat=n=4:v=0:a=1[a]"
    )
    run_ffmpeg(
        ["-y", *inputs, "-filter_complex", graph, "-map", "[a]", "-c:a", "pcm_s16le", str(out)],
        timeout=60,
    )
    return out


def test_loudness_of_a_known_sine(tone_wav: Path) -> None:
    level = measure_loudness(tone_wav)
    assert level.integrated_lufs == pytest.approx(-20.0, abs=0.5)
    assert level.true_peak_dbtp == pytest.approx(-16.99, abs=0.3)
    assert level.lra == pytest.approx(0.0, abs=1.0)


def test_black_interval_found_at_the_right_place(black_mp4: Path) -> None:
    found = detect_black(black_mp4, min_duration=0.1)
    assert len(found) == 1
    assert _near(found[0], 2.0, 3.0, FRAME + 1e-6), found


def test_frozen_section_found_including_one_open_at_the_end(frozen_mp4: Path) -> None:
    found = detect_frozen(frozen_mp4, min_duration=1.0)
    assert len(found) == 2, found
    assert _near(found[0], 2.0, 6.0, FRAME + 1e-6), found
    assert _near(found[1], 8.0, 10.0, FRAME + 1e-6), found


def test_one_video_pass_reports_black_and_frozen(black_mp4: Path, frozen_mp4: Path) -> None:
    black = analyse_video(black_mp4)
    assert [_near(i, 2.0, 3.0, FRAME + 1e-6) for i in black.black] == [True]
    # the black second is also a still picture; it must not be reported as longer
    assert all(i.duration <= 1.0 + FRAME for i in black.frozen)
    frozen = analyse_video(frozen_mp4, duration=10.0)
    assert frozen.black == []
    assert [round(i.duration) for i in frozen.frozen] == [4, 2]


def test_the_video_pass_also_grabs_full_size_frames(black_mp4: Path) -> None:
    """Frames split off the detectors' decode: the right ones, at full size, same verdicts."""
    found = analyse_video(black_mp4, grab_frames=[75, 15, 75, 9999], frame_size=(320, 240))
    assert sorted(found.frames) == [15, 75]  # duplicates merged, past the end absent
    assert found.frames[15].shape == (240, 320, 3)
    assert int(found.frames[75].max()) <= 20  # 2.5 s: inside the black second
    assert float(found.frames[15].std()) > 30  # 0.5 s: the test pattern
    assert [_near(i, 2.0, 3.0, FRAME + 1e-6) for i in found.black] == [True]
    assert measure_all(black_mp4, grab_frames=[15]).frames[15].shape == (240, 320, 3)


def test_silence_found_including_one_open_at_the_end(gaps_wav: Path) -> None:
    found = detect_silence(gaps_wav, min_duration=0.5, noise_db=-50)
    assert len(found) == 2, found
    assert _near(found[0], 2.0, 5.0, 0.02), found
    assert _near(found[1], 7.0, 9.5, 0.02), found


def test_one_audio_pass_reports_loudness_and_silence(gaps_wav: Path) -> None:
    result = analyse_audio(gaps_wav, duration=9.5)
    assert [(round(i.start), round(i.end, 1)) for i in result.silence] == [(2, 5.0), (7, 9.5)]
    # 1 kHz at -18.06 dBFS is -21.07 LUFS; gating blocks that straddle the gaps lower it
    assert result.loudness.integrated_lufs == pytest.approx(-21.07, abs=1.0)


def test_the_audio_pass_also_gives_the_loudness_every_half_second(gaps_wav: Path) -> None:
    series = analyse_audio(gaps_wav, duration=9.5).series
    assert [p.t for p in series] == [0.5 * n for n in range(1, 20)]
    momentary = {p.t: p.momentary for p in series}
    # the tone (2 s on, 3 s off, 2 s on): momentary follows it within its 400 ms window
    assert momentary[1.5] == pytest.approx(-21.07, abs=0.3)
    assert momentary[3.5] is None and momentary[6.5] == pytest.approx(-21.07, abs=0.3)
    assert momentary[9.0] is None  # silence is below the meter's gate, not a number
    short = {p.t: p.short_term for p in series}
    assert short[1.0] is None  # the 3 s window is not full yet
    assert short[3.0] is not None and short[3.0] < -21.07  # a third of its window is silent


def test_measure_all_on_video_without_audio(black_mp4: Path) -> None:
    measured = measure_all(black_mp4)
    assert measured.audio is None
    assert measured.video is not None and len(measured.video.black) == 1
    video = measured.first("video")
    assert video is not None and video.packets == 5 * FPS
    assert measured.elapsed_s > 0


def test_probe_counts_packets_without_decoding(black_mp4: Path, tmp_path: Path) -> None:
    counted = probe(black_mp4, count_packets=True).video
    assert counted is not None and counted.packets == 5 * FPS
    assert counted.r_frame_rate == FPS and counted.frame_rate == FPS
    plain = probe(black_mp4).video
    assert plain is not None and plain.packets is None
    text = tmp_path / "notes.mp4"
    text.write_text("not a video", encoding="utf-8")
    with pytest.raises(MediaError, match=r"notes\.mp4: not readable as media"):
        measure_all(text)
