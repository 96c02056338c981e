"""What the cloud voices share: one HTTP call with retries, and vendor errors translated.

``VoiceHTTP`` is the providers' :class:`~aiprod.providers.http.VendorHttp`: one request
with the declared retry policy (429/5xx/connect errors retried with backoff, ``Retry-After``
honoured), a circuit breaker per endpoint, and the call's :class:`CallRecord` filled. Every
failure leaves as :class:`ProviderFailed` with a short reason (``http_401``, ``http_429``,
``timeout``, ``unreachable``, ``invalid_response``, ``circuit_open``); its detail has the key
redacted, so the chain may log and record it.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
from pydantic import SecretStr

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.http import VendorHttp, json_object
from aiprod.providers.registry import required_key
from aiprod.providers.resilience import RetryPolicy, breaker_for
from aiprod.providers.tts.wav import Int16Audio

_LOCAL_URL = re.compile(r"https?://(127\.|localhost|\[::1\])")


def is_remote(url: str) -> bool:
    """True when ``url`` leaves this machine (for ``ProviderInfo.needs_network``)."""
    return not _LOCAL_URL.match(url)


def error_text(response: httpx.Response) -> str:
    """One line from a vendor's error body: ElevenLabs ``{"detail": {"status", "message"}}``,
    Google ``{"error": {"code", "message", "status"}}``, OpenAI ``{"error": {"message",
    "type", "code"}}``."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {status}"
    if not isinstance(data, dict):
        return f"HTTP {status}"
    detail, error = data.get("detail"), data.get("error")
    if isinstance(detail, dict):
        return f"HTTP {status} {detail.get('status', '')}: {detail.get('message', '')}"
    if isinstance(detail, str):
        return f"HTTP {status}: {detail}"
    if isinstance(error, dict):
        kind = error.get("status") or error.get("code") or error.get("type") or ""
        return f"HTTP {status} {kind}: {error.get('message', '')}"
    return f"HTTP {status}"


@dataclass
class VoiceHTTP(VendorHttp):
    """A voice vendor's endpoint: :class:`VendorHttp` (timeout, retries, breaker, key
    redaction) with the one key the voice sends (``secret``) and the voice vendors' error
    shapes (:func:`error_text`)."""

    timeout_s: float = 60.0
    secret: str = ""

    def __post_init__(self) -> None:
        self.secrets = (self.secret,)

    def error_text(self, response: httpx.Response) -> str:
        return error_text(response)

    def get(self, url: str, *, headers: Mapping[str, str], params: Mapping[str, str]) -> Any:
        """A JSON GET (voice listings), outside the breaker; errors as ProviderFailed."""
        record = CallRecord(capability="voice", provider="listing")
        response = self.send("GET", url, record=record, guarded=False, headers=dict(headers),
                             params=dict(params) or None)  # fmt: skip
        return json_object(response, record)

    def post_json(
        self, url: str, *, headers: Mapping[str, str], body: dict[str, Any], record: CallRecord
    ) -> tuple[dict[str, Any], httpx.Response]:
        """POST ``body``; the answer's JSON object (ProviderFailed when it is not one)."""
        response = self.post(url, headers=headers, body=body, record=record)
        return json_object(response, record), response

    def post(
        self, url: str, *, headers: Mapping[str, str], body: dict[str, Any], record: CallRecord
    ) -> httpx.Response:
        """POST with the breaker around all attempts; records attempts, seconds, request id."""
        return self.send("POST", url, record=record, headers=dict(headers), json=body)


def decode_base64(value: Any, record: CallRecord, what: str) -> bytes:
    """The bytes of a base64 field; ProviderFailed(invalid_response) when absent or bad."""
    try:
        if not isinstance(value, str) or not value:
            raise ValueError(what)
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        record.status = "invalid_response"
        raise ProviderFailed("invalid_response", f"no valid base64 {what}", record=record) from None


def pcm16_audio(data: bytes, sample_rate: int, record: CallRecord) -> tuple[Int16Audio, int]:
    """Mono 16-bit samples from a WAV file or raw little-endian PCM at ``sample_rate``."""
    if data[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(data), "rb") as wav:
                if wav.getsampwidth() != 2:
                    raise wave.Error("not 16-bit")
                rate, channels = wav.getframerate(), wav.getnchannels()
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as error:
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", f"bad WAV: {error}", record=record) from None
        samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2")
        if channels > 1:
            samples = samples[: len(samples) // channels * channels].reshape(-1, channels)[:, 0]
        return samples.astype(np.int16), rate
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)
    return samples, sample_rate


def voice_http(settings: Settings, secret: str, endpoint: str) -> VoiceHTTP:
    """The HTTP side of a cloud voice as settings declare it (one breaker per endpoint)."""
    return VoiceHTTP(
        secret=secret,
        timeout_s=settings.voice_timeout_s,
        policy=RetryPolicy(retries=settings.voice_retries,
                           max_wait_s=settings.voice_max_retry_after_s),
        breaker=breaker_for(endpoint, threshold=settings.provider_breaker_failures,
                            cooldown_s=settings.provider_breaker_cooldown_s),
    )  # fmt: skip


def configured_voice_http(
    settings: Settings, http: VoiceHTTP | None, *, key: SecretStr | None, env: str, name: str,
    base_url: str,
) -> VoiceHTTP:  # fmt: skip
    """``http``, or the HTTP side settings declare for the cloud voice ``name`` at
    ``base_url``; NotConfigured when its key (``env``) is not set."""
    secret = required_key(key, env)
    return http or voice_http(settings, secret, f"voice:{name}:{base_url}")


def voice_info(
    name: str, *, base_url: str, limits: dict[str, Any], price_per_1k_chars: float,
    currency: str, licence: str, configured: str, languages: tuple[str, ...] = (),
) -> ProviderInfo:  # fmt: skip
    """A cloud voice's declaration: priced per character, remote unless ``base_url`` is on
    this machine, ``configured`` shown with its ``base_url``."""
    return ProviderInfo(
        name=name,
        capability="voice",
        languages=languages,
        limits=limits,
        unit="character",
        price_per_unit=price_per_1k_chars / 1000,
        currency=currency,
        licence=licence,
        needs_network=is_remote(base_url),
        configured=f"{configured} at {base_url}",
    )
