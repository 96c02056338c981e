"""Contract: the OpenAI-compatible script provider against a local server that follows the
chat completions API (tests/contract/openai_server.py), driven through the real provider and
chain code; each injected failure checks the fallback to the copywriter and its record."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai_server import Answer, OpenAIServer, error, ok

from aiprod.config import Settings
from aiprod.pipeline.request import Request, prepare
from aiprod.planner.brief import analyse_brief
from aiprod.planner.script import write_script
from aiprod.providers.script.chain import script_writer

KEY = "sk-test-contract-0123456789"
BRIEF = (
    "30-second vertical ad for Bean There coffee, upbeat. Mention organic beans, free delivery "
    "on orders over 25 dollars and roasted within 48 hours. Call to action: order at "
    "beanthere.coffee"
)
GOOD = {
    "hook": {"headline": "Mornings, upgraded",
             "narration": "Tired of flat coffee? Meet Bean There.", "keywords": ["coffee", "cup"]},
    "points": [
        {"headline": "Organic beans",
         "narration": "Every cup starts with organic beans from small farms.",
         "keywords": ["beans"]},
        {"headline": "Free delivery",
         "narration": "Free delivery comes to your door on orders over 25 dollars.",
         "keywords": ["delivery"]},
        {"headline": "Roasted within 48 hours",
         "narration": "Beans are roasted within 48 hours of shipping.", "keywords": ["roast"]},
    ],
    "cta": {"headline": "Order now", "narration": "Order at beanthere.coffee today.",
            "keywords": ["order"]},
}  # fmt: skip
SCENES = [GOOD["hook"], *GOOD["points"], GOOD["cta"]]


def good() -> str:
    return json.dumps(GOOD)


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(KEY) as running:
        yield running


def llm_settings(tmp_path: Path, server: OpenAIServer, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "llm_base_url": server.base_url,
        "llm_model": "gpt-test-mini",
        "llm_api_key": KEY,
        "llm_timeout_s": 5.0,
        "llm_retries": 2,
        "llm_price_input_per_1k": 0.00015,
        "llm_price_output_per_1k": 0.0006,
    }
    values.update(extra)
    return Settings(**values)


def write(settings: Settings) -> tuple[Any, Any]:
    writer = script_writer(BRIEF, settings)
    plan = writer(analyse_brief(BRIEF), target_words=60)
    return writer, plan


def copywriter_plan() -> Any:
    return write_script(analyse_brief(BRIEF), target_words=60)


def test_valid_storyboard_is_used_with_its_request_shape_and_ledger(
    tmp_path: Path, server: OpenAIServer
) -> None:
    server.queue(ok(good()))
    _, plan = write(llm_settings(tmp_path, server))
    assert [s.headline for s in plan.scenes] == [s["headline"] for s in SCENES]
    assert [s.role for s in plan.scenes] == ["hook", "point", "point", "point", "cta"]
    assert plan.scenes[-1].sfx_cues == ["riser", "whoosh", "impact"]
    (seen,) = server.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    body = seen.body
    assert body["model"] == "gpt-test-mini"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Bean There" in body["messages"][1]["content"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "storyboard" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["hook", "points", "cta"]
    record = plan.provenance
    assert record["used"] == {"script": "openai_compatible"} and record["fallbacks"] == []
    (call,) = record["calls"]
    assert call["provider"] == "openai_compatible" and call["model"] == "gpt-test-mini"
    assert call["request_id"] == "req_0001" and call["status"] == "ok"
    # actual from usage: 900 prompt tokens at 0.00015/1k + 300 completion at 0.0006/1k
    assert call["actual"] == pytest.approx(0.000315)
    assert call["estimate"] > call["actual"]  # worst case: all of max_tokens
    assert call["units"] == {"prompt_tokens": 900, "completion_tokens": 300}
    assert record["spent"] == pytest.approx(0.000315)


def _fell_back(plan: Any, reason: str) -> dict[str, Any]:
    assert [s.narration for s in plan.scenes] == [s.narration for s in copywriter_plan().scenes]
    record = plan.provenance
    assert record["used"] == {"script": "copywriter"}
    (fallback,) = record["fallbacks"]
    assert fallback["provider"] == "openai_compatible" and fallback["reason"] == reason
    return dict(fallback)


def test_wrong_key_401_falls_back_at_once_and_never_shows_the_key(
    tmp_path: Path, server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "sk-wrong-key-should-never-leak-42"
    caplog.set_level(logging.DEBUG)
    _, plan = write(llm_settings(tmp_path, server, llm_api_key=wrong))
    assert len(server.seen) == 1  # 401 is not retried
    fallback = _fell_back(plan, "http_401")
    assert "invalid_api_key" in fallback["detail"]
    dumped = json.dumps(plan.provenance)
    assert wrong not in dumped and wrong not in caplog.text
    assert "***" in fallback["detail"]  # the server echoed it; we redacted it


def test_unknown_path_is_a_404_fallback(tmp_path: Path, server: OpenAIServer) -> None:
    settings = llm_settings(tmp_path, server, llm_base_url=server.base_url + "/nope")
    _, plan = write(settings)
    assert server.seen[0].path == "/v1/nope/chat/completions"
    _fell_back(plan, "http_404")


def test_429_honours_retry_after_then_succeeds(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(
        error(429, "requests", "rate_limit_exceeded", "Rate limit reached",
              headers={"Retry-After": "0.4"}),
        ok(good()),
    )  # fmt: skip
    started = time.monotonic()
    _, plan = write(llm_settings(tmp_path, server))
    assert time.monotonic() - started >= 0.4
    assert len(server.seen) == 2
    (call,) = plan.provenance["calls"]
    assert call["status"] == "ok" and call["attempts"] == 2


def test_429_with_a_long_retry_after_gives_up_at_once(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(
        error(429, "requests", "rate_limit_exceeded", "Rate limit reached",
              headers={"Retry-After": "3600"}),
    )  # fmt: skip
    started = time.monotonic()
    _, plan = write(llm_settings(tmp_path, server))
    assert time.monotonic() - started < 3
    assert len(server.seen) == 1
    assert "rate_limit_exceeded" in _fell_back(plan, "http_429")["detail"]


def test_5xx_is_retried_with_backoff_then_falls_back(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(
        error(500, "server_error", None, "boom"),
        error(503, "server_error", None, "overloaded"),
        error(500, "server_error", None, "boom again"),
    )
    _, plan = write(llm_settings(tmp_path, server))
    assert len(server.seen) == 3  # first try + llm_retries=2
    _fell_back(plan, "http_500")
    (call,) = plan.provenance["calls"]
    assert call["attempts"] == 3 and call["status"] == "http_500"


def test_503_then_success(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(error(503, "server_error", None, "overloaded"), ok(good()))
    _, plan = write(llm_settings(tmp_path, server))
    assert plan.provenance["used"] == {"script": "openai_compatible"}


def test_slow_answer_times_out_and_falls_back(tmp_path: Path, server: OpenAIServer) -> None:
    server.queue(Answer(200, good(), delay_s=3.0))
    started = time.monotonic()
    _, plan = write(llm_settings(tmp_path, server, llm_timeout_s=0.5))
    assert time.monotonic() - started < 2.5
    _fell_back(plan, "timeout")


def test_content_that_is_not_json_is_repaired_once_then_dropped(
    tmp_path: Path, server: OpenAIServer
) -> None:
    server.queue(ok("Sure! Here is your storyboard: hook, points, cta."), ok("{not json"))
    _, plan = write(llm_settings(tmp_path, server))
    assert len(server.seen) == 2
    repair = server.seen[1].body["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert repair[2]["content"].startswith("Sure!")
    assert "not JSON" in repair[3]["content"]
    _fell_back(plan, "invalid_output")
    assert [c["status"] for c in plan.provenance["calls"]] == ["invalid_output"] * 2


def test_schema_invalid_then_valid_on_repair(tmp_path: Path, server: OpenAIServer) -> None:
    bad = {"hook": GOOD["hook"], "points": GOOD["points"]}  # no call to action
    server.queue(ok(json.dumps(bad)), ok(good()))
    _, plan = write(llm_settings(tmp_path, server))
    assert "cta: Field required" in server.seen[1].body["messages"][3]["content"]
    record = plan.provenance
    assert record["used"] == {"script": "openai_compatible"} and record["fallbacks"] == []
    assert [c["status"] for c in record["calls"]] == ["invalid_output", "ok"]
    assert record["calls"][1]["detail"] == "repair"


def test_missing_facts_are_repaired_then_fall_back(tmp_path: Path, server: OpenAIServer) -> None:
    no_facts = {
        "hook": {"headline": "Coffee time", "narration": "Good coffee matters.", "keywords": []},
        "points": [{"headline": "Tasty", "narration": "It tastes great.", "keywords": []}],
        "cta": {"headline": "Try it", "narration": "Try it soon.", "keywords": []},
    }
    server.queue(ok(json.dumps(no_facts)), ok(json.dumps(no_facts)))
    _, plan = write(llm_settings(tmp_path, server))
    assert "Bean There" in server.seen[1].body["messages"][3]["content"]
    detail = _fell_back(plan, "facts_missing")["detail"]
    assert "brand 'Bean There'" in detail and "number '48'" in detail


def test_missing_facts_repaired(tmp_path: Path, server: OpenAIServer) -> None:
    partial = {"hook": GOOD["hook"], "points": GOOD["points"][:1], "cta": GOOD["cta"]}
    server.queue(ok(json.dumps(partial)), ok(good()))
    _, plan = write(llm_settings(tmp_path, server))
    assert plan.provenance["used"] == {"script": "openai_compatible"}
    assert [c["status"] for c in plan.provenance["calls"]] == ["facts_missing", "ok"]


def test_budget_refuses_a_paid_call_before_it_is_made(tmp_path: Path, server: OpenAIServer) -> None:
    settings = llm_settings(tmp_path, server, provider_budget=0.01, llm_price_output_per_1k=60.0)
    _, plan = write(settings)
    assert server.seen == []
    assert "budget" in _fell_back(plan, "budget")["detail"]


def test_dead_server_opens_the_circuit(tmp_path: Path) -> None:
    with OpenAIServer(KEY) as server:
        base = server.base_url
    settings = Settings(data_dir=tmp_path / "d", llm_base_url=base, llm_model="m",
                        llm_retries=0, provider_breaker_failures=2)  # fmt: skip
    reasons = [write(settings)[1].provenance["fallbacks"][0]["reason"] for _ in range(3)]
    assert reasons == ["unreachable", "unreachable", "circuit_open"]


def test_a_plan_records_the_chain_in_the_spec_and_the_key_nowhere(
    tmp_path: Path, server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.queue(ok(good()), ok(good()))
    settings = llm_settings(tmp_path, server)
    spec, _ = prepare(Request(brief=BRIEF), settings)
    assert [s.narration for s in spec.scenes][1] == GOOD["points"][0]["narration"]
    assert spec.brief is not None and spec.brief.providers is not None
    assert spec.brief.providers["used"] == {"script": "openai_compatible"}
    dumped = spec.model_dump_json()
    assert KEY not in dumped and KEY not in caplog.text
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    # the server dies: the same request is answered from the plan stage's cache (the plan
    # the server wrote), and on a machine without it succeeds on the copywriter, saying why
    server.api_key = None
    server.answers.clear()
    asked = len(server.seen)
    again, _ = prepare(Request(brief=BRIEF), settings)
    assert again.scenes == spec.scenes and len(server.seen) == asked
    server.queue(error(503, "server_error", None, "down"), error(503, "server_error", None, "down"),
                 error(503, "server_error", None, "down"))  # fmt: skip
    spec2, _ = prepare(Request(brief=BRIEF), llm_settings(tmp_path / "cold", server))
    assert spec2.brief is not None and spec2.brief.providers is not None
    assert spec2.brief.providers["used"] == {"script": "copywriter"}
    assert spec2.brief.providers["fallbacks"][0]["reason"] == "http_503"


def test_no_llm_configured_leaves_the_plan_unchanged(tmp_path: Path) -> None:
    writer = script_writer(BRIEF, Settings(data_dir=tmp_path / "d"))
    plan = writer(analyse_brief(BRIEF), target_words=60)
    assert plan == copywriter_plan() and plan.provenance is None
    assert not writer.active


@pytest.mark.parametrize("status", [422, 500])  # llama-cpp-python 0.3.36 answers 500
def test_a_server_refusing_json_schema_is_asked_with_json_object(
    tmp_path: Path, server: OpenAIServer, status: int
) -> None:
    server.queue(
        error(status, "invalid_request_error", None,
              "body.response_format.type: Input should be 'text' or 'json_object'"),
        ok(good()),
    )  # fmt: skip
    _, plan = write(llm_settings(tmp_path, server))
    first, second = (s.body["response_format"] for s in server.seen)
    assert first["type"] == "json_schema"
    assert second["type"] == "json_object" and second["schema"]["required"] == [
        "hook",
        "points",
        "cta",
    ]
    (call,) = plan.provenance["calls"]
    assert call["status"] == "ok" and call["detail"] == "response_format json_object"


def test_the_key_can_come_from_a_secret_file(
    tmp_path: Path, server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "llm_key"
    secret.write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("AIPROD_LLM_API_KEY_FILE", str(secret))
    monkeypatch.setenv("AIPROD_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("AIPROD_LLM_MODEL", "gpt-test-mini")
    monkeypatch.setenv("AIPROD_DATA_DIR", str(tmp_path / "data"))
    server.queue(ok(good()))
    _, plan = write(Settings())
    assert server.seen[0].headers["Authorization"] == f"Bearer {KEY}"
    assert plan.provenance["used"] == {"script": "openai_compatible"}


def test_an_estimate_never_calls_the_script_provider(tmp_path: Path, server: OpenAIServer) -> None:
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_LLM_BASE_URL": server.base_url,
        "AIPROD_LLM_MODEL": "gpt-test-mini",
        "AIPROD_LLM_API_KEY": KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "aiprod", "estimate", "--brief", BRIEF, "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["total"] >= 0
    assert server.seen == []
