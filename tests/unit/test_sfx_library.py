"""The user's sound library: tags from sidecars, library.json and names; stable choices;
unreadable files and symlinks that leave the root are ignored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from aiprod.providers.sfx import UNKNOWN_LICENCE, SfxLibrary
from aiprod.providers.sfx.wavio import write_wav

RATE = 48000


def make_wav(path: Path, seconds: float = 0.2) -> Path:
    rng = np.random.default_rng(len(path.name))
    write_wav(
        path, (0.1 * rng.standard_normal((2, round(seconds * RATE)))).astype(np.float32), RATE
    )
    return path


def make_flac(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with AudioFile(str(path), "w", RATE, 1) as out:
        out.write(np.zeros((1, round(seconds * RATE)), dtype=np.float32))
    return path


def test_file_and_folder_names_are_tags(tmp_path: Path) -> None:
    make_wav(tmp_path / "whoosh" / "air_01.wav")
    make_wav(tmp_path / "Impacts" / "BigHit.wav")
    make_wav(tmp_path / "ambiences" / "pluie_forte.wav", 1.5)
    library = SfxLibrary(tmp_path)
    whoosh = library.find("whoosh")
    assert whoosh is not None
    assert whoosh.source == "library:whoosh/air_01.wav"
    assert whoosh.licence == UNKNOWN_LICENCE
    assert whoosh.duration_s == pytest.approx(0.2)
    assert not whoosh.synthesised
    impact = library.find("impact")
    assert impact is not None and impact.source == "library:Impacts/BigHit.wav"
    rain = library.find("ambience", "rain")
    assert rain is not None and rain.duration_s == pytest.approx(1.5)
    assert library.find("ambience", "ocean") is None
    assert library.find("riser") is None


def test_sidecar_tags_and_licence(tmp_path: Path) -> None:
    make_wav(tmp_path / "take_07.wav")
    (tmp_path / "take_07.wav.json").write_text(
        json.dumps({"tags": ["swoosh", "fast"], "licence": "CC-BY-4.0 Jane Doe"})
    )
    make_wav(tmp_path / "rec 3.wav")
    (tmp_path / "rec 3.yaml").write_text("tags: [click, ui]\nlicense: CC0-1.0\n")
    library = SfxLibrary(tmp_path)
    whoosh = library.find("whoosh")
    assert whoosh is not None
    assert whoosh.source == "library:take_07.wav"
    assert whoosh.licence == "CC-BY-4.0 Jane Doe"
    click = library.find("click")
    assert click is not None and click.licence == "CC0-1.0"


def test_library_json_tags_files_in_its_folder_and_below(tmp_path: Path) -> None:
    make_wav(tmp_path / "a.wav")
    make_wav(tmp_path / "sub" / "b.wav", 2.0)
    manifest = {
        "licence": "Pro pack EULA",
        "files": {
            "a.wav": {"tags": ["boom"]},
            "sub/b.wav": {"tags": "ambience, café", "licence": "CC-BY-4.0"},
        },
    }
    (tmp_path / "library.json").write_text(json.dumps(manifest))
    library = SfxLibrary(tmp_path)
    impact = library.find("impact")
    assert impact is not None
    assert (impact.source, impact.licence) == ("library:a.wav", "Pro pack EULA")
    cafe = library.find("ambience", "cafe")
    assert cafe is not None
    assert (cafe.source, cafe.licence, cafe.category) == ("library:sub/b.wav", "CC-BY-4.0", "cafe")


def test_bare_library_json_mapping_and_non_wav_formats(tmp_path: Path) -> None:
    make_flac(tmp_path / "sounds" / "x.flac", 0.5)
    (tmp_path / "sounds" / "library.json").write_text(json.dumps({"x.flac": ["riser"]}))
    riser = SfxLibrary(tmp_path).find("riser")
    assert riser is not None
    assert riser.source == "library:sounds/x.flac"
    assert riser.duration_s == pytest.approx(0.5)


def test_choice_is_stable_per_seed_and_varies_across_seeds(tmp_path: Path) -> None:
    for index in range(6):
        make_wav(tmp_path / "whoosh" / f"w{index}.wav")
    first = SfxLibrary(tmp_path)
    second = SfxLibrary(tmp_path)
    picks = set()
    for seed in range(20):
        asset = first.find("whoosh", seed=seed)
        again = second.find("whoosh", seed=seed)
        assert asset is not None and again is not None
        assert asset.source == again.source
        assert asset.seed == seed
        picks.add(asset.source)
    assert len(picks) >= 3


def test_one_shot_category_narrows_the_choice_when_it_can(tmp_path: Path) -> None:
    make_wav(tmp_path / "whoosh_air.wav")
    make_wav(tmp_path / "whoosh_metal.wav")
    library = SfxLibrary(tmp_path)
    for seed in range(8):
        asset = library.find("whoosh", "metal", seed)
        assert asset is not None and asset.source == "library:whoosh_metal.wav"
    assert library.find("whoosh", "glass") is not None  # falls back to any whoosh


def test_one_shots_naming_a_place_are_not_ambience(tmp_path: Path) -> None:
    make_wav(tmp_path / "city_impact.wav")
    make_wav(tmp_path / "city_ambience_loop.wav")
    library = SfxLibrary(tmp_path)
    for seed in range(8):
        asset = library.find("ambience", "city", seed)
        assert asset is not None and asset.source == "library:city_ambience_loop.wav"


def test_unreadable_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "whoosh_text.wav").write_text("this is not audio at all")
    (tmp_path / "whoosh_empty.wav").write_bytes(b"")
    (tmp_path / "whoosh_cut.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    (tmp_path / "whoosh_cut.mp3").write_bytes(b"ID3" + bytes(40))
    library = SfxLibrary(tmp_path)
    assert library.find("whoosh") is None
    make_wav(tmp_path / "whoosh_good.wav")
    library.rescan()
    for seed in range(10):
        asset = library.find("whoosh", seed=seed)
        assert asset is not None and asset.source == "library:whoosh_good.wav"


def test_symlinks_leaving_the_root_are_ignored(tmp_path: Path) -> None:
    root, outside = tmp_path / "library", tmp_path / "outside"
    make_wav(outside / "whoosh_secret.wav")
    (outside / "meta.json").write_text(json.dumps({"tags": ["whoosh"], "licence": "SECRET"}))
    root.mkdir()
    (root / "whoosh_link.wav").symlink_to(outside / "whoosh_secret.wav")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    make_wav(root / "ok.wav")
    (root / "ok.wav.json").symlink_to(outside / "meta.json")
    library = SfxLibrary(root)
    assert [entry.relative for entry in library.entries] == ["ok.wav"]
    assert library.find("whoosh") is None  # the sidecar outside the root was not read


def test_symlinks_inside_the_root_are_followed(tmp_path: Path) -> None:
    make_wav(tmp_path / "pool" / "take.wav")
    (tmp_path / "pop_alias.wav").symlink_to(tmp_path / "pool" / "take.wav")
    asset = SfxLibrary(tmp_path).find("pop")
    assert asset is not None and asset.source == "library:pop_alias.wav"


def test_scan_happens_once(tmp_path: Path) -> None:
    make_wav(tmp_path / "pop_1.wav")
    library = SfxLibrary(tmp_path)
    assert library.find("pop") is not None
    make_wav(tmp_path / "click_1.wav")
    assert library.find("click") is None  # cached scan
    library.rescan()
    assert library.find("click") is not None


def test_missing_root_is_an_empty_library(tmp_path: Path) -> None:
    library = SfxLibrary(tmp_path / "nope")
    assert library.entries == ()
    assert library.find("whoosh") is None
