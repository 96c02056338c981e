"""One HTTP call to a vendor, made the same way by every cloud provider.

``VendorHttp.send()`` applies the policy of :mod:`aiprod.providers.resilience` around one
request: the circuit breaker first, a timeout per attempt, retries with backoff on
429/5xx/connection errors (``Retry-After`` wins), and every failure translated into
:class:`ProviderFailed` with a short reason (``http_401``, ``timeout``, ``unreachable``,
``circuit_open``) and a one-line detail from which the keys have been removed. The call's
:class:`CallRecord` gets the attempts, the seconds, the vendor's request id and the status.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed
from aiprod.providers.resilience import (
    RETRYABLE_STATUS,
    CircuitBreaker,
    CircuitOpen,
    RetryPolicy,
    breaker_for,
    retry_after_seconds,
)

# A hook for one refused answer: a new JSON body to send at once (not counted as a retry),
# or None to treat the answer as the failure it is.
Rewrite = Callable[[httpx.Response, dict[str, Any]], dict[str, Any] | None]
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-goog-request-id",
                      "x-cloud-trace-context")  # fmt: skip


def error_text(response: httpx.Response) -> str:
    """The vendor's error message, for the usual JSON error shapes: OpenAI's
    ``{"error": {"message", "code"}}``, Django REST (Freesound) and FastAPI ``{"detail": …}``,
    ElevenLabs' ``{"detail": {"status", "message"}}``; or a plain-text body (Pixabay's
    ``[ERROR 400] ...``)."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "")
        text = " ".join(response.text.split())[:200] if kind.startswith("text/plain") else ""
        return f"HTTP {status}: {text}" if text else f"HTTP {status}"
    if not isinstance(data, dict):
        return f"HTTP {status}"
    found = data.get("error", data.get("detail"))
    if isinstance(found, dict):
        kind = found.get("code") or found.get("type") or found.get("status") or ""
        return f"HTTP {status} {kind}: {found.get('message', '')}".strip()
    if isinstance(found, str):
        return f"HTTP {status}: {found}"
    if isinstance(found, list) and found and isinstance(found[0], dict):  # FastAPI 422
        return f"HTTP {status}: {found[0].get('msg', '')}"
    return f"HTTP {status}"


@dataclass
class VendorHttp:
    """How one provider talks to its vendor; ``secrets`` are redacted from every message."""

    timeout_s: float
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    secrets: tuple[str, ...] = ()
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())[:300]

    def client(self) -> httpx.Client:
        timeout = httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s))
        return httpx.Client(timeout=timeout, transport=self.transport, follow_redirects=True)

    def send(
        self,
        method: str,
        url: str,
        *,
        record: CallRecord,
        rewrite: Rewrite | None = None,
        guarded: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """The vendor's 2xx answer (body read); ProviderFailed otherwise. The breaker
        counts the whole call (all its attempts) as one success or one failure; an unguarded
        call (a voice listing) neither asks nor teaches it."""
        breaker = self.breaker if guarded else CircuitBreaker()
        try:
            breaker.before()
        except CircuitOpen as why:
            record.status = "circuit_open"
            raise ProviderFailed("circuit_open", str(why), record=record) from None
        started = time.monotonic()
        try:
            with self.client() as client:
                response = self._attempts(client, method, url, record, rewrite, kwargs)
        except ProviderFailed as failure:
            breaker.failure()
            record.status = failure.reason
            raise
        finally:
            record.seconds = round(record.seconds + time.monotonic() - started, 3)
        breaker.success()
        return response

    def error_text(self, response: httpx.Response) -> str:
        """One line from the vendor's error body (a subclass knows other shapes)."""
        return error_text(response)

    def _attempts(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        record: CallRecord,
        rewrite: Rewrite | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        attempt = 0
        while True:
            record.attempts += 1
            retry_after: float | None = None
            try:
                response = client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise ProviderFailed(
                    "timeout", f"no answer within {self.timeout_s:g} s", record=record
                ) from None
            except httpx.TransportError as error:
                failure = ProviderFailed(
                    "unreachable", self.redact(f"{type(error).__name__}: {error}"), record=record
                )
            else:
                record.request_id = _request_id(response) or record.request_id
                if response.is_success:
                    return response
                body = kwargs.get("json")
                fixed = rewrite(response, body) if rewrite and isinstance(body, dict) else None
                if fixed is not None:
                    kwargs = {**kwargs, "json": fixed}
                    continue
                failure = ProviderFailed(
                    f"http_{response.status_code}", self.redact(self.error_text(response)),
                    record=record,
                )  # fmt: skip
                if response.status_code not in RETRYABLE_STATUS:
                    raise failure
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            wait = self.policy.wait(attempt, retry_after, self.rng)
            if wait is None:
                raise failure
            self.sleep(wait)
            attempt += 1


def settings_http(
    settings: Settings, *, timeout_s: float, secret: str | None, breaker: str
) -> VendorHttp:
    """How a cloud provider set up by ``settings`` talks to its vendor: ``timeout_s`` per
    attempt, the retries of ``AIPROD_LLM_RETRIES`` (``Retry-After`` up to
    ``AIPROD_LLM_MAX_RETRY_AFTER_S``), the shared circuit breaker named ``breaker`` (one per
    endpoint) and ``secret`` redacted from every message."""
    return VendorHttp(
        timeout_s,
        RetryPolicy(retries=settings.llm_retries, max_wait_s=settings.llm_max_retry_after_s),
        breaker_for(breaker, threshold=settings.provider_breaker_failures,
                    cooldown_s=settings.provider_breaker_cooldown_s),
        secrets=(secret or "",),
    )  # fmt: skip


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if isinstance(value, str) and value:
            return value[:120]
    return None


def json_object(response: httpx.Response, record: CallRecord) -> dict[str, Any]:
    """The answer's JSON object; ProviderFailed("invalid_response") when it is not one."""
    try:
        payload = response.json()
    except ValueError:
        record.status = "invalid_response"
        raise ProviderFailed("invalid_response", "the body is not JSON", record=record) from None
    if not isinstance(payload, dict):
        record.status = "invalid_response"
        raise ProviderFailed("invalid_response", "the body is not an object", record=record)
    return payload


def is_local(url: str) -> bool:
    """True for a loopback URL (a call that does not leave this machine)."""
    host = httpx.URL(url).host
    return host in ("localhost", "::1") or host.startswith("127.")
