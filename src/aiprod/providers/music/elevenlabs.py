"""Music provider: ElevenLabs Music (``POST /v1/music``), its official documented API.

The request is ``{"prompt", "music_length_ms", "force_instrumental"}`` with the key in the
``xi-api-key`` header; the answer is the audio itself (MP3 by ``output_format``), decoded
here to a WAV of the programme's exact length. The key is only ever put in that header and
is redacted from every error message this module raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.decode import decode_to_wav
from aiprod.providers.http import VendorHttp, is_local, settings_http
from aiprod.providers.registry import ELEVENLABS_MUSIC_LICENCE as LICENCE
from aiprod.providers.registry import required_key

MIN_LENGTH_MS = 3_000
MAX_LENGTH_MS = 600_000
OUTPUT_FORMAT = "mp3_44100_128"
FADE_OUT_S = 1.5


@dataclass(frozen=True)
class MusicRequest:
    """What the music chain asks for: a prompt and the programme's exact length."""

    prompt: str
    seconds: float


class ElevenLabsMusic:
    """See the module docstring."""

    def __init__(
        self,
        *,
        api_key: str,
        http: VendorHttp,
        base_url: str = "https://api.elevenlabs.io",
        model: str | None = None,
        price_per_minute: float = 0.0,
        currency: str = "USD",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._key = api_key
        self.http = http
        self.info = ProviderInfo(
            name="elevenlabs_music",
            capability="music",
            limits={"min_length_ms": MIN_LENGTH_MS, "max_length_ms": MAX_LENGTH_MS},
            unit="minute",
            price_per_unit=price_per_minute,
            currency=currency,
            licence=LICENCE,
            needs_network=not is_local(self.base_url),
            configured=f"{model or 'default model'} at {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ElevenLabsMusic:
        key = required_key(settings.elevenlabs_api_key, "AIPROD_ELEVENLABS_API_KEY")
        return cls(
            api_key=key,
            http=settings_http(settings, timeout_s=settings.elevenlabs_timeout_s, secret=key,
                               breaker=f"music:{settings.elevenlabs_base_url}"),
            base_url=settings.elevenlabs_base_url,
            model=settings.elevenlabs_music_model,
            price_per_minute=settings.elevenlabs_music_price_per_minute,
            currency=settings.currency,
        )  # fmt: skip

    @property
    def cache_identity(self) -> str:
        """What, besides the request, shapes the answer (part of the cache key)."""
        return f"{self.info.name}:{self.model or 'default'}:{OUTPUT_FORMAT}"

    @staticmethod
    def length_ms(seconds: float) -> int:
        return max(MIN_LENGTH_MS, round(seconds * 1000))

    def estimate(self, request: MusicRequest) -> float:
        return round(self.length_ms(request.seconds) / 60_000 * self.info.price_per_unit, 6)

    def body(self, request: MusicRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "music_length_ms": self.length_ms(request.seconds),
            "force_instrumental": True,
        }
        if self.model:
            body["model_id"] = self.model
        return body

    def compose(self, request: MusicRequest, out: Path) -> CallRecord:
        """Write the track as the WAV ``out``; the call's record. Raises ProviderFailed."""
        record = CallRecord(
            capability="music",
            provider=self.info.name,
            model=self.model,
            estimate=self.estimate(request),
            currency=self.info.currency,
            licence=self.info.licence,
            units={"music_length_ms": self.length_ms(request.seconds)},
        )
        if self.length_ms(request.seconds) > MAX_LENGTH_MS:
            record.status = "too_long"
            raise ProviderFailed(
                "too_long", f"{request.seconds:.0f} s is over {MAX_LENGTH_MS // 1000} s",
                record=record,
            )  # fmt: skip
        response = self.http.send(
            "POST",
            f"{self.base_url}/v1/music",
            record=record,
            params={"output_format": OUTPUT_FORMAT},
            json=self.body(request),
            headers={"xi-api-key": self._key, "Accept": "audio/mpeg"},
        )
        record.request_id = response.headers.get("song-id") or record.request_id
        if not response.content:
            record.status = "invalid_output"
            raise ProviderFailed("invalid_output", "the answer has no audio", record=record)
        decode_to_wav(
            response.content, out, seconds=request.seconds, record=record,
            suffix=".mp3", fade_out_s=FADE_OUT_S,
        )  # fmt: skip
        record.actual = record.estimate  # billed by the length asked for
        return record
