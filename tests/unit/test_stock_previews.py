"""A stock result's preview (the smaller rendition the studio shows while a person
chooses) is read from the vendors' documented answers; the full file stays what a plan
downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from aiprod.config import Settings
from aiprod.providers.stock.base import Candidate
from aiprod.providers.stock.pexels import PexelsStock
from aiprod.providers.stock.pixabay import PixabayStock
from aiprod.providers.visual_base import VisualRequest

REQUEST = VisualRequest(scene=0, query="flowers", prompt="", media="photo", width=1080, height=1920)


def pexels_photo(item: dict[str, Any], tmp_path: Path) -> Candidate | None:
    settings = Settings(data_dir=tmp_path, pexels_api_key=SecretStr("k" * 20))
    found = PexelsStock.from_settings(settings).candidates({"photos": [item]}, REQUEST)
    return found[0] if found else None


def pixabay_photo(hit: dict[str, Any], tmp_path: Path) -> Candidate | None:
    settings = Settings(data_dir=tmp_path, pixabay_api_key=SecretStr("k" * 20))
    found = PixabayStock.from_settings(settings).candidates({"hits": [hit]}, REQUEST)
    return found[0] if found else None


def test_a_pexels_photo_is_previewed_at_its_medium_rendition(tmp_path: Path) -> None:
    # the photo object of https://www.pexels.com/api/documentation/#photos-search
    src = {
        size: f"https://images.pexels.com/photos/2014422/pexels-photo-2014422.jpeg?{size}"
        for size in ("original", "large2x", "large", "medium", "small", "portrait", "tiny")
    }
    item = {"id": 2014422, "url": "https://www.pexels.com/photo/2014422/",
            "photographer": "Joey Farina", "src": src}  # fmt: skip
    found = pexels_photo(item, tmp_path)
    assert found is not None
    assert (found.url, found.preview) == (src["large2x"], src["medium"])
    assert found.attribution == "Photo by Joey Farina on Pexels"
    without = pexels_photo({**item, "src": {"large2x": src["large2x"]}}, tmp_path)
    assert without is not None and without.preview is None  # the studio shows the file


def test_a_pixabay_photo_is_previewed_at_its_web_format(tmp_path: Path) -> None:
    # a hit of https://pixabay.com/api/docs/#api_search_images
    hit = {
        "id": 195893,
        "pageURL": "https://pixabay.com/en/blossom-bloom-flower-195893/",
        "type": "photo",
        "webformatURL": "https://pixabay.com/get/35bbf209e13e39d2_640.jpg",
        "largeImageURL": "https://pixabay.com/get/ed6a99fd0a76647_1280.jpg",
        "user": "Josch13",
    }
    found = pixabay_photo(hit, tmp_path)
    assert found is not None
    assert (found.url, found.preview) == (hit["largeImageURL"], hit["webformatURL"])
