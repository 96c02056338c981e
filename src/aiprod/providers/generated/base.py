"""What the paid generators share: the result cache (an identical request is never paid
twice) and turning a cached result back into a :class:`FetchedVisual`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiprod.providers.base import CallRecord
from aiprod.providers.http_media import MediaCache
from aiprod.providers.visual_base import FetchedVisual, Media


def remembered(
    cache: MediaCache, key: str, record: CallRecord, media: Media
) -> FetchedVisual | None:
    """The result of an identical earlier request, if its file is still cached."""
    data = cache.record(key)
    if data is None:
        return None
    record.status, record.estimate, record.actual = "cached", 0.0, 0.0
    record.request_id = _text(data.get("request_id"))
    return FetchedVisual(
        path=Path(str(data["file"])),
        media=media,
        provider=record.provider,
        source_id=str(data.get("id") or key),
        licence=str(data.get("licence") or record.licence or ""),
        record=record,
        attribution=_text(data.get("attribution")),
    )


def remember(cache: MediaCache, key: str, fetched: FetchedVisual) -> FetchedVisual:
    cache.keep_record(
        key,
        {
            "file": str(fetched.path),
            "id": fetched.source_id,
            "licence": fetched.licence,
            "attribution": fetched.attribution,
            "request_id": fetched.record.request_id,
        },
    )
    return fetched


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
