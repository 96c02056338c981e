"""Traces API → job row → worker → stages, and the samples worker processes leave behind.

The API's spans are caught in-process by the SDK's in-memory exporter; the worker's child
processes export over real OTLP/HTTP to a small receiver on loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from api_client import ApiClient, KeyMaker, auth
from jobs_fake_work import WORK
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.orm import Session

from aiprod.api import create_app
from aiprod.config import Settings
from aiprod.db.engine import make_engine
from aiprod.jobs.models import Job
from aiprod.jobs.worker import WorkerPool
from aiprod.observability.multiproc import MULTIPROC_ENV
from aiprod.observability.tracing import TRACE_KEY, make_tracer_provider, with_trace_context

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_PARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


class OtlpReceiver:
    """Records the spans POSTed to ``/v1/traces`` (OTLP/HTTP protobuf), like a collector."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/v1/traces":
                    receiver.record(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}
            for scope in resource.scope_spans:
                for span in scope.spans:
                    self.spans.append(
                        {
                            "name": span.name,
                            "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(),
                            "parent_id": span.parent_span_id.hex(),
                            "service": service.get("service.name"),
                        }
                    )


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def traced_api(
    settings: Settings, jobs_db_url: str, otlp_receiver: OtlpReceiver
) -> Iterator[tuple[ApiClient, Any]]:
    """An API client and the in-memory exporter that sees the API's spans (they are only
    recorded with an OTLP endpoint configured)."""
    traced = settings.model_copy(update={"otlp_endpoint": otlp_receiver.url})
    app = create_app(traced, database_url=jobs_db_url)
    exporter = InMemorySpanExporter()
    app.state.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    with start_blocking_portal() as portal:
        api = ApiClient(app, portal)
        yield api, exporter
        api.close()
    app.state.engine.dispose()


def stored_request(jobs_db_url: str, job_id: str) -> dict[str, Any]:
    engine = make_engine(jobs_db_url)
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        request, status = dict(job.request), job.status
    engine.dispose()
    return {**request, "_status": status}


def test_a_submission_continues_the_callers_trace_and_stores_it_with_the_job(
    traced_api: tuple[ApiClient, InMemorySpanExporter], make_key: KeyMaker, jobs_db_url: str
) -> None:
    api, exporter = traced_api
    key = make_key()
    headers = {**auth(key), "traceparent": CALLER_PARENT, "Idempotency-Key": "k-1"}
    created = api.post("/v1/jobs", json={"brief": "A bakery opens."}, headers=headers)
    assert created.status_code == 202, created.text
    (server,) = [s for s in exporter.get_finished_spans() if s.name == "POST /v1/jobs"]
    assert f"{server.context.trace_id:032x}" == CALLER_TRACE
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 202
    assert server.attributes["http.route"] == "/v1/jobs"
    stored = stored_request(jobs_db_url, created.json()["id"])[TRACE_KEY]
    assert stored["traceparent"] == f"00-{CALLER_TRACE}-{server.context.span_id:016x}-01"
    # the same submission from another trace is still an idempotent replay, not a conflict
    other = {**headers, "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    again = api.post("/v1/jobs", json={"brief": "A bakery opens."}, headers=other)
    assert again.status_code in (200, 202), again.text
    assert again.json()["id"] == created.json()["id"]
    assert TRACE_KEY not in api.get(f"/v1/jobs/{created.json()['id']}", headers=auth(key)).text


def test_worker_spans_join_the_api_trace_and_stage_samples_are_shared(
    traced_api: tuple[ApiClient, InMemorySpanExporter],
    make_key: KeyMaker,
    jobs_db_url: str,
    otlp_receiver: OtlpReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, exporter = traced_api
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    monkeypatch.setenv(MULTIPROC_ENV, str(metrics_dir))  # inherited by the spawned workers
    worker_settings = Settings(data_dir=tmp_path / "data", otlp_endpoint=otlp_receiver.url)
    key = make_key()
    spec = {"version": 1, "scenes": [{"title": "Hi", "narration": "Hello."}]}
    job_ids = [
        api.post("/v1/jobs", json={"spec": spec}, headers=auth(key)).json()["id"] for _ in "ab"
    ]
    review = {"brief": "Plan me, then wait.", "review": True}
    reviewed = api.post("/v1/jobs", json=review, headers=auth(key)).json()["id"]
    (post_span, _, _) = [s for s in exporter.get_finished_spans() if s.name == "POST /v1/jobs"]
    api_trace = f"{post_span.context.trace_id:032x}"
    pool = WorkerPool(
        jobs_db_url, settings=worker_settings, work=WORK, processes=1,
        lease_seconds=5.0, heartbeat_seconds=0.3, idle_sleep_s=0.1,
    )  # fmt: skip
    with pool:
        deadline = time.monotonic() + 60
        while any(stored_request(jobs_db_url, j)["_status"] != "succeeded" for j in job_ids) or (
            stored_request(jobs_db_url, reviewed)["_status"] != "awaiting_review"
        ):
            assert time.monotonic() < deadline, "jobs did not finish"
            time.sleep(0.1)
    attempts = [s for s in otlp_receiver.spans if s["name"] == "job.attempt"]
    assert len(attempts) == 3  # the review attempt's spans are sent before the worker ends it
    (plan,) = [s for s in otlp_receiver.spans if s["name"] == "stage plan"]
    assert plan["parent_id"] in {s["span_id"] for s in attempts}
    first = next(s for s in attempts if s["trace_id"] == api_trace)
    assert first["parent_id"] == f"{post_span.context.span_id:016x}"
    assert first["service"] == "aiprod-worker"
    stages = [s for s in otlp_receiver.spans if s["parent_id"] == first["span_id"]]
    assert [s["name"] for s in stages] == ["stage compose", "stage deliver"]
    assert stages[0]["trace_id"] == api_trace
    samples = worker_samples(metrics_dir)
    assert samples["aiprod_stage_duration_seconds_count", "compose"] == 2
    assert samples["aiprod_render_realtime_factor_count", ""] == 2
    # the two attempts' children took turns on one set of files (not one set per child)
    assert len(list(metrics_dir.glob("histogram_attempts_of_*.db"))) == 1


def worker_samples(metrics_dir: Path) -> dict[tuple[str, str], float]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))  # type: ignore[no-untyped-call]
    return {
        (sample.name, sample.labels.get("stage", "")): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


def test_without_an_endpoint_spans_record_nothing_but_keep_their_ids(tmp_path: Path) -> None:
    provider = make_tracer_provider(Settings(data_dir=tmp_path), service="aiprod-api")
    with provider.get_tracer("test").start_as_current_span("POST /v1/jobs") as span:
        assert not span.is_recording()  # cheap: the API's hot path makes one per request
        assert span.get_span_context().is_valid
        flags = with_trace_context({"brief": "x"})[TRACE_KEY]["traceparent"].rsplit("-", 1)[1]
        assert int(flags, 16) & 1 == 0  # propagated, marked "not sampled"
    provider.shutdown()
