"""Measurements the QA gate takes of a rendered file, each one ffmpeg/ffprobe run.

The speed budget matters (QA time counts against the render), so the video is decoded once
for black *and* frozen detection (downscaled first, deblocking skipped, filter slice threading
off, which on 2 cores is as fast as a bare decode), and the audio is decoded once for loudness
*and* silence. ``measure_all`` runs the two passes concurrently after a packet-counting probe.

Filters report on stderr; the ``parse_*`` functions turn that text into typed values and are
tolerant of units, ``-inf``/``nan`` and interleaved lines from other filters.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiprod.errors import FFmpegError
from aiprod.media.ffmpeg.graph import Filter, f
from aiprod.media.ffmpeg.probe import StreamInfo, probe
from aiprod.media.ffmpeg.run import ProcessResult, run_ffmpeg

_NUM = r"[-+]?(?:inf(?:inity)?|nan|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
_LOG = ["-nostats", "-loglevel", "info"]
_NULL_OUT = ["-f", "null", "-"]


@dataclass(frozen=True)
class Interval:
    """A time range in seconds, ``start`` <= ``end``."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length in seconds (never negative)."""
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Loudness:
    """EBU R128 summary: integrated loudness, true peak, loudness range."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float


Frame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class VideoAnalysis:
    """Result of the single video pass; ``frames`` maps each grabbed frame number to its
    full-resolution RGB picture (height, width, 3)."""

    black: list[Interval]
    frozen: list[Interval]
    frames: dict[int, Frame] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class LoudnessPoint:
    """Loudness at ``t`` seconds: momentary (400 ms window) and short-term (3 s window),
    in LUFS; None below the meter's -70 LUFS gate (silence, or the short-term window's
    first 3 s)."""

    t: float
    momentary: float | None
    short_term: float | None


@dataclass(frozen=True)
class AudioAnalysis:
    """Result of the single audio pass; ``series``: loudness every ``SERIES_STEP_S``."""

    loudness: Loudness
    silence: list[Interval]
    series: tuple[LoudnessPoint, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class DetectSettings:
    """Detector parameters and speed knobs for the analysis passes."""

    black_min_duration: float = 0.1
    black_pixel_threshold: float = 0.1
    black_picture_threshold: float = 0.98
    frozen_min_duration: float = 1.0
    frozen_noise: float = 0.001
    silence_min_duration: float = 0.5
    silence_noise_db: float = -50.0
    scale_width: int = 320
    threads: int = 0  # decoder threads; 0 = one per CPU
    fast_decode: bool = True  # -skip_loop_filter all: harmless for black/freeze detection
    timeout_s: float | None = 900.0


@dataclass(frozen=True)
class Measurements:
    """Everything ``measure_all`` found; ``video``/``audio`` are None without such a stream."""

    streams: tuple[StreamInfo, ...]
    video: VideoAnalysis | None
    audio: AudioAnalysis | None
    elapsed_s: float

    def first(self, codec_type: str) -> StreamInfo | None:
        """The first (non cover-art) stream of ``codec_type``."""
        return first_stream(self.streams, codec_type)

    @property
    def frames(self) -> dict[int, Frame]:
        """Frames grabbed by the video pass (frame number -> RGB array)."""
        return self.video.frames if self.video else {}


def first_stream(streams: Sequence[StreamInfo], codec_type: str) -> StreamInfo | None:
    """The first (non cover-art) stream of ``codec_type`` in ``streams``."""
    return next((s for s in streams if s.codec_type == codec_type and not s.attached_pic), None)


DEFAULT_SETTINGS = DetectSettings()


# --------------------------------------------------------------------------- parsing


def _num(text: str) -> float:
    return float(text)


def parse_input_duration(stderr: str) -> float | None:
    """The first input's ``Duration: HH:MM:SS.xx`` from ffmpeg's header, or None."""
    match = re.search(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", stderr)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def parse_ebur128_summary(stderr: str) -> Loudness:
    """Parse the last ``ebur128`` Summary block; raise ValueError if it is missing."""
    at = stderr.rfind("Summary:")
    if at < 0:
        raise ValueError("no ebur128 Summary block in ffmpeg output")
    block = stderr[at:]
    integrated = re.search(rf"\bI:\s*({_NUM})\s*LUFS", block)
    lra = re.search(rf"\bLRA:\s*({_NUM})\s*LU\b", block)
    peak_at = block.find("True peak:")
    peak = re.search(rf"Peak:\s*({_NUM})\s*dB", block[peak_at:]) if peak_at >= 0 else None
    if integrated is None or lra is None or peak is None:
        raise ValueError("incomplete ebur128 Summary (needs I, LRA and True peak)")
    return Loudness(_num(integrated.group(1)), _num(peak.group(1)), _num(lra.group(1)))


SERIES_STEP_S = 0.5
_FRAME_LOG = re.compile(rf"\bt:\s*({_NUM})\s+TARGET:.*?\bM:\s*({_NUM})\s+S:\s*({_NUM})")
_GATE_LUFS = -70.0


def _gated(value: float) -> float | None:
    return round(value, 1) if math.isfinite(value) and value >= _GATE_LUFS else None


def parse_ebur128_series(stderr: str, step_s: float = SERIES_STEP_S) -> list[LoudnessPoint]:
    """One point every ``step_s`` seconds from ``ebur128``'s per-frame log (a line each
    100 ms with ``framelog=info``): the first logged frame at or after each step."""
    points: list[LoudnessPoint] = []
    due = step_s
    for found in _FRAME_LOG.finditer(stderr):
        t = _num(found.group(1))
        if t + 1e-3 < due:
            continue
        points.append(
            LoudnessPoint(round(t, 2), _gated(_num(found.group(2))), _gated(_num(found.group(3))))
        )
        due = (math.floor((t + 1e-3) / step_s) + 1) * step_s
    return points


def parse_blackdetect(stderr: str) -> list[Interval]:
    """Intervals from ``blackdetect`` lines (``black_start:2 black_end:3 ...``)."""
    pattern = rf"black_start:\s*({_NUM})\s+black_end:\s*({_NUM})"
    return [Interval(max(0.0, _num(a)), _num(b)) for a, b in re.findall(pattern, stderr)]


def _pair_events(events: Sequence[tuple[str, str]], end_of_file: float | None) -> list[Interval]:
    """Turn ordered (start|end, value) events into intervals; close an open one at EOF."""
    found: list[Interval] = []
    open_start: float | None = None
    for kind, value in events:
        if kind == "start":
            open_start = max(0.0, _num(value))
        elif open_start is not None:
            end = _num(value)
            if end_of_file is not None:
                end = min(end, end_of_file)
            found.append(Interval(open_start, max(open_start, end)))
            open_start = None
    if open_start is not None and end_of_file is not None:
        found.append(Interval(open_start, max(open_start, end_of_file)))
    return found


def parse_freezedetect(stderr: str, end_of_file: float | None = None) -> list[Interval]:
    """Intervals from ``freezedetect`` metadata lines; a freeze still open ends at EOF."""
    events = re.findall(rf"lavfi\.freezedetect\.freeze_(start|end):\s*({_NUM})", stderr)
    return _pair_events(events, end_of_file)


def parse_silencedetect(stderr: str, end_of_file: float | None = None) -> list[Interval]:
    """Intervals from ``silencedetect`` lines; a silence still open ends at EOF (clamped)."""
    events = re.findall(rf"\bsilence_(start|end):\s*({_NUM})", stderr)
    return _pair_events(events, end_of_file)


# --------------------------------------------------------------------------- commands


def _threads(settings: DetectSettings) -> str:
    return str(settings.threads or os.cpu_count() or 2)


def detector_filters(settings: DetectSettings, *, black: bool, frozen: bool) -> list[Filter]:
    """The video pass's filters: downscale, then the black and frozen detectors (they log
    on stderr, parsed by ``parse_blackdetect`` / ``parse_freezedetect``)."""
    width = settings.scale_width
    filters = [f("scale", w=f"min({width},iw)", h=-2, flags="fast_bilinear")]
    if black:
        filters.append(
            f(
                "blackdetect",
                d=settings.black_min_duration,
                pix_th=settings.black_pixel_threshold,
                pic_th=settings.black_picture_threshold,
            )
        )
    if frozen:
        filters.append(f("freezedetect", n=settings.frozen_noise, d=settings.frozen_min_duration))
    return filters


def _video_filter(settings: DetectSettings, *, black: bool, frozen: bool) -> str:
    return ",".join(flt.render() for flt in detector_filters(settings, black=black, frozen=frozen))


def _video_args(path: Path, vf: str, settings: DetectSettings) -> list[str]:
    fast = ["-skip_loop_filter", "all"] if settings.fast_decode else []
    return [
        *_LOG, "-threads", _threads(settings), *fast, "-i", str(path),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-filter_threads", "1",  # blackdetect's slice threading costs more than it gains
        "-vf", vf, *_NULL_OUT,
    ]  # fmt: skip


def frame_select(numbers: Sequence[int]) -> Filter:
    """A ``select`` filter passing exactly the frames ``numbers`` (0-based)."""
    return f("select", "+".join(f"eq(n,{int(n)})" for n in sorted(set(numbers))))


def _grab_args(
    path: Path, vf: str, settings: DetectSettings, numbers: Sequence[int], raw: Path
) -> list[str]:
    """The detectors' pass, plus (split off the same decode) the frames ``numbers`` at full
    size as raw RGB into ``raw``: one decode serves both."""
    fast = ["-skip_loop_filter", "all"] if settings.fast_decode else []
    graph = (
        f"[0:v:0]split=2[qa][grab];[qa]{vf}[detect];"
        f"[grab]{frame_select(numbers).render()},format=rgb24[frames]"
    )
    return [
        *_LOG, "-threads", _threads(settings), *fast, "-i", str(path),
        "-filter_complex_threads", "1", "-filter_complex", graph,
        "-map", "[detect]", *_NULL_OUT,
        "-map", "[frames]", "-fps_mode", "passthrough", "-f", "rawvideo", "-y", str(raw),
    ]  # fmt: skip


def read_raw_frames(raw: Path, width: int, height: int) -> list[Frame]:
    """Whole RGB24 frames from a raw video file (a partial last frame is dropped)."""
    data = np.fromfile(raw, dtype=np.uint8)
    size = width * height * 3
    count = data.size // size
    return [data[i * size : (i + 1) * size].reshape(height, width, 3) for i in range(count)]


def _audio_filter(settings: DetectSettings, *, loudness: bool, silence: bool) -> str:
    parts = []
    if loudness:
        # its per-frame log (every 100 ms) on: the loudness-over-time series, from this pass
        parts.append("ebur128=peak=true:framelog=info")
    if silence:
        parts.append(
            f"silencedetect=n={settings.silence_noise_db}dB:d={settings.silence_min_duration}"
        )
    return ",".join(parts)


def _audio_args(path: Path, af: str) -> list[str]:
    return [*_LOG, "-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn", "-af", af, *_NULL_OUT]


def _run(args: list[str], settings: DetectSettings) -> ProcessResult:
    return run_ffmpeg(args, timeout=settings.timeout_s)


def _loudness(result: ProcessResult, args: list[str]) -> Loudness:
    try:
        return parse_ebur128_summary(result.stderr)
    except ValueError as exc:
        tail = f"{result.stderr[-2000:]}\n{exc}"
        raise FFmpegError(["ffmpeg", *args], result.returncode, tail) from None


# --------------------------------------------------------------------------- public API


def measure_loudness(path: Path, *, settings: DetectSettings = DEFAULT_SETTINGS) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and LRA of the first audio stream."""
    args = _audio_args(path, _audio_filter(settings, loudness=True, silence=False))
    return _loudness(_run(args, settings), args)


def detect_silence(
    path: Path, *, min_duration: float = 0.5, noise_db: float = -50.0
) -> list[Interval]:
    """Silent intervals of the first audio stream; one still open at EOF ends at EOF."""
    settings = DetectSettings(silence_min_duration=min_duration, silence_noise_db=noise_db)
    args = _audio_args(path, _audio_filter(settings, loudness=False, silence=True))
    result = _run(args, settings)
    return parse_silencedetect(result.stderr, parse_input_duration(result.stderr))


def detect_black(
    path: Path,
    *,
    min_duration: float = 0.1,
    pixel_threshold: float = 0.1,
    picture_threshold: float = 0.98,
) -> list[Interval]:
    """Black intervals of the first video stream (a run reaching EOF ends at its last frame)."""
    settings = DetectSettings(
        black_min_duration=min_duration,
        black_pixel_threshold=pixel_threshold,
        black_picture_threshold=picture_threshold,
    )
    vf = _video_filter(settings, black=True, frozen=False)
    return parse_blackdetect(_run(_video_args(path, vf, settings), settings).stderr)


def detect_frozen(path: Path, *, min_duration: float = 1.0, noise: float = 0.001) -> list[Interval]:
    """Frozen (static) intervals of the first video stream; one open at EOF ends at EOF."""
    settings = DetectSettings(frozen_min_duration=min_duration, frozen_noise=noise)
    vf = _video_filter(settings, black=False, frozen=True)
    result = _run(_video_args(path, vf, settings), settings)
    return parse_freezedetect(result.stderr, parse_input_duration(result.stderr))


def analyse_video(
    path: Path,
    *,
    settings: DetectSettings = DEFAULT_SETTINGS,
    duration: float | None = None,
    grab_frames: Sequence[int] = (),
    frame_size: tuple[int, int] | None = None,
) -> VideoAnalysis:
    """Black and frozen intervals from ONE decode of the video (downscaled first).

    ``duration`` (the video stream's, from the probe) closes a freeze still open at EOF;
    without it the container duration from ffmpeg's header is used. ``grab_frames``
    (frame numbers) are also returned at full size, split off the same decode;
    ``frame_size`` (width, height) is the stream's picture size, needed to grab them.
    """
    vf = _video_filter(settings, black=True, frozen=True)
    wanted = sorted({n for n in grab_frames if n >= 0})
    if not wanted or frame_size is None:
        stderr = _run(_video_args(path, vf, settings), settings).stderr
        frames: dict[int, Frame] = {}
    else:
        with tempfile.TemporaryDirectory(prefix="aiprod-qa-") as folder:
            raw = Path(folder) / "frames.rgb"
            stderr = _run(_grab_args(path, vf, settings, wanted, raw), settings).stderr
            pictures = read_raw_frames(raw, *frame_size)
        frames = dict(zip(wanted, pictures, strict=False))  # frames past the end: absent
    end = duration if duration is not None else parse_input_duration(stderr)
    return VideoAnalysis(
        black=parse_blackdetect(stderr), frozen=parse_freezedetect(stderr, end), frames=frames
    )


def analyse_audio(
    path: Path, *, settings: DetectSettings = DEFAULT_SETTINGS, duration: float | None = None
) -> AudioAnalysis:
    """Loudness and silent intervals from ONE decode of the audio (ebur128 → silencedetect)."""
    args = _audio_args(path, _audio_filter(settings, loudness=True, silence=True))
    result = _run(args, settings)
    end = duration if duration is not None else parse_input_duration(result.stderr)
    return AudioAnalysis(
        loudness=_loudness(result, args),
        silence=parse_silencedetect(result.stderr, end),
        series=tuple(parse_ebur128_series(result.stderr)),
    )


@dataclass(frozen=True)
class VideoTap:
    """The video pass run inside another ffmpeg run (the render's own graph), on the frames
    its encoder receives: the detectors log on that run's stderr, and the frames ``grab``
    (full size, RGB) go to ``frames_file``, so the written file needs no decode for QA.
    ``total_frames`` bounds what they see; ``duration`` closes a freeze still open at the
    end; ``size`` is the frames' (width, height)."""

    settings: DetectSettings
    total_frames: int
    duration: float
    grab: tuple[int, ...] = ()
    frames_file: Path | None = None
    size: tuple[int, int] = (0, 0)

    def detectors(self) -> list[Filter]:
        """The tap's branch: the programme's frames only, then the video pass."""
        frames = f("trim", end_frame=self.total_frames)
        return [frames, *detector_filters(self.settings, black=True, frozen=True)]

    @property
    def grabs(self) -> bool:
        """Whether the run writes frames for QA (a second output, ``grab_output``)."""
        return bool(self.grab) and self.frames_file is not None

    def _taken(self) -> list[int]:
        # frame 0 always: see grab_chain
        return sorted({0, *(n for n in self.grab if 0 <= n < self.total_frames)})

    def grab_chain(self) -> list[Filter]:
        """The frames ``grab``, as full-size RGB. FFmpeg 5.1 feeds first the output whose
        last frame is oldest: a sparse output stays the oldest, and the render's graph then
        queued the programme behind it (2.1 GB against 0.65 GB on a 30 s 1080p render).
        Stamped after the programme's end, from frame 0 on, these frames are never the
        oldest; the memory and time of the run are those without them."""
        late = math.ceil(self.duration) + 60
        return [frame_select(self._taken()), f("setpts", f"PTS+{late}/TB"), f("format", "rgb24")]

    def grab_output(self, label: str) -> list[str]:
        """The output arguments writing the graph's ``label`` (``grab_chain``'s frames)."""
        assert self.frames_file is not None
        return ["-map", f"[{label}]", "-fps_mode", "passthrough", "-f", "rawvideo",
                str(self.frames_file)]  # fmt: skip

    @staticmethod
    def keeps(line: bytes) -> bool:
        """Whether a stderr line of the run is one of the detectors' reports."""
        return b"black_start" in line or b"lavfi.freezedetect" in line

    def analysis(self, log: str) -> VideoAnalysis:
        """What the detectors found, from the run's kept stderr lines; the grabbed frames."""
        frames: dict[int, Frame] = {}
        if self.grabs and self.frames_file is not None:
            taken = read_raw_frames(self.frames_file, *self.size)
            wanted = set(self.grab)
            frames = {n: p for n, p in zip(self._taken(), taken, strict=False) if n in wanted}
        return VideoAnalysis(
            black=parse_blackdetect(log),
            frozen=parse_freezedetect(log, self.duration),
            frames=frames,
        )


def frames_by_seeking(
    path: Path,
    numbers: Sequence[int],
    frame_size: tuple[int, int],
    fps: Fraction,
    *,
    settings: DetectSettings = DEFAULT_SETTINGS,
) -> dict[int, Frame]:
    """Full-size RGB frames ``numbers`` of the file's video, each reached by a seek to its
    keyframe and a decode from there (at most a GOP each), all in one ffmpeg run: a few
    frames without decoding the whole file. Numbers past the end are absent."""
    wanted = sorted({n for n in numbers if n >= 0})
    if not wanted:
        return {}
    inputs: list[str] = []
    chains = []
    for k, number in enumerate(wanted):  # half a frame early: the seek lands on the frame
        at = max(0.0, (number - 0.5) / fps)
        inputs += ["-ss", f"{at:.6f}", "-i", str(path)]
        chains.append(f"[{k}:v:0]trim=end_frame=1,setpts=PTS-STARTPTS[g{k}]")
    joined = "".join(f"[g{k}]" for k in range(len(wanted)))
    graph = ";".join([*chains, f"{joined}concat=n={len(wanted)}:v=1:a=0,format=rgb24[frames]"])
    with tempfile.TemporaryDirectory(prefix="aiprod-qa-") as folder:
        raw = Path(folder) / "frames.rgb"
        args = [
            *_LOG, *inputs, "-filter_complex", graph, "-map", "[frames]",
            "-fps_mode", "passthrough", "-f", "rawvideo", "-y", str(raw),
        ]  # fmt: skip
        _run(args, settings)
        pictures = read_raw_frames(raw, *frame_size)
    return dict(zip(wanted, pictures, strict=False))


def measure_all(
    path: Path,
    *,
    settings: DetectSettings = DEFAULT_SETTINGS,
    grab_frames: Sequence[int] = (),
    video: VideoAnalysis | None = None,
    audio: AudioAnalysis | None = None,
) -> Measurements:
    """Probe (packets counted, no decode), then the video and audio passes concurrently.

    ``grab_frames``: frame numbers also returned as full-size RGB pictures (``.frames``),
    taken from the video pass's own decode. ``video`` / ``audio``: passes already taken
    of this file's streams (the render's tap, its true-peak check), not taken again; with
    ``video`` given without frames, the frames are grabbed from the file by seeking
    (``frames_by_seeking``)."""
    started = time.perf_counter()
    streams = probe(path, count_packets=True).streams
    video_stream, audio_stream = first_stream(streams, "video"), first_stream(streams, "audio")
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="qa-measure") as pool:
        video_job: Future[VideoAnalysis] | None = None
        audio_job: Future[AudioAnalysis] | None = None
        if video_stream is not None and video is None:
            width, height = video_stream.width, video_stream.height
            video_job = pool.submit(
                analyse_video,
                path,
                settings=settings,
                duration=video_stream.duration,
                grab_frames=grab_frames,
                frame_size=(width, height) if width and height else None,
            )
        if audio_stream is not None and audio is None:
            duration = audio_stream.duration
            audio_job = pool.submit(analyse_audio, path, settings=settings, duration=duration)
        grab_job: Future[dict[int, Frame]] | None = None
        rate = video_stream.frame_rate if video_stream is not None else None
        # a pass given without frames (the tap grabbed none): they are taken from the file
        missing = grab_frames if video is not None and not video.frames else ()
        if video is not None and missing and rate and video_stream is not None:
            width, height = video_stream.width or 0, video_stream.height or 0
            size = (width, height)
            grab_job = pool.submit(frames_by_seeking, path, missing, size, rate, settings=settings)
        if video_stream is None:
            video = None
        elif video_job is not None:
            video = video_job.result()
        elif video is not None and grab_job is not None:
            video = replace(video, frames=grab_job.result())
        if audio_stream is None:
            audio = None
        elif audio_job is not None:
            audio = audio_job.result()
    return Measurements(streams, video, audio, time.perf_counter() - started)
