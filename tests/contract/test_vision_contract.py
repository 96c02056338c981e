"""Contract: the advisory vision check through an OpenAI-compatible chat API with an image
(tests/contract/openai_server.py), driven through the real provider and
``providers/vision/review.py``: a verdict per scene; every failure is recorded, never raised."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openai_server import OpenAIServer, error, ok
from PIL import Image

from aiprod.config import Settings
from aiprod.pipeline.formats import render_formats
from aiprod.providers.vision.review import SceneFrame, review_frames
from aiprod.spec.formats import parse_formats_option
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

KEY = "sk-test-vision-0123456789"
YES = json.dumps({"matches": True, "reason": "A coffee cup is shown."})
NO = json.dumps({"matches": False, "reason": "The frame shows a car, not coffee."})


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(KEY) as running:
        yield running


def vision_settings(tmp_path: Path, server: OpenAIServer, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "vision_providers": "openai_compatible",
        "llm_base_url": server.base_url,  # the vision settings fall back to the LLM's
        "llm_model": "gpt-test-mini",
        "llm_api_key": KEY,
        "vision_timeout_s": 5.0,
        "llm_retries": 1,
        "llm_price_input_per_1k": 0.00015,
        "llm_price_output_per_1k": 0.0006,
    }
    values.update(extra)
    return Settings(**values)


def spec() -> VideoSpec:
    return parse_spec({"scenes": [{"narration": "A fresh cup of coffee."},
                                  {"narration": "Delivered to your door."},
                                  {"title": "The end", "duration": 1.0}]})  # fmt: skip


def frames() -> list[SceneFrame]:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (512, 288, 3), dtype=np.uint8)
    return [(0, image), (1, image), (2, image)]


def test_each_narrated_scene_gets_a_verdict_with_its_frame(
    tmp_path: Path, server: OpenAIServer
) -> None:
    server.queue(ok(YES), ok(NO))
    section = review_frames(spec(), frames(), vision_settings(tmp_path, server))
    assert section is not None and section["advisory"] is True
    assert section["scenes"] == [
        {"scene": 0, "checked": True, "matches": True, "reason": "A coffee cup is shown.",
         "provider": "openai_compatible"},
        {"scene": 1, "checked": True, "matches": False,
         "reason": "The frame shows a car, not coffee.", "provider": "openai_compatible"},
        {"scene": 2, "checked": False, "reason": "no narration"},
    ]  # fmt: skip
    assert section["mismatches"] == 1 and section["status"] == "checked"
    first = server.seen[0]
    assert first.headers["Authorization"] == f"Bearer {KEY}"
    text, image = first.body["messages"][0]["content"]
    assert "A fresh cup of coffee." in text["text"]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as sent:
        assert sent.format == "JPEG" and max(sent.size) <= 768
    assert first.body["response_format"]["json_schema"]["name"] == "verdict"
    calls = section["calls"]
    assert [c["status"] for c in calls] == ["ok", "ok"]
    assert calls[0]["request_id"] == "req_0001"
    assert calls[0]["actual"] == round((900 * 0.00015 + 300 * 0.0006) / 1000, 6)
    assert KEY not in json.dumps(section)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ([error(500, "server_error", None, "boom"), error(503, "server_error", None, "down")],
         "http_503"),
        ([ok("I think it matches.")], "invalid_output"),
        ([error(429, "rate_limit_exceeded", "rate_limit_exceeded", "slow down",
                headers={"Retry-After": "300"})], "http_429"),
    ],
)  # fmt: skip
def test_failures_are_recorded_not_raised(
    tmp_path: Path, server: OpenAIServer, answers: list[Any], reason: str
) -> None:
    server.queue(*answers, ok(YES))
    section = review_frames(spec(), frames()[:1], vision_settings(tmp_path, server))
    assert section is not None
    (scene,) = section["scenes"]
    assert scene == {"scene": 0, "checked": False, "reason": f"openai_compatible: {reason}"}
    assert section["fallbacks"][0]["reason"] == reason
    assert section["calls"][0]["status"] == reason
    assert section["status"] == "unavailable"


def test_a_failed_provider_is_not_asked_for_the_next_scenes(
    tmp_path: Path, server: OpenAIServer
) -> None:
    server.queue(error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"))
    settings = vision_settings(tmp_path, server, vision_api_key="sk-wrong-key-000000")
    section = review_frames(spec(), frames(), settings)
    assert section is not None
    assert [s["checked"] for s in section["scenes"]] == [False, False, False]
    assert section["scenes"][1]["reason"] == "no provider left"
    assert len(server.seen) == 1
    assert "sk-wrong-key-000000" not in json.dumps(section)


def test_slow_answer_times_out(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(ok(YES, delay_s=2.0))
    settings = vision_settings(tmp_path, server, vision_timeout_s=0.5)
    section = review_frames(spec(), frames()[:1], settings)
    assert section is not None and section["fallbacks"][0]["reason"] == "timeout"


def test_budget_spent_by_the_script_and_sound_blocks_the_paid_call(
    tmp_path: Path, server: OpenAIServer
) -> None:
    settings = vision_settings(tmp_path, server, provider_budget=0.01)
    section = review_frames(spec(), frames()[:1], settings, {"spent": 0.0099})
    assert section is not None and section["fallbacks"][0]["reason"] == "budget"
    assert not server.seen


def test_off_unless_configured(tmp_path: Path, server: OpenAIServer) -> None:
    settings = vision_settings(tmp_path, server, vision_providers="")
    assert review_frames(spec(), frames(), settings) is None
    not_ready = Settings(data_dir=tmp_path / "d", vision_providers="openai_compatible")
    section = review_frames(spec(), frames(), not_ready)
    assert section is not None and section["scenes"] == []
    assert "not configured" in section["status"]


def test_a_three_format_render_is_reviewed_once(
    tmp_path: Path, server: OpenAIServer, tiny_preset: Preset
) -> None:
    server.queue(ok(YES), ok(NO), *[ok(YES)] * 4)  # enough for a review per format
    settings = vision_settings(tmp_path, server)
    scenes = [{"title": "Coffee", "narration": "A fresh cup of coffee."},
              {"title": "Delivery", "narration": "Delivered to your door."}]  # fmt: skip
    plan = parse_spec({"scenes": scenes})
    out = tmp_path / "out"
    formats = parse_formats_option("9:16,1:1,16:9")
    family = render_formats(plan, tiny_preset, formats, out_dir=out, settings=settings)
    assert family.qa_passed
    assert len(server.seen) == 2  # one call per scene, for the whole family
    sent = server.seen[0].body["messages"][0]["content"][1]["image_url"]["url"]
    with Image.open(io.BytesIO(base64.b64decode(sent.split(",", 1)[1]))) as frame:
        assert frame.size == (288, 512)  # the first format's frame
    sections = [json.loads((out / f / "qa.json").read_text())["vision"]
                for f in ("9x16", "1x1", "16x9")]  # fmt: skip
    first, *others = sections
    assert first["frames"] == "288x512" and len(first["calls"]) == 2 and first["spent"] > 0
    assert "reused" not in first
    for other in others:
        assert other["reused"] is True and other["frames"] == "288x512"
        assert other["scenes"] == first["scenes"] and other["mismatches"] == 1
        assert other["calls"] == [] and other["spent"] == 0.0
