"""What a stage's output depends on besides its inputs: the FFmpeg build and the fonts.

An FFmpeg upgrade changes encoded bytes, filters and measurements (x264, loudnorm, ebur128);
a font file replaced at the same path (a fonts package upgrade, the brand's font updated)
changes every drawn letter. The stages that run FFmpeg put :func:`ffmpeg_version` in their
key, those that draw text or emoji :func:`font_fingerprints`, so such a change is a miss
rather than an output made by other tools.

- ``ffmpeg_version``: ``ffmpeg -version``'s first line (``ffmpeg version 5.1.6-0+deb12u1
  Copyright …``), read once per process; "" when FFmpeg cannot be run (the stage then
  fails on its own).
- ``font_fingerprints``: path, size and modification time of each font file a render of
  the spec draws with: the brand's family (else Noto Sans), bold and regular, as fontconfig
  resolves it for libass; the family of each other script its texts use (CJK, Arabic,
  Hebrew); the colour emoji font when a scene shows an emoji.
"""

from __future__ import annotations

import functools
import subprocess
from typing import Any

from aiprod.design.fonts import DEFAULT_FAMILY, SCRIPT_FAMILIES, font_file, script_of
from aiprod.pipeline.stages.cache import file_fingerprint
from aiprod.spec.model import VideoSpec
from aiprod.visuals.emoji_render import emoji_font_path


@functools.cache
def ffmpeg_version() -> str:
    """The first line of ``ffmpeg -version`` (once per process); "" without FFmpeg."""
    try:
        said = subprocess.run(
            ["ffmpeg", "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = said.strip().splitlines()
    return lines[0].strip() if lines else ""


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def font_files(spec: VideoSpec) -> list[str]:
    """The font files a render of ``spec`` draws with (see the module doc), sorted."""
    family = spec.brand.font or DEFAULT_FAMILY
    wanted = [(family, True), (family, False)]
    scripts = {script_of(t) for t in _texts(spec.model_dump(mode="json", exclude={"brief"}))}
    wanted += [(SCRIPT_FAMILIES[s], True) for s in sorted(scripts) if s in SCRIPT_FAMILIES]
    files = set()
    for name, bold in wanted:
        try:
            files.add(font_file(name, bold))
        except FileNotFoundError:
            continue  # the render fails on its own, or falls back; nothing to key on
    if any(s.illustration and s.illustration.emoji for s in spec.scenes):
        files.add(str(emoji_font_path()))
    return sorted(files)


def font_fingerprints(spec: VideoSpec) -> list[Any]:
    """Path, size and modification time of each of :func:`font_files`."""
    return [file_fingerprint(path) for path in font_files(spec)]
