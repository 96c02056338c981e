"""Voice provider: Google Cloud Text-to-Speech, with a timepoint per word.

``POST {base}/v1beta1/text:synthesize`` with the API key in the ``X-Goog-Api-Key`` header
(never in the URL, where logs and error messages would carry it), SSML with a ``<mark>``
before every spoken word and ``"enableTimePointing": ["SSML_MARK"]``; the answer carries
``audioContent`` (base64 LINEAR16: a WAV file) and ``timepoints`` (``markName``,
``timeSeconds``), turned into word timings by :func:`spans_from_marks`.
``GET {base}/v1/voices?languageCode=`` lists voices. Errors come as
``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from aiprod.config import Settings
from aiprod.providers.base import CallRecord
from aiprod.providers.tts.cloud import (
    VoiceHTTP,
    configured_voice_http,
    decode_base64,
    pcm16_audio,
    voice_info,
)
from aiprod.providers.tts.cloud_timings import ScenePlan, mark_name, spans_from_marks
from aiprod.providers.tts.cloud_voice import CloudVoice, Spoken, VoiceListing
from aiprod.providers.tts.sentences import primary_language
from aiprod.providers.tts.wav import voiced_span

SAMPLE_RATE = 24_000
# A bare language is sent with its most common region: Google wants a locale.
_LOCALES = {"en": "en-US", "fr": "fr-FR", "de": "de-DE", "es": "es-ES", "it": "it-IT",
            "pt": "pt-BR", "nl": "nl-NL", "ja": "ja-JP", "zh": "cmn-CN"}  # fmt: skip


def locale_for(language: str) -> str:
    tag = language.strip().replace("_", "-")
    return tag if "-" in tag else _LOCALES.get(tag.casefold(), tag.casefold())


def ssml(plan: ScenePlan) -> str:
    """The scene as SSML: ``<mark name="wN"/>`` before displayed word N when it is spoken."""
    parts = []
    for index, (form, offset) in enumerate(zip(plan.spoken, plan.offsets, strict=True)):
        if offset is not None:
            parts.append(f'<mark name="{mark_name(index)}"/>{escape(form)}')
        elif form.strip():
            parts.append(escape(form))
    return "<speak>" + " ".join(parts) + "</speak>"


class GoogleVoice(CloudVoice):
    """Google Cloud Text-to-Speech; see the module docstring."""

    def __init__(
        self, *, base_url: str, voice: str | None, http: VoiceHTTP,
        price_per_1k_chars: float = 0.0, currency: str = "USD",
    ) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self.default_voice = voice or ""
        self.http = http
        self.info = voice_info(
            "google",
            base_url=self.base_url,
            limits={"timeout_s": http.timeout_s, "max_bytes": 5000},
            price_per_1k_chars=price_per_1k_chars,
            currency=currency,
            licence="yours, under the Google Cloud terms",
            configured=f"voice {voice or 'default per language'}",
        )

    @classmethod
    def from_settings(cls, settings: Settings, http: VoiceHTTP | None = None) -> GoogleVoice:
        base_url = settings.google_tts_base_url
        return cls(
            base_url=base_url,
            voice=settings.google_tts_voice,
            http=configured_voice_http(settings, http, key=settings.google_tts_api_key,
                                       env="AIPROD_GOOGLE_TTS_API_KEY", name="google",
                                       base_url=base_url),
            price_per_1k_chars=settings.google_tts_price_per_1k_chars,
            currency=settings.currency,
        )  # fmt: skip

    def _headers(self) -> dict[str, str]:
        return {"X-Goog-Api-Key": self.http.secret, "Accept": "application/json"}

    def _voice(self, voice_id: str, language: str) -> dict[str, str]:
        locale = locale_for(language)
        same = voice_id and primary_language(voice_id) == primary_language(locale)
        if same:  # the voice name starts with its locale: en-US-Neural2-F
            return {"languageCode": "-".join(voice_id.split("-")[:2]), "name": voice_id}
        return {"languageCode": locale}

    def call(self, plan: ScenePlan, *, voice_id: str, language: str, record: CallRecord) -> Spoken:
        body: dict[str, Any] = {
            "input": {"ssml": ssml(plan)},
            "voice": self._voice(voice_id, language),
            "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": SAMPLE_RATE},
            "enableTimePointing": ["SSML_MARK"],
        }
        record.model = body["voice"].get("name") or body["voice"]["languageCode"]
        url = f"{self.base_url}/v1beta1/text:synthesize"
        data, _ = self.http.post_json(url, headers=self._headers(), body=body, record=record)
        content = decode_base64(data.get("audioContent"), record, "audioContent")
        audio, rate = pcm16_audio(content, SAMPLE_RATE, record)
        marks: dict[str, float] = {}
        points = data.get("timepoints")
        for point in points if isinstance(points, list) else []:
            if isinstance(point, dict) and isinstance(point.get("timeSeconds"), int | float):
                marks[str(point.get("markName"))] = float(point["timeSeconds"])
        voiced_end = voiced_span(audio, rate)[1]
        return Spoken(audio, rate, spans_from_marks(plan, marks, rate, voiced_end))

    def list_voices(self, language: str | None) -> list[VoiceListing]:
        params = {"languageCode": locale_for(language)} if language else {}
        data = self.http.get(f"{self.base_url}/v1/voices", headers=self._headers(), params=params)
        voices = data.get("voices")
        out = []
        for voice in voices if isinstance(voices, list) else []:
            if isinstance(voice, dict) and voice.get("name"):
                out.append(_listing(voice))
        if language:
            wanted = primary_language(language)
            out = [v for v in out if wanted in v.languages]
        return out


def _listing(voice: dict[str, Any]) -> VoiceListing:
    codes = voice.get("languageCodes")
    languages = sorted({primary_language(str(c)) for c in codes if c} if isinstance(codes, list)
                       else set())  # fmt: skip
    gender = voice.get("ssmlGender")
    name = str(voice["name"])
    return VoiceListing("google", f"google:{name}", name, tuple(languages),
                        gender.lower() if isinstance(gender, str) else None)  # fmt: skip
