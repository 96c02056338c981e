"""The manifest: what the stages produced, as versioned JSON next to the outputs."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiprod import __version__
from aiprod.captions.cues import Cue
from aiprod.media.audio import LoudnessOutcome
from aiprod.media.timeline import Timeline, seconds_at
from aiprod.pipeline.sound import SoundPlan
from aiprod.providers.tts.base import SpeechClip
from aiprod.providers.tts.chain import voice_ledger
from aiprod.qa.report import QAReport
from aiprod.spec.model import Illustration, VideoSpec
from aiprod.spec.presets import Preset

MANIFEST_VERSION = 1


def _narration(timeline: Timeline, clips: list[SpeechClip | None]) -> list[dict[str, Any]]:
    out = []
    for slot, clip in zip(timeline.scenes, clips, strict=True):
        if clip is None:
            continue
        start = float(seconds_at(slot.narration_start, timeline.fps))
        out.append(
            {
                "scene": slot.index,
                "start_s": round(start, 3),
                "duration_s": round(clip.duration, 3),
                "words": [
                    {
                        "text": w.text,
                        "start_s": round(start + w.start, 3),
                        "end_s": round(start + w.end, 3),
                    }
                    for w in clip.words
                ],
                **({"voice": clip.provenance} if clip.provenance else {}),
            }
        )
    return out


def consistency_markers(spec: VideoSpec) -> dict[str, Any]:
    """What keeps the scenes one film: one palette, one type family, one motion style."""
    from aiprod.media.overlays import DEFAULT_FONT
    from aiprod.spec.model import GradientBackground

    speeds = sorted(
        {s.background.speed for s in spec.scenes if isinstance(s.background, GradientBackground)}
    )
    return {
        "palette": spec.brand.colors.model_dump(),
        "type_family": spec.brand.font or DEFAULT_FONT,
        "motion": {
            "gradient_speeds": speeds,
            "transitions": sorted({s.transition.type for s in spec.scenes[:-1] if s.transition}),
            "title_animation": "rise and fade",
        },
        "visuals": [picture_source(s.illustration) for s in spec.scenes],
    }


def picture_source(illustration: Illustration | None) -> str | None:
    """What a scene shows: 'icon:<name>' for an icon of the bundled set, the emoji, or the
    image path; None without a picture."""
    if illustration is None:
        return None
    if illustration.icon is not None:
        return f"icon:{illustration.icon}"
    return illustration.emoji or illustration.path


def _outputs(out_dir: Path) -> dict[str, int]:
    names = (
        "video.mp4",
        "thumbnail.jpg",
        "contact_sheet.jpg",
        "credits.txt",
        "captions.srt",
        "captions.vtt",
        "qa.json",
    )
    return {n: (out_dir / n).stat().st_size for n in names if (out_dir / n).exists()}


def build_manifest(
    *,
    spec: VideoSpec,
    preset: Preset,
    timeline: Timeline,
    clips: list[SpeechClip | None],
    tts: str | None,
    cues: list[Cue],
    qa: QAReport,
    stage_seconds: dict[str, float],
    loudness: LoudnessOutcome,
    sound: SoundPlan,
    out_dir: Path,
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "aiprod_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "spec": spec.model_dump(mode="json"),
        "preset": preset.model_dump(mode="json"),
        "timeline": timeline.to_dict(),
        "consistency": consistency_markers(spec),
        "narration": {
            "provider": tts,
            "clips": _narration(timeline, clips),
            **({"providers": ledger} if (ledger := voice_ledger(clips)) else {}),
        },
        "captions": [
            {"start_s": round(c.start, 3), "end_s": round(c.end, 3), "lines": list(c.lines)}
            for c in cues
        ],
        "audio": {
            "mix_first_pass": asdict(loudness.first_pass),
            "integrated_lufs": loudness.integrated_lufs,
            "true_peak_dbtp": loudness.true_peak_dbtp,
            "closing_correction_db": loudness.correction_db,
            "target_lufs": preset.loudness_lufs,
            "music": sound.music,
            "effects": sound.effects,
            **({"providers": sound.providers} if sound.providers else {}),
        },
        "qa": {
            "passed": qa.passed,
            "failures": qa.failures(),
            **({"vision": qa.vision} if qa.vision is not None else {}),
        },
        "stage_seconds": stage_seconds,
        "outputs": _outputs(out_dir),
    }


def write_json(path: Path, data: Any) -> None:
    """Write atomically: readers never see a half-written file."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(path)


__all__ = ["build_manifest", "write_json"]
