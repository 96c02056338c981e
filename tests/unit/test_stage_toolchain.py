"""The stage keys follow the tools: FFmpeg's build and the font files the design uses."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.media.timeline import build_timeline
from aiprod.pipeline.progress import SilentProgress
from aiprod.pipeline.stages import toolchain
from aiprod.pipeline.stages.audio import AudioStage
from aiprod.pipeline.stages.cache import content_key
from aiprod.pipeline.stages.compose import ComposeStage
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.narration import NarrationStage
from aiprod.pipeline.stages.picture import PictureStage
from aiprod.pipeline.stages.qa import QAStage
from aiprod.pipeline.stages.visuals import VisualsStage
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

NOTO_BOLD = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"


@pytest.fixture(autouse=True)
def _fresh_version() -> Iterator[None]:
    toolchain.ffmpeg_version.cache_clear()
    yield
    toolchain.ffmpeg_version.cache_clear()


def spec_of(*scenes: dict[str, Any], font: str | None = None) -> VideoSpec:
    return parse_spec({"brand": {"name": "Zap", "font": font}, "scenes": list(scenes)},
                      source="test")  # fmt: skip


def context(tmp_path: Path, spec: VideoSpec) -> RenderContext:
    preset = Preset(name="tiny", width=288, height=512, loudness_lufs=-14)
    ctx = RenderContext(spec, preset, Settings(data_dir=tmp_path), tmp_path, tmp_path,
                        SilentProgress())  # fmt: skip
    ctx.timeline = build_timeline(spec, preset, [1.0] * len(spec.scenes))
    return ctx


def keys(ctx: RenderContext) -> dict[str, str]:
    """Each stage's key in render order, kept in the context as the stage runner keeps it
    (a later stage's key is built on its inputs' keys)."""
    stages: list[Any] = [
        NarrationStage(),
        AudioStage(lambda: (Path("mix.wav"), None)),  # type: ignore[arg-type]
        VisualsStage(ctx.spec),
        PictureStage(lambda: Path("picture.mp4")),
        ComposeStage(lambda: 0.0),
        QAStage(lambda: None, None),  # type: ignore[arg-type, return-value]
    ]
    for stage in stages:
        ctx.keys[stage.name] = content_key(stage.name, stage.version, stage.inputs(ctx))
    return dict(ctx.keys)


def reported(monkeypatch: pytest.MonkeyPatch, first_line: str) -> list[list[str]]:
    """``ffmpeg -version`` answering ``first_line``; the calls made."""
    calls: list[list[str]] = []
    real = subprocess.run

    def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if argv[0] != "ffmpeg":
            return real(argv, **kwargs)  # fc-match, say
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, f"{first_line}\nbuilt with gcc 12\n", "")

    monkeypatch.setattr(toolchain.subprocess, "run", run)
    toolchain.ffmpeg_version.cache_clear()
    return calls


def test_the_real_ffmpeg_version_is_its_first_line() -> None:
    version = toolchain.ffmpeg_version()
    assert version.startswith("ffmpeg version ") and "\n" not in version


def test_ffmpeg_version_is_read_once_and_changes_the_keys_of_its_stages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(tmp_path, spec_of({"title": "Fast", "narration": "Our bikes are fast."}))
    calls = reported(monkeypatch, "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024")
    before = keys(ctx)
    assert keys(ctx) == before  # identical inputs: identical keys
    assert calls == [["ffmpeg", "-version"]]  # once per process
    reported(monkeypatch, "ffmpeg version 7.1.1 Copyright (c) 2000-2025")
    after = keys(ctx)
    assert all(after[name] != before[name] for name in before), (before, after)


def test_a_font_file_changed_in_place_changes_the_drawing_stages_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = tmp_path / "Brand-Bold.ttf"
    font.write_bytes(Path(NOTO_BOLD).read_bytes())
    monkeypatch.setattr(toolchain, "font_file", lambda family, bold=True: str(font))
    ctx = context(tmp_path, spec_of({"title": "Fast", "narration": "Fast."}, font="Brand"))
    before = keys(ctx)
    assert keys(ctx) == before
    font.write_bytes(font.read_bytes() + b"\0")  # the brand's font updated at the same path
    after = keys(ctx)
    assert after["picture"] != before["picture"] and after["visuals"] != before["visuals"]
    assert after["compose"] != before["compose"]  # built on the picture's key
    assert after["narration"] == before["narration"]  # the voice draws no letters
    assert after["audio"] == before["audio"]


def test_the_fonts_are_those_the_design_draws_with() -> None:
    latin = toolchain.font_files(spec_of({"title": "Fast", "narration": "Fast."}))
    assert NOTO_BOLD in latin and all(Path(p).is_file() for p in latin)
    chinese = toolchain.font_files(spec_of({"title": "快速", "narration": "我们的自行车很快。"}))
    assert set(latin) < set(chinese)  # the CJK face too
    emoji = toolchain.font_files(spec_of({"narration": "Fast.", "illustration": {"emoji": "🚲"}}))
    assert str(toolchain.emoji_font_path()) in emoji
    fingerprints = toolchain.font_fingerprints(spec_of({"narration": "Fast."}))
    info = Path(NOTO_BOLD).stat()
    assert [NOTO_BOLD, info.st_size, info.st_mtime_ns] in fingerprints
