"""Probe every input file before rendering: a bad file (or an icon name the bundled set does
not have) is named in one line, up front."""

from __future__ import annotations

from pathlib import Path

from aiprod.errors import FFmpegError, MediaError
from aiprod.media.ffmpeg.probe import PROBE_TIMEOUT_S, ProbeResult, probe
from aiprod.media.ffmpeg.run import run_process
from aiprod.spec.model import ImageBackground, VideoBackground, VideoSpec

MAX_IMAGE_SIDE = 16384


def _need_video(result: ProbeResult, what: str) -> None:
    video = result.video
    if video is None or not video.width or not video.height:
        raise MediaError(str(result.path), f"{what} has no picture")
    if max(video.width, video.height) > MAX_IMAGE_SIDE:
        raise MediaError(str(result.path), f"{what} is larger than {MAX_IMAGE_SIDE} px")


def require_first_frame(result: ProbeResult, what: str, *, demuxers: str | None = None) -> None:
    """Decode the first picture of ``result``'s file: a header that probes (a ``GIF89a``
    followed by noise reads as a 0x0 GIF) is not yet a picture FFmpeg can render.

    ``demuxers`` limits FFmpeg to those formats and to local files (untrusted input).
    Raises :class:`MediaError` when there is no picture or it does not decode.
    """
    _need_video(result, what)
    limits = ["-format_whitelist", demuxers, "-protocol_whitelist", "file"] if demuxers else []
    command = ["ffmpeg", "-v", "error", "-nostdin", *limits, "-i", str(result.path)]
    command += ["-map", "0:v:0", "-frames:v", "1", "-f", "framemd5", "-"]
    try:
        decoded = run_process(command, timeout=PROBE_TIMEOUT_S).stdout
    except FFmpegError:
        decoded = b""
    if not any(line and not line.startswith(b"#") for line in decoded.splitlines()):
        raise MediaError(str(result.path), f"{what}'s first frame cannot be decoded")


def _need_audio(result: ProbeResult, what: str) -> None:
    if result.audio is None:
        raise MediaError(str(result.path), f"{what} has no audio stream")


def probe_spec_inputs(spec: VideoSpec) -> dict[str, ProbeResult]:
    """Probe images, clips, music, SFX and logo; return results keyed by path."""
    found: dict[str, ProbeResult] = {}

    def check(path: str, what: str, kind: str) -> None:
        result = found.get(path) or probe(Path(path))
        (_need_video if kind == "video" else _need_audio)(result, what)
        found[path] = result

    for i, scene in enumerate(spec.scenes):
        bg = scene.background
        if isinstance(bg, ImageBackground):
            check(bg.path, f"scene {i + 1} image", "video")
        elif isinstance(bg, VideoBackground):
            check(bg.path, f"scene {i + 1} video", "video")
        for cue in scene.sfx:
            if cue.path is not None:
                check(cue.path, f"scene {i + 1} sound effect", "audio")
        if scene.illustration is not None and scene.illustration.path is not None:
            check(scene.illustration.path, f"scene {i + 1} illustration", "video")
        if scene.illustration is not None and scene.illustration.icon is not None:
            from aiprod.visuals.icons import UnknownIcon, icon_exists

            if not icon_exists(scene.illustration.icon):
                raise UnknownIcon(
                    f"scene {i + 1} illustration: no icon named"
                    f" '{scene.illustration.icon}' in the bundled set (Lucide)"
                )
    if spec.music is not None and spec.music.path is not None:
        check(spec.music.path, "music", "audio")
    if spec.brand.logo is not None:
        check(spec.brand.logo, "logo", "video")
    return found
