"""What the picture providers' contract tests share: a planned spec, test media, settings."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from aiprod.config import Settings
from aiprod.pipeline.fetch_visuals import fetch_scene_visuals
from aiprod.providers.base import Ledger
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec

WIDTH, HEIGHT = 288, 512


def photo_jpeg(
    colour: tuple[int, int, int] = (200, 120, 60), size: tuple[int, int] = (640, 960)
) -> bytes:
    """A photo-like JPEG: a warm gradient with a bright disc and a dark bar."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(c * (1 - 0.6 * t)) for c in colour))
    draw.ellipse([w * 0.2, h * 0.15, w * 0.8, h * 0.55], fill=(250, 230, 150))
    draw.rectangle([0, h * 0.75, w, h * 0.85], fill=(30, 40, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def clip_mp4(tmp: Path) -> bytes:
    out = tmp / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=180x320:r=25:d=1",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def scene(role: str, layout: str, title: str, keywords: list[str], icon: str) -> dict[str, Any]:
    return {
        "role": role,
        "layout": layout,
        "title": title,
        "narration": f"{title}. A short line about it.",
        "keywords": keywords,
        "illustration": {"icon": icon},
        "background": {"type": "gradient", "colors": ["#1E3A5F", "#3D7DD8"]},
    }


def planned_spec() -> VideoSpec:
    """A planned five-scene spec: hook, two card points around a stat, the end card."""
    scenes = [
        scene("hook", "hook", "Mornings, upgraded", ["bean there", "coffee"], "coffee"),
        scene("point", "benefit", "Organic beans", ["organic beans", "coffee", "farm"], "leaf"),
        {**scene("point", "stat", "Roasted in 48 hours", ["roasted", "coffee"], "fire"),
         "stat": {"value": 48, "unit": "h", "label": "from roast to cup"}},
        scene("point", "benefit", "Free delivery", ["free delivery", "coffee"], "truck"),
        scene("cta", "end_card", "Order now", ["order at beanthere.coffee"], "cart"),
    ]  # fmt: skip
    data = {
        "version": 1,
        "preset": "quick_social",
        "brand": {"name": "Bean There"},
        "scenes": scenes,
        "brief": {"text": "Bean There coffee ad", "key_points": ["Organic beans"]},
    }
    return parse_spec(data, source="test")


def visuals_settings(tmp: Path, base_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp / "data",
        "pexels_base_url": base_url,
        "pixabay_base_url": base_url,
        "runway_base_url": base_url,
        "visuals_timeout_s": 5.0,  # loopback on a loaded machine; the slow test sets 0.5
        "visuals_retries": 2,
        "runway_poll_s": 1.0,
        "runway_max_wait_s": 5.0,
    }
    return Settings(**(values | extra))


def run_step(spec: VideoSpec, settings: Settings) -> tuple[VideoSpec, Ledger]:
    ledger = Ledger()
    out = fetch_scene_visuals(spec, settings, ledger, width=WIDTH, height=HEIGHT)
    return out, ledger


def providers_record(spec: VideoSpec) -> dict[str, Any]:
    assert spec.brief is not None and spec.brief.providers is not None
    return spec.brief.providers


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def nowhere(secret: str, spec: VideoSpec, root: Path) -> bool:
    """True when ``secret`` is in neither the spec's JSON nor any file under ``root``."""
    if secret in spec.model_dump_json():
        return False
    return all(secret.encode() not in p.read_bytes() for p in files_under(root))
