"""Real pipeline work whose first render fails in compose (an injected FFmpeg failure):
the retry must resume there. Importable by the worker's spawned children."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiprod.config import Settings
from aiprod.errors import FFmpegError
from aiprod.jobs.runner import PipelineWork
from aiprod.pipeline.progress import ProgressCallback

WORK = "stages_fail_work:compose_fails_once"
MARKER = "compose-failed-once"


class ComposeFailsOnce(PipelineWork):
    """The first render of a data directory fails in compose; the others are real."""

    def render(
        self,
        job_request: dict[str, Any],
        plan: dict[str, Any] | None,
        *,
        out_dir: Path,
        settings: Settings,
        on_progress: ProgressCallback,
        estimate: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        marker = settings.data_dir / MARKER
        if not marker.exists():
            marker.write_text("1", encoding="utf-8")
            from aiprod.pipeline.render import Renderer

            def broken(*args: Any, **kwargs: Any) -> float:
                raise FFmpegError(["ffmpeg", "-i", "injected"], 1, "injected compose failure")

            Renderer._compose = broken  # type: ignore[method-assign]  (this child only)
        return super().render(
            job_request,
            plan,
            out_dir=out_dir,
            settings=settings,
            on_progress=on_progress,
            estimate=estimate,
        )


compose_fails_once = ComposeFailsOnce()
