"""``/ready`` checks the database, FFmpeg and the default offline providers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from api_client import PROBLEM, ApiClient


def test_ready_lists_every_check(client: ApiClient) -> None:
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ok"
    assert body["database"] == body["ffmpeg"] == "ok"
    assert body["narration"].startswith("ok (piper en_US-joe-medium")
    assert body["music"].startswith("ok (fluidsynth")


def test_missing_provider_makes_the_service_not_ready(
    client: ApiClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"  # every tool but fluidsynth
    bin_dir.mkdir()
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("not-ready")
    assert "fluidsynth" in response.json()["detail"]
