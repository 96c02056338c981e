"""Lucide icons rendered by resvg in brand colours, and the icon index's cache."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aiprod.errors import ProviderRejectedInput
from aiprod.visuals.cache import CACHE_ENV, cache_dir
from aiprod.visuals.icon_index import (
    Embedder,
    Vectors,
    build_index,
    index_key,
    parse_choices,
)
from aiprod.visuals.icons import (
    UnknownIcon,
    brand_icon_colours,
    icon_exists,
    icon_set_version,
    render_icon,
    render_icon_bytes,
)
from aiprod.visuals.palette import contrast_ratio

TWO = """
# a comment
coffee | coffee, espresso | café
truck | delivery | livraison
"""


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        return np.asarray(image).astype(int)


def test_icon_on_a_badge_in_the_brand_colours() -> None:
    png = render_icon_bytes("calendar", size=120, colour="#1E3A5F", badge="#FFD400")
    rgba = pixels(png)
    assert rgba.shape == (120, 120, 4)
    assert rgba[2, 2, 3] == 0  # outside the disc: transparent
    assert tuple(rgba[60, 5, :3]) == (0xFF, 0xD4, 0x00)  # the disc's left edge: accent
    opaque = rgba[rgba[..., 3] == 255][:, :3]
    strokes = np.all(np.abs(opaque - [0x1E, 0x3A, 0x5F]) <= 2, axis=1)
    assert strokes.mean() > 0.05  # the calendar's lines in the primary colour


def test_icon_without_badge_is_strokes_on_transparency() -> None:
    rgba = pixels(render_icon_bytes("bike", size=64, colour="#ffffff"))
    visible = rgba[..., 3] > 0
    assert 0.05 < visible.mean() < 0.6
    assert np.all(rgba[rgba[..., 3] == 255][:, :3] == 255)


def test_rendering_is_deterministic_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    first = render_icon("wrench", size=96, colour="#000000", badge="#ffffff")
    assert first.is_relative_to(tmp_path / "cache") and first.is_file()
    stamp = first.stat().st_mtime_ns
    assert render_icon("wrench", size=96, colour="#000000", badge="#ffffff") == first
    assert first.stat().st_mtime_ns == stamp  # reused, not drawn again
    out = render_icon("wrench", size=96, colour="#000000", badge="#ffffff", out=tmp_path / "w.png")
    assert out.read_bytes() == first.read_bytes()
    other = render_icon("wrench", size=96, colour="#000000", badge="#eeeeee")
    assert other != first


def test_unknown_names_and_bad_sizes_are_rejected() -> None:
    for name in ("no-such-icon", "Calendar", "../etc", "", "a b"):
        assert not icon_exists(name)
        with pytest.raises(UnknownIcon) as caught:
            render_icon_bytes(name, size=64, colour="#fff")
        assert isinstance(caught.value, ProviderRejectedInput)
    for size in (0, 4, 100_000):
        with pytest.raises(ValueError, match="size"):
            render_icon_bytes("bike", size=size, colour="#fff")
    assert icon_exists("bike") and icon_set_version().count(".") == 2


def test_brand_colours_read_on_the_badge() -> None:
    stroke, badge = brand_icon_colours("#1E3A5F", "#FFD400")
    assert (stroke, badge) == ("#1E3A5F", "#FFD400")
    stroke, badge = brand_icon_colours("#FFE066", "#FFD400")  # primary too light on accent
    assert contrast_ratio(stroke, badge) >= 4.5


def test_choices_file_format() -> None:
    choices = parse_choices(TWO)
    assert [c.name for c in choices] == ["coffee", "truck"]
    assert choices[0].phrases == ("coffee", "espresso", "café")
    with pytest.raises(ValueError, match="line 1"):
        parse_choices("coffee | only english")
    with pytest.raises(ValueError, match="twice"):
        parse_choices("a | b | c\na | d | e")


class CountingEmbedder(Embedder):
    """The real model, counting the batches of description phrases it embeds."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.passage_calls = 0

    def phrases(self, texts: Sequence[str]) -> Vectors:
        self.passage_calls += 1
        return super().phrases(texts)


def test_index_is_built_once_then_read_from_its_file(tmp_path: Path) -> None:
    choices = parse_choices(TWO)
    embedder = CountingEmbedder()
    first = build_index(choices, embedder=embedder, cache=tmp_path)
    files = sorted(p.name for p in tmp_path.glob("*.npy"))
    assert files == [f"icons-{index_key(choices, embedder.model_id)}.npy"]
    second = build_index(choices, embedder=embedder, cache=tmp_path)
    assert embedder.passage_calls == 1
    assert np.array_equal(first.vectors, second.vectors)
    assert second.best("un café serré") is not None
    assert [m.name for m in second.rank("free delivery", k=2)] == ["truck", "coffee"]
    assert second.rank("free delivery", exclude={"truck"})[0].name == "coffee"
    changed = parse_choices(TWO.replace("delivery", "shipping"))
    assert index_key(changed, embedder.model_id) != index_key(choices, embedder.model_id)


def test_a_damaged_index_file_is_rebuilt(tmp_path: Path) -> None:
    choices = parse_choices(TWO)
    embedder = CountingEmbedder()
    build_index(choices, embedder=embedder, cache=tmp_path)
    (path,) = tmp_path.glob("*.npy")
    path.write_bytes(b"not numpy")
    index = build_index(choices, embedder=embedder, cache=tmp_path)
    assert embedder.passage_calls == 2 and index.vectors.shape[0] == 5


def test_parallel_builders_build_once(tmp_path: Path) -> None:
    choices = parse_choices(TWO)
    embedders = [CountingEmbedder() for _ in range(4)]
    threads = [
        threading.Thread(
            target=build_index, args=(choices,), kwargs={"embedder": e, "cache": tmp_path}
        )
        for e in embedders
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(e.passage_calls for e in embedders) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_spec_naming_an_unknown_icon_is_refused_before_rendering() -> None:
    from aiprod.media.probe_inputs import probe_spec_inputs
    from aiprod.spec.load import parse_spec

    good = parse_spec({"scenes": [{"narration": "Hi.", "illustration": {"icon": "bike"}}]})
    assert probe_spec_inputs(good) == {}
    bad = parse_spec({"scenes": [{"narration": "Hi.", "illustration": {"icon": "unicorn-x"}}]})
    with pytest.raises(UnknownIcon, match="scene 1 illustration: no icon named 'unicorn-x'"):
        probe_spec_inputs(bad)


class RunCountingEmbedder(Embedder):
    """The real model, recording the texts each of its runs embeds."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.runs: list[list[str]] = []

    def _load(self) -> object:
        model = super()._load()
        runs = self.runs

        class Recording:
            def query(self, texts: list[str]) -> object:
                runs.append(list(texts))
                return model.query(texts)

        return Recording()


def test_a_line_asked_again_is_not_embedded_again() -> None:
    embedder = RunCountingEmbedder()
    first = embedder.queries(["free delivery", "organic beans"])
    again = embedder.queries(["organic beans", "a new line", "free delivery", "a new line"])
    # planning asks for a brief's lines twice (layouts, then paced copy): one run each
    assert embedder.runs == [["free delivery", "organic beans"], ["a new line"]]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    assert np.array_equal(again[1], again[3]) and again.shape == (4, first.shape[1])
    alone = Embedder(threads=1).queries(["a new line"])  # a vector does not hang on its batch
    assert np.array_equal(alone[0], again[1])
