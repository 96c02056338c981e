"""SoundDesigner: the user's library first, else a synthesised file cached by its arguments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.sfx import SYNTH_LICENCE, SoundDesigner
from aiprod.providers.sfx.wavio import read_wav, write_wav

RATE = 48000


def make_wav(path: Path, seconds: float) -> None:
    write_wav(path, np.full((2, round(seconds * RATE)), 0.1, dtype=np.float32), RATE)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    make_wav(root / "whoosh" / "air_swoosh_01.wav", 0.4)
    make_wav(root / "beach.wav", 7.0)
    (root / "beach.wav.json").write_text(json.dumps({"tags": ["waves"], "licence": "CC0-1.0"}))
    return root


def test_library_is_searched_first(tmp_path: Path, library: Path) -> None:
    designer = SoundDesigner(library, tmp_path / "cache")
    asset = designer.get("whoosh", seed=3)
    assert asset.source == "library:whoosh/air_swoosh_01.wav"
    assert asset.path.is_relative_to(library.resolve())
    ocean = designer.get("ambience", category="plage", duration=20.0)
    assert ocean.source == "library:beach.wav"
    assert (ocean.category, ocean.licence, ocean.duration_s) == ("ocean", "CC0-1.0", 7.0)
    assert not (tmp_path / "cache").exists()


def test_missing_effects_are_synthesised_into_the_cache(tmp_path: Path, library: Path) -> None:
    designer = SoundDesigner(library, tmp_path / "cache")
    asset = designer.get("impact", seed=2)
    assert asset.source == "synthesised"
    assert asset.licence == SYNTH_LICENCE
    assert asset.path.parent == tmp_path / "cache"
    audio, rate = read_wav(asset.path)
    assert (rate, audio.shape) == (RATE, (2, round(2.5 * RATE)))


def test_repeated_requests_reuse_the_cached_file(tmp_path: Path) -> None:
    designer = SoundDesigner(None, tmp_path / "cache")
    first = designer.get("ambience", category="rain", duration=3.0, seed=1)
    stamp = first.path.stat().st_mtime_ns
    again = SoundDesigner(None, tmp_path / "cache").get(
        "ambience", category="pluie", duration=3.0, seed=1
    )
    assert again == first
    assert again.path.stat().st_mtime_ns == stamp
    assert again.duration_s == 3.0
    others = {
        designer.get("ambience", category="rain", duration=3.0, seed=2).path,
        designer.get("ambience", category="rain", duration=4.0, seed=1).path,
        designer.get("ambience", category="wind", duration=3.0, seed=1).path,
    }
    assert first.path not in others
    assert len(others) == 3


def test_scene_words_pick_the_ambience_category(tmp_path: Path) -> None:
    designer = SoundDesigner(None, tmp_path / "cache")
    asset = designer.get("ambience", category="Forêts", duration=2.0)
    assert asset.category == "forest"
    assert asset.duration_s == 2.0


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        ("laser", {}),
        ("ambience", {}),
        ("ambience", {"category": "spaceship"}),
        ("impact", {"duration": 60.0}),
    ],
)
def test_bad_requests_are_rejected(tmp_path: Path, kind: str, kwargs: dict[str, object]) -> None:
    designer = SoundDesigner(None, tmp_path / "cache")
    with pytest.raises(ProviderRejectedInput):
        designer.get(kind, **kwargs)  # type: ignore[arg-type]
