"""Contract: ``aiprod voices`` lists local voices always and cloud voices from the vendors'
voices endpoints (the local server of voice_server.py), as a user runs it: a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice_server import KEYS, VoiceServer


@pytest.fixture(scope="module")
def server() -> Iterator[VoiceServer]:
    with VoiceServer() as running:
        yield running


def aiprod(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiprod", "voices", *args],
        capture_output=True, text=True, check=False, timeout=120,
        env={"AIPROD_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", **(env or {})},
    )  # fmt: skip


def cloud_env(server: VoiceServer) -> dict[str, str]:
    return {
        "AIPROD_ELEVENLABS_BASE_URL": server.base_url,
        "AIPROD_ELEVENLABS_API_KEY": KEYS["elevenlabs"],
        "AIPROD_GOOGLE_TTS_BASE_URL": server.base_url,
        "AIPROD_GOOGLE_TTS_API_KEY": KEYS["google"],
        "AIPROD_OPENAI_API_KEY": KEYS["openai"],
    }


def test_french_voices_of_every_configured_provider(tmp_path: Path, server: VoiceServer) -> None:
    done = aiprod(tmp_path, "--language", "fr", "--json", env=cloud_env(server))
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    by_provider: dict[str, list[str]] = {}
    for voice in listed["voices"]:
        assert voice["languages"] == ["fr"]
        by_provider.setdefault(voice["provider"], []).append(voice["voice"])
    assert by_provider["elevenlabs"] == ["elevenlabs:frVoice0000000000001"]
    assert by_provider["google"] == ["google:fr-FR-Neural2-A"]
    assert "espeak:fr-fr" in by_provider["local"]
    assert "openai" not in by_provider  # its aligner is English-only
    google = [s for s in server.seen if s.method == "GET" and "languageCode=fr-FR" in s.path]
    assert google and "key=" not in google[0].path
    for key in KEYS.values():
        assert key not in done.stdout and key not in done.stderr


def test_unconfigured_cloud_providers_are_reported_not_fatal(tmp_path: Path) -> None:
    done = aiprod(tmp_path, "--language", "en")
    assert done.returncode == 0, done.stderr
    assert "en_US-joe-medium" in done.stdout
    assert "elevenlabs: not configured: AIPROD_ELEVENLABS_API_KEY is not set" in done.stderr


def test_one_provider_and_its_refusal(tmp_path: Path, server: VoiceServer) -> None:
    done = aiprod(tmp_path, "--provider", "openai", "--json", env=cloud_env(server))
    assert done.returncode == 0, done.stderr
    assert {v["provider"] for v in json.loads(done.stdout)["voices"]} == {"openai"}
    env = {**cloud_env(server), "AIPROD_ELEVENLABS_API_KEY": "revoked-key-123"}
    refused = aiprod(tmp_path, "--provider", "elevenlabs", env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: elevenlabs: http_401: HTTP 401 invalid_api_key: Invalid API key"
    ]
    assert "revoked-key-123" not in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--language", "not a tag"], "error: 'not a tag' is not a language tag"),
        (["--provider", "acme"], "error: unknown voice provider 'acme'"),
        (["--provider", "google"], "error: voice provider 'google' is not configured"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = aiprod(tmp_path, *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
