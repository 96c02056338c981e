"""HTTP for the picture providers: retried JSON calls, size-limited downloads, a cache.

:class:`MediaHttp` makes one provider's requests. Its JSON calls go through the shared
policy of :class:`aiprod.providers.http.VendorHttp` (breaker, a timeout per attempt, retries
with backoff on 408/429/5xx honouring ``Retry-After``, failures as
:class:`~aiprod.providers.base.ProviderFailed` with the secrets redacted). Downloads are
streamed into the cache under the SHA-256 of their content, refused past a size limit or
when the content type (and the bytes' signature) is not a picture or clip.

Search answers are cached for 24 hours (Pixabay's terms ask for it; it also makes a second
plan of the same brief pick the same pictures without a call). The cache holds answers and
files, never a request URL or a header: keys stay out of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

import httpx

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed
from aiprod.providers.http import VendorHttp, json_object
from aiprod.providers.resilience import CircuitBreaker, RetryPolicy

SEARCH_TTL_S = 24 * 3600.0
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
VIDEO_TYPES = {"video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov"}
_SECRETS: set[str] = set()
T = TypeVar("T")


class _RedactSecrets(logging.Filter):
    """httpx logs every request's URL at INFO: Pixabay's key is a query parameter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            text = record.getMessage()
            for secret in _SECRETS:
                text = text.replace(secret, "***")
            record.msg, record.args = text, ()
        return True


_FILTER = _RedactSecrets()
logging.getLogger("httpx").addFilter(_FILTER)


def pause(seconds: float) -> None:
    """Wait between attempts and polls (tests replace it so they never wait)."""
    time.sleep(seconds)


def _pause_late(seconds: float) -> None:
    pause(seconds)  # looked up at call time, so a test's replacement is used


def register_secret(secret: str | None) -> None:
    """Keep ``secret`` out of httpx's request log lines."""
    if secret:
        _SECRETS.add(secret)


class MediaCache:
    """Content-addressed files and search answers under ``<cache>/visuals``."""

    def __init__(self, cache_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        # absolute: a planned spec names these files, and a spec file's relative paths
        # would be read against the spec's own folder
        self.root = (cache_dir / "visuals").resolve()
        self._clock = clock

    @staticmethod
    def key(*parts: object) -> str:
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def answer(self, key: str) -> Any | None:
        """A cached search answer younger than a day, or None."""
        path = self.root / "answers" / f"{key}.json"
        try:
            if self._clock() - path.stat().st_mtime > SEARCH_TTL_S:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def keep_answer(self, key: str, data: Any) -> None:
        self._write(self.root / "answers" / f"{key}.json", json.dumps(data).encode())

    def record(self, key: str) -> dict[str, Any] | None:
        """A remembered result (a generated picture's file and provenance), if its file is
        still there."""
        path = self.root / "results" / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not Path(str(data.get("file", ""))).is_file():
            return None
        return data

    def keep_record(self, key: str, data: dict[str, Any]) -> None:
        self._write(self.root / "results" / f"{key}.json", json.dumps(data).encode())

    def store(self, data: bytes, suffix: str) -> Path:
        digest = hashlib.sha256(data).hexdigest()[:32]
        out = self.root / "files" / f"{digest}{suffix}"
        if not out.is_file():
            self._write(out, data)
        return out

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a concurrent plan never reads half a file


def check_media(data: bytes, content_type: str) -> str:
    """The file suffix for ``data`` served as ``content_type``; ValueError when it is not
    a picture or clip we take, or its bytes are not what the type says."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in IMAGE_TYPES:
        from PIL import Image

        try:
            with Image.open(BytesIO(data)) as image:
                image.verify()
        except Exception as error:  # Pillow raises many types for a broken file
            raise ValueError(f"the {kind} does not decode ({type(error).__name__})") from None
        return IMAGE_TYPES[kind]
    if kind in VIDEO_TYPES:
        if data[4:8] != b"ftyp" and not data.startswith(b"\x1a\x45\xdf\xa3"):
            raise ValueError(f"the {kind} has no MP4/WebM signature")
        return VIDEO_TYPES[kind]
    raise ValueError(f"content type {kind or '(none)'} is not a picture or a clip")


class MediaHttp:
    """One provider's HTTP: JSON calls through the shared :class:`VendorHttp` policy
    (breaker, timeout, retries), plus size-limited downloads and inline media."""

    def __init__(
        self,
        *,
        secrets: tuple[str | None, ...] = (),
        timeout_s: float = 30.0,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        max_bytes: int = 60 * 1024 * 1024,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kept = tuple(s for s in secrets if s)
        for secret in kept:
            register_secret(secret)
        self.sleep = sleep or _pause_late
        self.vendor = VendorHttp(
            timeout_s=timeout_s,
            policy=policy or RetryPolicy(),
            breaker=breaker or CircuitBreaker(),
            secrets=kept,
            transport=transport,
            sleep=self.sleep,
        )
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def redact(self, text: str) -> str:
        return self.vendor.redact(text)

    def client(self) -> httpx.Client:
        return self.vendor.client()

    def json(
        self,
        method: str,
        url: str,
        record: CallRecord,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A JSON object from a 2xx answer, per the shared policy; ProviderFailed else."""
        extra: dict[str, Any] = {"headers": headers or {}, "params": params}
        if body is not None:
            extra["json"] = body
        response = self.vendor.send(method, url, record=record, **extra)
        return json_object(response, record)

    def download(
        self, url: str, record: CallRecord, cache: MediaCache, *, allowed: frozenset[str]
    ) -> Path:
        """The file at ``url`` in the cache (content-addressed); ``allowed`` content types."""
        with self.client() as client:
            record.attempts += 1
            try:
                with client.stream("GET", url) as response:
                    if not response.is_success:
                        raise self._fail(record, f"http_{response.status_code}", "download")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind not in allowed:
                        raise self._fail(record, "invalid_media", f"content type {kind!r}")
                    data = self._read_limited(response, record)
            except httpx.TimeoutException:
                raise self._fail(record, "timeout", "download timed out") from None
            except httpx.TransportError as error:
                raise self._fail(record, "unreachable", type(error).__name__) from None
        try:
            suffix = check_media(data, kind)
        except ValueError as error:
            raise self._fail(record, "invalid_media", str(error)) from None
        record.units["bytes"] = len(data)
        return cache.store(data, suffix)

    def _read_limited(self, response: httpx.Response, record: CallRecord) -> bytes:
        declared = response.headers.get("content-length")
        limit_mb = f"{self.max_bytes / 1e6:g} MB"
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise self._fail(record, "too_large", f"{int(declared)} bytes > {limit_mb}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._fail(record, "too_large", f"more than {limit_mb}")
            chunks.append(chunk)
        return b"".join(chunks)

    def _fail(self, record: CallRecord, reason: str, detail: str) -> ProviderFailed:
        record.status = reason
        return ProviderFailed(reason, self.redact(detail), record=record)

    def store_bytes(self, data: bytes, kind: str, record: CallRecord, cache: MediaCache) -> Path:
        """Bytes a provider answered inline (base64), checked and limited like a download."""
        if len(data) > self.max_bytes:
            raise self._fail(record, "too_large", f"{len(data)} bytes")
        try:
            suffix = check_media(data, kind)
        except ValueError as error:
            raise self._fail(record, "invalid_media", str(error)) from None
        record.units["bytes"] = len(data)
        return cache.store(data, suffix)


def _translated(action: Callable[[], T], record: CallRecord) -> T:
    """An answer shaped unlike the vendor's documentation is the vendor's failure, not ours:
    the chain moves on instead of the plan crashing."""
    try:
        return action()
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        record.status = "invalid_response"
        raise ProviderFailed(
            "invalid_response", f"unexpected answer ({type(error).__name__})", record=record
        ) from None


def guarded(record: CallRecord, action: Callable[[], T]) -> T:
    """``action()`` timed into the record, an odd answer turned into a fallback. The
    circuit breaker is the shared HTTP policy's (each vendor call counts)."""
    started = time.monotonic()
    try:
        return _translated(action, record)
    finally:
        record.seconds = round(time.monotonic() - started, 3)


def media_http(settings: Settings, breaker: CircuitBreaker, *secrets: str | None) -> MediaHttp:
    """The HTTP client a picture provider builds from the settings."""
    return MediaHttp(
        secrets=secrets,
        breaker=breaker,
        timeout_s=settings.visuals_timeout_s,
        policy=RetryPolicy(
            retries=settings.visuals_retries, max_wait_s=settings.visuals_max_retry_after_s
        ),
        max_bytes=int(settings.visuals_max_download_mb * 1024 * 1024),
    )
