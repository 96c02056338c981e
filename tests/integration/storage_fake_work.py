"""Fake job work whose "render" writes real artifact files (video.mp4, captions, QA, …).

Used as ``WorkerPool(work="storage_fake_work:artifact_work")`` by the storage tests: the
worker then delivers these files to the configured artifact store. Everything else is
:class:`jobs_fake_work.FakeWork`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobs_fake_work import FakeWork

from aiprod.config import Settings
from aiprod.pipeline.progress import ProgressCallback

WORK = "storage_fake_work:artifact_work"
VIDEO_BYTES = bytes(range(256)) * 1024  # 256 KiB, every byte value
OUTPUTS = {
    "video.mp4": VIDEO_BYTES,
    "captions.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n",
    "qa.json": json.dumps({"passed": True}).encode(),
    "manifest.json": json.dumps({"outputs": ["video.mp4"]}).encode(),
}


class ArtifactWork(FakeWork):
    """:class:`FakeWork` that also writes :data:`OUTPUTS` into the job's folder."""

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
        summary = super().render(
            job_request,
            plan,
            out_dir=out_dir,
            settings=settings,
            on_progress=on_progress,
            estimate=estimate,
        )
        for name, data in OUTPUTS.items():
            (out_dir / name).write_bytes(data)
        return summary


artifact_work = ArtifactWork()
