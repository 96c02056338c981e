"""Pixabay: ``GET /api/`` (images) and ``GET /api/videos/`` (clips), answers in ``hits``.

The key is a query parameter (``key=``): it never enters the search cache's key, an error
message, or a log line (httpx's request log is filtered, see ``providers.http_media``).
Images: ``image_type=photo``, ``orientation=horizontal|vertical`` (a square frame asks for
``all``), ``largeImageURL`` (1280 px) downloaded, since Pixabay forbids hotlinking. The video
search has no orientation parameter: results are filtered by their size. ``page`` and
``per_page`` paginate up to ``totalHits``. Pixabay Content License: free to use, attribution
not required; the manifest keeps "Image by <user> from Pixabay" and the page's link anyway.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiprod.providers.stock.base import PER_PAGE, Candidate, SearchCall, StockLibrary, fits, text
from aiprod.providers.visual_base import VisualRequest

LICENCE = "Pixabay Content License (free to use; attribution not required)"
ORIENTATION = {"landscape": "horizontal", "portrait": "vertical", "square": "all"}
MAX_QUERY = 100  # Pixabay's limit on q


class PixabayStock(StockLibrary):
    licence = LICENCE

    name = "pixabay"
    limits: ClassVar[dict[str, int]] = {"requests_per_minute": 100, "per_page_max": 200}
    key_setting = "pixabay_api_key"
    url_setting = "pixabay_base_url"

    def search_call(self, request: VisualRequest, page: int) -> SearchCall:
        params: dict[str, Any] = {
            "key": self._key,
            "q": request.query[:MAX_QUERY],
            "safesearch": "true",
            "per_page": PER_PAGE,
            "page": page,
        }
        if request.media == "photo":
            path = "/api/"
            params |= {"image_type": "photo", "orientation": ORIENTATION[request.orientation]}
        else:
            path = "/api/videos/"
            params["video_type"] = "film"
        return SearchCall(f"{self.base_url}{path}", params, {}, key_params=("key",))

    def has_more(self, data: dict[str, Any], page: int) -> bool:
        total = data.get("totalHits")
        return isinstance(total, int) and page * PER_PAGE < total

    def candidates(self, data: dict[str, Any], request: VisualRequest) -> list[Candidate]:
        hits = data.get("hits")
        items = [h for h in hits if isinstance(h, dict)] if isinstance(hits, list) else []
        if request.media == "photo":
            return [c for item in items if (c := _image(item)) is not None]
        long_side = max(request.width, request.height)
        return [c for item in items if (c := _video(item, request, long_side)) is not None]


def _credit(kind: str, item: dict[str, Any]) -> str:
    who = text(item.get("user"))
    return f"{kind} by {who} from Pixabay" if who else f"{kind} from Pixabay"


def _image(item: dict[str, Any]) -> Candidate | None:
    url = text(item.get("largeImageURL")) or text(item.get("webformatURL"))
    if url is None or item.get("id") is None:
        return None
    page = text(item.get("pageURL"))
    preview = text(item.get("webformatURL"))  # 640 px: a hotlinking-safe copy we download
    return Candidate(f"pixabay:{item['id']}", url, page, _credit("Image", item), preview)


def _video(item: dict[str, Any], request: VisualRequest, long_side: int) -> Candidate | None:
    renditions = item.get("videos")
    if not isinstance(renditions, dict) or item.get("id") is None:
        return None
    usable = [
        r
        for name in ("large", "medium", "small", "tiny")
        if isinstance(r := renditions.get(name), dict) and text(r.get("url"))
    ]
    if not usable or not fits(usable[0].get("width"), usable[0].get("height"), request):
        return None

    def side(r: dict[str, Any]) -> int:
        w, h = r.get("width"), r.get("height")
        return max(w, h) if isinstance(w, int) and isinstance(h, int) else 0

    bigger = sorted((r for r in usable if side(r) >= long_side), key=side)
    chosen = bigger[0] if bigger else max(usable, key=side)
    return Candidate(
        f"pixabay:video:{item['id']}",
        str(chosen["url"]),
        text(item.get("pageURL")),
        _credit("Video", item),
    )
