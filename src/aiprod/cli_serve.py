"""`aiprod serve` (API + embedded worker processes) and `aiprod worker` (workers only)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from aiprod.config import load_settings
from aiprod.errors import AiprodError

err = Console(stderr=True, highlight=False, soft_wrap=True)
WorkersOpt = Annotated[int, typer.Option(min=0, max=32, help="embedded worker processes")]


def _refuse(exc: AiprodError) -> None:
    err.print(f"error: {exc}", markup=False)
    raise typer.Exit(1)


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port")] = 8000,
    workers: WorkersOpt = 2,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False,
) -> None:
    """Run the REST API with a pool of worker processes (embedded mode)."""
    import uvicorn

    from aiprod.api.app import create_app
    from aiprod.jobs.worker import WorkerPool

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        app = create_app(settings)
        pool = (
            None
            if no_worker or workers == 0
            else WorkerPool(settings.job_database_url, settings=settings, processes=workers)
        )
        if pool is not None:
            pool.start()
    except AiprodError as exc:
        _refuse(exc)
    err.print(
        f"aiprod: API on http://{host}:{port} with {0 if pool is None else workers} "
        "worker process(es)",
        markup=False,
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again through
    # the handler that was installed before it: make that ours, so the pool drains below.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if pool is not None:
            pool.stop()  # drain: running jobs finish or are released, never lost


def worker(workers: WorkersOpt = 1) -> None:
    """Run worker processes only (the API runs elsewhere against the same database)."""
    from aiprod.jobs.worker import WorkerPool

    settings = load_settings()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        pool = WorkerPool(settings.job_database_url, settings=settings, processes=workers)
        pool.start()
    except AiprodError as exc:
        _refuse(exc)
    err.print(f"aiprod: {workers} worker process(es) on the job database", markup=False)
    stop.wait()
    pool.stop()
