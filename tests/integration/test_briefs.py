"""Brief in, finished video out: planning and rendering English, French and odd briefs."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.media.timeline import build_timeline
from aiprod.pipeline.manifest import picture_source
from aiprod.pipeline.narration import synthesise_scenes
from aiprod.pipeline.plan import PlanRequest, plan_from_brief
from aiprod.pipeline.render import Renderer
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

BEAN_THERE = (
    "30-second vertical ad for Bean There coffee, upbeat, mention organic beans and free delivery"
)
FRENCH = (
    "Publicité de 20 secondes pour Café Lumière, ton chaleureux : mettre en avant les grains "
    "bio et la livraison gratuite. Commandez sur cafelumiere.fr"
)
SYMBOLS = 'Promo "50% OFF" 🚀🔥 for <Acme™> — fast & secure!!! @acme #deal $$$ {x} \\n'
LONG = " ".join(["Our platform helps small teams plan projects, track time and share files."] * 180)


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    presets = tmp_path / "presets.yaml"
    presets.write_text(
        "small:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
        "  x264_preset: ultrafast\n  crf: 28\n  audio_bitrate_k: 128\n",
        encoding="utf-8",
    )
    return Settings(data_dir=tmp_path / "data", presets_file=presets)


def plan(
    brief: str, settings: Settings, tmp_path: Path, **options: object
) -> tuple[VideoSpec, Preset]:
    work = tmp_path / "plan-work"
    work.mkdir(exist_ok=True)
    return plan_from_brief(PlanRequest(brief=brief, preset="small", **options), settings, work)  # type: ignore[arg-type]


def length(spec: VideoSpec, preset: Preset, settings: Settings, tmp_path: Path) -> float:
    clips, _ = synthesise_scenes(spec, work_dir=tmp_path, cache_dir=settings.cache_dir)
    return float(build_timeline(spec, preset, [c.duration if c else None for c in clips]).duration)


def assert_good_production(spec: VideoSpec) -> None:
    assert len(spec.scenes) >= 3
    assert spec.music is not None and spec.music.mood is not None
    visuals = [picture_source(s.illustration) for s in spec.scenes if s.illustration]
    assert len(visuals) == len(spec.scenes)
    assert all(a != b for a, b in pairwise(visuals))
    backgrounds = [json.dumps(s.background.model_dump(), sort_keys=True) for s in spec.scenes]
    assert all(a != b for a, b in pairwise(backgrounds))
    assert all(s.narration.strip() for s in spec.scenes)


def test_bean_there_brief_is_planned_to_length(small: Settings, tmp_path: Path) -> None:
    spec, preset = plan(BEAN_THERE, small, tmp_path)
    assert_good_production(spec)
    assert spec.brand.name == "Bean There" and "Bean There" in spec.scenes[0].narration
    assert spec.music is not None and spec.music.mood == "upbeat"
    assert spec.brief is not None and spec.brief.key_points == ["organic beans", "free delivery"]
    assert abs(length(spec, preset, small, tmp_path) - 30.0) <= 3.0  # pacing within 10 %
    kinds = {c.kind for s in spec.scenes for c in s.sfx}
    assert {"whoosh", "pop", "riser", "impact"} <= kinds


@pytest.mark.parametrize("seconds", [15.0, 45.0])
def test_pacing_fits_other_durations(small: Settings, tmp_path: Path, seconds: float) -> None:
    spec, preset = plan(BEAN_THERE, small, tmp_path, duration_s=seconds)
    assert abs(length(spec, preset, small, tmp_path) - seconds) <= seconds * 0.1


def test_planning_is_deterministic(small: Settings, tmp_path: Path) -> None:
    first, _ = plan(BEAN_THERE, small, tmp_path)
    second, _ = plan(BEAN_THERE, small, tmp_path)
    assert first == second


@pytest.mark.parametrize(
    ("brief", "language"),
    [(BEAN_THERE, "en"), (FRENCH, "fr"), ("coffee", "en"), (SYMBOLS, "en"), (LONG, "en")],
    ids=["english", "french", "one-word", "symbols", "2000-words"],
)
def test_briefs_render_and_pass_qa(
    small: Settings, tmp_path: Path, brief: str, language: str
) -> None:
    spec, preset = plan(brief, small, tmp_path)
    assert spec.language == language
    assert_good_production(spec)
    result = Renderer(spec, preset, out_dir=tmp_path / "out", settings=small).run()
    assert result.qa.passed, result.qa.failures()
    assert result.qa.check("key_points").passed
    assert result.manifest["audio"]["music"]["source"] == "composed"
    markers = result.manifest["consistency"]
    assert len(markers["motion"]["gradient_speeds"]) == 1  # one motion style
    visuals = markers["visuals"]
    assert all(a != b for a, b in pairwise(visuals))


def test_plan_then_edit_then_render_through_the_cli(small: Settings, tmp_path: Path) -> None:
    env = {
        "AIPROD_DATA_DIR": str(small.data_dir),
        "PATH": "/usr/bin:/bin",
        "AIPROD_PRESETS_FILE": str(small.presets_file),
    }

    def aiprod(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )

    planned = aiprod("plan", "--brief", BEAN_THERE, "--preset", "small")
    assert planned.returncode == 0, planned.stderr
    manifest = json.loads(planned.stdout)
    assert manifest["cost"]["total"] > 0 and manifest["cost"]["eta_seconds"] > 0
    manifest.pop("cost")
    manifest["scenes"][0]["title"] = "Edited by a human"  # the review step
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    done = aiprod("render", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr[-2000:]
    rendered = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert rendered["spec"]["scenes"][0]["title"] == "Edited by a human"
    refused = aiprod(
        "render",
        "--brief",
        BEAN_THERE,
        "--preset",
        "small",
        "--budget",
        "0.0000001",
        "--out",
        str(tmp_path / "never"),
    )
    assert refused.returncode == 1 and "exceeds the budget" in refused.stderr
    assert not (tmp_path / "never").exists()
    estimate = aiprod("estimate", "--brief", BEAN_THERE, "--preset", "small", "--json")
    assert estimate.returncode == 0, estimate.stderr
    stages = {s["stage"] for s in json.loads(estimate.stdout)["stages"]}
    assert {"plan", "narration", "music", "sfx", "compose", "qa"} <= stages
