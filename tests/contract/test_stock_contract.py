"""Contract: Pexels and Pixabay against a local server following their published APIs
(tests/contract/visuals_server.py), driven through the real providers and the visuals step;
each injected failure checks the fallback (next provider, then the design's own icon)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from visuals_server import PEXELS_KEY, PIXABAY_KEY, Fault, VendorServer
from visuals_support import (
    HEIGHT,
    WIDTH,
    clip_mp4,
    nowhere,
    photo_jpeg,
    planned_spec,
    providers_record,
    run_step,
    visuals_settings,
)

from aiprod.config import Settings
from aiprod.providers import http_media
from aiprod.providers.base import ProviderFailed
from aiprod.providers.registry import describe
from aiprod.providers.resilience import reset_breakers
from aiprod.providers.stock.pexels import PexelsStock
from aiprod.providers.visual_base import VisualRequest
from aiprod.spec.model import ImageBackground, VideoBackground

PHOTOS = [f"photo{n}.jpg" for n in range(4)]


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff and Retry-After waits, recorded instead of slept."""
    seen: list[float] = []
    monkeypatch.setattr(http_media, "pause", seen.append)
    return seen


@pytest.fixture
def server() -> Iterator[VendorServer]:
    with VendorServer() as vendor:
        for n, name in enumerate(PHOTOS):
            vendor.add_file(name, photo_jpeg((180 + 15 * n, 110, 60)), "image/jpeg")
        vendor.photos = list(PHOTOS)
        yield vendor


def both(tmp_path: Path, server: VendorServer, **extra: object) -> Settings:
    keys: dict[str, object] = {"pexels_api_key": PEXELS_KEY, "pixabay_api_key": PIXABAY_KEY}
    return visuals_settings(tmp_path, server.base_url, **(keys | extra))


def test_pexels_fills_the_scenes_as_a_user_asset_would(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    settings = both(tmp_path, server)
    spec, ledger = run_step(planned_spec(), settings)
    hook, first, stat, second, end = spec.scenes
    # card scenes become product scenes with the photo as their picture (asset_blur path)
    for card in (first, second):
        assert card.layout == "product" and card.illustration is not None
        assert card.illustration.path and Path(card.illustration.path).is_file()
        assert Path(card.illustration.path).is_relative_to(settings.cache_dir / "visuals")
    assert first.illustration and second.illustration
    assert first.illustration.path != second.illustration.path  # never the same photo twice
    # other layouts keep theirs and get the photo as a moving background, under the veil
    assert hook.layout == "hook" and isinstance(hook.background, ImageBackground)
    assert stat.layout == "stat" and isinstance(stat.background, ImageBackground)
    assert end.layout == "end_card" and end.background.type == "gradient"
    searches = server.requests_to("/v1/search")
    assert searches[0].headers["Authorization"] == PEXELS_KEY  # the key itself, no Bearer
    assert searches[0].query["orientation"] == ["portrait"]
    assert searches[0].query["per_page"] == ["15"] and searches[0].query["page"] == ["1"]
    assert searches[0].query["query"] == ["bean there coffee"]
    record = providers_record(spec)
    assert record["used"] == {"stock": "pexels"}
    assert [v["scene"] for v in record["visuals"]] == [0, 1, 2, 3]
    credit = record["visuals"][1]
    assert credit["attribution"] == "Photo by Jane Doe on Pexels"
    assert credit["licence"].startswith("Pexels License")
    assert credit["page_url"].startswith("https://www.pexels.com/photo/")
    assert all(c["capability"] == "stock" and c["status"] == "ok" for c in record["calls"])
    assert record["calls"][0]["attribution"] == "Photo by Jane Doe on Pexels"
    assert ledger.spent == 0.0 and not waits
    assert nowhere(PEXELS_KEY, spec, settings.data_dir)


def test_pagination_reaches_the_next_page(tmp_path: Path, server: VendorServer) -> None:
    server.photos = [f"p{n}.jpg" for n in range(17)]
    for name in server.photos:
        server.add_file(name, photo_jpeg(), "image/jpeg")
    provider = PexelsStock.from_settings(both(tmp_path, server))
    first_page = {f"pexels:{VendorServer._pexels_photo(n, '')['id']}" for n in server.photos[:15]}
    request = VisualRequest(1, "coffee", "", "photo", WIDTH, HEIGHT, frozenset(first_page))
    got = provider.fetch(request)
    assert [s.query["page"] for s in server.requests_to("/v1/search")] == [["1"], ["2"]]
    assert got.source_id == f"pexels:{VendorServer._pexels_photo('p15.jpg', '')['id']}"
    assert got.record.units["pages"] == 2


def test_wrong_key_401_falls_back_to_pixabay_and_never_shows_a_key(
    tmp_path: Path, server: VendorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = both(tmp_path, server, pexels_api_key="wrong-key-abcdef0123456789")
    spec, _ = run_step(planned_spec(), settings)
    record = providers_record(spec)
    assert record["used"] == {"stock": "pixabay"}
    assert record["fallbacks"][0]["reason"] == "http_401"
    assert len(server.requests_to("/v1/search")) == 1  # not retried, not asked again
    pixabay = server.requests_to("/api/")[0]
    assert pixabay.query["key"] == [PIXABAY_KEY] and pixabay.query["orientation"] == ["vertical"]
    assert pixabay.query["image_type"] == ["photo"]
    assert record["visuals"][0]["attribution"] == "Image by RitaE from Pixabay"
    for secret in (PIXABAY_KEY, "wrong-key-abcdef0123456789"):
        assert nowhere(secret, spec, settings.data_dir)
        assert secret not in caplog.text  # httpx logs the URL, query included: redacted


def test_429_honours_retry_after(tmp_path: Path, server: VendorServer, waits: list[float]) -> None:
    server.fault("/v1/search", Fault(429, b'{"error": "Rate limit"}', {"Retry-After": "2"}))
    spec, _ = run_step(planned_spec(), both(tmp_path, server))
    record = providers_record(spec)
    assert waits == [2.0]
    assert record["calls"][0]["attempts"] == 3  # the search twice, then the download
    assert record["used"] == {"stock": "pexels"}


def test_5xx_is_retried_then_falls_back(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.fault("/v1/search", *[Fault(503, b'{"error": "busy"}')] * 3)
    spec, _ = run_step(planned_spec(), both(tmp_path, server))
    record = providers_record(spec)
    assert len(waits) == 2 and waits[1] > waits[0]  # backoff
    assert record["fallbacks"][0]["reason"] == "http_503"
    assert record["used"] == {"stock": "pixabay"}


def test_slow_answer_times_out(tmp_path: Path, server: VendorServer) -> None:
    server.fault("/v1/search", Fault(delay_s=2.0, status=0))
    spec, _ = run_step(planned_spec(), both(tmp_path, server, visuals_timeout_s=0.5))
    record = providers_record(spec)
    assert record["fallbacks"][0]["reason"] == "timeout"
    assert record["used"] == {"stock": "pixabay"}


def test_malformed_body_falls_back(tmp_path: Path, server: VendorServer) -> None:
    server.fault("/v1/search", Fault(200, b"<html>maintenance</html>", content_type="text/html"))
    spec, _ = run_step(planned_spec(), both(tmp_path, server))
    assert providers_record(spec)["fallbacks"][0]["reason"] == "invalid_response"


def test_oversized_or_wrong_type_downloads_are_refused(
    tmp_path: Path, server: VendorServer
) -> None:
    server.add_file("photo0.jpg", b"<html>not a picture</html>", "text/html")
    server.add_file("photo1.jpg", photo_jpeg(size=(2000, 3000)), "image/jpeg")
    settings = visuals_settings(tmp_path, server.base_url, pexels_api_key=PEXELS_KEY,
                                visuals_max_download_mb=0.05)  # fmt: skip
    spec, _ = run_step(planned_spec(), settings)
    record = providers_record(spec)
    reasons = [f["reason"] for f in record["fallbacks"]]
    assert reasons[0] == "too_large"  # a wrong type, then too large: the library is dropped
    assert reasons[1:] == ["no_picture"] * 4  # the design's icons stay
    assert spec.scenes[1].illustration and spec.scenes[1].illustration.icon == "leaf"
    assert not list((settings.cache_dir / "visuals").glob("files/*"))


def test_pixabay_error_text_and_clips(tmp_path: Path, server: VendorServer) -> None:
    clip = clip_mp4(tmp_path)
    server.add_file("clip.mp4", clip, "video/mp4")
    server.add_file("clip2.mp4", clip, "video/mp4")
    server.videos = ["clip.mp4", "clip2.mp4"]
    settings = visuals_settings(tmp_path, server.base_url, pixabay_api_key=PIXABAY_KEY,
                                stock_media="video")  # fmt: skip
    spec, _ = run_step(planned_spec(), settings)
    hook, first = spec.scenes[:2]
    assert isinstance(hook.background, VideoBackground) and hook.illustration is not None
    assert isinstance(first.background, VideoBackground) and first.layout == "product"
    assert first.illustration is None  # the clip is the hero, as a user's clip would be
    assert server.requests_to("/api/videos/")[0].query["video_type"] == ["film"]
    record = providers_record(spec)
    assert record["visuals"][0]["attribution"] == "Video by RitaE from Pixabay"
    # two clips only: the next scenes find nothing new and keep the design's picture
    assert any(f["reason"] == "no_match" for f in record["fallbacks"])
    bad = visuals_settings(tmp_path / "b", server.base_url, pixabay_api_key="not-the-key-0123")
    spec, _ = run_step(planned_spec(), bad)
    fallback = providers_record(spec)["fallbacks"][0]
    assert fallback["reason"] == "http_400" and "Invalid or missing API key" in fallback["detail"]
    assert "not-the-key-0123" not in fallback["detail"]


def test_pexels_clips_pick_an_mp4(tmp_path: Path, server: VendorServer) -> None:
    server.add_file("clip.mp4", clip_mp4(tmp_path), "video/mp4")
    server.videos = ["clip.mp4"]
    settings = visuals_settings(tmp_path, server.base_url, pexels_api_key=PEXELS_KEY,
                                stock_media="video")  # fmt: skip
    spec, _ = run_step(planned_spec(), settings)
    assert isinstance(spec.scenes[0].background, VideoBackground)
    assert providers_record(spec)["visuals"][0]["attribution"] == "Video by John Roe on Pexels"
    assert server.requests_to("/videos/search")[0].headers["Authorization"] == PEXELS_KEY


def test_searches_are_cached_and_repeat_the_same_choice(
    tmp_path: Path, server: VendorServer
) -> None:
    settings = both(tmp_path, server)
    first, _ = run_step(planned_spec(), settings)
    asked = len(server.requests_to("/v1/search"))
    again, _ = run_step(planned_spec(), settings)
    assert len(server.requests_to("/v1/search")) == asked  # answers kept a day (Pixabay's rule)
    assert [s.illustration for s in again.scenes] == [s.illustration for s in first.scenes]


def test_an_open_circuit_skips_the_vendor(tmp_path: Path, server: VendorServer) -> None:
    server.fault("/v1/search", Fault(500), Fault(500), Fault(500))
    settings = both(tmp_path, server, provider_breaker_failures=1, visuals_retries=0)
    run_step(planned_spec(), settings)
    spec, _ = run_step(planned_spec(), settings)
    reasons = [f["reason"] for f in providers_record(spec)["fallbacks"]]
    assert reasons[0] == "circuit_open"
    assert len(server.requests_to("/v1/search")) == 1


def test_no_key_changes_nothing(tmp_path: Path, server: VendorServer) -> None:
    spec = planned_spec()
    out, ledger = run_step(spec, visuals_settings(tmp_path, server.base_url))
    assert out == spec and not ledger.calls and not server.seen


def test_providers_listing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, pexels_api_key=PEXELS_KEY)
    rows = [r for r in describe(settings) if r["capability"] in ("stock", "generated")]
    named = {(r["capability"], r["provider"]): r for r in rows}
    assert named[("stock", "pexels")]["configured"] is True
    assert named[("stock", "pixabay")]["status"].startswith("not configured")
    assert named[("generated", "runway")]["status"].startswith("not configured")
    assert named[("stock", "design")]["licence"].startswith("icons and gradients")
    assert PEXELS_KEY not in repr(rows)


def test_a_failed_fetch_names_its_reason(tmp_path: Path, server: VendorServer) -> None:
    provider = PexelsStock.from_settings(both(tmp_path, server))
    server.photos = []
    with pytest.raises(ProviderFailed) as caught:
        provider.fetch(VisualRequest(0, "nothing", "", "photo", WIDTH, HEIGHT))
    assert caught.value.reason == "no_match"


def test_an_answer_unlike_the_documentation_falls_back(
    tmp_path: Path, server: VendorServer
) -> None:
    weird = b'{"photos": [{"id": 1, "src": ["not", "an", "object"]}], "next_page": 7}'
    server.fault("/v1/search", Fault(200, weird), Fault(200, b'{"photos": {"id": 2}}'))
    spec, _ = run_step(planned_spec(), both(tmp_path, server))
    record = providers_record(spec)
    # malformed entries are skipped (two pages: nothing usable), the shorter query then works
    assert [f["reason"] for f in record["fallbacks"]] == ["no_match"]
    assert [s.query["page"] for s in server.requests_to("/v1/search")][:3] == [["1"], ["2"], ["1"]]
    assert record["visuals"][0]["scene"] == 0 and record["used"] == {"stock": "pexels"}
