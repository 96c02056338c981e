"""OpenTelemetry traces: API request → job row → worker attempt → pipeline stages.

Each process builds its own :class:`TracerProvider` from settings (no global provider, so
tests and several apps in one process do not fight over it). Spans are exported over
OTLP/HTTP only when ``AIPROD_OTLP_ENDPOINT`` is set; otherwise they are not sampled: they
still carry trace and span ids (into the logs and the job) but record nothing, which costs a
fraction of a recorded span on the API's hot path.

The trace context crosses the queue inside the job's ``request`` JSON under the reserved key
:data:`TRACE_KEY` (a W3C ``traceparent``), written when the job row is created, so every
delivery and retry of the job continues the submitting request's trace. It is not part of
what the caller asked for: compare requests with :func:`without_trace_context`.
"""

from __future__ import annotations

from typing import Any, Final

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from aiprod.config import Settings

TRACE_KEY: Final = "_trace"
TRACER_NAME: Final = "aiprod"
PROPAGATOR: Final = TraceContextTextMapPropagator()


def make_tracer_provider(settings: Settings, *, service: str) -> TracerProvider:
    """A provider for one process; it exports to the OTLP endpoint when one is configured."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "aiprod"}),
        shutdown_on_exit=False,  # the owner flushes: a spawned child may be killed after
        # nowhere to export: spans keep their ids (logs, propagation) but record nothing
        sampler=None if settings.otlp_endpoint else ALWAYS_OFF,
    )
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def current_trace_ids() -> dict[str, str]:
    """``trace_id`` and ``span_id`` (hex) of the current span, when there is one."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


def with_trace_context(request: dict[str, Any]) -> dict[str, Any]:
    """``request`` plus the current trace context (unchanged when no span is current)."""
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier)
    if "traceparent" not in carrier:
        return request
    return {**request, TRACE_KEY: carrier}


def without_trace_context(request: dict[str, Any]) -> dict[str, Any]:
    """``request`` as the caller sent it (for idempotency comparisons)."""
    return {key: value for key, value in request.items() if key != TRACE_KEY}


def context_from_request(request: dict[str, Any]) -> Context:
    """The trace context stored with a job; an empty context (a new trace) when absent."""
    carrier = request.get(TRACE_KEY)
    if not isinstance(carrier, dict):
        return Context()
    return PROPAGATOR.extract({str(k): str(v) for k, v in carrier.items()})


def context_from_headers(headers: list[tuple[bytes, bytes]]) -> Context:
    """A caller's ``traceparent``/``tracestate`` headers, so its trace continues here."""
    carrier = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name in (b"traceparent", b"tracestate")
    }
    return PROPAGATOR.extract(carrier) if carrier else Context()
