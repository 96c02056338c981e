"""Voice provider: ElevenLabs, with character timings.

``POST {base}/v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000`` with the
key in the ``xi-api-key`` header and ``{"text", "model_id"}``; the answer is JSON:
``audio_base64`` (raw 16-bit little-endian PCM at 24 kHz, mono) and ``alignment``
(``characters``, ``character_start_times_seconds``, ``character_end_times_seconds``),
turned into word timings by :func:`spans_from_characters`. ``GET {base}/v1/voices`` lists
the account's voices. Errors come as ``{"detail": {"status", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed
from aiprod.providers.tts.cloud import (
    VoiceHTTP,
    configured_voice_http,
    decode_base64,
    pcm16_audio,
    voice_info,
)
from aiprod.providers.tts.cloud_timings import ScenePlan, spans_from_characters
from aiprod.providers.tts.cloud_voice import CloudVoice, Spoken, VoiceListing
from aiprod.providers.tts.sentences import primary_language

SAMPLE_RATE = 24_000
OUTPUT_FORMAT = f"pcm_{SAMPLE_RATE}"


class ElevenLabsVoice(CloudVoice):
    """ElevenLabs text-to-speech; see the module docstring."""

    def __init__(
        self, *, base_url: str, voice_id: str, model: str, http: VoiceHTTP,
        price_per_1k_chars: float = 0.0, currency: str = "USD",
    ) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self.default_voice = voice_id
        self.model = model
        self.http = http
        self.info = voice_info(
            "elevenlabs",
            base_url=self.base_url,
            limits={"model": model, "timeout_s": http.timeout_s, "max_characters": 10_000},
            price_per_1k_chars=price_per_1k_chars,
            currency=currency,
            licence="yours, under ElevenLabs' terms (commercial use on paid plans)",
            configured=f"{model}, voice {voice_id}",
        )

    @classmethod
    def from_settings(cls, settings: Settings, http: VoiceHTTP | None = None) -> ElevenLabsVoice:
        base_url = settings.elevenlabs_base_url
        return cls(
            base_url=base_url,
            voice_id=settings.elevenlabs_voice_id,
            model=settings.elevenlabs_model,
            http=configured_voice_http(settings, http, key=settings.elevenlabs_api_key,
                                       env="AIPROD_ELEVENLABS_API_KEY", name="elevenlabs",
                                       base_url=base_url),
            price_per_1k_chars=settings.elevenlabs_price_per_1k_chars,
            currency=settings.currency,
        )  # fmt: skip

    def _headers(self) -> dict[str, str]:
        return {"xi-api-key": self.http.secret, "Accept": "application/json"}

    def model_name(self, voice_id: str) -> str:
        return f"{self.model}/{voice_id}"

    def call(self, plan: ScenePlan, *, voice_id: str, language: str, record: CallRecord) -> Spoken:
        url = f"{self.base_url}/v1/text-to-speech/{voice_id}/with-timestamps"
        url += f"?output_format={OUTPUT_FORMAT}"
        body = {"text": plan.text, "model_id": self.model}
        data, _ = self.http.post_json(url, headers=self._headers(), body=body, record=record)
        audio, rate = pcm16_audio(decode_base64(data.get("audio_base64"), record, "audio"),
                                  SAMPLE_RATE, record)  # fmt: skip
        alignment = data.get("alignment")
        if not isinstance(alignment, dict):
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "the answer has no alignment", record=record)
        slots = spans_from_characters(
            plan,
            _strings(alignment.get("characters")),
            _numbers(alignment.get("character_start_times_seconds")),
            _numbers(alignment.get("character_end_times_seconds")),
            rate,
        )
        return Spoken(audio, rate, slots)

    def list_voices(self, language: str | None) -> list[VoiceListing]:
        data = self.http.get(f"{self.base_url}/v1/voices", headers=self._headers(), params={})
        voices = data.get("voices")
        if not isinstance(voices, list):
            raise ProviderFailed("invalid_response", "the answer has no voices list")
        out = [_listing(v) for v in voices if isinstance(v, dict) and v.get("voice_id")]
        if language is None:
            return out
        wanted = primary_language(language)
        return [v for v in out if not v.languages or wanted in v.languages]


def _listing(voice: dict[str, Any]) -> VoiceListing:
    verified = voice.get("verified_languages")
    languages = sorted(
        {
            primary_language(str(item.get("language")))
            for item in (verified if isinstance(verified, list) else [])
            if isinstance(item, dict) and item.get("language")
        }
    )
    labels = voice.get("labels") if isinstance(voice.get("labels"), dict) else {}
    gender = labels.get("gender") if isinstance(labels, dict) else None
    return VoiceListing("elevenlabs", f"elevenlabs:{voice['voice_id']}",
                        str(voice.get("name") or voice["voice_id"]), tuple(languages),
                        gender if isinstance(gender, str) else None)  # fmt: skip


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _numbers(value: Any) -> list[float]:
    if not isinstance(value, list):
        return []
    return [float(v) if isinstance(v, int | float) else 0.0 for v in value]
