"""Observability: Prometheus metrics, structured JSON logs and OpenTelemetry traces.

    metrics.py   metric families observed in processes (no SQLAlchemy: children load it)
    db_metrics.py  job and webhook counts read from the database at scrape; /metrics body
    http.py      ASGI middleware: one server span and one timed sample per request
    logging.py   structlog over stdlib logging (uvicorn shares the format), secrets redacted
    tracing.py   tracer providers (OTLP/HTTP when configured), trace context stored with a job
    attempts.py  the worker side: a span per attempt, a span and a sample per stage

Nothing here reads the environment; settings come in as arguments (see docs/observability.md).
"""
