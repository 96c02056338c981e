"""Contract: Runway (text to video and image to video, a task polled to its end) and an
OpenAI-compatible images
API against a local server following their published APIs, through the real providers and
the visuals step: budget before each paid call, costs in the ledger, fallbacks."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from visuals_server import (
    IMAGES_KEY,
    PEXELS_KEY,
    RUNWAY_KEY,
    RUNWAY_VERSION,
    Fault,
    Seen,
    VendorServer,
    b64,
)
from visuals_support import (
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
from aiprod.providers.resilience import reset_breakers
from aiprod.spec.model import Illustration, VideoBackground, VideoSpec

RUNNING = {"status": "RUNNING", "progress": 0.4}


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    seen: list[float] = []
    monkeypatch.setattr(http_media, "pause", seen.append)
    return seen


@pytest.fixture
def server(tmp_path: Path) -> Iterator[VendorServer]:
    with VendorServer() as vendor:
        vendor.add_file("gen.mp4", clip_mp4(tmp_path), "video/mp4")
        vendor.image_b64 = b64(photo_jpeg((60, 120, 200)))
        yield vendor


def generated(tmp_path: Path, server: VendorServer, **extra: object) -> Settings:
    values: dict[str, object] = {
        "runway_api_key": RUNWAY_KEY,
        "image_base_url": f"{server.base_url}/v1",
        "image_api_key": IMAGES_KEY,
        "visuals_sources": ["generated"],
    }
    return visuals_settings(tmp_path, server.base_url, **(values | extra))


def succeeded(server: VendorServer) -> dict[str, object]:
    return {"status": "SUCCEEDED", "output": [f"{server.base_url}/files/gen.mp4"]}


def test_runway_clip_after_polling_with_its_cost(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.task_statuses.extend([{"status": "PENDING"}, RUNNING, succeeded(server)])
    settings = generated(tmp_path, server, provider_budget=0.7)  # one 5 s clip: 0.60
    spec, ledger = run_step(planned_spec(), settings)
    hook = spec.scenes[0]
    assert isinstance(hook.background, VideoBackground)
    assert Path(hook.background.path).is_relative_to(settings.cache_dir / "visuals")
    create = server.requests_to("/v1/text_to_video")[0]
    assert create.headers["Authorization"] == f"Bearer {RUNWAY_KEY}"
    assert create.headers["X-Runway-Version"] == RUNWAY_VERSION
    assert create.body["ratio"] == "720:1280" and create.body["duration"] == 5
    assert create.body["model"] == "gen4.5" and "Mornings, upgraded" in create.body["promptText"]
    assert waits == [1.0, 1.0]  # polled every runway_poll_s until SUCCEEDED
    record = providers_record(spec)
    call = record["calls"][0]
    assert call["provider"] == "runway" and call["status"] == "ok"
    assert call["estimate"] == 0.6 and call["actual"] == 0.6 and call["units"]["polls"] == 3
    assert call["request_id"].startswith("17f20503")
    # the budget allows one clip: the next is refused before any call, a picture instead
    assert [f["reason"] for f in record["fallbacks"]][:1] == ["budget"]
    assert len(server.requests_to("/v1/text_to_video")) == 1
    assert record["used"] == {"generated": "runway,openai_images"}
    assert record["spent"] == pytest.approx(0.6 + 0.08)  # then a picture: 0.76 would not fit
    assert ledger.spent == pytest.approx(record["spent"])
    for secret in (RUNWAY_KEY, IMAGES_KEY):
        assert nowhere(secret, spec, settings.data_dir)


def test_failed_task_costs_nothing_and_falls_back_to_images(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    failed = {"status": "FAILED", "failure": "Content moderation",
              "failureCode": "SAFETY.INPUT.TEXT"}  # fmt: skip
    server.task_statuses.extend([RUNNING, failed])
    spec, _ = run_step(planned_spec(), generated(tmp_path, server))
    record = providers_record(spec)
    assert record["calls"][0]["status"] == "task_failed" and record["calls"][0]["actual"] == 0.0
    assert record["fallbacks"][0]["reason"] == "task_failed"
    assert "SAFETY.INPUT.TEXT" in record["fallbacks"][0]["detail"]
    assert spec.scenes[1].illustration and spec.scenes[1].illustration.path  # a picture
    images = server.requests_to("/v1/images/generations")[0]
    assert images.body["size"] == "1024x1792" and images.body["response_format"] == "b64_json"
    assert images.headers["Authorization"] == f"Bearer {IMAGES_KEY}"
    assert record["visuals"][1]["attribution"] == "Generated with dall-e-3"


def test_a_task_that_never_finishes_is_given_up_and_cancelled(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    settings = generated(tmp_path, server, runway_max_wait_s=3.0, image_base_url=None)
    spec, _ = run_step(planned_spec(), settings)
    polls = [s for s in server.seen if s.path.startswith("/v1/tasks/") and s.method == "GET"]
    assert len(polls) == 3  # bounded: max_wait_s / poll_s
    assert [s.method for s in server.seen if s.path.startswith("/v1/tasks/")][-1] == "DELETE"
    record = providers_record(spec)
    assert record["fallbacks"][0]["reason"] == "task_timeout"
    assert record["calls"][0]["actual"] == 0.6  # may have been billed: counted
    assert [f["reason"] for f in record["fallbacks"][1:]] == ["no_picture"] * 4
    assert spec.scenes[1].illustration and spec.scenes[1].illustration.icon == "leaf"


def test_budget_is_checked_before_a_paid_call(tmp_path: Path, server: VendorServer) -> None:
    settings = generated(tmp_path, server, provider_budget=0.1)  # 0.6 a clip, 0.08 a picture
    spec, _ = run_step(planned_spec(), settings)
    record = providers_record(spec)
    assert not server.requests_to("/v1/text_to_video")
    assert record["fallbacks"][0]["reason"] == "budget"
    assert len(server.requests_to("/v1/images/generations")) == 1  # 0.08 fits, 0.16 does not
    assert record["spent"] == pytest.approx(0.08)


def test_images_401_and_bad_base64(tmp_path: Path, server: VendorServer) -> None:
    settings = generated(tmp_path, server, runway_api_key=None, image_api_key="sk-wrong-0123")
    spec, _ = run_step(planned_spec(), settings)
    fallback = providers_record(spec)["fallbacks"][0]
    assert fallback["reason"] == "http_401" and "sk-wrong-0123" not in str(spec.model_dump())
    server.image_b64 = "%%% not base64 %%%"
    spec, _ = run_step(planned_spec(), generated(tmp_path / "b", server, runway_api_key=None))
    assert providers_record(spec)["fallbacks"][0]["reason"] == "invalid_response"


def test_runway_5xx_on_create_is_retried(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.fault("/v1/text_to_video", Fault(502, b'{"error": "Bad gateway"}'))
    server.task_statuses.append(succeeded(server))
    spec, _ = run_step(planned_spec(), generated(tmp_path, server, provider_budget=0.6))
    call = providers_record(spec)["calls"][0]
    assert call["status"] == "ok" and len(server.requests_to("/v1/text_to_video")) == 2


def test_an_identical_request_is_not_paid_twice(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.task_statuses.append(succeeded(server))
    settings = generated(tmp_path, server, provider_budget=0.6, image_base_url=None)
    first, _ = run_step(planned_spec(), settings)
    again, _ = run_step(planned_spec(), settings)
    prompts = [s.body["promptText"] for s in server.requests_to("/v1/text_to_video")]
    assert len(prompts) == len(set(prompts))  # the second plan asks only for scene 1's clip
    call = providers_record(again)["calls"][0]
    assert call["status"] == "cached" and call["actual"] == 0.0
    assert again.scenes[0].background == first.scenes[0].background


def test_a_rate_limited_poll_waits_as_told_and_keys_stay_out_of_logs(
    tmp_path: Path, server: VendorServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.task_statuses.append(succeeded(server))
    task_path = "/v1/tasks/17f20503-6c24-4c16-946b-35dbbce2af01"
    server.fault(task_path, Fault(429, b'{"error": "Too many requests"}', {"Retry-After": "3"}))
    spec, _ = run_step(planned_spec(), generated(tmp_path, server, provider_budget=0.6,
                                                 image_base_url=None))  # fmt: skip
    assert waits == [3.0]  # the poll's 429: Retry-After, then the task's answer
    assert providers_record(spec)["calls"][0]["status"] == "ok"
    assert RUNWAY_KEY not in caplog.text and "HTTP Request" in caplog.text  # httpx did log


def test_wrong_runway_key_is_not_retried(tmp_path: Path, server: VendorServer) -> None:
    settings = generated(tmp_path, server, runway_api_key="key_wrong-0123", image_base_url=None)
    spec, _ = run_step(planned_spec(), settings)
    record = providers_record(spec)
    assert record["fallbacks"][0]["reason"] == "http_401"
    assert len(server.requests_to("/v1/text_to_video")) == 1
    assert "key_wrong-0123" not in spec.model_dump_json()


def test_what_the_script_spent_counts_and_its_record_is_kept(
    tmp_path: Path, server: VendorServer
) -> None:
    script = {"used": {"script": "openai_compatible"}, "fallbacks": [], "spent": 0.55,
              "calls": [{"capability": "script", "provider": "openai_compatible",
                         "status": "ok", "estimate": 0.6, "actual": 0.55}]}  # fmt: skip
    spec = planned_spec()
    assert spec.brief is not None
    spec = spec.model_copy(update={"brief": spec.brief.model_copy(update={"providers": script})})
    out, _ = run_step(spec, generated(tmp_path, server, provider_budget=0.7))
    record = providers_record(out)
    assert not server.requests_to("/v1/text_to_video")  # 0.55 + 0.60 > 0.70
    assert len(server.requests_to("/v1/images/generations")) == 1  # 0.55 + 0.08 fits once
    assert record["used"] == {"script": "openai_compatible", "generated": "openai_images"}
    assert record["calls"][0]["capability"] == "script" and len(record["calls"]) == 2
    assert record["spent"] == pytest.approx(0.63)


def test_a_task_whose_polls_fail_is_cancelled_and_counted(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    task_path = "/v1/tasks/17f20503-6c24-4c16-946b-35dbbce2af01"
    server.fault(task_path, *[Fault(500, b'{"error": "Internal error"}')] * 3)
    settings = generated(tmp_path, server, image_base_url=None, provider_budget=0.6)
    spec, _ = run_step(planned_spec(), settings)
    record = providers_record(spec)
    assert record["fallbacks"][0]["reason"] == "http_500"
    assert record["calls"][0]["actual"] == 0.6  # the task may still run and be billed
    assert [s.method for s in server.requests_to(task_path)] == ["GET"] * 3 + ["DELETE"]


# -- image_to_video: a still brought to life --------------------------------------------------


def with_user_still(tmp_path: Path) -> tuple[VideoSpec, Path]:
    """The planned spec whose hook shows the user's own photo (from the asset library)."""
    still = tmp_path / "assets" / "bean-bag.png"
    still.parent.mkdir(parents=True, exist_ok=True)
    still.write_bytes(photo_jpeg((90, 60, 30), size=(2400, 1600)))  # a JPEG named .png
    spec = planned_spec()
    hook = spec.scenes[0].model_copy(update={"illustration": Illustration(path=str(still))})
    return spec.model_copy(update={"scenes": [hook, *spec.scenes[1:]]}), still


def sent_still(create: Seen) -> Image.Image:
    uri = create.body["promptImage"]
    head, _, data = uri.partition(",")
    assert head == "data:image/jpeg;base64"
    return Image.open(io.BytesIO(base64.b64decode(data, validate=True)))


def test_a_users_still_is_animated_with_image_to_video_and_costed(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.task_statuses.extend([{"status": "PENDING"}, RUNNING, succeeded(server)])
    spec, still = with_user_still(tmp_path)
    settings = generated(tmp_path, server, provider_budget=0.6, image_base_url=None)
    out, ledger = run_step(spec, settings)
    create = server.requests_to("/v1/image_to_video")[0]
    assert create.headers["Authorization"] == f"Bearer {RUNWAY_KEY}"
    assert create.headers["X-Runway-Version"] == RUNWAY_VERSION
    assert create.body["model"] == "gen4.5" and create.body["ratio"] == "720:1280"
    assert create.body["duration"] == 5 and "Mornings, upgraded" in create.body["promptText"]
    picture = sent_still(create)
    assert picture.format == "JPEG" and max(picture.size) == 1280  # 2400x1600, scaled
    assert waits == [1.0, 1.0]  # polled until SUCCEEDED
    hook = out.scenes[0]
    assert isinstance(hook.background, VideoBackground) and hook.illustration is None
    assert Path(hook.background.path).is_relative_to(settings.cache_dir / "visuals")
    record = providers_record(out)
    call = record["calls"][0]
    assert call["provider"] == "runway" and call["status"] == "ok"
    assert call["detail"] == "image_to_video" and call["units"]["polls"] == 3
    assert call["estimate"] == 0.6 and call["actual"] == 0.6 and ledger.spent == 0.6
    visual = record["visuals"][0]
    assert visual["provider"] == "runway" and visual["scene"] == 0
    assert visual["animated_from"] == {"provider": "user", "file": str(still)}
    # the budget is spent: the other scenes' clips are refused before any call
    assert not server.requests_to("/v1/text_to_video")
    assert {f["reason"] for f in record["fallbacks"]} == {"budget", "no_picture"}
    assert nowhere(RUNWAY_KEY, out, settings.data_dir)


def test_a_failed_animation_keeps_the_users_still_and_costs_nothing(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    failed = {"status": "FAILED", "failure": "Input image flagged",
              "failureCode": "SAFETY.INPUT.IMAGE"}  # fmt: skip
    server.task_statuses.extend([RUNNING, failed])
    spec, still = with_user_still(tmp_path)
    out, ledger = run_step(spec, generated(tmp_path, server, image_base_url=None))
    hook = out.scenes[0]
    assert hook.illustration is not None and hook.illustration.path == str(still)
    assert hook.background == spec.scenes[0].background
    record = providers_record(out)
    assert record["calls"][0]["status"] == "task_failed" and record["calls"][0]["actual"] == 0.0
    assert record["fallbacks"][0]["reason"] == "task_failed"
    assert "SAFETY.INPUT.IMAGE" in record["fallbacks"][0]["detail"]
    assert ledger.spent == 0.0 and len(server.requests_to("/v1/image_to_video")) == 1
    assert not server.requests_to("/v1/text_to_video")  # Runway failed: not asked again


def test_a_rate_limited_animation_waits_as_told(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.fault("/v1/image_to_video", Fault(429, b'{"error": "Too many requests"}',
                                             {"Retry-After": "2"}))  # fmt: skip
    server.task_statuses.append(succeeded(server))
    spec, _ = with_user_still(tmp_path)
    settings = generated(tmp_path, server, provider_budget=0.6, image_base_url=None)
    out, _ = run_step(spec, settings)
    assert waits == [2.0] and len(server.requests_to("/v1/image_to_video")) == 2
    assert providers_record(out)["calls"][0]["status"] == "ok"
    assert isinstance(out.scenes[0].background, VideoBackground)


def test_a_wrong_key_keeps_the_still_and_is_not_retried(
    tmp_path: Path, server: VendorServer
) -> None:
    spec, _ = with_user_still(tmp_path)
    settings = generated(tmp_path, server, runway_api_key="key_wrong-0123", image_base_url=None)
    out, _ = run_step(spec, settings)
    assert providers_record(out)["fallbacks"][0]["reason"] == "http_401"
    assert len(server.requests_to("/v1/image_to_video")) == 1
    assert out.scenes[0].illustration == spec.scenes[0].illustration
    assert "key_wrong-0123" not in out.model_dump_json()


def test_a_stock_photo_is_animated_and_its_photographer_still_credited(
    tmp_path: Path, server: VendorServer, waits: list[float]
) -> None:
    server.add_file("beans.jpg", photo_jpeg((150, 100, 50)), "image/jpeg")
    server.photos = ["beans.jpg"]
    server.task_statuses.append(succeeded(server))
    settings = generated(tmp_path, server, pexels_api_key=PEXELS_KEY, image_base_url=None,
                         visuals_sources=["stock", "generated"], provider_budget=0.6)  # fmt: skip
    out, _ = run_step(planned_spec(), settings)
    assert len(server.requests_to("/v1/image_to_video")) == 1
    picture = sent_still(server.requests_to("/v1/image_to_video")[0])
    assert picture.size == (640, 960)  # the stock photo itself, small enough as it is
    record = providers_record(out)
    first = record["visuals"][0]
    assert first["provider"] == "runway" and first["media"] == "video"
    source = first["animated_from"]
    assert source["provider"] == "pexels" and source["capability"] == "stock"
    assert source["attribution"] == "Photo by Jane Doe on Pexels"
    assert record["used"] == {"stock": "pexels", "generated": "runway"}
    assert isinstance(out.scenes[0].background, VideoBackground)
    # the animated photo counts as used: the only one on offer is not shown again
    assert len(record["visuals"]) == 1
