"""The FastAPI application factory: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from aiprod.api.docs import install_docs
from aiprod.api.errors import install_error_handlers
from aiprod.api.limits import MAX_BODY_BYTES, BodySizeLimit
from aiprod.api.ratelimit import build_rate_limiter, install_rate_limits
from aiprod.api.request_id import RequestId
from aiprod.api.routes import artifacts, health, jobs, live, presets
from aiprod.api.routes.batches import router as batches_router
from aiprod.api.routes.brand_kits import router as brand_kits_router
from aiprod.api.routes.estimate import router as estimate_router
from aiprod.api.routes.exports import router as exports_router
from aiprod.api.routes.metrics import router as metrics_router
from aiprod.api.routes.previews import router as previews_router
from aiprod.api.routes.uploads import UPLOADS_PATH, upload_body_limit
from aiprod.api.routes.uploads import router as uploads_router
from aiprod.api.routes.webhooks import jobs_router as job_webhooks_router
from aiprod.api.routes.webhooks import router as webhooks_router
from aiprod.api.security import install_edge_security
from aiprod.auth.key_cache import VerifiedKeyCache
from aiprod.auth.tokens import TokenVerifier
from aiprod.config import Settings
from aiprod.db.engine import (
    ensure_migrated,
    head_revision,
    make_engine,
    make_session_factory,
    read_only_engine,
)
from aiprod.db.errors import database_errors
from aiprod.jobs.live import LiveFeeds, close_feeds_on_exit_signals
from aiprod.jobs.pg_reads import PgJobReader
from aiprod.jobs.queue_snapshot import QueueSnapshot
from aiprod.observability.http import HttpObservability
from aiprod.observability.tracing import TRACER_NAME, make_tracer_provider
from aiprod.storage import check_storage_settings
from aiprod.webhooks.listener import register as register_webhook_listener


def create_app(
    settings: Settings, *, database_url: str | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """Build the API over the job database; refuse an unmigrated or unreachable one.

    Raises :class:`~aiprod.db.errors.UnmigratedDatabase`,
    :class:`~aiprod.db.errors.DatabaseUnavailable` or
    :class:`~aiprod.storage.StorageConfigInvalid`, so ``aiprod serve`` can say why.
    """
    url = database_url or settings.job_database_url
    register_webhook_listener()  # job changes made through the API queue their webhooks
    check_storage_settings(settings)  # a bad AIPROD_STORAGE_URL: refused here, in one line
    with database_errors():
        ensure_migrated(url)
    engine = make_engine(url)
    live_feeds = LiveFeeds()
    tracer_provider = make_tracer_provider(settings, service="aiprod-api")
    rate_limiter = build_rate_limiter(settings)
    # job reads on the event loop (PostgreSQL); SQLite reads go through the engine
    pg_job_reader = PgJobReader(engine) if engine.dialect.name == "postgresql" else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with close_feeds_on_exit_signals(live_feeds):  # open SSE/WS feeds end on SIGTERM
            yield
        if pg_job_reader is not None:
            await pg_job_reader.aclose()
        engine.dispose()
        tracer_provider.shutdown()  # flushes the last spans
        if rate_limiter is not None:
            await rate_limiter.aclose()

    app = FastAPI(
        title="AIPROD",
        version="1",
        summary="Turn briefs and specs into rendered videos.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's pages load from a CDN; install_docs serves them offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = make_session_factory(engine, read_only=True)
    app.state.read_engine = read_only_engine(engine)
    app.state.pg_job_reader = pg_job_reader
    app.state.head = head_revision()
    app.state.live_feeds = live_feeds
    app.state.token_verifier = TokenVerifier(settings)  # bearer JWTs; off unless configured
    app.state.key_cache = VerifiedKeyCache(settings.api_key_cache_s)  # see its docstring
    # queue positions for GET job, refreshed in the background
    app.state.queue_snapshot = QueueSnapshot(max_age_s=1.0, engine=app.state.read_engine)
    install_error_handlers(app)
    install_docs(app)
    uploads_limit = {UPLOADS_PATH: upload_body_limit(settings)}  # uploads: their own cap
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, path_limits=uploads_limit)
    install_rate_limits(app, rate_limiter)  # per client IP: before authentication
    install_edge_security(app, settings)  # CORS, security headers, trusted proxies
    tracer = tracer_provider.get_tracer(TRACER_NAME)
    app.state.tracer_provider = tracer_provider
    app.add_middleware(HttpObservability, tracer=tracer)  # metrics, server span, log ids
    app.add_middleware(RequestId)  # outermost: even a 413 carries the request id
    for router in (health.router, presets.router, jobs.router, live.router, artifacts.router):
        app.include_router(router)
    for router in (estimate_router, exports_router, batches_router, metrics_router):
        app.include_router(router)
    for router in (webhooks_router, job_webhooks_router):
        app.include_router(router)
    app.include_router(uploads_router)
    app.include_router(brand_kits_router)
    app.include_router(previews_router)
    return app
