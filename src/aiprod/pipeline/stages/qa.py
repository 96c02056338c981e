"""QA: the video measured against the preset and the plan; thumbnail and contact sheet."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiprod.media.contact_sheet import SHEET_NAME
from aiprod.pipeline.stages.cache import CacheEntry, provider_settings
from aiprod.pipeline.stages.context import RenderContext
from aiprod.pipeline.stages.toolchain import ffmpeg_version
from aiprod.qa.report import QACheck, QAReport

FILES = ("qa.json", "thumbnail.jpg", SHEET_NAME)


def report_from_dict(data: dict[str, Any]) -> QAReport:
    """A report as ``QAReport.to_dict`` wrote it."""
    checks = [
        QACheck(
            name=c["name"],
            passed=bool(c["passed"]),
            measured=c["measured"],
            threshold=c["threshold"],
            unit=c.get("unit", ""),
            detail=c.get("detail", ""),
        )
        for c in data["checks"]
    ]
    report = QAReport.from_checks(checks, data.get("elapsed_s"))
    vision = data.get("vision")
    return replace(report, vision=vision) if isinstance(vision, dict) else report


class QAStage:
    """Inputs: the video (the compose key), the preset, the spec, the narration (words and
    timings) and the design section."""

    name = "qa"
    version = 1

    def __init__(self, check: Callable[[], QAReport], design: dict[str, Any] | None) -> None:
        self.check = check  # measures out_dir/video.mp4, writes qa.json and the pictures
        self.design = design

    def provider(self, ctx: RenderContext, out: QAReport) -> str | None:
        vision = (out.vision or {}).get("provider") if out.vision else None
        return f"aiprod qa+{vision}" if vision else "aiprod qa"

    def inputs(self, ctx: RenderContext) -> dict[str, Any]:
        return {
            "from": {n: ctx.keys.get(n) for n in ("narration", "compose")},
            "spec": ctx.spec.model_dump(mode="json"),
            "preset": ctx.preset.model_dump(mode="json"),
            # the layout engine's own time is not an input
            "design": {k: v for k, v in (self.design or {}).items() if k != "stage_s"},
            "vision": provider_settings(ctx.settings, "vision_", "provider_budget"),
            "ffmpeg": ffmpeg_version(),  # loudness, frames and the thumbnail are measured by it
        }

    def compute(self, ctx: RenderContext) -> QAReport:
        return self.check()

    def save(
        self, out: QAReport, ctx: RenderContext
    ) -> tuple[dict[str, Any], dict[str, Path]] | None:
        if (out.vision or {}).get("status") == "unavailable":  # try the model again next time
            return None
        made = {n: ctx.out_dir / n for n in FILES if (ctx.out_dir / n).is_file()}
        return {}, made

    def load(self, entry: CacheEntry, ctx: RenderContext) -> QAReport:
        for name in entry.record["files"]:
            shutil.copyfile(entry.path(name), ctx.out_dir / name)
        return report_from_dict(json.loads(entry.path("qa.json").read_text(encoding="utf-8")))
