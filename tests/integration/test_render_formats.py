"""One plan in several aspects: real renders at small sizes, one shared sound, and the CLI's
``--formats`` (its folders, its one-line errors, its flat single format, its estimate)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_aiprod as aiprod

from aiprod.config import Settings
from aiprod.media.ffmpeg.probe import probe
from aiprod.pipeline.formats import render_formats
from aiprod.pipeline.render import OUTPUT_FILES
from aiprod.spec.formats import parse_formats_option
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import Preset

SPEC = {
    "preset": "tiny",
    "music": {"mood": "upbeat"},
    "scenes": [
        {
            "title": "Bean There",
            "narration": "Fresh coffee, every week.",
            "sfx": [{"kind": "whoosh", "at": 0.1}],
        },
        {"title": "Order today", "narration": "Your first bag is free."},
    ],
}
TINY_PRESETS = (
    "tiny:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
    "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 96\n"
)


def audio_md5(video: Path) -> str:
    """The checksum of the encoded audio packets, as they are in the file."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:a", "-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_three_formats_share_one_sound_each_in_its_own_folder(
    tmp_path: Path, settings: Settings, tiny_preset: Preset
) -> None:
    out = tmp_path / "out"
    (out / "1x1").mkdir(parents=True)
    (out / "1x1" / "stale.txt").write_text("from an older render", encoding="utf-8")
    formats = parse_formats_option("9:16,1:1,16:9")
    family = render_formats(parse_spec(SPEC), tiny_preset, formats, out_dir=out, settings=settings)
    assert family.qa_passed
    assert sorted(p.name for p in out.iterdir()) == ["16x9", "1x1", "9x16", "formats.json"]
    sizes = {"9x16": (288, 512), "1x1": (288, 288), "16x9": (512, 288)}
    sounds, frames = set(), set()
    for folder, size in sizes.items():
        assert sorted(p.name for p in (out / folder).iterdir()) == sorted(OUTPUT_FILES)
        info = probe(out / folder / "video.mp4", count_frames=True)
        assert info.video is not None and info.audio is not None
        assert (info.video.width, info.video.height) == size
        frames.add(info.video.frames)
        sounds.add(audio_md5(out / folder / "video.mp4"))
        manifest = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["format"]["folder"] == folder
        assert (manifest["timeline"]["width"], manifest["timeline"]["height"]) == size
    assert len(sounds) == 1, "every format must carry the very same encoded audio"
    assert len(frames) == 1
    index = json.loads((out / "formats.json").read_text(encoding="utf-8"))
    assert [f["folder"] for f in index["formats"]] == ["9x16", "1x1", "16x9"]
    assert [(f["width"], f["height"]) for f in index["formats"]] == list(sizes.values())
    assert index["formats"][2]["files"][0] == "16x9/video.mp4"
    assert index["timing"]["total_frames"] == frames.pop()
    assert family.files()[0] == "formats.json" and "1x1/qa.json" in family.files()
    # shared stages priced once: the family costs less than three separate renders
    stages = {s["stage"]: s for s in index["cost"]["stages"]}
    assert stages["compose"]["units"] > 0 and "narration" in stages
    # nothing half-done is left: no staging folder, no work files, no stale folder
    assert not list(out.glob(".aiprod-*"))
    assert not (out / "1x1" / "stale.txt").exists()
    assert not settings.work_root.exists() or not any(settings.work_root.iterdir())


@pytest.fixture
def cli_files(tmp_path: Path) -> tuple[Path, Path]:
    presets = tmp_path / "presets.yaml"
    presets.write_text(TINY_PRESETS, encoding="utf-8")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    return spec, presets


@pytest.mark.parametrize(
    ("formats", "message"),
    [
        ("9:16,4:3", "error: --formats: unknown format '4:3' (known: 9:16, 1:1, 16:9)"),
        ("1:1,16:9,1x1", "error: --formats: format '1:1' is given twice"),
        (",", "error: --formats: no format given (known: 9:16, 1:1, 16:9)"),
    ],
)
@pytest.mark.parametrize("command", ["render", "estimate"])
def test_bad_formats_are_one_line_and_exit_2(
    tmp_path: Path, cli_files: tuple[Path, Path], command: str, formats: str, message: str
) -> None:
    spec, presets = cli_files
    args = [command, str(spec), "--presets-file", str(presets), "--formats", formats]
    if command == "render":
        args += ["--out", str(tmp_path / "o")]
    done = aiprod(*args, data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr.strip() == message
    assert not (tmp_path / "o").exists()


def test_estimate_with_formats_prices_the_pictures_per_format(
    tmp_path: Path, cli_files: tuple[Path, Path]
) -> None:
    spec, presets = cli_files

    def estimate(*extra: str) -> dict[str, object]:
        args = ["estimate", str(spec), "--presets-file", str(presets), "--json", *extra]
        done = aiprod(*args, data_dir=tmp_path / "data")
        assert done.returncode == 0, done.stderr
        found: dict[str, object] = json.loads(done.stdout)
        return found

    def stage(found: dict[str, object], name: str) -> float:
        stages = found["stages"]
        assert isinstance(stages, list)
        return float(next(s["seconds"] for s in stages if s["stage"] == name))

    one, three = estimate(), estimate("--formats", "9:16,1:1,16:9")
    assert stage(three, "narration") == stage(one, "narration")
    assert stage(three, "compose") > 2 * stage(one, "compose")
    assert float(str(three["total"])) > float(str(one["total"]))


def test_one_format_keeps_the_flat_folder_in_its_own_size(
    tmp_path: Path, cli_files: tuple[Path, Path]
) -> None:
    spec, presets = cli_files
    out = tmp_path / "o"
    args = ["render", str(spec), "--presets-file", str(presets), "--formats", "16:9"]
    done = aiprod(*args, "--out", str(out), data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    info = probe(out / "video.mp4")
    assert info.video is not None and (info.video.width, info.video.height) == (512, 288)
