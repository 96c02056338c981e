"""Live progress of one job: ``GET /v1/jobs/{id}/events`` (SSE) and ``WS /v1/jobs/{id}/ws``.

Thin: authenticate, check that the caller may see the job, relay the events of
:mod:`aiprod.jobs.live`. Both end after the ``end`` event, or when the server shuts down.

SSE: ``event: status|progress|end``, JSON ``data``; status events carry ``id:`` (their
history row), so ``Last-Event-ID`` resumes without gaps or repeats. Refusals (401, 403,
404) are problem+json answers, sent before the stream starts.

WebSocket: messages ``{"event": …, "id": …, "data": …}``. The key comes from
``Authorization: Bearer <key>`` or, for browsers, the subprotocol pair
``aiprod.v1, bearer.<key>`` (answered with ``aiprod.v1``). The handshake is accepted, then a
refusal closes it with 4000 + the HTTP status of the same error in
:mod:`aiprod.api.errors` (4401 no or bad key, 4403 missing scope, 4404 no such job):
browsers cannot read the status of a refused handshake, but they can read a close code.
Close codes: 1000 after ``end``, 1012 (service restart) when the server shuts down.
``?last_event_id=N`` resumes like SSE's ``Last-Event-ID``; both take 0 to 2**31 - 1 (another
value: SSE answers 422, the WebSocket closes with 4422 and a reason). Idle WebSockets are kept
alive by uvicorn's protocol pings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterable
from contextlib import aclosing, suppress
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Request, WebSocket
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import State
from starlette.websockets import WebSocketDisconnect

from aiprod.api.deps import ReaderDep, SessionDep, authenticate, check_scope
from aiprod.api.errors import problem_kind
from aiprod.api.schemas import JobPublic, problem_responses
from aiprod.auth import JOBS_READ
from aiprod.config import Settings
from aiprod.jobs import live, services
from aiprod.jobs.models import Job

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
logger = logging.getLogger(__name__)
SUBPROTOCOL = "aiprod.v1"
BEARER_SUBPROTOCOL = "bearer."
CLOSE_DONE, CLOSE_RESTART, CLOSE_REFUSED_BASE = 1000, 1012, 4000
SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "a stream of status, progress and end events"},
    **problem_responses(401, 403, 404, 422, 503),
}


def public_view(job: Job) -> dict[str, Any]:
    """The job as the ``end`` event shows it: the same view as ``GET /v1/jobs/{id}``."""
    return JobPublic.of(job).model_dump(mode="json")


def _visible_job(job_id: str, principal: ReaderDep, session: SessionDep) -> str:
    """The id of a job the caller may see; 404 before any stream starts."""
    return services.get_job(session, principal=principal, job_id=job_id).id


def _feed(state: State, job_id: str, after_id: int) -> live.JobFeed:
    return live.JobFeed(state.session_factory, job_id, public_view, after_id=after_id)


def _follow(state: State, feed: live.JobFeed) -> AsyncGenerator[live.LiveEvent | None, None]:
    settings: Settings = state.settings
    return live.follow(
        feed,
        poll_s=settings.events_poll_s,
        keepalive_s=settings.events_keepalive_s,
        feeds=state.live_feeds,
    )


@router.get("/{job_id}/events", response_class=EventSourceResponse, responses=SSE_RESPONSES)
async def job_events(
    request: Request,
    job_id: Annotated[str, Depends(_visible_job)],
    last_event_id: Annotated[int | None, Header(ge=0, le=live.MAX_EVENT_ID)] = None,
) -> AsyncIterable[ServerSentEvent]:
    """Follow a job as Server-Sent Events until it ends (keep-alive comments while idle)."""
    feed = _feed(request.app.state, job_id, last_event_id or 0)
    async with aclosing(_follow(request.app.state, feed)) as events:
        async for event in events:
            if event is None:
                yield ServerSentEvent(comment="keep-alive")
            else:
                event_id = None if event.id is None else str(event.id)
                yield ServerSentEvent(event=event.event, data=event.data, id=event_id)


@router.websocket("/{job_id}/ws")
async def job_ws(websocket: WebSocket, job_id: str, last_event_id: str = "0") -> None:
    """Follow a job over a WebSocket: the SSE events as JSON messages."""
    offered: list[str] = websocket.scope.get("subprotocols", [])
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered else None
    state = websocket.app.state
    request_id = str(getattr(websocket.state, "request_id", ""))
    try:
        await anyio.to_thread.run_sync(
            _authorize, state, _presented_key(websocket), job_id, request_id
        )
    except Exception as error:
        await websocket.accept(subprotocol)
        await _refuse(websocket, error)
        return
    await websocket.accept(subprotocol)
    after_id = _event_id(last_event_id)
    if after_id is None:
        reason = f"last_event_id must be an integer from 0 to {live.MAX_EVENT_ID}"
        await websocket.close(CLOSE_REFUSED_BASE + 422, reason)
        return
    with suppress(WebSocketDisconnect):  # the client left: nothing to close
        await _relay(websocket, state, _feed(state, job_id, after_id))


def _event_id(text: str) -> int | None:
    """``text`` as a history id (0 to :data:`live.MAX_EVENT_ID`), else ``None``."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if value <= live.MAX_EVENT_ID else None


def _presented_key(websocket: WebSocket) -> str | None:
    scheme, _, key = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return key.strip()
    for offered in websocket.scope.get("subprotocols", []):
        if offered.startswith(BEARER_SUBPROTOCOL):
            return str(offered[len(BEARER_SUBPROTOCOL) :])
    return None


def _authorize(state: State, presented: str | None, job_id: str, request_id: str) -> None:
    """The HTTP rules, in one short session: a valid key, ``jobs:read``, a visible job."""
    factory: sessionmaker[Session] = state.session_factory
    with factory() as session:
        principal = authenticate(
            session,
            presented,
            request_id=request_id,
            verifier=state.token_verifier,  # bearer JWTs and cached keys, as in deps.py
            key_cache=state.key_cache,
        )
        check_scope(principal, JOBS_READ)
        services.get_job(session, principal=principal, job_id=job_id)
        session.commit()  # the key's last_used_at


async def _refuse(websocket: WebSocket, error: Exception) -> None:
    kind = problem_kind(error)
    if kind.status >= 500:  # never show internals, as in the HTTP problem answers
        logger.error("websocket %s refused", websocket.url.path, exc_info=error)
    reason = str(error) if kind.status < 500 else kind.title
    # a close reason holds at most 123 bytes
    await websocket.close(
        CLOSE_REFUSED_BASE + kind.status, reason.encode()[:120].decode(errors="ignore")
    )


async def _relay(websocket: WebSocket, state: State, feed: live.JobFeed) -> None:
    """Send events until the feed ends (close 1000) or the server shuts down (1012)."""
    async with anyio.create_task_group() as group:
        group.start_soon(_watch_client, websocket, group.cancel_scope)
        async with aclosing(_follow(state, feed)) as events:
            async for event in events:
                if event is not None:  # uvicorn pings idle WebSockets itself
                    await websocket.send_json(event.message())
        await websocket.close(CLOSE_DONE if feed.ended else CLOSE_RESTART)
        group.cancel_scope.cancel()


async def _watch_client(websocket: WebSocket, scope: anyio.CancelScope) -> None:
    """Stop relaying as soon as the client goes away; anything it sends is ignored."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
    scope.cancel()
