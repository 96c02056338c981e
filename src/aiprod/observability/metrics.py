"""Prometheus metrics observed where they happen, summed over this host's processes.

    aiprod_http_requests_total{method,route,status}        route = the route template
    aiprod_http_request_duration_seconds{method,route}     histogram
    aiprod_stage_duration_seconds{stage}                   histogram, in worker processes
    aiprod_render_realtime_factor                          render seconds / video seconds

The job and webhook counts are read from the database at scrape time instead
(:mod:`aiprod.api.db_metrics`). This module stays light (no SQLAlchemy): every
attempt's child process imports it.

Several processes (``aiprod serve --http-workers N``, worker processes and their per-attempt
children) share samples through prometheus-client's multiprocess mode: the command that
starts them calls :func:`aiprod.observability.multiproc.use_multiprocess_dir` before
anything imports ``prometheus_client``; children inherit the variable it sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    values,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

UNMATCHED_ROUTE: Final = "unmatched"  # 404s on unknown paths: one series, not one per path

HTTP_REQUESTS = Counter(
    "aiprod_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "aiprod_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response starts streaming)",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
STAGE_DURATION = Histogram(
    "aiprod_stage_duration_seconds",
    "Wall time of one pipeline stage in one attempt",
    ["stage"],
    buckets=(0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0),
)
REALTIME_FACTOR = Histogram(
    "aiprod_render_realtime_factor",
    "Render wall time divided by the rendered video's duration (below 1: faster than real time)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
)


def multiprocess_active() -> bool:
    """True when this process writes its samples to a multiprocess folder."""
    return values.ValueClass is not values.MutexValue


def host_registry() -> CollectorRegistry:
    """A registry of this host's samples: every process's (multiprocess mode) or this one's."""
    registry = CollectorRegistry()
    if multiprocess_active():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ForwardCollector(REGISTRY))
    return registry


class _ForwardCollector(Collector):
    """This process's own registry, re-exposed next to the database collector."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterable[Metric]:
        return self.source.collect()


def serve_host_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Serve this host's samples on ``http://host:port/metrics`` from a daemon thread.

    For ``aiprod worker`` hosts: stage durations and real-time factors live in their
    processes; the job counts come from the API's ``/metrics``.
    """
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=host_registry())
