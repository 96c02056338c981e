"""ffprobe as typed data: what a media file holds, or a one-line MediaError."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from aiprod.errors import FFmpegError, MediaError
from aiprod.media.ffmpeg.run import run_process


@dataclass(frozen=True)
class StreamInfo:
    index: int
    codec_type: str  # "video" | "audio" | "subtitle" | ...
    codec_name: str
    width: int | None = None
    height: int | None = None
    frame_rate: Fraction | None = None
    sample_rate: int | None = None
    channels: int | None = None
    duration: float | None = None
    frames: int | None = None


@dataclass(frozen=True)
class ProbeResult:
    path: Path
    format_name: str
    duration: float | None
    streams: tuple[StreamInfo, ...]

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.codec_type == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.codec_type == "audio"), None)


def _fraction(value: Any) -> Fraction | None:
    if not value or value in ("0/0", "0"):
        return None
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stream(raw: dict[str, Any]) -> StreamInfo:
    return StreamInfo(
        index=int(raw.get("index", 0)),
        codec_type=str(raw.get("codec_type", "")),
        codec_name=str(raw.get("codec_name", "")),
        width=_int(raw.get("width")),
        height=_int(raw.get("height")),
        frame_rate=_fraction(raw.get("avg_frame_rate")) or _fraction(raw.get("r_frame_rate")),
        sample_rate=_int(raw.get("sample_rate")),
        channels=_int(raw.get("channels")),
        duration=_float(raw.get("duration")),
        frames=_int(raw.get("nb_frames")),
    )


def probe(path: Path, *, count_frames: bool = False) -> ProbeResult:
    """Probe ``path``; raise MediaError (one line, naming the file) if it is not usable media."""
    if not path.exists():
        raise MediaError(str(path), "file not found")
    if not path.is_file():
        raise MediaError(str(path), "not a regular file")
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    if count_frames:
        args.append("-count_frames")
    try:
        result = run_process([*args, str(path)], timeout=120)
    except FFmpegError as exc:
        last = exc.stderr_tail.strip().splitlines()
        reason = last[-1] if last else "ffprobe could not read it"
        raise MediaError(str(path), f"not readable as media ({reason})") from None
    data = json.loads(result.stdout or b"{}")
    fmt = data.get("format") or {}
    streams = tuple(_stream(s) for s in data.get("streams") or [])
    if count_frames:
        streams = tuple(
            StreamInfo(**{**s.__dict__, "frames": _int(raw.get("nb_read_frames")) or s.frames})
            for s, raw in zip(streams, data.get("streams") or [], strict=True)
        )
    if not streams:
        raise MediaError(str(path), "contains no audio or video stream")
    return ProbeResult(
        path=path,
        format_name=str(fmt.get("format_name", "")),
        duration=_float(fmt.get("duration")),
        streams=streams,
    )
