"""The registry: chains from settings, plug-ins through real entry points, the listing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.providers.registry import ENTRY_POINT_GROUP, build_chain, describe

PLUGIN = """
from aiprod.providers.base import ProviderInfo
from aiprod.providers.registry import NotConfigured
from aiprod.providers.script.base import ScriptResult
from aiprod.planner.script import write_script


class Echo:
    info = ProviderInfo("echo", "script", ("en",), {}, "call", 0.002, licence="CC0-1.0",
                        needs_network=True)

    def estimate_call(self, request, repair):
        return 0.002

    def write(self, request, *, repair=None):
        return ScriptResult(write_script(request.analysis, target_words=request.target_words),
                            None)


def make(settings):
    return Echo()


def unconfigured(settings):
    raise NotConfigured("ECHO_KEY is not set")
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed distribution (dist-info on sys.path) declaring two script providers."""
    (tmp_path / "echo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "echo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "script.echo = echo_plugin:make\n"
        "script.echo_off = echo_plugin:unconfigured\n"
        "script.copywriter = echo_plugin:make\n"  # may not replace a built-in
        "bogus = echo_plugin:make\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("echo_plugin", None)


def test_default_chain_is_llm_then_copywriter(tmp_path: Path) -> None:
    chain = build_chain("script", Settings(data_dir=tmp_path))
    assert [(e.name, e.skipped) for e in chain] == [
        ("openai_compatible", "not configured: AIPROD_LLM_BASE_URL is not set"),
        ("copywriter", None),
    ]


def test_copywriter_always_closes_the_chain(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, script_providers="nope, openai_compatible")
    names = [(e.name, e.skipped) for e in build_chain("script", settings)]
    assert names[0] == ("nope", "unknown provider")
    assert names[-1] == ("copywriter", None)


@pytest.mark.usefixtures("plugin")
def test_entry_point_providers_join_the_chain(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, script_providers="echo_off,echo,copywriter")
    chain = build_chain("script", settings)
    assert [(e.name, e.skipped) for e in chain] == [
        ("echo_off", "not configured: ECHO_KEY is not set"),
        ("echo", None),
        ("copywriter", None),
    ]
    assert type(chain[2].provider).__name__ == "CopywriterScript"
    rows = [r for r in describe(settings) if r["capability"] == "script"]
    echo = next(r for r in rows if r["provider"] == "echo")
    assert echo["price"] == "0.002 USD/call" and echo["licence"] == "CC0-1.0"
    assert echo["needs_network"] is True and echo["languages"] == "en"


def test_every_capability_is_listed(tmp_path: Path) -> None:
    rows = describe(Settings(data_dir=tmp_path))
    assert {r["capability"] for r in rows} == {
        "script", "voice", "music", "sfx", "stock", "generated", "vision"
    }  # fmt: skip


def test_cli_lists_the_chains_and_never_the_key(tmp_path: Path) -> None:
    import json
    import subprocess

    key = "sk-cli-listing-never-shows-this"
    env = {
        "PATH": "/usr/bin:/bin",
        "AIPROD_DATA_DIR": str(tmp_path),
        "AIPROD_LLM_BASE_URL": "https://api.example.test/v1",
        "AIPROD_LLM_MODEL": "gpt-test",
        "AIPROD_LLM_API_KEY": key,
        "AIPROD_LLM_PRICE_INPUT_PER_1K": "0.00015",
        "AIPROD_LLM_PRICE_OUTPUT_PER_1K": "0.0006",
    }
    done = subprocess.run(
        [sys.executable, "-m", "aiprod", "providers", "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    assert key not in done.stdout and key not in done.stderr
    rows = json.loads(done.stdout)
    llm = next(r for r in rows if r["provider"] == "openai_compatible")
    assert llm["status"] == "ready: gpt-test at https://api.example.test/v1"
    assert llm["needs_network"] is True
    assert llm["price"] == "0.00015 USD/1k_tokens in, 0.0006 USD/1k_tokens out"
    assert llm["limits"]["model"] == "gpt-test"
    bad = subprocess.run(
        [sys.executable, "-m", "aiprod", "providers"],
        capture_output=True, text=True, env={**env, "AIPROD_LLM_BASE_URL": "ftp://x"},
        timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "llm_base_url" in bad.stderr


def test_the_voice_chain_is_the_setting_closed_by_the_local_voice() -> None:
    from aiprod.providers.registry import chain_names

    settings = Settings(voice_providers="openai google")
    assert chain_names("voice", settings) == ["openai", "google", "local"]
    entries = build_chain("voice", settings)
    assert [(e.name, e.skipped) for e in entries] == [
        ("openai", "not configured: AIPROD_OPENAI_API_KEY is not set"),
        ("google", "not configured: AIPROD_GOOGLE_TTS_API_KEY is not set"),
        ("local", None),
    ]
    keyed = Settings(voice_providers="openai", openai_api_key="sk-unit-secret-1")
    (openai, _) = build_chain("voice", keyed)
    assert openai.provider is not None and openai.provider.info.paid
    assert "sk-unit-secret-1" not in repr(openai.provider.info)
