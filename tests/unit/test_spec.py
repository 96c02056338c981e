import json
from pathlib import Path

import pytest

from aiprod.errors import InvalidSpec
from aiprod.intake import load_spec
from aiprod.spec.load import parse_spec
from aiprod.spec.presets import BUILTIN_PRESETS, available_presets, load_preset_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_error_is_reported_at_once_with_its_path() -> None:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec(
            {
                "preset": "quick_social",
                "brand": {"colors": {"primary": "red"}},
                "scenes": [
                    {"narration": "hi", "background": {"type": "imag"}},
                    {"title": 3, "transition": {"type": "bogus"}},
                    {"narration": "ok", "duration": -1, "typo_field": 1},
                ],
            }
        )
    paths = {p.path for p in caught.value.problems}
    assert {
        "brand.colors.primary",
        "scenes.0.background",
        "scenes.1.title",
        "scenes.1.transition.type",
        "scenes.2.duration",
        "scenes.2.typo_field",
    } <= paths
    assert all(p.message for p in caught.value.problems)


def test_a_scene_needs_narration_or_a_duration() -> None:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec({"scenes": [{"title": "silent"}]})
    assert "needs a 'duration'" in str(caught.value)


def test_empty_scene_list_is_refused() -> None:
    with pytest.raises(InvalidSpec, match="scenes"):
        parse_spec({"scenes": []})


def test_unknown_preset_and_missing_files_are_listed_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
preset: nope
music: {path: missing.mp3}
scenes:
  - narration: hello
    background: {type: image, path: pics/none.png}
""",
    )
    with pytest.raises(InvalidSpec) as caught:
        load_spec(path)
    paths = [p.path for p in caught.value.problems]
    assert paths == ["preset", "scenes.0.background.path", "music.path"]
    messages = [p.message for p in caught.value.problems[1:]]
    assert messages == [  # named as written, not as resolved
        "file not found: pics/none.png (relative to the spec's folder)",
        "file not found: missing.mp3 (relative to the spec's folder)",
    ]
    assert not any(str(tmp_path) in message for message in messages)


def test_relative_paths_resolve_against_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "img.png").write_bytes(b"")
    path = write(
        tmp_path, "scenes:\n  - narration: hi\n    background: {type: image, path: img.png}\n"
    )
    spec, preset = load_spec(path)
    assert spec.scenes[0].background.path == str(tmp_path / "img.png")  # type: ignore[union-attr]
    assert preset.name == "quick_social"


def test_json_specs_load_too(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"scenes": [{"narration": "hi"}]}), "spec.json")
    spec, _ = load_spec(path)
    assert spec.scenes[0].narration == "hi"


@pytest.mark.parametrize(
    ("text", "needle"),
    [("scenes: [", "cannot parse"), ("- a\n- b\n", "mapping"), ("\xff", "UTF-8")],
)
def test_unreadable_documents_get_one_clear_problem(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InvalidSpec, match=needle):
        load_spec(path)


def test_builtin_presets_meet_the_issue_targets() -> None:
    presets = {p.name: p for p in BUILTIN_PRESETS}
    social = presets["quick_social"]
    assert (social.width, social.height, social.fps, social.loudness_lufs) == (
        1080,
        1920,
        "30",
        -14,
    )
    assert social.caption_style == "social"
    assert presets["brand_campaign"].loudness_lufs == -16
    assert presets["premium_spot"].loudness_lufs == -23
    assert presets["square_social"].width == presets["square_social"].height == 1080
    assert all(p.true_peak_dbtp <= -1 for p in BUILTIN_PRESETS)


def test_custom_presets_load_and_report_every_problem(tmp_path: Path) -> None:
    good = write(tmp_path, "story:\n  width: 720\n  height: 1280\n  loudness_lufs: -14\n", "p.yaml")
    assert available_presets(good)["story"].height == 1280
    bad = write(tmp_path, "a:\n  width: 721\n  height: 10\n  loudness_lufs: -14\n", "bad.yaml")
    with pytest.raises(InvalidSpec) as caught:
        load_preset_file(bad)
    assert {p.path for p in caught.value.problems} == {"a.width", "a.height"}


def test_a_preset_file_of_the_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    wrong = write(tmp_path, "presets:\n  - name: small\n    width: 540\n", "wrong.yaml")
    with pytest.raises(InvalidSpec) as caught:  # was a TypeError: an internal error
        load_preset_file(wrong)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("presets", "expected a preset's fields (a mapping)")
    ]


def test_the_demo_spec_is_valid() -> None:
    spec, preset = load_spec(EXAMPLES / "demo.yaml")
    assert len(spec.scenes) == 5 and preset.height > preset.width
