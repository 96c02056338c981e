"""The FastAPI application factory: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from aiprod.api.errors import install_error_handlers
from aiprod.api.limits import MAX_BODY_BYTES, BodySizeLimit
from aiprod.api.routes import health, jobs, presets
from aiprod.config import Settings
from aiprod.jobs.db import ensure_migrated, head_revision, make_engine, make_session_factory
from aiprod.jobs.errors import database_errors


def create_app(
    settings: Settings, *, database_url: str | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """Build the API over the job database; refuse an unmigrated or unreachable one.

    Raises :class:`~aiprod.jobs.errors.UnmigratedDatabase` or
    :class:`~aiprod.jobs.errors.DatabaseUnavailable`, so ``aiprod serve`` can say why.
    """
    url = database_url or settings.job_database_url
    with database_errors():
        ensure_migrated(url)
    engine = make_engine(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="AIPROD",
        version="1",
        summary="Turn briefs and specs into rendered videos.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.head = head_revision()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    for router in (health.router, presets.router, jobs.router):
        app.include_router(router)
    return app
