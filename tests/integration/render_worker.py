"""What a real render through the worker pool needs, quickly: settings with a ``tiny``
preset and a migrated SQLite job database with an engine on it.

The fixtures ``tiny_settings`` and ``render_worker_setup`` are registered in conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aiprod.config import Settings
from aiprod.db.engine import make_engine, upgrade
from aiprod.jobs.models import Job

SETTLED = ("succeeded", "dead", "failed")

TINY_PRESETS = """\
tiny:
  width: 288
  height: 512
  caption_style: social
  loudness_lufs: -14
  x264_preset: ultrafast
  crf: 28
  audio_bitrate_k: 96
"""


@dataclass
class RenderWorkerSetup:
    settings: Settings  # with the tiny preset
    url: str  # a migrated SQLite job database
    engine: Engine


@pytest.fixture
def tiny_settings(tmp_path: Path) -> Settings:
    """The usual test settings plus a ``tiny`` preset, so a real render stays quick."""
    presets = tmp_path / "presets.yaml"
    presets.write_text(TINY_PRESETS, encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", presets_file=presets)


@pytest.fixture
def render_worker_setup(tmp_path: Path, tiny_settings: Settings) -> Iterator[RenderWorkerSetup]:
    """Tiny settings and a migrated SQLite job database (its engine disposed afterwards)."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield RenderWorkerSetup(tiny_settings, url, engine)
    engine.dispose()


def settled_job(engine: Engine, job_id: str, timeout_s: float = 240.0) -> Job:
    """The job once the worker is done with it (succeeded, dead or failed), or as it stands
    when ``timeout_s`` runs out; read in a fresh session every 0.2 s."""
    deadline = time.monotonic() + timeout_s
    while True:
        with Session(engine, expire_on_commit=False) as session:
            found = session.get(Job, job_id)
            assert found is not None
            session.expunge(found)
        if found.status in SETTLED or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
