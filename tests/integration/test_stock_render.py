"""A brief planned with a Pexels-like server on loopback, rendered for real: the stock photo
is the hero and the blurred background of a product scene, credited in the manifest."""

from __future__ import annotations

import io
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from PIL import Image, ImageDraw

from aiprod.config import Settings
from aiprod.pipeline.plan import PlanRequest, plan_from_brief
from aiprod.pipeline.render import Renderer
from aiprod.providers.resilience import reset_breakers

KEY = "pexels-integration-key-0123456789"
BRIEF = (
    "20-second vertical ad for Bean There coffee, upbeat, mention organic beans and a smooth taste"
)
ORANGE = (240, 120, 20)


def stock_photo() -> bytes:
    """A bright orange photo-like picture with a teal disc: easy to find in a frame."""
    image = Image.new("RGB", (800, 1200), ORANGE)
    ImageDraw.Draw(image).ellipse([200, 300, 600, 700], fill=(20, 170, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def pexels() -> Iterator[str]:
    """GET /v1/search (the key in Authorization) and the photo it points to."""
    photo = stock_photo()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/v1/search" and self.headers.get("Authorization") == KEY:
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                photos = [{"id": n, "width": 800, "height": 1200, "url": f"https://www.pexels.com/photo/{n}/",
                           "photographer": "Ana Lens", "src": {"large2x": f"{base}/f/{n}.jpg"}}
                          for n in range(1, 9)]  # fmt: skip
                body, kind = (
                    json.dumps({"page": 1, "per_page": 15, "photos": photos}).encode(),
                    ("application/json"),
                )
            elif path.startswith("/f/"):
                body, kind = photo, "image/jpeg"
            else:
                self.send_response(401)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reset_breakers()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def frame_at(video: Path, seconds: float, out: Path) -> Image.Image:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(video),
         "-frames:v", "1", str(out)],
        check=True,
    )  # fmt: skip
    return Image.open(out).convert("RGB")


def test_stock_photo_is_a_rendered_scene_background(tmp_path: Path, pexels: str) -> None:
    presets = tmp_path / "presets.yaml"
    presets.write_text(
        "small:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
        "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 128\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data", presets_file=presets,
                        pexels_api_key=KEY, pexels_base_url=pexels)  # fmt: skip
    work = tmp_path / "plan"
    work.mkdir()
    spec, preset = plan_from_brief(PlanRequest(brief=BRIEF, preset="small"), settings, work)
    heroes = [i for i, s in enumerate(spec.scenes)
              if s.layout == "product" and s.illustration and s.illustration.path]  # fmt: skip
    assert heroes, [s.layout for s in spec.scenes]
    out = tmp_path / "out"
    out.mkdir()
    result = Renderer(spec, preset, out_dir=out, settings=settings).run()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    n = heroes[0]
    laid = manifest["design"]["scenes"][n]
    assert laid["layout"] == "product" and laid["background"] == "asset_blur"
    providers = manifest["spec"]["brief"]["providers"]
    credits = {v["scene"]: v for v in providers["visuals"]}
    assert credits[n]["attribution"] == "Photo by Ana Lens on Pexels"
    assert credits[n]["file"] == manifest["spec"]["scenes"][n]["illustration"]["path"]
    # the photographer is credited beside the video too, page and licence included
    text = (out / "credits.txt").read_text(encoding="utf-8")
    assert f"Scene {n + 1}: Photo by Ana Lens on Pexels (https://www.pexels.com/photo/" in text
    assert "Pexels License" in text and "credits.txt" in manifest["outputs"]
    assert str(settings.data_dir) not in text  # no cache path
    assert result.qa.passed
    # at rest, the hero box shows the sharp photo: its orange fills much of the box
    middle = (laid["start_s"] + laid["end_s"]) / 2
    frame = frame_at(out / "video.mp4", middle, tmp_path / "stock-frame.png")
    frame.save(tmp_path / "stock-frame-copy.png")
    picture = next(b for b in laid["boxes"] if b["role"] == "picture")
    box = frame.crop((picture["x"], picture["y"], picture["x"] + picture["w"],
                      picture["y"] + picture["h"]))  # fmt: skip
    raw = box.tobytes()
    pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    orange = sum(1 for r, g, b in pixels if r > 180 and 60 < g < 170 and b < 90)
    assert orange / len(pixels) > 0.25
    for path in [*out.rglob("*"), *settings.data_dir.rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
