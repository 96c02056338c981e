"""Narration stage: synthesise every scene's text once, cached by content."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from aiprod.config import Settings
from aiprod.providers.tts.base import SpeechClip, WordTiming
from aiprod.providers.tts.chain import VoiceChain
from aiprod.spec.model import VideoSpec

CACHE_VERSION = "1"


def cache_key(provider: str, text: str, spec: VideoSpec, voice: str | None = None) -> str:
    """The clip's cache entry: provider and voice (a cloud voice's model/voice id; the
    spec's voice for the local one) with the text, language and glossary."""
    voice = spec.voice if voice is None else voice
    payload = json.dumps(
        [CACHE_VERSION, provider, spec.language, voice, text, sorted(spec.glossary.items())],
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
        provenance=data.get("provenance"),
    )


def _store(folder: Path, clip: SpeechClip) -> SpeechClip:
    folder.mkdir(parents=True, exist_ok=True)
    if clip.path != folder / "clip.wav":
        shutil.copyfile(clip.path, folder / "clip.wav")
    data = {
        "sample_rate": clip.sample_rate,
        "num_samples": clip.num_samples,
        "words": [asdict(w) for w in clip.words],
        **({"provenance": clip.provenance} if clip.provenance else {}),
    }
    tmp = folder / "clip.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / "clip.json")  # atomic: a half-written entry is never read
    return SpeechClip(
        folder / "clip.wav", clip.sample_rate, clip.num_samples, clip.words, clip.provenance
    )


def synthesise_scenes(
    spec: VideoSpec,
    *,
    work_dir: Path,
    cache_dir: Path | None,
    on_scene_done: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> tuple[list[SpeechClip | None], str | None]:
    """One clip per scene (None for silent scenes) and the provider name(s) used.

    With ``settings``, the voice chain of ``AIPROD_VOICE_PROVIDERS`` speaks (cloud voices
    first); without, the local voice only.
    """
    chain = VoiceChain.from_settings(settings)
    root = (cache_dir or work_dir) / "tts"

    def load(provider: str, voice: str | None) -> SpeechClip | None:
        return _load_cached(root / cache_key(provider, text, spec, voice)) if cache_dir else None

    def keep(provider: str, voice: str | None, clip: SpeechClip) -> SpeechClip:
        return _store(root / cache_key(provider, text, spec, voice), clip)

    clips: list[SpeechClip | None] = []
    for i, scene in enumerate(spec.scenes):
        text = scene.narration.strip()
        clip: SpeechClip | None = None
        if text:
            clip = chain.speak(
                text,
                out_path=work_dir / f"narration-{i}.wav",
                language=spec.language,
                voice=spec.voice,
                glossary=spec.glossary,
                load=load,
                keep=keep,
            )
        clips.append(clip)
        if on_scene_done:
            on_scene_done(i + 1)
    return clips, chain.used_name
