"""Shared fixtures: generated media (never committed) and small presets."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from kombu import Connection

from aiprod.config import Settings
from aiprod.media.ffmpeg.run import run_ffmpeg
from aiprod.spec.presets import Preset
from brokertools import BROKER, require_rabbitmq
from pgtools import PostgresDatabases, require_postgres

# Property tests: in CI (`make test` sets HYPOTHESIS_PROFILE=ci) every run draws the same
# examples, so a run cannot fail by luck; locally they keep exploring new examples, and a
# failure found there becomes an explicit @example.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def tiny_preset() -> Preset:
    """A small vertical preset: same pipeline, a fraction of the pixels."""
    return Preset(
        name="tiny",
        width=288,
        height=512,
        caption_style="social",
        loudness_lufs=-14,
        x264_preset="ultrafast",
        crf=28,
        audio_bitrate_k=96,
    )


@pytest.fixture
def make_media(tmp_path: Path) -> Callable[[str, str], Path]:
    """``make_media(name, lavfi_graph_or_kind)`` generates a media file with ffmpeg."""
    folder = tmp_path / "media"
    folder.mkdir(exist_ok=True)

    def make(name: str, kind: str) -> Path:
        out = folder / name
        recipes = {
            "image": ["-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1"],
            "logo": [
                "-f",
                "lavfi",
                "-i",
                "color=c=white@0.0:s=120x60,format=rgba,"
                "drawbox=x=10:y=10:w=100:h=40:color=orange@1:t=fill",
                "-frames:v",
                "1",
            ],
            "clip": [
                "-f",
                "lavfi",
                "-i",
                "testsrc2=s=320x240:r=25:d=1.5",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
            ],
            "music": [
                "-f",
                "lavfi",
                "-i",
                "aevalsrc=0.3*sin(2*PI*220*t)+0.2*sin(2*PI*330*t):s=44100:d=3",
            ],
            "pop": ["-f", "lavfi", "-i", "sine=f=880:d=0.15:r=44100"],
        }
        run_ffmpeg(["-y", *recipes[kind], str(out)])
        return out

    return make


@pytest.fixture(scope="module")
def pg_databases() -> Iterator[PostgresDatabases]:
    require_postgres()
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def broker_queue() -> Iterator[str]:
    """A queue name of this test only; its queues and exchanges are deleted afterwards."""
    require_rabbitmq()
    name = f"aiprod.test.{secrets.token_hex(4)}"
    yield name
    with Connection(BROKER) as connection:
        channel = connection.default_channel
        for queue in (name, f"{name}.dead"):
            channel.queue_delete(queue)
        for exchange in (name, f"{name}.dlx"):
            channel.exchange_delete(exchange)
