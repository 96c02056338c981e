"""Run the voice capability's fallback chain for one render's scenes.

For each scene, the providers of ``AIPROD_VOICE_PROVIDERS`` in order (the local voice,
Piper or espeak-ng as :func:`select_tts` picks, always last): skip one that is not
configured, does not speak the language, was asked for another provider's voice, or
already failed in this render; look for its clip in the cache; check the budget before a
paid call; call it. A failure is recorded (``Ledger.fell_back``) and the next provider is
asked. Each clip carries its provenance (provider, voice, the calls made for it and the
fallbacks), which the manifest shows per clip and summed up (:func:`voice_ledger`).

With only the local voice in play nothing is recorded: the clip is what it always was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, Ledger, ProviderFailed, ProviderInfo
from aiprod.providers.resilience import Budget, BudgetExhausted
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.cloud_voice import CloudVoice
from aiprod.providers.tts.espeak import VOICE_PREFIX
from aiprod.providers.tts.registry import select_tts

log = logging.getLogger(__name__)

# (provider name, voice key) -> the cached clip, or None; and the storing counterpart.
LoadClip = Callable[[str, str | None], SpeechClip | None]
KeepClip = Callable[[str, str | None, SpeechClip], SpeechClip]


CLOUD_VOICES = ("elevenlabs", "google", "openai")  # their voices: "<provider>:<voice id>"


class LocalVoice:
    """The offline voice that closes the chain: Piper for English, espeak-ng otherwise."""

    info = ProviderInfo(
        "local", "voice", (), {"engines": "piper (en_US-joe-medium), espeak-ng"}, "second",
        licence="MIT voice model / GPL-3.0 engine; output yours", offline_default=True,
    )  # fmt: skip


def cloud_provider_of(voice: str | None, names: Sequence[str] = CLOUD_VOICES) -> str | None:
    """The cloud provider a spec's voice names (``google:en-US-Neural2-C`` -> ``google``)."""
    if voice is None or voice.startswith(VOICE_PREFIX):
        return None
    prefix = voice.partition(":")[0]
    return prefix if ":" in voice and prefix in names else None


@dataclass
class Provenance:
    """What one clip's synthesis went through."""

    calls: list[CallRecord] = field(default_factory=list)
    fallbacks: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self, provider: str, voice: str | None, cached: bool) -> dict[str, Any]:
        return {
            "provider": provider,
            "voice": voice,
            "cached": cached,
            "calls": [c.to_dict() for c in self.calls],
            "fallbacks": list(self.fallbacks),
        }


@dataclass(frozen=True)
class SpeechRequest:
    """One scene's clip as the chain asks for it: what to say, where, in which language and
    voice, the cache's load and keep, and the trail of calls and fallbacks it gathers (the
    one mutable part, shared by every provider tried for this clip)."""

    text: str
    out_path: Path
    language: str
    voice: str | None
    glossary: Mapping[str, str] | None
    load: LoadClip
    keep: KeepClip
    trail: Provenance = field(default_factory=Provenance)


class VoiceChain:
    """``chain.speak(text, …)`` -> SpeechClip through the chain; one per render."""

    def __init__(self, providers: Sequence[CloudVoice], budget: Budget) -> None:
        self.providers = list(providers)
        self.budget = budget
        self.failed: dict[str, str] = {}  # provider -> reason: not asked again in this render
        self.used: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings | None) -> VoiceChain:
        if settings is None:
            return cls([], Budget(None))
        from aiprod.providers.registry import build_chain

        cloud = [
            cast(CloudVoice, entry.provider)
            for entry in build_chain("voice", settings)
            if entry.provider is not None and not entry.provider.info.offline_default
        ]
        return cls(cloud, Budget(settings.provider_budget))

    @property
    def used_name(self) -> str | None:
        return "+".join(self.used) if self.used else None

    def speak(
        self,
        text: str,
        *,
        out_path: Path,
        language: str,
        voice: str | None,
        glossary: Mapping[str, str] | None,
        load: LoadClip,
        keep: KeepClip,
    ) -> SpeechClip:
        """One scene's clip from the first provider that delivers (the local voice last)."""
        request = SpeechRequest(text, out_path, language, voice, glossary, load, keep)
        cloud = cloud_provider_of(voice, [*CLOUD_VOICES, *(p.name for p in self.providers)])
        if voice is None or cloud is not None:
            for provider in self.providers:
                clip = self._try(provider, request)
                if clip is not None:
                    return clip
        if cloud is not None and cloud not in (p.name for p in self.providers):
            why = f"{voice} asked, {cloud} is off"
            self._fell_back(request.trail, cloud, "not_configured", why)
        return self._local(replace(request, voice=None) if cloud else request)

    def _local(self, request: SpeechRequest) -> SpeechClip:
        voice, trail = request.voice, request.trail
        engine = select_tts(request.language, voice)
        self._use(engine.name)
        clip = request.load(engine.name, voice)
        cached = clip is not None
        if clip is None:
            made = engine.synthesize(request.text, out_path=request.out_path,
                                     language=request.language, voice=voice,
                                     glossary=request.glossary)  # fmt: skip
            clip = request.keep(engine.name, voice, made)
        if trail.fallbacks or trail.calls:
            clip = replace(clip, provenance=trail.to_dict(engine.name, voice, cached))
        return clip

    def _try(self, provider: CloudVoice, request: SpeechRequest) -> SpeechClip | None:
        name, voice, trail = provider.name, request.voice, request.trail
        if name in self.failed:
            return None
        if voice is not None and not voice.startswith(f"{name}:"):
            return None  # another provider's voice was asked for
        if not provider.supports(language=request.language, voice=voice):
            self._fell_back(trail, name, "language", f"does not speak '{request.language}'")
            return None
        voice_id = provider.voice_for(voice)
        key = provider.model_name(voice_id)
        cached = request.load(name, key)
        if cached is not None:
            self._use(name)
            return replace(cached, provenance=self._provenance(cached, trail, name, key))
        try:
            clip = self._call(provider, request)
        except ProviderFailed as failure:
            self._fell_back(trail, name, failure.reason, failure.detail)
            return None
        self._use(name)
        kept = request.keep(name, key, replace(clip, provenance=trail.to_dict(name, key, False)))
        return replace(kept, provenance=trail.to_dict(name, key, False))

    @staticmethod
    def _provenance(cached: SpeechClip, trail: Provenance, name: str, key: str) -> dict[str, Any]:
        out = trail.to_dict(name, key, True)
        first = (cached.provenance or {}).get("calls") or []
        out["made_by"] = [c for c in first if c.get("status") == "ok"][-1:]  # its request id
        return out

    def _call(self, provider: CloudVoice, request: SpeechRequest) -> SpeechClip:
        if provider.info.paid:
            try:
                self.budget.check(provider.estimate(request.text))
            except BudgetExhausted as why:
                raise ProviderFailed("budget", str(why)) from None
        try:
            clip, record = provider.speak(request.text, out_path=request.out_path,
                                          language=request.language, voice=request.voice,
                                          glossary=request.glossary)  # fmt: skip
        except ProviderFailed as failure:
            if failure.record is not None:
                if failure.record.actual is None:
                    failure.record.actual = 0.0  # a refused or failed call is not billed
                request.trail.calls.append(failure.record)
            raise
        request.trail.calls.append(record)
        self.budget.charge(record.actual if record.actual is not None else record.estimate)
        return clip

    def _use(self, name: str) -> None:
        if name not in self.used:
            self.used.append(name)

    def _fell_back(self, trail: Provenance, name: str, reason: str, detail: str) -> None:
        if reason not in ("language", "not_configured"):
            self.failed[name] = reason
        trail.fallbacks.append(
            {"capability": "voice", "provider": name, "reason": reason, "detail": detail}
        )
        log.warning("voice provider %s failed (%s): %s; trying the next", name, reason, detail)


def voice_ledger(clips: Sequence[SpeechClip | None]) -> dict[str, Any] | None:
    """The render's voice ledger from its clips (calls made now, fallbacks, spent); None
    when only the local voice was in play."""
    ledger = Ledger()
    used: list[str] = []
    cached = 0
    for clip in clips:
        record = clip.provenance if clip is not None else None
        if not record:
            continue
        if record["provider"] not in used:
            used.append(record["provider"])
        cached += 1 if record.get("cached") else 0
        for call in record.get("calls", []):
            ledger.add(CallRecord(**call))
        ledger.fallbacks.extend(record.get("fallbacks", []))
    if not used:
        return None
    out = ledger.to_dict({"voice": "+".join(used)})
    out["cached_clips"] = cached
    return out
