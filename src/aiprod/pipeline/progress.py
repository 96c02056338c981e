"""Progress reporting as a hook around stages: the pipeline never prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

ProgressCallback = Callable[[str, float], None]
"""A job's progress report: (stage name, fraction of that stage done)."""

PLAN_STAGE = "plan"  # the stage before the render stages: brief to plan (and the review gate)

STAGES: tuple[str, ...] = (
    "probe",
    "narration",
    "timeline",
    "sound",
    "audio",
    "visuals",
    "compose",
    "qa",
    "deliver",
)
FORMAT_STAGES_FROM = "visuals"  # this stage and the ones after it run once per format


class ProgressSink(Protocol):
    def stage_started(self, stage: str, total: float | None) -> None: ...

    def stage_advanced(self, stage: str, done: float) -> None: ...

    def stage_finished(self, stage: str, seconds: float) -> None: ...


class SilentProgress:
    def stage_started(self, stage: str, total: float | None) -> None:
        pass

    def stage_advanced(self, stage: str, done: float) -> None:
        pass

    def stage_finished(self, stage: str, seconds: float) -> None:
        pass


@dataclass
class StageClock:
    """Times stages and forwards start/finish to a sink."""

    sink: ProgressSink
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, total: float | None = None) -> Iterator[None]:
        started = time.perf_counter()
        self.sink.stage_started(name, total)
        yield
        elapsed = time.perf_counter() - started
        self.seconds[name] = round(self.seconds.get(name, 0.0) + elapsed, 3)
        self.sink.stage_finished(name, elapsed)
