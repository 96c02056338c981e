"""One server span and one timed sample per HTTP request (pure ASGI: streams pass through).

Labels use the matched route's template (``/v1/jobs/{job_id}``), never the raw path, so
job ids cannot explode the number of series; unknown paths share :data:`UNMATCHED_ROUTE`.
The span continues a caller's ``traceparent`` and is current while the route runs, so a
job submitted by this request stores its context. The request id is bound for the logs.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiprod.observability.metrics import HTTP_DURATION, HTTP_REQUESTS, UNMATCHED_ROUTE
from aiprod.observability.tracing import context_from_headers


def route_template(scope: Scope) -> str:
    """The template of the route that answered, or :data:`UNMATCHED_ROUTE`."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class HttpObservability:
    """Times each request, counts it by route template and status, and traces it."""

    def __init__(self, app: ASGIApp, *, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside a server span; record the sample when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope["method"])
        started = time.perf_counter()
        status = 500  # when the app fails before answering
        request_id = scope.get("state", {}).get("request_id")

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                route = route_template(scope)
                HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)
                HTTP_REQUESTS.labels(method, route, str(status)).inc()
            await send(message)

        parent = context_from_headers(list(scope.get("headers", [])))
        with (
            structlog.contextvars.bound_contextvars(request_id=request_id),
            self.tracer.start_as_current_span(
                method,
                context=parent,
                kind=SpanKind.SERVER,  # renamed once routed
            ) as span,
        ):
            span.set_attribute("http.request.method", method)
            if request_id:
                span.set_attribute("aiprod.request_id", str(request_id))
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = route_template(scope)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
