"""What every stock library does: search (page by page, answers cached a day), pick the first
result not used yet in this video that fits, download it into the cache.

A vendor module says only how to ask (:meth:`StockLibrary.search_call`) and how to read the
answer (:meth:`StockLibrary.candidates`, :meth:`StockLibrary.has_more`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.http_media import (
    IMAGE_TYPES,
    VIDEO_TYPES,
    MediaCache,
    MediaHttp,
    guarded,
    media_http,
)
from aiprod.providers.registry import NotConfigured
from aiprod.providers.resilience import CircuitBreaker, breaker_for
from aiprod.providers.visual_base import FetchedVisual, VisualRequest, orientation_for

MAX_PAGES = 3  # a fourth page of results is rarely better than the next provider
PER_PAGE = 15


@dataclass(frozen=True)
class Candidate:
    """One search result we could use."""

    source_id: str  # "<provider>:<id>"
    url: str  # the file to download
    page_url: str | None
    attribution: str | None
    preview: str | None = None  # a smaller rendition, for a person choosing (else ``url``)


@dataclass(frozen=True)
class SearchCall:
    """One search request: where, with what; ``key_params`` are left out of the cache key."""

    url: str
    params: dict[str, Any]
    headers: dict[str, str]
    key_params: tuple[str, ...] = ()


class StockLibrary:
    """A stock library behind a search API; subclasses fill in the vendor's shapes."""

    info: ProviderInfo
    licence: str
    # the vendor's declaration: its name, limits, and the settings of its key and URL
    name: ClassVar[str]
    limits: ClassVar[dict[str, int]]
    key_setting: ClassVar[str]
    url_setting: ClassVar[str]

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        http: MediaHttp,
        cache: MediaCache,
        breaker: CircuitBreaker,
    ) -> None:
        self.http = http
        self.cache = cache
        self.breaker = breaker
        self._key = api_key
        self.base_url = base_url.rstrip("/")
        self.info = ProviderInfo(
            name=self.name,
            capability="stock",
            limits=dict(self.limits),
            unit="call",
            licence=self.licence,
            needs_network=True,
            configured=f"key set, {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        secret = getattr(settings, cls.key_setting)
        key = secret.get_secret_value() if secret else ""
        if not key:
            raise NotConfigured(f"AIPROD_{cls.key_setting.upper()} is not set")
        base_url: str = getattr(settings, cls.url_setting)
        breaker = breaker_for(
            f"stock:{cls.name}:{base_url}",
            threshold=settings.provider_breaker_failures,
            cooldown_s=settings.provider_breaker_cooldown_s,
        )
        return cls(
            api_key=key,
            base_url=base_url,
            http=media_http(settings, breaker, key),
            breaker=breaker,
            cache=MediaCache(settings.cache_dir),
        )

    # -- the vendor's part -------------------------------------------------------------

    def search_call(self, request: VisualRequest, page: int) -> SearchCall:
        raise NotImplementedError

    def candidates(self, data: dict[str, Any], request: VisualRequest) -> list[Candidate]:
        raise NotImplementedError

    def has_more(self, data: dict[str, Any], page: int) -> bool:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------

    def estimate_call(self, request: VisualRequest) -> float:
        return 0.0  # free libraries (rate-limited, not priced)

    def fetch(self, request: VisualRequest) -> FetchedVisual:
        record = CallRecord(
            capability="stock",
            provider=self.info.name,
            scene=request.scene,
            licence=self.licence,
            detail=f"{request.media} '{request.query}' ({request.orientation})",
        )
        return guarded(record, lambda: self._fetch(request, record))

    def browse(self, request: VisualRequest) -> list[Candidate]:
        """The first page of results for ``request`` (answers cached a day), for a person
        to choose from (the studio's picture search)."""
        record = self._record(request, "browse")
        return guarded(record, lambda: self.candidates(self._search(request, 1, record), request))

    def take(self, found: Candidate, request: VisualRequest) -> FetchedVisual:
        """``found``'s file downloaded into the cache (checked as :meth:`fetch` checks it)."""
        record = self._record(request, found.source_id)
        return guarded(record, lambda: self._take(found, request, record))

    def preview(self, found: Candidate, request: VisualRequest) -> Path:
        """``found``'s preview (its smaller rendition, else its file) in the cache."""
        record = self._record(request, f"{found.source_id} preview")
        url = found.preview or found.url
        return guarded(
            record,
            lambda: self.http.download(url, record, self.cache, allowed=frozenset(IMAGE_TYPES)),
        )

    def _record(self, request: VisualRequest, detail: str) -> CallRecord:
        return CallRecord(
            capability="stock",
            provider=self.info.name,
            scene=request.scene,
            licence=self.licence,
            detail=f"{request.media} '{request.query}': {detail}",
        )

    def _fetch(self, request: VisualRequest, record: CallRecord) -> FetchedVisual:
        refused: ProviderFailed | None = None  # a result whose file we would not take
        for page in range(1, MAX_PAGES + 1):
            data = self._search(request, page, record)
            for found in self.candidates(data, request):
                if found.source_id in request.avoid:
                    continue
                try:
                    return self._take(found, request, record)
                except ProviderFailed as failure:
                    if failure.reason not in ("too_large", "invalid_media") or refused:
                        raise  # a second refused file: the library is not for us today
                    refused = failure
            if not self.has_more(data, page):
                break
        if refused is not None:
            raise refused
        record.status = "no_match"
        raise ProviderFailed("no_match", f"nothing new for '{request.query}'", record=record)

    def _take(self, found: Candidate, request: VisualRequest, record: CallRecord) -> FetchedVisual:
        allowed = IMAGE_TYPES if request.media == "photo" else VIDEO_TYPES
        path = self.http.download(found.url, record, self.cache, allowed=frozenset(allowed))
        record.status = "ok"
        record.attribution = found.attribution
        record.request_id = record.request_id or found.source_id
        return FetchedVisual(
            path=path,
            media=request.media,
            provider=self.info.name,
            source_id=found.source_id,
            licence=self.licence,
            record=record,
            attribution=found.attribution,
            page_url=found.page_url,
        )

    def _search(self, request: VisualRequest, page: int, record: CallRecord) -> dict[str, Any]:
        call = self.search_call(request, page)
        shown = {k: v for k, v in call.params.items() if k not in call.key_params}
        key = MediaCache.key(self.info.name, call.url, shown)
        cached = self.cache.answer(key)
        if isinstance(cached, dict):
            record.units["cached_pages"] = record.units.get("cached_pages", 0) + 1
            return cached
        data = self.http.json("GET", call.url, record, headers=call.headers, params=call.params)
        record.units["pages"] = record.units.get("pages", 0) + 1
        self.cache.keep_answer(key, data)
        return data


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def fits(width: Any, height: Any, request: VisualRequest) -> bool:
    """True when a ``width x height`` result has the frame's orientation (unknown: yes)."""
    if not isinstance(width, int) or not isinstance(height, int) or width <= 0 or height <= 0:
        return True
    return orientation_for(width, height) == request.orientation
