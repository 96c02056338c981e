"""One plan, every aspect: a spec rendered into several aspect ratios at once.

    prepare_audio (probe, narration, timing, sound, mix: once) ─▶ for each format:
    visuals ─▶ compose ─▶ qa ∥ thumbnail ─▶ manifest, in ``<out>/<9x16|1x1|16x9>/``
    ─▶ ``<out>/formats.json``

Every format hears the very same programme mix (one file, encoded alike), so narration,
music and timing match to the frame; only the picture is laid out again for its frame.
The whole family is written to a hidden staging folder and published together: a failed
render leaves no half family behind. As with one render, outputs that fail QA are still
published (for inspection) and QAFailed then names each format's failed checks.

A single format is not a family: callers render it flat with :func:`preset_for`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import QAFailed
from aiprod.pipeline.format_costs import cost_from_dict, merge_estimates
from aiprod.pipeline.manifest import write_json
from aiprod.pipeline.progress import ProgressSink, SilentProgress
from aiprod.pipeline.render import OUTPUT_FILES, PreparedAudio, Renderer
from aiprod.pipeline.stages.base import StageRecord
from aiprod.spec.formats import FORMATS_INDEX, OutputFormat, format_names
from aiprod.spec.model import VideoSpec
from aiprod.spec.presets import Preset

FORMATS_VERSION = 1


def preset_for(preset: Preset, fmt: OutputFormat) -> Preset:
    """``preset`` in the frame size of ``fmt`` (its short side kept); all else unchanged."""
    width, height = fmt.size_for(preset.width, preset.height)
    return preset.model_copy(update={"width": width, "height": height})


@dataclass(frozen=True)
class FormatOutcome:
    """One format of a family: where its files are and whether its QA passed."""

    format: OutputFormat
    width: int
    height: int
    files: list[str]  # relative to the family's folder: ``9x16/video.mp4``
    qa_failures: list[str]
    cost_actual: dict[str, Any] | None = None  # this format's render, shared stages included

    @property
    def qa_passed(self) -> bool:
        return not self.qa_failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format.name,
            "folder": self.format.folder,
            "width": self.width,
            "height": self.height,
            "qa_passed": self.qa_passed,
            "qa_failures": self.qa_failures,
            "files": self.files,
        }


@dataclass(frozen=True)
class FamilyResult:
    """A published family: its folder, each format's outcome, the ``formats.json`` data."""

    out_dir: Path
    outcomes: tuple[FormatOutcome, ...]
    index: dict[str, Any]

    @property
    def qa_passed(self) -> bool:
        return all(o.qa_passed for o in self.outcomes)

    def files(self) -> list[str]:
        """Every delivered file, relative to ``out_dir``; ``formats.json`` first."""
        return [FORMATS_INDEX, *(name for o in self.outcomes for name in o.files)]


class FormatProgress:
    """Forwards one format's stages; ``label`` names them (``compose 1x1``) for people."""

    def __init__(self, inner: ProgressSink, fmt: OutputFormat, *, label: bool) -> None:
        self.inner, self.suffix = inner, f" {fmt.folder}" if label else ""

    def stage_started(self, stage: str, total: float | None) -> None:
        self.inner.stage_started(stage + self.suffix, total)

    def stage_advanced(self, stage: str, done: float) -> None:
        self.inner.stage_advanced(stage + self.suffix, done)

    def stage_finished(self, stage: str, seconds: float) -> None:
        self.inner.stage_finished(stage + self.suffix, seconds)


def render_formats(
    spec: VideoSpec,
    preset: Preset,
    formats: Sequence[OutputFormat],
    *,
    out_dir: Path,
    settings: Settings,
    progress: ProgressSink | None = None,
    label_stages: bool = False,
    prior_stages: Sequence[StageRecord] = (),
) -> FamilyResult:
    """Render ``spec`` once per format into ``out_dir/<folder>/`` with one shared sound.

    Raises QAFailed (after publishing) when any format fails its QA gate.
    """
    sink = progress or SilentProgress()
    staging = out_dir / f".aiprod-formats-{uuid.uuid4().hex[:12]}"
    first = preset_for(preset, formats[0])
    lead = Renderer(
        spec, first, out_dir=staging, settings=settings, progress=sink, prior_stages=prior_stages
    )
    try:
        audio = lead.prepare_audio()  # the shared stages are reported as they are
        outcomes = tuple(
            _render_one(
                spec,
                preset,
                fmt,
                audio,
                staging,
                settings,
                FormatProgress(sink, fmt, label=label_stages),
            )
            for fmt in formats
        )
        index = formats_index(preset, audio, outcomes)
        write_json(staging / FORMATS_INDEX, index)
        _publish(staging, out_dir, outcomes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not settings.keep_work_files:
            shutil.rmtree(lead.work, ignore_errors=True)
    failures = [f"{o.format.name}: {r}" for o in outcomes for r in o.qa_failures]
    if failures:
        raise QAFailed(failures)
    return FamilyResult(out_dir, outcomes, index)


def _render_one(
    spec: VideoSpec,
    preset: Preset,
    fmt: OutputFormat,
    audio: PreparedAudio,
    staging: Path,
    settings: Settings,
    progress: ProgressSink,
) -> FormatOutcome:
    sized = preset_for(preset, fmt)
    folder = staging / fmt.folder
    renderer = Renderer(
        spec, sized, out_dir=folder, settings=settings, progress=progress, audio=audio
    )
    try:
        renderer.run()
        failures: list[str] = []
    except QAFailed as exc:  # its files are kept; the family reports it at the end
        failures = exc.reasons
    cost = _note_format(folder / "manifest.json", fmt, audio)
    files = [f"{fmt.folder}/{name}" for name in OUTPUT_FILES if (folder / name).is_file()]
    extra = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in OUTPUT_FILES)
    files += [f"{fmt.folder}/{name}" for name in extra if not name.startswith(".")]
    return FormatOutcome(fmt, sized.width, sized.height, files, failures, cost)


def _note_format(
    manifest_path: Path, fmt: OutputFormat, audio: PreparedAudio
) -> dict[str, Any] | None:
    """Record in the format's manifest which aspect it is and which mix it shares; the
    render's actual cost."""
    if not manifest_path.is_file():
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format"] = {
        "format": fmt.name,
        "folder": fmt.folder,
        "shared_audio_sha256": file_sha256(audio.mix),
    }
    write_json(manifest_path, manifest)
    cost = manifest.get("cost")
    actual = cost.get("actual") if isinstance(cost, dict) else None
    return actual if isinstance(actual, dict) else None


def _publish(staging: Path, out_dir: Path, outcomes: Sequence[FormatOutcome]) -> None:
    """Move each format's folder into place (replacing an older one), the index last."""
    for outcome in outcomes:
        folder = outcome.format.folder
        target = out_dir / folder
        if target.exists():
            target.replace(staging / f".previous-{folder}")  # removed with the staging folder
        (staging / folder).replace(target)
    (staging / FORMATS_INDEX).replace(out_dir / FORMATS_INDEX)


def formats_index(
    preset: Preset, audio: PreparedAudio, outcomes: Sequence[FormatOutcome]
) -> dict[str, Any]:
    """What ``formats.json`` says: the formats, their folders and files, the shared sound."""
    timeline = audio.timeline
    return {
        "formats_version": FORMATS_VERSION,
        "preset": preset.name,
        "formats": [o.to_dict() for o in outcomes],
        "timing": {
            "fps": str(timeline.fps),
            "total_frames": timeline.total_frames,
            "duration_s": float(timeline.duration),
        },
        "audio": {
            "shared_mix_sha256": file_sha256(audio.mix),
            "integrated_lufs": audio.loudness.integrated_lufs,
            "true_peak_dbtp": audio.loudness.true_peak_dbtp,
            "shared_stage_seconds": audio.stage_seconds,
        },
        "cost": family_cost(outcomes),
    }


def family_cost(outcomes: Sequence[FormatOutcome]) -> dict[str, Any] | None:
    """What the family cost: each format's own stages, the shared ones once."""
    costs = [o.cost_actual for o in outcomes]
    if not costs or any(c is None for c in costs):
        return None
    return merge_estimates([cost_from_dict(c) for c in costs if c is not None]).to_dict()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = [
    "FamilyResult",
    "FormatOutcome",
    "format_names",
    "preset_for",
    "render_formats",
]
