"""The CLI as a user runs it: one process per command, real exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_aiprod as aiprod

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "preset: quick_social\nscenes:\n"
        "  - narration: hi\n    background: {type: gradient, colors: ['#12']}\n"
        "  - title: 5\n    transition: {type: spin}\n    duration: -3\n",
        encoding="utf-8",
    )
    done = aiprod("validate", str(spec), data_dir=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    for path in (
        "scenes.0.background.colors",
        "scenes.1.title",
        "scenes.1.transition.type",
        "scenes.1.duration",
    ):
        assert path in done.stderr


def test_validate_accepts_the_demo(tmp_path: Path) -> None:
    done = aiprod("validate", str(EXAMPLES / "demo.yaml"), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "5 scene(s)" in done.stdout and "1080x1920" in done.stdout


def test_missing_spec_file_is_one_line(tmp_path: Path) -> None:
    done = aiprod(
        "render", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o"), data_dir=tmp_path
    )
    assert done.returncode == 2
    assert "file not found" in done.stderr and "Traceback" not in done.stderr


def test_corrupt_media_is_one_line_with_nonzero_exit(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "brand: {logo: logo.png}\nscenes:\n  - narration: Hello there.\n", encoding="utf-8"
    )
    done = aiprod("render", str(spec), "--out", str(tmp_path / "o"), data_dir=tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "logo.png" in errors[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o" / "video.mp4").exists()


def test_unknown_preset_override_is_refused(tmp_path: Path) -> None:
    done = aiprod(
        "render",
        str(EXAMPLES / "demo.yaml"),
        "--preset",
        "cinema",
        "--out",
        str(tmp_path / "o"),
        data_dir=tmp_path,
    )
    assert done.returncode == 2 and "unknown preset 'cinema'" in done.stderr


def test_presets_lists_builtins_and_custom_file(tmp_path: Path) -> None:
    custom = tmp_path / "presets.yaml"
    custom.write_text(
        "story:\n  width: 720\n  height: 1280\n  loudness_lufs: -14\n", encoding="utf-8"
    )
    done = aiprod("presets", "--file", str(custom), "--json", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    names = [p["name"] for p in json.loads(done.stdout)]
    assert names == ["quick_social", "square_social", "brand_campaign", "premium_spot", "story"]


def test_schema_is_json(tmp_path: Path) -> None:
    done = aiprod("schema", data_dir=tmp_path)
    assert done.returncode == 0
    assert json.loads(done.stdout)["title"] == "VideoSpec"


def test_a_wrong_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = aiprod("render", "--brief", "coffee", "--duration", "1", data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("error: ")
    assert "--duration" in done.stderr and "Traceback" not in done.stderr
