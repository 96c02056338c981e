"""The visuals step's choices (which scenes, which query, where the picture goes) and the
picture checks of providers.http_media, without a network."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from aiprod.pipeline.fetch_visuals import search_queries, wants_picture, with_picture
from aiprod.providers.base import CallRecord
from aiprod.providers.http_media import MediaCache, check_media
from aiprod.providers.visual_base import FetchedVisual, orientation_for
from aiprod.spec.model import ImageBackground, Scene, VideoBackground


def scene(layout: str, **extra: object) -> Scene:
    data: dict[str, object] = {
        "narration": "A line.",
        "role": "point",
        "layout": layout,
        "illustration": {"icon": "leaf"},
        "keywords": ["coffee"],
    }
    return Scene.model_validate(data | extra)


def fetched(media: str = "photo") -> FetchedVisual:
    record = CallRecord(capability="stock", provider="pexels", scene=1)
    return FetchedVisual(Path("/cache/x.jpg"), media, "pexels", "pexels:1", "L", record)  # type: ignore[arg-type]


def test_orientation_follows_the_frame() -> None:
    assert orientation_for(1080, 1920) == "portrait"
    assert orientation_for(1920, 1080) == "landscape"
    assert orientation_for(1080, 1080) == "square"
    assert orientation_for(1080, 1150) == "square"


def test_only_planned_scenes_with_the_planners_picture_are_filled() -> None:
    assert wants_picture(scene("benefit"))
    assert not wants_picture(scene("benefit", role=None))  # the user's own scene
    assert not wants_picture(scene("end_card"))
    assert not wants_picture(scene("benefit", illustration={"path": "mine.png"}))
    assert not wants_picture(scene("benefit", background={"type": "color", "color": "#000000"}))


def test_queries_are_short_keywords_without_urls_or_numbers() -> None:
    s = scene("benefit", keywords=["order at beanthere.coffee", "organic beans", "coffee",
                                   "roasted within 48 hours", "farm"])  # fmt: skip
    assert search_queries(s) == ["organic beans coffee", "organic beans"]
    assert search_queries(scene("benefit", keywords=[], title="Smooth taste")) == ["Smooth taste"]
    assert search_queries(scene("benefit", keywords=["www.x.com"], title=None)) == []


def test_a_photo_on_a_card_between_non_products_becomes_the_hero() -> None:
    scenes = [scene("hook"), scene("benefit"), scene("stat"), scene("end_card")]
    hero = with_picture(scenes, 1, fetched())
    assert hero.layout == "product" and hero.illustration and hero.illustration.path
    assert isinstance(hero.background, type(scenes[1].background))
    backdrop = with_picture(scenes, 2, fetched())
    assert backdrop.layout == "stat" and isinstance(backdrop.background, ImageBackground)
    assert backdrop.illustration == scenes[2].illustration
    first = with_picture(scenes, 0, fetched())
    assert first.layout == "hook" and isinstance(first.background, ImageBackground)


def test_no_two_product_scenes_in_a_row_and_clips_become_backgrounds() -> None:
    scenes = [scene("hook"), scene("product"), scene("benefit"), scene("end_card")]
    kept = with_picture(scenes, 2, fetched("video"))
    assert kept.layout == "benefit" and isinstance(kept.background, VideoBackground)
    scenes[1] = scene("stat")
    hero = with_picture(scenes, 2, fetched("video"))
    assert hero.layout == "product" and hero.illustration is None
    assert isinstance(hero.background, VideoBackground)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "JPEG")
    return out.getvalue()


def test_media_must_be_what_its_type_says() -> None:
    assert check_media(jpeg(), "image/jpeg; charset=binary") == ".jpg"
    assert check_media(b"\0\0\0\x18ftypmp42rest", "video/mp4") == ".mp4"
    with pytest.raises(ValueError, match="does not decode"):
        check_media(b"<html>", "image/jpeg")
    with pytest.raises(ValueError, match="signature"):
        check_media(b"<html>", "video/mp4")
    with pytest.raises(ValueError, match="not a picture"):
        check_media(jpeg(), "text/html")


def test_cache_is_content_addressed_and_answers_expire(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = MediaCache(tmp_path, clock=lambda: now[0])
    a, b = cache.store(b"same", ".jpg"), cache.store(b"same", ".jpg")
    assert a == b and a.parent == tmp_path.resolve() / "visuals" / "files"
    assert a.is_absolute()
    key = MediaCache.key("pexels", {"query": "coffee"})
    cache.keep_answer(key, {"photos": []})
    path = tmp_path / "visuals" / "answers" / f"{key}.json"
    os.utime(path, (now[0], now[0]))
    assert cache.answer(key) == {"photos": []}
    now[0] += 24 * 3600 + 1
    assert cache.answer(key) is None  # kept a day, as Pixabay asks


def test_a_reviewed_plan_may_name_the_fetched_pictures(tmp_path: Path) -> None:
    from aiprod.config import Settings
    from aiprod.intake import confine_media_paths
    from aiprod.uploads.media_paths import media_roots

    settings = Settings(data_dir=tmp_path / "data")
    picture = MediaCache(settings.cache_dir).store(jpeg(), ".jpg")
    roots = media_roots(settings, "bean-there")
    spec = {"scenes": [{"illustration": {"path": str(picture)}}]}
    assert confine_media_paths(spec, roots) == []
    elsewhere = {"scenes": [{"illustration": {"path": str(settings.cache_dir / "x.jpg")}}]}
    assert confine_media_paths(elsewhere, roots)  # only the fetched files, not the cache


def test_a_scene_without_search_words_may_still_be_drawn(tmp_path: Path) -> None:
    from aiprod.pipeline.fetch_visuals import _Chains
    from aiprod.providers.base import Ledger, ProviderInfo
    from aiprod.providers.resilience import Budget
    from aiprod.providers.visual_base import VisualRequest

    asked: list[str] = []

    class Drawer:
        info = ProviderInfo("drawer", "generated", unit="image", price_per_unit=0.01)

        def estimate_call(self, request: VisualRequest) -> float:
            return 0.01

        def fetch(self, request: VisualRequest) -> FetchedVisual:
            asked.append(request.prompt)
            return fetched()

    class Library(Drawer):
        info = ProviderInfo("library", "stock")

    chains = _Chains([("stock", "library", Library()), ("generated", "drawer", Drawer())],
                     Budget(1.0), Ledger())  # fmt: skip
    request = VisualRequest(0, "", "Smooth taste. Style.", "photo", 288, 512)
    assert chains.first_picture(request, [""]) is not None
    assert asked == ["Smooth taste. Style."]  # the library was not asked without words


def test_a_provider_bug_on_an_odd_answer_is_a_fallback_not_a_crash() -> None:
    from aiprod.providers.base import ProviderFailed
    from aiprod.providers.http_media import guarded

    record = CallRecord(capability="stock", provider="x")
    with pytest.raises(ProviderFailed) as caught:
        guarded(record, lambda: {}["src"])
    assert caught.value.reason == "invalid_response" and record.status == "invalid_response"
    assert "KeyError" in caught.value.detail
