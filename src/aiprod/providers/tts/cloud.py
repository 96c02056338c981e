"""What the cloud voices share: one HTTP call with retries, and vendor errors translated.

``VoiceHTTP.send`` makes one request with the declared retry policy (429/5xx/connect errors
retried with backoff, ``Retry-After`` honoured), a circuit breaker per endpoint, and fills
the call's :class:`CallRecord`. Every failure leaves as :class:`ProviderFailed` with a short
reason (``http_401``, ``http_429``, ``timeout``, ``unreachable``, ``invalid_response``,
``circuit_open``); its detail has the key redacted, so the chain may log and record it.
"""

from __future__ import annotations

import base64
import binascii
import io
import random
import re
import time
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from pydantic import SecretStr

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.registry import required_key
from aiprod.providers.resilience import (
    RETRYABLE_STATUS,
    CircuitBreaker,
    CircuitOpen,
    RetryPolicy,
    breaker_for,
    retry_after_seconds,
)
from aiprod.providers.tts.wav import Int16Audio

_LOCAL_URL = re.compile(r"https?://(127\.|localhost|\[::1\])")
# Header names vendors put their request id in (ElevenLabs: request-id).
_REQUEST_ID_HEADERS = ("request-id", "x-request-id", "x-goog-request-id", "x-cloud-trace-context")


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
class VoiceHTTP:
    """One vendor endpoint's HTTP side: timeout, retries, breaker, key redaction."""

    secret: str
    timeout_s: float = 60.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def redact(self, text: str) -> str:
        if self.secret:
            text = text.replace(self.secret, "***")
        return " ".join(text.split())[:300]

    def get(self, url: str, *, headers: Mapping[str, str], params: Mapping[str, str]) -> Any:
        """A JSON GET (voice listings): one try, errors as ProviderFailed."""
        record = CallRecord(capability="voice", provider="listing")
        response = self._send("GET", url, headers=headers, params=params, body=None, record=record)
        return self._json(response, record)

    def post_json(
        self, url: str, *, headers: Mapping[str, str], body: dict[str, Any], record: CallRecord
    ) -> tuple[dict[str, Any], httpx.Response]:
        """POST ``body``; the answer's JSON object (ProviderFailed when it is not one)."""
        response = self.post(url, headers=headers, body=body, record=record)
        return self._json(response, record), response

    def post(
        self, url: str, *, headers: Mapping[str, str], body: dict[str, Any], record: CallRecord
    ) -> httpx.Response:
        """POST with the breaker around all attempts; records attempts, seconds, request id."""
        try:
            self.breaker.before()
        except CircuitOpen as why:
            record.status = "circuit_open"
            raise ProviderFailed("circuit_open", str(why), record=record) from None
        started = time.monotonic()
        try:
            response = self._send("POST", url, headers=headers, params={}, body=body,
                                  record=record)  # fmt: skip
        except ProviderFailed:
            self.breaker.failure()
            raise
        finally:
            record.seconds = round(time.monotonic() - started, 3)
        self.breaker.success()
        return response

    def _json(self, response: httpx.Response, record: CallRecord) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "the body is not a JSON object", record=record)
        return data

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str],
        body: dict[str, Any] | None,
        record: CallRecord,
    ) -> httpx.Response:
        timeout = httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s))
        with httpx.Client(timeout=timeout, transport=self.transport) as client:
            attempt = 0
            while True:
                record.attempts = attempt + 1
                failure, retry_after = self._attempt(client, method, url, headers, params, body,
                                                     record)  # fmt: skip
                if isinstance(failure, httpx.Response):
                    return failure
                wait = self.policy.wait(attempt, retry_after, self.rng)
                if wait is None:
                    record.status = failure.reason
                    raise failure
                self.sleep(wait)
                attempt += 1

    def _attempt(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        headers: Mapping[str, str],
        params: Mapping[str, str],
        body: dict[str, Any] | None,
        record: CallRecord,
    ) -> tuple[httpx.Response | ProviderFailed, float | None]:
        """One attempt: the 200 response, or a retryable failure (others are raised)."""
        try:
            response = client.request(method, url, headers=headers, params=dict(params) or None,
                                      json=body)  # fmt: skip
        except httpx.TimeoutException:
            record.status = "timeout"
            raise ProviderFailed(
                "timeout", f"no answer within {self.timeout_s:g} s", record=record
            ) from None
        except httpx.TransportError as error:
            detail = self.redact(f"{type(error).__name__}: {error}")
            return ProviderFailed("unreachable", detail, record=record), None
        record.request_id = _request_id(response) or record.request_id
        if response.status_code == 200:
            return response, None
        failure = ProviderFailed(
            f"http_{response.status_code}", self.redact(error_text(response)), record=record
        )
        if response.status_code not in RETRYABLE_STATUS:
            record.status = failure.reason
            raise failure
        return failure, retry_after_seconds(response.headers.get("retry-after"))


def _request_id(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value[:120]
    return None


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
