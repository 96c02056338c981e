"""ffprobe as typed data: what a media file holds, or a one-line MediaError.

This is the one place that runs and parses ffprobe. Input checks call ``probe(path)``; the
QA gate calls ``probe(path, count_packets=True)`` (demux only, no decode) for frame counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from aiprod.errors import FFmpegError, MediaError
from aiprod.media.ffmpeg.run import run_process

PROBE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class StreamInfo:
    """One stream as ffprobe reports it; counts are None unless they were asked for."""

    index: int
    codec_type: str  # "video" | "audio" | "subtitle" | ...
    codec_name: str
    width: int | None = None
    height: int | None = None
    r_frame_rate: Fraction | None = None  # the container's base rate
    avg_frame_rate: Fraction | None = None
    sample_rate: int | None = None
    channels: int | None = None
    duration: float | None = None
    frames: int | None = None  # decoded count with ``count_frames``, else the header's
    packets: int | None = None  # demuxed count, only with ``count_packets``
    attached_pic: bool = False  # cover art, not a moving picture

    @property
    def frame_rate(self) -> Fraction | None:
        """The average frame rate, falling back to ``r_frame_rate``."""
        return self.avg_frame_rate or self.r_frame_rate


@dataclass(frozen=True)
class ProbeResult:
    """A probed file: container format and duration, and its streams in index order."""

    path: Path
    format_name: str
    duration: float | None
    streams: tuple[StreamInfo, ...]

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream (cover art included), or None."""
        return next((s for s in self.streams if s.codec_type == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        """The first audio stream, or None."""
        return next((s for s in self.streams if s.codec_type == "audio"), None)


def _fraction(value: Any) -> Fraction | None:
    """A positive rate such as ``"30000/1001"``; None for ``0/0``, ``0``, junk or missing."""
    try:
        result = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return result if result > 0 else None


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
        r_frame_rate=_fraction(raw.get("r_frame_rate")),
        avg_frame_rate=_fraction(raw.get("avg_frame_rate")),
        sample_rate=_int(raw.get("sample_rate")),
        channels=_int(raw.get("channels")),
        duration=_float(raw.get("duration")),
        frames=_int(raw.get("nb_read_frames")) or _int(raw.get("nb_frames")),
        packets=_int(raw.get("nb_read_packets")),
        attached_pic=bool((raw.get("disposition") or {}).get("attached_pic")),
    )


def parse_probe_json(path: Path, data: dict[str, Any]) -> ProbeResult:
    """A ProbeResult from ffprobe's JSON (``-show_format -show_streams``, optional counts).

    Pure: ``path`` only names the file. Raises MediaError if no stream was found.
    """
    fmt = data.get("format") or {}
    streams = tuple(_stream(raw) for raw in data.get("streams") or [])
    if not streams:
        raise MediaError(str(path), "contains no audio or video stream")
    return ProbeResult(
        path=path,
        format_name=str(fmt.get("format_name", "")),
        duration=_float(fmt.get("duration")),
        streams=streams,
    )


def _command(path: Path, *, count_frames: bool, count_packets: bool) -> list[str]:
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    if count_frames:
        args.append("-count_frames")
    if count_packets:
        args.append("-count_packets")
    return [*args, str(path)]


def probe(path: Path, *, count_frames: bool = False, count_packets: bool = False) -> ProbeResult:
    """Probe ``path``; raise MediaError (one line, naming the file) if it is not usable media.

    ``count_packets`` fills ``StreamInfo.packets`` by demuxing the whole file (cheap, no
    decode); ``count_frames`` fills ``StreamInfo.frames`` by decoding it (slow).
    """
    if not path.exists():
        raise MediaError(str(path), "file not found")
    if not path.is_file():
        raise MediaError(str(path), "not a regular file")
    command = _command(path, count_frames=count_frames, count_packets=count_packets)
    try:
        result = run_process(command, timeout=PROBE_TIMEOUT_S)
    except FFmpegError as exc:
        last = exc.stderr_tail.strip().splitlines()
        reason = last[-1] if last else "ffprobe could not read it"
        raise MediaError(str(path), f"not readable as media ({reason})") from None
    try:
        data = json.loads(result.stdout or b"{}")
    except ValueError:
        raise MediaError(str(path), "not readable as media (ffprobe output is not JSON)") from None
    return parse_probe_json(path, data if isinstance(data, dict) else {})
