"""The shape every cloud voice shares: one call per scene, word timings, a CallRecord.

A subclass says how to ask its vendor (:meth:`CloudVoice.call`: audio samples plus one
span or None per displayed word) and how to list voices; this class plans the words,
prices the call, writes the mono WAV and returns the clip with the call's record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.tts.alignment import Span, to_word_timings
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.cloud import VoiceHTTP
from aiprod.providers.tts.cloud_timings import ScenePlan, finish_spans
from aiprod.providers.tts.sentences import primary_language
from aiprod.providers.tts.wav import Int16Audio, voiced_span, write_wav


@dataclass(frozen=True)
class VoiceListing:
    """One voice a provider offers, for ``aiprod voices``."""

    provider: str
    voice: str
    name: str
    languages: tuple[str, ...]
    gender: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "voice": self.voice,
            "name": self.name,
            "languages": list(self.languages),
            "gender": self.gender,
        }


@dataclass(frozen=True)
class Spoken:
    """What a vendor answered: mono samples, their rate, one span (or None) per word."""

    audio: Int16Audio
    sample_rate: int
    slots: list[Span | None]


class CloudVoice:
    """Base of the cloud voices; see the module docstring."""

    info: ProviderInfo
    default_voice: str
    http: VoiceHTTP

    @property
    def name(self) -> str:
        return self.info.name

    def voice_for(self, voice: str | None) -> str:
        """The vendor voice id: ``"<provider>:<id>"`` in the spec, else the configured one."""
        prefix = f"{self.name}:"
        return (
            voice.removeprefix(prefix) if voice and voice.startswith(prefix) else self.default_voice
        )

    def supports(self, *, language: str, voice: str | None) -> bool:
        mine = voice is None or voice.startswith(f"{self.name}:")
        return mine and self.info.speaks(primary_language(language))

    def estimate(self, text: str) -> float:
        """List price of speaking ``text`` (vendors bill the characters sent)."""
        return len(text) * self.info.price_per_unit

    def synthesize(
        self,
        text: str,
        *,
        out_path: Path,
        language: str,
        voice: str | None = None,
        glossary: Mapping[str, str] | None = None,
    ) -> SpeechClip:
        """``TTSProvider.synthesize``; the call's record is dropped (see :meth:`speak`)."""
        return self.speak(text, out_path=out_path, language=language, voice=voice,
                          glossary=glossary)[0]  # fmt: skip

    def speak(
        self,
        text: str,
        *,
        out_path: Path,
        language: str,
        voice: str | None = None,
        glossary: Mapping[str, str] | None = None,
    ) -> tuple[SpeechClip, CallRecord]:
        """Speak one scene; ProviderFailed (with the record) when the vendor could not."""
        plan = ScenePlan.of(text, glossary)
        voice_id = self.voice_for(voice)
        record = CallRecord(
            capability="voice",
            provider=self.name,
            model=self.model_name(voice_id),
            estimate=round(self.estimate(plan.text), 6),
            currency=self.info.currency,
            units={"characters": len(plan.text)},
            price_per_unit={"characters": self.info.price_per_unit},
            licence=self.info.licence,
        )
        spoken = self.call(plan, voice_id=voice_id, language=language, record=record)
        audio = spoken.audio
        if len(audio) < len(plan.words) or not audio.any():
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "the audio is empty or silent", record=record)
        record.actual = record.estimate
        spans = finish_spans(plan, spoken.slots, len(audio), voiced_span(audio, spoken.sample_rate))
        write_wav(out_path, audio, spoken.sample_rate)
        words = to_word_timings(plan.words, spans, 0, spoken.sample_rate)
        return SpeechClip(out_path, spoken.sample_rate, len(audio), tuple(words)), record

    def model_name(self, voice_id: str) -> str:
        """What the record calls the model (vendor model and voice)."""
        return voice_id

    def call(self, plan: ScenePlan, *, voice_id: str, language: str, record: CallRecord) -> Spoken:
        """Ask the vendor; ProviderFailed on any failure."""
        raise NotImplementedError

    def list_voices(self, language: str | None) -> list[VoiceListing]:
        """The vendor's voices (for ``language`` when given); ProviderFailed on failure."""
        raise NotImplementedError
