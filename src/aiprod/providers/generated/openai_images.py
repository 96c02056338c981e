"""A picture from the scene's words: any OpenAI-compatible ``POST /images/generations``.

``Authorization: Bearer <key>``; the body asks for one picture in the frame's orientation
(``1024x1792``, ``1792x1024`` or ``1024x1024``) as ``b64_json``, so no expiring URL is
involved. Priced per picture (``AIPROD_IMAGE_PRICE_PER_IMAGE``).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.generated.base import remember, remembered
from aiprod.providers.http_media import MediaCache, MediaHttp, guarded, media_http
from aiprod.providers.registry import NotConfigured
from aiprod.providers.resilience import CircuitBreaker, breaker_for
from aiprod.providers.visual_base import FetchedVisual, VisualRequest

LICENCE = "yours, under the endpoint's terms"
SIZES = {"landscape": "1792x1024", "portrait": "1024x1792", "square": "1024x1024"}
MAX_PROMPT = 4000


class OpenAIImages:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        price_per_image: float,
        http: MediaHttp,
        cache: MediaCache,
        breaker: CircuitBreaker,
        currency: str = "USD",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._key = api_key
        self.http, self.cache, self.breaker = http, cache, breaker
        network = not re.match(r"https?://(127\.|localhost|\[::1\])", self.base_url)
        self.info = ProviderInfo(
            name="openai_images",
            capability="generated",
            limits={"model": model, "sizes": sorted(set(SIZES.values()))},
            unit="image",
            price_per_unit=price_per_image,
            currency=currency,
            licence=LICENCE,
            needs_network=network,
            configured=f"{model} at {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIImages:
        if not settings.image_base_url:
            raise NotConfigured("AIPROD_IMAGE_BASE_URL is not set")
        key = settings.image_api_key.get_secret_value() if settings.image_api_key else None
        breaker = breaker_for(
            f"generated:images:{settings.image_base_url}:{settings.image_model}",
            threshold=settings.provider_breaker_failures,
            cooldown_s=settings.provider_breaker_cooldown_s,
        )
        return cls(
            base_url=settings.image_base_url,
            model=settings.image_model,
            api_key=key or None,
            price_per_image=settings.image_price_per_image,
            http=media_http(settings, breaker, key),
            breaker=breaker,
            cache=MediaCache(settings.cache_dir),
            currency=settings.currency,
        )

    def estimate_call(self, request: VisualRequest) -> float:
        return self.info.price_per_unit

    def body(self, request: VisualRequest) -> dict[str, Any]:
        return {
            "model": self.model,
            "prompt": request.prompt[:MAX_PROMPT],
            "n": 1,
            "size": SIZES[request.orientation],
            "response_format": "b64_json",
        }

    def fetch(self, request: VisualRequest) -> FetchedVisual:
        record = CallRecord(
            capability="generated",
            provider="openai_images",
            model=self.model,
            scene=request.scene,
            estimate=self.estimate_call(request),
            actual=0.0,  # nothing is billed until the picture is made
            currency=self.info.currency,
            licence=LICENCE,
            units={"images": 1},
        )
        body = self.body(request)
        key = MediaCache.key("openai_images", self.base_url, body)
        cached = remembered(self.cache, key, record, "photo")
        if cached is not None:
            return cached
        fetched = guarded(record, lambda: self._generate(body, record))
        return remember(self.cache, key, fetched)

    def _generate(self, body: dict[str, Any], record: CallRecord) -> FetchedVisual:
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        url = f"{self.base_url}/images/generations"
        answer = self.http.json("POST", url, record, headers=headers, body=body)
        record.actual = record.estimate  # billed once the picture is made
        data = answer.get("data")
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        encoded = first.get("b64_json")
        if not isinstance(encoded, str) or not encoded:
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "no data[0].b64_json", record=record)
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            record.status = "invalid_response"
            raise ProviderFailed("invalid_response", "b64_json is not base64",
                                 record=record) from None  # fmt: skip
        kind = "image/png" if raw.startswith(b"\x89PNG") else "image/jpeg"
        if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
            kind = "image/webp"
        path = self.http.store_bytes(raw, kind, record, self.cache)
        record.status = "ok"
        created = answer.get("created")
        ident = f"openai_images:{created if isinstance(created, int) else path.stem}"
        return FetchedVisual(path, "photo", "openai_images", ident, LICENCE, record,
                             attribution=f"Generated with {self.model}")  # fmt: skip
