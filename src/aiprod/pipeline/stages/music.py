"""Music: the bed under the programme (the user's file, or composed to the exact length)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiprod.pipeline.sound import prepare_music
from aiprod.pipeline.stages.cache import (
    CacheEntry,
    fell_back_for_now,
    file_fingerprint,
    provider_settings,
)
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version

Music = tuple[Path | None, dict[str, Any] | None]


class MusicStage:
    """Inputs: the spec's music (mood, seed or file) and the programme's length."""

    name = "music"
    version = 1

    def provider(self, ctx: RenderContext, out: Music) -> str | None:
        info = out[1]
        return str(info.get("source")) if info else None

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        music = ctx.spec.music
        return {
            "music": music.model_dump(mode="json") if music else None,
            "file": file_fingerprint(music.path if music else None),
            "duration": str(ctx.need_timeline().duration),
            "chain": provider_settings(
                ctx.settings, "music_providers", "elevenlabs_", "provider_budget"
            ),
            "ffmpeg": ffmpeg_version(),  # decodes, converts and resamples the audio
        }

    def compute(self, ctx: RenderContext) -> Music:
        return prepare_music(ctx.spec, ctx.need_timeline(), ctx.settings, ctx.calls)

    def save(self, out: Music, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]] | None:
        path, info = out
        if fell_back_for_now(ctx.calls.ledger.fallbacks, "music"):
            return None
        # a user's file stays where it is (its size and time are in the key)
        composed = path is not None and (info or {}).get("source") != "file"
        files = {"music.wav": path} if composed and path is not None else {}
        return {"info": info, "path": None if composed else str(path) if path else None}, files

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Music:
        info = entry.record["info"]
        if "music.wav" in entry.record["files"]:
            return entry.path("music.wav"), info
        path = entry.record["path"]
        return (Path(path) if path else None), info


MUSIC = MusicStage()
