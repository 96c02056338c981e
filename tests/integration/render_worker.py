"""What a real render through the worker pool needs, quickly: settings with a ``tiny``
preset and a migrated SQLite job database with an engine on it.

The fixtures ``tiny_settings`` and ``render_worker_setup`` are registered in conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aiprod.config import Settings
from aiprod.db.engine import make_engine, upgrade

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
