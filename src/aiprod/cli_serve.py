"""`aiprod serve` (API + embedded worker processes) and `aiprod worker` (workers only)."""

from __future__ import annotations

import gc
import os
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from aiprod.config import load_settings
from aiprod.errors import AiprodError
from aiprod.observability.multiproc import use_multiprocess_dir
from aiprod.webhooks.listener import register as register_webhook_listener

if TYPE_CHECKING:
    from fastapi import FastAPI

    from aiprod.config import Settings
    from aiprod.jobs.outbox import OutboxRelay
    from aiprod.webhooks.dispatcher import WebhookDispatcher

err = Console(stderr=True, highlight=False, soft_wrap=True)
WorkersOpt = Annotated[int, typer.Option(min=0, max=32, help="embedded worker processes")]
HttpWorkersOpt = Annotated[
    int, typer.Option(min=1, max=32, help="API processes sharing the port (one per core)")
]


def _refuse(exc: AiprodError) -> None:
    err.print(f"error: {exc}", markup=False)
    raise typer.Exit(1)


def build_app() -> FastAPI:
    """The API and the studio from the environment's settings: the factory each HTTP worker
    process calls."""
    from aiprod.observability.logging import configure_logging
    from aiprod.web import create_app

    settings = load_settings()
    configure_logging(settings)  # each HTTP worker process logs in the configured format
    app = create_app(settings)
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise stop the process for ~50 ms under load (measured).
    gc.freeze()
    return app


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port")] = 8000,
    workers: WorkersOpt = 2,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False,
    http_workers: HttpWorkersOpt = 1,
    access_log: Annotated[bool, typer.Option(help="log every request")] = False,
) -> None:
    """Run the REST API with a pool of worker processes (embedded mode).

    With a broker configured (scale-out) there is no pool: the outbox relay runs instead.
    """
    import uvicorn

    from aiprod.api.http_protocol import HTTP_PROTOCOL, WS_PROTOCOL
    from aiprod.jobs.pool_owner import OwnedWorkerPool

    if access_log:  # HTTP worker processes read their settings from the environment
        os.environ["AIPROD_ACCESS_LOG"] = "true"
    settings = load_settings()
    register_webhook_listener()  # job changes in this process and its workers queue webhooks
    access_log = settings.access_log
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # before anything loads prometheus_client; HTTP and worker processes inherit it
    use_multiprocess_dir(settings.metrics_path, clear=True)
    try:
        app = build_app()  # also with several HTTP workers: refuse a bad database here, once
        pool = (
            None
            if no_worker or workers == 0 or settings.scale_out
            else OwnedWorkerPool(settings, processes=workers)  # one pool per data dir
        )
        if pool is not None:
            pool.start()
        relay = _start_relay(settings)
        webhooks = _start_webhooks(settings)
    except AiprodError as exc:
        _refuse(exc)
    dispatch = (
        f"the outbox relay to queue {settings.broker_queue}"
        if relay is not None
        else f"{0 if pool is None else workers} worker process(es)"
    )
    err.print(
        f"aiprod: API on http://{host}:{port} ({http_workers} HTTP process(es)) with {dispatch}",
        markup=False,
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again through
    # the handler that was installed before it: make that ours, so the pool drains below.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    if http_workers > 1:
        app.state.engine.dispose()  # each HTTP worker process builds its own app
    try:
        uvicorn.run(
            "aiprod.cli_serve:build_app" if http_workers > 1 else app,
            factory=http_workers > 1,
            workers=http_workers,
            host=host,
            port=port,
            log_level="info" if access_log else "warning",
            log_config=None,  # our JSON/console format (aiprod.observability.logging)
            access_log=access_log,
            # client address and scheme: only from settings.trusted_proxies (aiprod.api.security)
            proxy_headers=False,
            server_header=False,
            http=HTTP_PROTOCOL,  # its parser's own 400s are problem+json too
            ws=WS_PROTOCOL,  # and so are refused WebSocket handshakes
            # live feeds end on SIGTERM (aiprod.jobs.live); cut whatever is still open after this
            timeout_graceful_shutdown=settings.shutdown_grace_s,
            # uvicorn pings each HTTP worker and kills one that does not answer in time; a
            # worker still importing the app on a busy 2-core host missed the 5 s default
            # and was killed and restarted in a loop (seen at load 12-20)
            timeout_worker_healthcheck=30,
        )
    finally:
        if webhooks is not None:
            webhooks.stop()
        if relay is not None:
            relay.stop()
        if pool is not None:
            pool.stop()  # drain: running jobs finish or are released, never lost


def _start_relay(settings: Settings) -> OutboxRelay | None:
    """Scale-out: publish the job outbox to the broker (and reap expired leases)."""
    if not settings.scale_out:
        return None
    from aiprod.jobs.celery_app import start_relay

    return start_relay(settings)


def _start_webhooks(settings: Settings) -> WebhookDispatcher | None:
    """Send due webhook deliveries from this process; dispatchers share the database safely."""
    if not settings.webhook_dispatcher:
        return None
    from aiprod.webhooks.dispatcher import DispatchConfig, start_dispatcher

    return start_dispatcher(settings.job_database_url, DispatchConfig.from_settings(settings))


def _observe_worker(settings: Settings) -> None:
    """Logs in the configured format; metrics shared by this host's worker processes."""
    from aiprod.observability.logging import configure_logging

    use_multiprocess_dir(settings.metrics_path, clear=True)  # before prometheus_client loads
    configure_logging(settings)
    if settings.worker_metrics_port is not None:
        from aiprod.observability.metrics import serve_host_metrics

        serve_host_metrics(settings.worker_metrics_port)


def worker(workers: WorkersOpt = 1) -> None:
    """Run worker processes only (the API runs elsewhere against the same database).

    With a broker configured: a Celery worker with ``--workers`` pool processes.
    """
    from aiprod.jobs.pool_owner import OwnedWorkerPool

    settings = load_settings()
    register_webhook_listener()  # job changes in this process and its workers queue webhooks
    _observe_worker(settings)
    if settings.scale_out:
        from aiprod.jobs.celery_app import run_worker

        webhooks = _start_webhooks(settings)
        try:
            run_worker(settings, concurrency=workers)
        except AiprodError as exc:
            _refuse(exc)
        finally:
            if webhooks is not None:
                webhooks.stop()
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        pool = OwnedWorkerPool(settings, processes=workers)  # one pool per data dir
        pool.start()
        webhooks = _start_webhooks(settings)
    except AiprodError as exc:
        _refuse(exc)
    err.print(f"aiprod: {workers} worker process(es) on the job database", markup=False)
    stop.wait()
    if webhooks is not None:
        webhooks.stop()
    pool.stop()
