"""The worker side of tracing and metrics: a span per attempt, a span and a sample per stage.

Used in the per-attempt child process (:func:`aiprod.jobs.runner.child_main`), around the
work. Stages are read from the work's progress reports (a new stage name ends the previous
stage), so every work function is observed the same way, fakes included. The attempt span
continues the trace stored with the job at submission (:mod:`aiprod.observability.tracing`).

Spans are flushed when the attempt ends, before the child reports its outcome (or sends
the plan that stops it for review): the worker may kill the child as soon as it has that.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from aiprod.config import Settings
from aiprod.observability.multiproc import reuse_files_of
from aiprod.observability.tracing import TRACER_NAME, context_from_request, make_tracer_provider
from aiprod.pipeline.progress import PLAN_STAGE, ProgressCallback

FLUSH_TIMEOUT_MS: Final = 3000
T = TypeVar("T")


class AttemptObserver:
    """Turns progress reports into stage spans and duration samples; times the render."""

    def __init__(self, provider: TracerProvider, attempt_span: Span) -> None:
        from aiprod.observability import metrics  # after reuse_files_of: see its docstring

        self.metrics = metrics
        self.provider = provider
        self.finished = False
        self.tracer = provider.get_tracer(TRACER_NAME)
        self.attempt_span = attempt_span
        self.stage: tuple[str, Span, float] | None = None
        self.render_started: float | None = None

    def progress(self, forward: ProgressCallback) -> ProgressCallback:
        """A progress callback that observes stages, then calls ``forward``."""

        def observed(stage: str, fraction: float) -> None:
            self.enter_stage(stage)
            forward(stage, fraction)

        return observed

    def enter_stage(self, name: str) -> None:
        """Start timing ``name`` unless it is already the current stage."""
        if self.stage is not None and self.stage[0] == name:
            return
        self.end_stage()
        now = time.perf_counter()
        if name != PLAN_STAGE and self.render_started is None:
            self.render_started = now
        context = trace.set_span_in_context(self.attempt_span)
        span = self.tracer.start_span(f"stage {name}", context=context)
        span.set_attribute("aiprod.stage", name)
        self.stage = (name, span, now)

    def end_stage(self, error: BaseException | None = None) -> None:
        """End the current stage's span and record its duration."""
        if self.stage is None:
            return
        name, span, started = self.stage
        self.stage = None
        self.metrics.STAGE_DURATION.labels(name).observe(time.perf_counter() - started)
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()

    def finish(self) -> None:
        """End the open spans and send them (once); the worker may kill the child next."""
        if self.finished:
            return
        self.finished = True
        self.end_stage()
        self.attempt_span.end()
        self.provider.force_flush(FLUSH_TIMEOUT_MS)

    def flushed_before(self, forward: Callable[[T], None]) -> Callable[[T], None]:
        """``forward``, called after :meth:`finish`: for the message that ends the attempt."""

        def finish_then_forward(value: T) -> None:
            self.finish()
            forward(value)

        return finish_then_forward

    def rendered(self, result: dict[str, Any] | None) -> None:
        """Record the real-time factor of a finished render (None: stopped for review)."""
        self.end_stage()
        video_s = (result or {}).get("duration_s")
        if self.render_started is None or not isinstance(video_s, int | float) or video_s <= 0:
            return
        factor = (time.perf_counter() - self.render_started) / float(video_s)
        self.metrics.REALTIME_FACTOR.observe(factor)
        self.attempt_span.set_attribute("aiprod.realtime_factor", factor)


@contextmanager
def observe_attempt(
    request: dict[str, Any], *, job_id: str, kind: str, settings: Settings
) -> Iterator[AttemptObserver]:
    """Trace one attempt as a child of the job's stored trace; flush spans when it ends."""
    reuse_files_of(f"attempts_of_{os.getppid()}")  # one set of files per worker, not per child
    provider = make_tracer_provider(settings, service="aiprod-worker")
    tracer = provider.get_tracer(TRACER_NAME)
    span = tracer.start_span(
        "job.attempt", context=context_from_request(request), kind=SpanKind.CONSUMER
    )
    span.set_attribute("aiprod.job_id", job_id)
    span.set_attribute("aiprod.job_kind", kind)
    observer = AttemptObserver(provider, span)
    try:
        yield observer
    except BaseException as exc:
        observer.end_stage(exc)
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        observer.finish()
