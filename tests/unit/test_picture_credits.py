"""Stock and generated pictures are credited in ``credits.txt``, from the spec's
``brief.providers.visuals`` as the manifest records them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiprod.providers.credits import credits_text, picture_credits, write_credits
from aiprod.spec.load import parse_spec
from aiprod.spec.model import VideoSpec

PEXELS = {"scene": 1, "capability": "stock", "provider": "pexels", "media": "photo",
          "id": "pexels:2014422", "licence": "Pexels License (free to use; credit appreciated)",
          "attribution": "Photo by Jane Doe on Pexels",
          "page_url": "https://www.pexels.com/photo/2014422/",
          "file": "/c/files/a.jpg"}  # fmt: skip
PIXABAY = {"scene": 2, "capability": "stock", "provider": "pixabay", "media": "video",
           "id": "pixabay:77", "licence": "Pixabay Content License",
           "attribution": "Video by RitaE from Pixabay",
           "page_url": "https://pixabay.com/videos/77/", "file": "/c/files/b.mp4"}  # fmt: skip
RUNWAY = {"scene": 0, "capability": "generated", "provider": "runway", "media": "video",
          "id": "runway:17f2", "licence": "yours, under Runway's terms of use",
          "attribution": "Generated with Runway gen4.5", "file": "/c/files/c.mp4"}  # fmt: skip


def clip(path: str) -> dict[str, str]:
    return {"type": "video", "path": path}


def manifest_spec(visuals: list[dict[str, Any]], *, replaced: bool = False) -> VideoSpec:
    """A planned spec as the manifest stores it (``manifest["spec"]``), read back."""
    scenes: list[dict[str, Any]] = [
        {"narration": "One.", "role": "hook", "background": clip("/c/files/c.mp4")},
        {"narration": "Two.", "role": "point", "illustration": {"path": "/c/files/a.jpg"}},
        {"narration": "Three.", "role": "point", "background": clip("/c/files/b.mp4")},
    ]
    if replaced:  # the studio put the user's own picture on scene 2
        scenes[1]["illustration"] = {"path": "/home/u/mine.png"}
    data = {"version": 1, "title": "Bean There", "scenes": scenes,
            "brief": {"text": "Bean There coffee", "providers": {"visuals": visuals}}}  # fmt: skip
    manifest = {"spec": parse_spec(data, source="test").model_dump(mode="json")}
    return parse_spec(json.loads(json.dumps(manifest))["spec"], source="manifest")


def test_stock_and_generated_pictures_are_credited_in_scene_order(tmp_path: Path) -> None:
    spec = manifest_spec([PEXELS, RUNWAY, PIXABAY, PEXELS])
    lines = picture_credits(spec)
    assert lines == (
        "- Scene 1: Generated with Runway gen4.5, licence: yours, under Runway's terms of use",
        "- Scene 2: Photo by Jane Doe on Pexels (https://www.pexels.com/photo/2014422/), "
        "licence: Pexels License (free to use; credit appreciated)",
        "- Scene 3: Video by RitaE from Pixabay (https://pixabay.com/videos/77/), "
        "licence: Pixabay Content License",
    )  # each picture once, in scene order
    path = write_credits(tmp_path, (), spec.title, lines)
    assert path == tmp_path / "credits.txt"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["Credits for Bean There", "", "Pictures and clips:"]
    assert "Sound effects" not in text and "/c/files" not in text  # never a cache path


def test_an_animated_still_credits_the_photographer_and_the_generator() -> None:
    clip = RUNWAY | {"scene": 1, "file": "/c/files/a.jpg",
                     "animated_from": PEXELS}  # fmt: skip
    user = RUNWAY | {"id": "runway:99", "scene": 0,
                     "animated_from": {"provider": "user", "file": "/home/u/mine.png"}}  # fmt: skip
    lines = picture_credits(manifest_spec([user, clip]))
    assert lines[0] == ("- Scene 1: your picture; animated with Runway gen4.5, licence: yours, "
                        "under Runway's terms of use")  # fmt: skip
    assert lines[1].startswith("- Scene 2: Photo by Jane Doe on Pexels (https://www.pexels.com/")
    assert "; animated with Runway gen4.5" in lines[1] and "/home/u" not in "".join(lines)


def test_a_replaced_picture_is_not_credited_and_no_visuals_no_file(tmp_path: Path) -> None:
    lines = picture_credits(manifest_spec([PEXELS, RUNWAY], replaced=True))
    assert len(lines) == 1 and "Runway" in lines[0]
    assert picture_credits(manifest_spec([])) == ()
    assert write_credits(tmp_path, (), "Ad", ()) is None
    sound = {"title": "A", "author": "x", "url": "u1", "licence": "CC-BY-4.0", "licence_url": "l"}
    both = credits_text([sound], "Ad", ["- Scene 1: Photo by J on Pexels"]).splitlines()
    assert both == ["Credits for Ad", "", "Sound effects:",
                    '- "A" by x (u1), licensed under CC-BY-4.0 (l)', "",
                    "Pictures and clips:", "- Scene 1: Photo by J on Pexels"]  # fmt: skip
