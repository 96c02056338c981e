"""Voice provider: OpenAI text-to-speech, word timings from Whisper.

``POST {base}/audio/speech`` with a Bearer key and ``{"model", "voice", "input",
"response_format": "pcm"}``; the answer is the audio itself (raw 16-bit little-endian PCM
at 24 kHz, mono), with no timings: :mod:`aiprod.providers.tts.whisper_align` transcribes it
and the words are matched to the script. English only (the aligner is ``tiny.en``).
There is no voice listing endpoint: the voices are the documented built-in ones.
Errors come as ``{"error": {"message", "type", "code"}}``.
"""

from __future__ import annotations

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed
from aiprod.providers.tts.cloud import VoiceHTTP, configured_voice_http, pcm16_audio, voice_info
from aiprod.providers.tts.cloud_timings import ScenePlan, spans_from_transcript
from aiprod.providers.tts.cloud_voice import CloudVoice, Spoken, VoiceListing
from aiprod.providers.tts.sentences import primary_language
from aiprod.providers.tts.whisper_align import LANGUAGES, transcribe_words

SAMPLE_RATE = 24_000
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer",
          "verse")  # fmt: skip


class OpenAIVoice(CloudVoice):
    """OpenAI ``/audio/speech``; see the module docstring."""

    def __init__(
        self, *, base_url: str, model: str, voice: str, http: VoiceHTTP,
        price_per_1k_chars: float = 0.0, currency: str = "USD",
    ) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.default_voice = voice
        self.http = http
        self.info = voice_info(
            "openai",
            base_url=self.base_url,
            languages=LANGUAGES,
            limits={"model": model, "timeout_s": http.timeout_s, "max_characters": 4096},
            price_per_1k_chars=price_per_1k_chars,
            currency=currency,
            licence="yours, under OpenAI's terms (disclose that the voice is AI-generated)",
            configured=f"{model}, voice {voice}",
        )

    @classmethod
    def from_settings(cls, settings: Settings, http: VoiceHTTP | None = None) -> OpenAIVoice:
        base_url = settings.openai_base_url
        return cls(
            base_url=base_url,
            model=settings.openai_tts_model,
            voice=settings.openai_tts_voice,
            http=configured_voice_http(settings, http, key=settings.openai_api_key,
                                       env="AIPROD_OPENAI_API_KEY", name="openai",
                                       base_url=base_url),
            price_per_1k_chars=settings.openai_tts_price_per_1k_chars,
            currency=settings.currency,
        )  # fmt: skip

    def model_name(self, voice_id: str) -> str:
        return f"{self.model}/{voice_id}"

    def call(self, plan: ScenePlan, *, voice_id: str, language: str, record: CallRecord) -> Spoken:
        body = {"model": self.model, "voice": voice_id, "input": plan.text,
                "response_format": "pcm"}  # fmt: skip
        headers = {"Authorization": f"Bearer {self.http.secret}"}
        url = f"{self.base_url}/audio/speech"
        response = self.http.post(url, headers=headers, body=body, record=record)
        kind = response.headers.get("content-type", "")
        if kind.startswith(("application/json", "text/")) or len(response.content) < 2:
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", f"expected audio, got '{kind or 'nothing'}'",
                                 record=record)  # fmt: skip
        audio, rate = pcm16_audio(response.content, SAMPLE_RATE, record)
        heard = transcribe_words(audio, rate)
        record.detail = f"timings: whisper tiny.en, {len(heard)} words heard"
        return Spoken(audio, rate, spans_from_transcript(plan, heard, rate))

    def list_voices(self, language: str | None) -> list[VoiceListing]:
        if language is not None and primary_language(language) not in LANGUAGES:
            return []
        return [VoiceListing("openai", f"openai:{v}", v, LANGUAGES) for v in VOICES]
