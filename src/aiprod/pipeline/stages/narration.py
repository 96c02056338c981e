"""Narration: every scene's text spoken once (inputs: texts, language, voice, glossary)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.pipeline.narration import synthesise_scenes
from aiprod.pipeline.progress import SilentProgress, StageClock
from aiprod.pipeline.stages.base import StageRunner
from aiprod.pipeline.stages.cache import (
    CacheEntry,
    StageCache,
    fell_back_for_now,
    provider_settings,
)
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version
from aiprod.providers.tts.base import SpeechClip, WordTiming
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

Clips = tuple[list[SpeechClip | None], str | None]
VOICE_SETTINGS = ("voice_", "elevenlabs_", "google_tts_", "openai_", "provider_budget")


class NarrationStage:
    """The clips of a spec and the name of the voice provider that spoke them."""

    name = "narration"
    version = 1

    def provider(self, ctx: RenderContext, out: Clips) -> str | None:
        return out[1]

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        spec = ctx.spec
        return {
            "chain": provider_settings(ctx.settings, *VOICE_SETTINGS),
            "language": spec.language,
            "voice": spec.voice,
            "glossary": sorted(spec.glossary.items()),
            "texts": [s.narration.strip() for s in spec.scenes],
            "ffmpeg": ffmpeg_version(),  # decodes, converts and resamples the audio
        }

    def compute(self, ctx: RenderContext) -> Clips:
        return synthesise_scenes(
            ctx.spec,
            work_dir=ctx.work,
            cache_dir=ctx.settings.cache_dir,
            on_scene_done=lambda n: ctx.sink.stage_advanced("narration", n),
            settings=ctx.settings,  # the voice chain (cloud voices, then the local one)
        )

    def save(self, out: Clips, ctx: RenderContext) -> tuple[dict[str, Any], dict[str, Path]] | None:
        clips, provider = out
        trails = [c.provenance for c in clips if c is not None and c.provenance]
        if fell_back_for_now([f for t in trails for f in t.get("fallbacks", [])]):
            return None
        records: list[dict[str, Any] | None] = []
        files: dict[str, Path] = {}
        for i, clip in enumerate(clips):
            if clip is None:
                records.append(None)
                continue
            files[f"clip{i}.wav"] = clip.path
            records.append(
                {
                    "file": f"clip{i}.wav",
                    "sample_rate": clip.sample_rate,
                    "num_samples": clip.num_samples,
                    "words": [asdict(w) for w in clip.words],
                    "provenance": clip.provenance,
                }
            )
        return {"provider": provider, "clips": records}, files

    def load(self, entry: CacheEntry, ctx: RenderContext) -> Clips:
        clips: list[SpeechClip | None] = []
        for item in entry.record["clips"]:
            if item is None:
                clips.append(None)
                continue
            words = tuple(WordTiming(**w) for w in item["words"])
            path = entry.path(item["file"])
            trail = item.get("provenance")  # its calls were paid for by an earlier render
            trail = {**trail, "cached": True, "calls": []} if trail else None
            clips.append(SpeechClip(path, item["sample_rate"], item["num_samples"], words, trail))
        provider = entry.record["provider"]
        return clips, provider if isinstance(provider, str) else None


NARRATION = NarrationStage()


def speak(spec: VideoSpec, preset: Preset, settings: Settings, work: Path) -> Clips:
    """The narration stage outside a render (the planner measuring its script): through
    the same stage cache, so the render that follows finds the clips there."""
    ctx = RenderContext(spec, preset, settings, work, work, SilentProgress())
    cache = StageCache(settings.cache_dir, max_bytes=settings.stage_cache_max_bytes)
    runner = StageRunner(StageClock(SilentProgress()), cache)
    return runner.cached(NARRATION, ctx)


def narrate(ctx: RenderContext, runner: StageRunner) -> None:
    """Run the narration stage into ``ctx`` (clips and provider)."""
    narrated = sum(1 for s in ctx.spec.scenes if s.narration.strip())
    ctx.clips, ctx.tts = runner.cached(NARRATION, ctx, clock="narration", total=narrated)
