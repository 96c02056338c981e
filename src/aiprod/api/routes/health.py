"""``GET /health`` (the process answers) and ``GET /ready`` (it can do work)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from aiprod.api.readiness import check_readiness
from aiprod.api.schemas import Problem

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"model": Problem, "description": "not ready"}})
async def ready(request: Request) -> dict[str, str]:
    """Readiness: the database is reachable and migrated; FFmpeg and the offline providers
    (Piper voice, espeak-ng, FluidSynth + soundfont) are installed."""
    state = request.app.state
    checks = await run_in_threadpool(check_readiness, engine=state.engine, head=state.head)
    return {"status": "ok", **checks}
