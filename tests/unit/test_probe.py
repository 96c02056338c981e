"""The one ffprobe parser (pure) and probe()'s error handling, without running ffprobe."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from aiprod.errors import FFmpegError, MediaError
from aiprod.media.ffmpeg import probe as probe_module
from aiprod.media.ffmpeg.probe import StreamInfo, parse_probe_json, probe
from aiprod.media.ffmpeg.run import ProcessResult

# Shaped like `ffprobe -show_format -show_streams -count_packets` on an MP4 with cover art.
DATA: dict[str, Any] = {
    "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "h264", "width": 320,
         "height": 240, "r_frame_rate": "30000/1001", "avg_frame_rate": "0/0",
         "duration": "4.004", "nb_frames": "119", "nb_read_packets": "120",
         "disposition": {"default": 1, "attached_pic": 0}},
        {"index": 1, "codec_type": "audio", "codec_name": "aac", "r_frame_rate": "0/0",
         "sample_rate": "48000", "channels": 2, "duration": "N/A"},
        {"index": 2, "codec_type": "video", "codec_name": "mjpeg", "r_frame_rate": "90000/1",
         "avg_frame_rate": "0/0", "disposition": {"attached_pic": 1}},
    ],
    "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "4.021000"},
}  # fmt: skip


def test_parse_probe_json_streams_and_format() -> None:
    result = parse_probe_json(Path("clip.mp4"), DATA)
    video, audio, cover = result.streams
    assert (result.path, result.duration) == (Path("clip.mp4"), 4.021)
    assert result.format_name.startswith("mov,mp4")
    assert video.r_frame_rate == Fraction(30000, 1001)
    assert video.avg_frame_rate is None
    assert (video.width, video.height, video.duration) == (320, 240, 4.004)
    assert (video.packets, video.frames, video.attached_pic) == (120, 119, False)
    assert (audio.sample_rate, audio.channels) == (48000, 2)
    assert audio.duration is None and audio.packets is None and audio.r_frame_rate is None
    assert cover.attached_pic
    assert (result.video, result.audio) == (video, audio)


def test_frame_rate_prefers_average_then_base_rate() -> None:
    assert StreamInfo(0, "video", "h264", r_frame_rate=Fraction(30)).frame_rate == 30
    both = StreamInfo(0, "video", "h264", r_frame_rate=Fraction(30), avg_frame_rate=Fraction(25))
    assert both.frame_rate == 25
    assert StreamInfo(0, "audio", "aac").frame_rate is None


def test_counted_frames_win_over_header_count() -> None:
    raw = {"index": 0, "codec_type": "video", "nb_frames": "10", "nb_read_frames": "12"}
    (stream,) = parse_probe_json(Path("a.mp4"), {"streams": [raw]}).streams
    assert stream.frames == 12


@pytest.mark.parametrize("data", [{}, {"streams": []}, {"streams": None, "format": {}}])
def test_no_streams_is_a_one_line_media_error(data: dict[str, Any]) -> None:
    with pytest.raises(MediaError, match=r"^notes\.txt: contains no audio or video stream$"):
        parse_probe_json(Path("notes.txt"), data)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"gone\.mp4: file not found$"):
        probe(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match="not a regular file"):
        probe(tmp_path)


def _fake_run(stdout: bytes, calls: list[list[str]]) -> Any:
    def run(command: list[str], *, timeout: float | None = None) -> ProcessResult:
        calls.append(list(command))
        return ProcessResult(0, stdout, "")

    return run


def test_probe_counts_packets_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"x")
    calls: list[list[str]] = []
    monkeypatch.setattr(probe_module, "run_process", _fake_run(json.dumps(DATA).encode(), calls))
    assert probe(path, count_packets=True).streams[0].packets == 120
    probe(path)
    assert "-count_packets" in calls[0] and calls[0][-1] == str(path)
    assert "-count_packets" not in calls[1] and "-count_frames" not in calls[1]


def test_ffprobe_failure_and_bad_output_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"not media")

    def fail(command: list[str], *, timeout: float | None = None) -> ProcessResult:
        raise FFmpegError(command, 1, f"{path}: Invalid data found when processing input\n")

    monkeypatch.setattr(probe_module, "run_process", fail)
    with pytest.raises(MediaError, match=r"notes\.mp4: not readable as media \(.*Invalid data"):
        probe(path)
    monkeypatch.setattr(probe_module, "run_process", _fake_run(b"garbage", []))
    with pytest.raises(MediaError, match=r"notes\.mp4: not readable as media"):
        probe(path)
