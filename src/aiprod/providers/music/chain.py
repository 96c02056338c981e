"""The music capability's fallback chain: the music bed for one programme.

A user's music file wins (the caller never asks the chain). Otherwise the providers of
``AIPROD_MUSIC_PROVIDERS`` are tried in order (``elevenlabs_music,composer``); the composer
always closes the chain, so there is always a bed. A cloud track is cached by content
(prompt, length, provider, model, version): the same request is never paid for twice.
Every call and every step down the chain lands in the job's :class:`Ledger`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, Ledger, ProviderFailed, ProviderInfo
from aiprod.providers.music.composer import compose_music
from aiprod.providers.music.elevenlabs import MusicRequest
from aiprod.providers.music.styles import style_for
from aiprod.providers.registry import build_chain
from aiprod.providers.resilience import Budget, BudgetExhausted
from aiprod.spec.model import VideoSpec

MUSIC_CACHE_VERSION = "1"  # the composer's cache key (unchanged: its files are reused)
CLOUD_CACHE_VERSION = "1"
log = logging.getLogger(__name__)


class CloudMusic(Protocol):
    """What a cloud music provider offers the chain (ElevenLabs Music, plug-ins)."""

    info: ProviderInfo

    @property
    def cache_identity(self) -> str: ...

    def estimate(self, request: MusicRequest) -> float: ...

    def compose(self, request: MusicRequest, out: Path) -> CallRecord:
        """Write the track as the WAV ``out`` at exactly ``request.seconds``."""
        ...


class ComposerMusic:
    """The offline default: :func:`compose_music` (FluidSynth), always available."""

    info = ProviderInfo("composer", "music", (), {"max_seconds": 900}, "second",
                        licence="CC0-1.0 (composed by AIPROD)", offline_default=True)  # fmt: skip


def music_prompt(spec: VideoSpec) -> str:
    """The cloud prompt from the spec's mood, the mood's tempo and the brand."""
    mood = spec.music.mood if spec.music and spec.music.mood else "corporate"
    tempo = round(style_for(mood).tempo_bpm)
    brand = spec.brand.name or (spec.brief.brand if spec.brief else None)
    product = spec.brief.product if spec.brief else None
    about = " ".join(filter(None, [brand, product])) or spec.title
    text = (
        f"Instrumental background music, {mood} mood, about {tempo} BPM, "
        "steady and unobtrusive under a voice-over, no vocals"
    )
    return f"{text}, for a video about {about}"[:600] if about else text


@dataclass(frozen=True)
class MusicBed:
    path: Path
    info: dict[str, Any]  # what the manifest says about the bed


def _composed(spec: VideoSpec, seconds: float, cache: Path) -> MusicBed:
    assert spec.music is not None and spec.music.mood is not None
    key = json.dumps([MUSIC_CACHE_VERSION, spec.music.mood, round(seconds, 4), spec.music.seed])
    out = cache / "music" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.wav"
    out.parent.mkdir(parents=True, exist_ok=True)
    track = compose_music(mood=spec.music.mood, duration_s=seconds, out=out,
                          seed=spec.music.seed)  # fmt: skip
    info = {
        "source": "composed",
        "mood": track.mood,
        "tempo_bpm": track.tempo_bpm,
        "key": track.key,
        "progression": list(track.progression),
        "seed": track.seed,
        "licence": ComposerMusic.info.licence,
    }
    return MusicBed(track.path, info)


def cloud_cache_path(cache: Path, provider: CloudMusic, request: MusicRequest) -> Path:
    key = json.dumps(
        [CLOUD_CACHE_VERSION, provider.cache_identity, request.prompt, round(request.seconds, 4)]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache / "music" / f"{provider.info.name}-{digest}.wav"


def _cloud(
    provider: CloudMusic, request: MusicRequest, cache: Path, ledger: Ledger, budget: Budget
) -> MusicBed:
    out = cloud_cache_path(cache, provider, request)
    info: dict[str, Any] = {
        "source": provider.info.name,
        "prompt": request.prompt,
        "licence": provider.info.licence,
    }
    if out.is_file():
        return MusicBed(out, {**info, "cache": "hit"})
    if provider.info.paid:
        try:
            budget.check(provider.estimate(request))
        except BudgetExhausted as why:
            raise ProviderFailed("budget", str(why)) from None
    try:
        record = provider.compose(request, out)
    except ProviderFailed as failure:
        if failure.record is not None:
            ledger.add(failure.record)
        raise
    ledger.add(record)
    budget.charge(record.actual or record.estimate)
    return MusicBed(out, {**info, "cache": "miss", "request_id": record.request_id})


def music_bed(
    spec: VideoSpec, seconds: float, settings: Settings, ledger: Ledger, budget: Budget
) -> MusicBed:
    """The bed for ``spec.music.mood`` at exactly ``seconds``, through the chain."""
    request = MusicRequest(music_prompt(spec), seconds)
    for entry in build_chain("music", settings):
        provider = entry.provider
        if provider is None or provider.info.offline_default:
            continue
        try:
            return _cloud(cast(CloudMusic, provider), request, settings.cache_dir,
                          ledger, budget)  # fmt: skip
        except ProviderFailed as failure:
            ledger.fell_back("music", entry.name, failure.reason, failure.detail)
            log.warning("music provider %s failed (%s): %s; trying the next",
                        entry.name, failure.reason, failure.detail)  # fmt: skip
    return _composed(spec, seconds, settings.cache_dir)
