"""Runway: a clip from the scene's words, ``POST /v1/text_to_video``, then the task polled.

Headers ``Authorization: Bearer <key>`` and ``X-Runway-Version``. The answer is a task id;
``GET /v1/tasks/{id}`` is polled every ``runway_poll_s`` until ``SUCCEEDED`` (``output[0]`` is
the clip's URL, downloaded at once: it expires) or ``FAILED``/``CANCELLED`` (``failure``,
``failureCode``), at most ``runway_max_wait_s``: a task still running then, or whose polls
keep failing, is cancelled (``DELETE /v1/tasks/{id}``) and the chain moves on. Priced per
second of output (credits at 0.01 USD); a created task counts at its estimate (it may be
billed) unless it ends ``FAILED``, which costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.generated.base import remember, remembered
from aiprod.providers.http_media import VIDEO_TYPES, MediaCache, MediaHttp, guarded, media_http
from aiprod.providers.registry import NotConfigured
from aiprod.providers.resilience import CircuitBreaker, breaker_for
from aiprod.providers.visual_base import FetchedVisual, VisualRequest

LICENCE = "yours, under Runway's terms of use"
RATIOS = {"landscape": "1280:720", "portrait": "720:1280", "square": "960:960"}
DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
MAX_PROMPT = 1000


class RunwayVideo:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        version: str,
        model: str,
        duration_s: int,
        price_per_second: float,
        poll_s: float,
        max_wait_s: float,
        http: MediaHttp,
        cache: MediaCache,
        breaker: CircuitBreaker,
        currency: str = "USD",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = api_key
        self.base_url = base_url.rstrip("/")
        self.version, self.model, self.duration_s = version, model, duration_s
        self.poll_s, self.max_wait_s = poll_s, max_wait_s
        self.http, self.cache, self.breaker = http, cache, breaker
        self._clock = clock
        self.info = ProviderInfo(
            name="runway",
            capability="generated",
            limits={"model": model, "duration_s": duration_s, "max_wait_s": max_wait_s},
            unit="second",
            price_per_unit=price_per_second,
            currency=currency,
            licence=LICENCE,
            needs_network=True,
            configured=f"{model} at {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> RunwayVideo:
        key = settings.runway_api_key.get_secret_value() if settings.runway_api_key else ""
        if not key:
            raise NotConfigured("AIPROD_RUNWAY_API_KEY is not set")
        breaker = breaker_for(
            f"generated:runway:{settings.runway_base_url}",
            threshold=settings.provider_breaker_failures,
            cooldown_s=settings.provider_breaker_cooldown_s,
        )
        return cls(
            api_key=key,
            base_url=settings.runway_base_url,
            version=settings.runway_version,
            model=settings.runway_model,
            duration_s=settings.runway_duration_s,
            price_per_second=settings.runway_price_per_second,
            poll_s=settings.runway_poll_s,
            max_wait_s=settings.runway_max_wait_s,
            http=media_http(settings, breaker, key),
            breaker=breaker,
            cache=MediaCache(settings.cache_dir),
            currency=settings.currency,
        )

    def estimate_call(self, request: VisualRequest) -> float:
        return round(self.duration_s * self.info.price_per_unit, 6)

    def body(self, request: VisualRequest) -> dict[str, Any]:
        return {
            "model": self.model,
            "promptText": request.prompt[:MAX_PROMPT],
            "ratio": RATIOS[request.orientation],
            "duration": self.duration_s,
        }

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}", "X-Runway-Version": self.version}

    def fetch(self, request: VisualRequest) -> FetchedVisual:
        record = CallRecord(
            capability="generated",
            provider="runway",
            model=self.model,
            scene=request.scene,
            estimate=self.estimate_call(request),
            actual=0.0,  # nothing is billed until the picture is made
            currency=self.info.currency,
            licence=LICENCE,
            units={"seconds": self.duration_s},
        )
        body = self.body(request)
        key = MediaCache.key("runway", self.base_url, body)
        cached = remembered(self.cache, key, record, "video")
        if cached is not None:
            return cached
        fetched = guarded(record, lambda: self._generate(body, record))
        return remember(self.cache, key, fetched)

    def _generate(self, body: dict[str, Any], record: CallRecord) -> FetchedVisual:
        created = self.http.json(
            "POST", f"{self.base_url}/v1/text_to_video", record, headers=self._headers(), body=body
        )
        task_id = created.get("id")
        if not isinstance(task_id, str) or not task_id:
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "no task id in the answer", record=record)
        record.request_id = task_id
        record.actual = record.estimate  # a created task may be billed: counted until it fails
        try:
            task = self._wait(task_id, record)
        except ProviderFailed as failure:
            if failure.reason not in ("task_failed", "task_timeout"):
                self._cancel(f"{self.base_url}/v1/tasks/{task_id}")  # polling broke: stop it
            raise
        output = task.get("output")
        url = output[0] if isinstance(output, list) and output else None
        if not isinstance(url, str):
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "a task done without output", record=record)
        path = self.http.download(url, record, self.cache, allowed=frozenset(VIDEO_TYPES))
        record.status, record.request_id = "ok", task_id  # the task, not the last poll's id
        return FetchedVisual(path, "video", "runway", f"runway:{task_id}", LICENCE, record,
                             attribution=f"Generated with Runway {self.model}")  # fmt: skip

    def _wait(self, task_id: str, record: CallRecord) -> dict[str, Any]:
        """Poll until the task ends, at most ``max_wait_s``."""
        url = f"{self.base_url}/v1/tasks/{task_id}"
        deadline = self._clock() + self.max_wait_s
        polls = 0
        while True:
            task = self.http.json("GET", url, record, headers=self._headers())
            polls += 1
            record.units["polls"] = polls
            status = task.get("status")
            if status == "SUCCEEDED":
                return task
            if status in DONE:
                record.status, record.actual = "task_failed", 0.0
                why = f"{task.get('failureCode') or status}: {task.get('failure') or ''}".strip()
                raise ProviderFailed("task_failed", self.http.redact(why), record=record)
            if polls * self.poll_s >= self.max_wait_s or self._clock() + self.poll_s > deadline:
                self._cancel(url)
                record.status, record.actual = "task_timeout", record.estimate
                raise ProviderFailed("task_timeout", f"not done after {self.max_wait_s:g} s "
                                     f"({polls} polls, last {status})", record=record)  # fmt: skip
            self.http.sleep(self.poll_s)

    def _cancel(self, url: str) -> None:
        with suppress(Exception), self.http.client() as client:  # best effort
            client.delete(url, headers=self._headers())
