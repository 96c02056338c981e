"""The user's asset library: tags from sidecars, library.json and names; symlinks; caching."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aiprod.visuals.library import AssetLibrary


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "library"


def test_sidecar_tags_in_both_spellings(root: Path) -> None:
    touch(root / "IMG_0001.jpg")
    write_json(root / "IMG_0001.jpg.json", {"tags": ["Espresso", "morning"]})
    touch(root / "IMG_0002.png")
    write_json(root / "IMG_0002.json", {"tags": ["Croissant"]})
    library = AssetLibrary(root)
    found = library.find(["espressos"])
    assert found is not None and found.rel == "IMG_0001.jpg"
    assert found.tags == ("espresso", "morning")
    assert found.kind == "image"
    second = library.find(["croissants"])
    assert second is not None and second.rel == "IMG_0002.png"


def test_library_json_in_the_folder_and_above(root: Path) -> None:
    touch(root / "clips" / "a.mp4")
    touch(root / "clips" / "b.webm")
    write_json(root / "library.json", {"clips/a.mp4": ["beach", "summer"]})
    write_json(root / "clips" / "library.json", {"b.webm": {"tags": ["forêt"]}})
    library = AssetLibrary(root)
    beach = library.find(["plage", "beach"])
    assert beach is not None and beach.rel == "clips/a.mp4" and beach.kind == "video"
    forest = library.find(["Forêts"])
    assert forest is not None and forest.rel == "clips/b.webm"


def test_file_and_folder_names_are_words(root: Path) -> None:
    touch(root / "products" / "red-running_Shoes.webp")
    touch(root / "Café" / "cup.jpeg")
    library = AssetLibrary(root)
    shoe = library.find(["shoe"])
    assert shoe is not None and shoe.rel == "products/red-running_Shoes.webp"
    cafe = library.find(["cafés"])
    assert cafe is not None and cafe.rel == "Café/cup.jpeg"
    assert library.find(["product"]) == shoe  # folder name, singular form
    assert library.find(["the", "of", "2"]) is None  # function words and numbers never match


def test_most_hits_then_name_order(root: Path) -> None:
    touch(root / "b_coffee.png")
    touch(root / "a_coffee.png")
    touch(root / "z_coffee_morning.png")
    library = AssetLibrary(root)
    best = library.find(["coffee"])
    assert best is not None and best.rel == "a_coffee.png"
    best = library.find(["coffee", "morning"])
    assert best is not None and best.rel == "z_coffee_morning.png"
    # the same keyword twice counts once
    best = library.find(["coffee", "coffee", "coffee"])
    assert best is not None and best.rel == "a_coffee.png"


def test_exclude_by_absolute_or_relative_path(root: Path) -> None:
    touch(root / "a_coffee.png")
    touch(root / "b_coffee.png")
    library = AssetLibrary(root)
    first = library.find(["coffee"])
    assert first is not None
    second = library.find(["coffee"], exclude=[str(first.path)])
    assert second is not None and second.rel == "b_coffee.png"
    assert library.find(["coffee"], exclude=["a_coffee.png", "b_coffee.png"]) is None


def test_only_media_files_and_no_hidden_ones(root: Path) -> None:
    touch(root / "coffee.txt")
    touch(root / "coffee.gif")
    touch(root / ".coffee.png")
    touch(root / ".hidden" / "coffee.png")
    touch(root / "COFFEE.MOV")
    library = AssetLibrary(root)
    assert [asset.rel for asset in library.assets] == ["COFFEE.MOV"]


def test_broken_json_is_ignored(root: Path) -> None:
    touch(root / "x.png")
    (root / "x.png.json").write_text("{not json", encoding="utf-8")
    write_json(root / "library.json", ["not", "a", "mapping"])
    write_json(root / "x.json", {"tags": [1, None, "tea"]})
    library = AssetLibrary(root)
    found = library.find(["tea"])
    assert found is not None and found.tags == ("tea",)


def test_missing_root_is_an_empty_library(tmp_path: Path) -> None:
    assert AssetLibrary(tmp_path / "nope").find(["coffee"]) is None


def test_scanned_once_until_refresh(root: Path) -> None:
    touch(root / "coffee.png")
    library = AssetLibrary(root)
    assert library.find(["tea"]) is None
    touch(root / "tea.png")
    assert library.find(["tea"]) is None  # cached scan
    library.refresh()
    found = library.find(["tea"])
    assert found is not None and found.rel == "tea.png"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinks_cannot_escape_the_root(tmp_path: Path, root: Path) -> None:
    outside = tmp_path / "outside"
    touch(outside / "secret_coffee.png")
    write_json(outside / "tags.json", {"tags": ["coffee"]})
    touch(root / "inside_tea.png")
    (root / "escaped_coffee.png").symlink_to(outside / "secret_coffee.png")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    (root / "inside_tea.png.json").symlink_to(outside / "tags.json")
    (root / "dangling_coffee.png").symlink_to(tmp_path / "missing.png")
    (root / "alias_tea.png").symlink_to(root / "inside_tea.png")  # inside: fine
    library = AssetLibrary(root)
    assert [asset.rel for asset in library.assets] == ["alias_tea.png", "inside_tea.png"]
    assert library.find(["coffee"]) is None
    tea = library.find(["tea"])
    assert tea is not None and tea.tags == ()
