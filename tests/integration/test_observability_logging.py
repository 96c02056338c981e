"""Structured logs: one JSON object a line, ids from context, secrets masked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider

from aiprod.config import Settings
from aiprod.observability.logging import REDACTED, configure_logging, get_logger


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Configure logging into a buffer; put the process's logging back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    uvicorn = {name: logging.getLogger(name) for name in ("uvicorn", "uvicorn.access")}
    saved_uvicorn = {name: (list(lg.handlers), lg.propagate) for name, lg in uvicorn.items()}
    yield io.StringIO()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, (handlers, propagate) in saved_uvicorn.items():
        uvicorn[name].handlers, uvicorn[name].propagate = handlers, propagate
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_ids_and_never_secrets(log_stream: io.StringIO) -> None:
    configure_logging(Settings(log_format="json", access_log=True), stream=log_stream)
    tracer = TracerProvider().get_tracer("test")
    with (
        structlog.contextvars.bound_contextvars(request_id="req-1", job_id="job-1"),
        tracer.start_as_current_span("work") as span,
    ):
        logging.getLogger("uvicorn.access").info(
            '127.0.0.1 - "GET /v1/files/j/video.mp4?expires=9&signature=s3cr3tsig HTTP/1.1" 200'
        )
        get_logger("aiprod.test").warning(
            "calling provider", authorization="Bearer aip_abc_s3cr3tkey", attempt=2
        )
        logging.getLogger("aiprod.other").info("key aip_abc_s3cr3tkey was used", extra={"n": 1})
    access, provider, other = lines(log_stream)
    trace_id = f"{span.get_span_context().trace_id:032x}"
    for entry in (access, provider, other):
        assert entry["request_id"] == "req-1"
        assert entry["job_id"] == "job-1"
        assert entry["trace_id"] == trace_id
        assert entry["timestamp"].endswith("Z")
    assert access["logger"] == "uvicorn.access"
    assert access["level"] == "info"
    assert provider == {**provider, "level": "warning", "logger": "aiprod.test", "attempt": 2}
    assert provider["authorization"] == REDACTED
    assert other["n"] == 1
    assert "s3cr3t" not in log_stream.getvalue()


def test_no_access_log_unless_asked(log_stream: io.StringIO) -> None:
    """uvicorn logs each request whenever its access logger has a handler, here or above."""
    configure_logging(Settings(log_format="json"), stream=log_stream)
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").hasHandlers()
    configure_logging(Settings(log_format="json", access_log=True), stream=log_stream)
    assert logging.getLogger("uvicorn.access").hasHandlers()


def test_console_format_and_level_come_from_settings(log_stream: io.StringIO) -> None:
    configure_logging(Settings(log_format="console", log_level="WARNING"), stream=log_stream)
    logging.getLogger("aiprod.test").info("too chatty")
    logging.getLogger("aiprod.test").warning("disk nearly full", extra={"free_gb": 3})
    output = log_stream.getvalue()
    assert "too chatty" not in output
    assert "disk nearly full" in output
    assert "free_gb=3" in output
    assert not output.startswith("{")
