"""Pexels: ``GET /v1/search`` (photos) and ``GET /videos/search`` (clips).

The key goes in the ``Authorization`` header as is (no ``Bearer``). ``orientation`` is
``landscape``, ``portrait`` or ``square``; ``per_page`` (at most 80) and ``page`` paginate,
``next_page`` says whether there is more. Photos are taken at ``src.large2x`` (about 1880 px
on the long side: more than a blurred backdrop and a hero box need); clips as the MP4 file
nearest above the frame's long side. The Pexels License: free to use, no attribution
required, but the API guidelines ask to credit the photographer where possible, so the
manifest keeps "Photo by <name> on Pexels" and the page's link.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiprod.providers.stock.base import PER_PAGE, Candidate, SearchCall, StockLibrary, fits, text
from aiprod.providers.visual_base import VisualRequest

LICENCE = "Pexels License (free to use; credit appreciated)"


class PexelsStock(StockLibrary):
    licence = LICENCE

    name = "pexels"
    limits: ClassVar[dict[str, int]] = {"requests_per_hour": 200, "per_page_max": 80}
    key_setting = "pexels_api_key"
    url_setting = "pexels_base_url"

    def search_call(self, request: VisualRequest, page: int) -> SearchCall:
        path = "/v1/search" if request.media == "photo" else "/videos/search"
        params = {
            "query": request.query,
            "orientation": request.orientation,
            "per_page": PER_PAGE,
            "page": page,
        }
        return SearchCall(f"{self.base_url}{path}", params, {"Authorization": self._key})

    def has_more(self, data: dict[str, Any], page: int) -> bool:
        return bool(data.get("next_page"))

    def candidates(self, data: dict[str, Any], request: VisualRequest) -> list[Candidate]:
        if request.media == "photo":
            return [c for item in _items(data, "photos") if (c := _photo(item)) is not None]
        long_side = max(request.width, request.height)
        found = (_video(item, long_side) for item in _items(data, "videos") if fits(
            item.get("width"), item.get("height"), request))  # fmt: skip
        return [c for c in found if c is not None]


def _items(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = data.get(name)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _photo(item: dict[str, Any]) -> Candidate | None:
    src = item.get("src")
    url = text(src.get("large2x")) or text(src.get("original")) if isinstance(src, dict) else None
    if url is None or item.get("id") is None:
        return None
    who = text(item.get("photographer"))
    small = src if isinstance(src, dict) else {}
    return Candidate(
        source_id=f"pexels:{item['id']}",
        url=url,
        page_url=text(item.get("url")),
        attribution=f"Photo by {who} on Pexels" if who else "Photo from Pexels",
        preview=text(small.get("medium")) or text(small.get("small")),  # 350 px high / 130
    )


def _video(item: dict[str, Any], long_side: int) -> Candidate | None:
    files = [
        f
        for f in item.get("video_files") or []
        if isinstance(f, dict) and f.get("file_type") == "video/mp4" and text(f.get("link"))
    ]
    if not files or item.get("id") is None:
        return None

    def size(f: dict[str, Any]) -> int:
        w, h = f.get("width"), f.get("height")
        return max(w, h) if isinstance(w, int) and isinstance(h, int) else 0

    bigger = sorted((f for f in files if size(f) >= long_side), key=size)
    chosen = bigger[0] if bigger else max(files, key=size)
    user = item.get("user")
    who = text(user.get("name")) if isinstance(user, dict) else None
    return Candidate(
        source_id=f"pexels:video:{item['id']}",
        url=str(chosen["link"]),
        page_url=text(item.get("url")),
        attribution=f"Video by {who} on Pexels" if who else "Video from Pexels",
    )
