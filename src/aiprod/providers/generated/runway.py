"""Runway: a clip from the scene's words (``POST /v1/text_to_video``) or a picture brought to
life (``POST /v1/image_to_video``, ``promptImage`` a data URI of the still), then the task polled.

Headers ``Authorization: Bearer <key>`` and ``X-Runway-Version``. The answer is a task id;
``GET /v1/tasks/{id}`` is polled every ``runway_poll_s`` until ``SUCCEEDED`` (``output[0]`` is
the clip's URL, downloaded at once: it expires) or ``FAILED``/``CANCELLED`` (``failure``,
``failureCode``), at most ``runway_max_wait_s``: a task still running then, or whose polls
keep failing, is cancelled (``DELETE /v1/tasks/{id}``) and the chain moves on. Priced per
second of output (credits at 0.01 USD); a created task counts at its estimate (it may be
billed) unless it ends ``FAILED``, which costs nothing.

A still to animate (a user's picture or a stock photo) is sent as a JPEG data URI (Runway takes
an HTTPS URL or a data URI of at most 5 MB): at most ``ANIMATE_SIDE`` pixels on its long side,
cropped to the 1:2..2:1 aspect range Runway accepts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

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
ANIMATE_SIDE = 1280
MAX_DATA_URI = 5 * 1024 * 1024  # Runway's limit on a data URI
ASPECT_RANGE = (0.5, 2.0)  # width / height Runway accepts for promptImage
ANIMATE_STYLE = (
    "Subtle, natural motion and a slow camera move; keep the subject and its colours as "
    "they are; no text, no letters"
)


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

    def image_body(self, request: VisualRequest, image: Path) -> dict[str, Any]:
        """The ``image_to_video`` request for ``image`` (the still as a JPEG data URI)."""
        prompt = f"{request.query}. {ANIMATE_STYLE}." if request.query else f"{ANIMATE_STYLE}."
        return {
            "model": self.model,
            "promptImage": data_uri(image),
            "promptText": prompt[:MAX_PROMPT],
            "ratio": RATIOS[request.orientation],
            "duration": self.duration_s,
        }

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}", "X-Runway-Version": self.version}

    def fetch(self, request: VisualRequest) -> FetchedVisual:
        """A clip drawn from the scene's words (``text_to_video``)."""
        return self._task(request, "text_to_video", self.body(request))

    def animate(self, request: VisualRequest, image: Path) -> FetchedVisual:
        """``image`` brought to life (``image_to_video``); raises ProviderFailed
        (``invalid_media`` when the file is not a picture)."""
        try:
            body = self.image_body(request, image)
        except (OSError, ValueError) as error:
            record = self._record(request)
            record.status = "invalid_media"
            raise ProviderFailed("invalid_media", f"{image.name}: {error}", record=record) from None
        return self._task(request, "image_to_video", body)

    def _record(self, request: VisualRequest) -> CallRecord:
        return CallRecord(
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

    def _task(self, request: VisualRequest, endpoint: str, body: dict[str, Any]) -> FetchedVisual:
        record = self._record(request)
        if endpoint == "text_to_video":
            key = MediaCache.key("runway", self.base_url, body)
        else:  # the still by its digest: the data URI itself is megabytes
            record.detail = endpoint
            still = {k: _digest(v) if k == "promptImage" else v for k, v in body.items()}
            key = MediaCache.key("runway", self.base_url, endpoint, still)
        cached = remembered(self.cache, key, record, "video")
        if cached is not None:
            return cached
        fetched = guarded(record, lambda: self._generate(endpoint, body, record))
        return remember(self.cache, key, fetched)

    def _generate(self, endpoint: str, body: dict[str, Any], record: CallRecord) -> FetchedVisual:
        created = self.http.json(
            "POST", f"{self.base_url}/v1/{endpoint}", record, headers=self._headers(), body=body
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


def data_uri(image: Path) -> str:
    """``image`` as a ``data:image/jpeg;base64,`` URI Runway accepts (see the module doc)."""
    with Image.open(image) as opened:
        still = ImageOps.exif_transpose(opened).convert("RGB")
    width, height = still.size
    low, high = ASPECT_RANGE
    if width / height > high:  # too wide: keep the middle
        keep = int(height * high)
        still = still.crop(((width - keep) // 2, 0, (width - keep) // 2 + keep, height))
    elif width / height < low:  # too tall
        keep = int(width / low)
        still = still.crop((0, (height - keep) // 2, width, (height - keep) // 2 + keep))
    still.thumbnail((ANIMATE_SIDE, ANIMATE_SIDE))
    for quality in (90, 80, 65, 50):
        out = io.BytesIO()
        still.save(out, "JPEG", quality=quality)
        uri = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
        if len(uri) <= MAX_DATA_URI:
            return uri
    raise ValueError("the picture does not fit Runway's 5 MB data URI")


def _digest(value: Any) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()
