"""Narration stage: synthesise every scene's text once, cached by content."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from aiprod.providers.tts.base import SpeechClip, WordTiming
from aiprod.providers.tts.registry import select_tts
from aiprod.spec.model import VideoSpec

CACHE_VERSION = "1"


def cache_key(provider: str, text: str, spec: VideoSpec) -> str:
    payload = json.dumps(
        [CACHE_VERSION, provider, spec.language, spec.voice, text, sorted(spec.glossary.items())],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _load_cached(folder: Path) -> SpeechClip | None:
    meta = folder / "clip.json"
    if not meta.is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    return SpeechClip(
        path=folder / "clip.wav",
        sample_rate=int(data["sample_rate"]),
        num_samples=int(data["num_samples"]),
        words=tuple(WordTiming(**w) for w in data["words"]),
    )


def _store(folder: Path, clip: SpeechClip) -> SpeechClip:
    folder.mkdir(parents=True, exist_ok=True)
    if clip.path != folder / "clip.wav":
        shutil.copyfile(clip.path, folder / "clip.wav")
    data = {
        "sample_rate": clip.sample_rate,
        "num_samples": clip.num_samples,
        "words": [asdict(w) for w in clip.words],
    }
    tmp = folder / "clip.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / "clip.json")  # atomic: a half-written entry is never read
    return SpeechClip(folder / "clip.wav", clip.sample_rate, clip.num_samples, clip.words)


def synthesise_scenes(
    spec: VideoSpec,
    *,
    work_dir: Path,
    cache_dir: Path | None,
    on_scene_done: Callable[[int], None] | None = None,
) -> tuple[list[SpeechClip | None], str | None]:
    """One clip per scene (None for silent scenes) and the provider name used."""
    provider = (
        select_tts(spec.language, spec.voice)
        if any(s.narration.strip() for s in spec.scenes)
        else None
    )
    clips: list[SpeechClip | None] = []
    for i, scene in enumerate(spec.scenes):
        text = scene.narration.strip()
        clip: SpeechClip | None = None
        if text and provider is not None:
            folder = (cache_dir or work_dir) / "tts" / cache_key(provider.name, text, spec)
            clip = _load_cached(folder) if cache_dir else None
            if clip is None:
                made = provider.synthesize(
                    text,
                    out_path=work_dir / f"narration-{i}.wav",
                    language=spec.language,
                    voice=spec.voice,
                    glossary=spec.glossary,
                )
                clip = _store(folder, made)
        clips.append(clip)
        if on_scene_done:
            on_scene_done(i + 1)
    return clips, provider.name if provider else None
