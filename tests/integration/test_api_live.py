"""Live job progress over SSE and WebSocket, against a real uvicorn server on loopback.

The test drives the job with the real store functions (claim, progress, complete, fail)
in lock-step with what the client has received, so no test depends on sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from httpx_sse import ServerSentEvent, connect_sse
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from aiprod.api import create_app
from aiprod.config import Settings
from aiprod.jobs import store
from aiprod.jobs.models import Job

PROBLEM = "application/problem+json"
READ_ONLY_WRITE = ("jobs:write",)  # a key without jobs:read


@dataclass(frozen=True)
class LiveServer:
    """A running API: its HTTP and WebSocket base URLs and the uvicorn server."""

    http: str
    ws: str
    server: uvicorn.Server


@pytest.fixture
def live_server(tmp_path: Path, jobs_db_url: str) -> Iterator[LiveServer]:
    """The API in a real uvicorn server on a free loopback port, in a background thread."""
    settings = Settings(data_dir=tmp_path / "data", events_poll_s=0.05, events_keepalive_s=0.3)
    app = create_app(settings, database_url=jobs_db_url)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", server)
    server.should_exit = True
    thread.join(timeout=15)
    assert not thread.is_alive(), "uvicorn did not stop"


def new_job(engine: Engine, *, owner: str = "alice", kind: str = "spec") -> str:
    with Session(engine) as session, session.begin():
        return store.create_job(session, owner=owner, kind=kind, request={}, preset=None).id


def history_ids(engine: Engine, job_id: str) -> list[int]:
    with Session(engine) as session:
        return [row.id for row in store.job_events(session, job_id=job_id)]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def sse_events(source: Any) -> Iterator[ServerSentEvent]:
    """The stream's events without its keep-alives: httpx-sse hands a keep-alive comment on
    as an empty 'message' once an id has been seen, and on a busy host one can fall between
    any two events (the test server sends one after 0.3 s of silence)."""
    return (e for e in source.iter_sse() if e.data or e.event != "message")


def data(event: ServerSentEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(event.data)
    return parsed


def sse_url(server: LiveServer, job_id: str) -> str:
    return f"{server.http}/v1/jobs/{job_id}/events"


# --- Server-Sent Events ------------------------------------------------------------------


def test_sse_follows_a_job_through_its_states_to_the_end(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=auth(key)) as source,
    ):
        response = source.response
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        events = sse_events(source)

        created = next(events)
        assert (created.event, data(created)["to"], data(created)["reason"]) == (
            "status",
            "queued",
            "created",
        )
        claim = store.claim_next_job(jobs_engine, worker_id="w1")
        assert claim is not None and claim.job_id == job_id
        claimed = next(events)
        assert created.id and claimed.id and int(claimed.id) > int(created.id)
        assert data(claimed) == {
            "job_id": job_id,
            "from": "queued",
            "to": "rendering",
            "reason": "claimed",
            "attempt": 1,
            "at": data(claimed)["at"],
            "error": None,
        }
        assert store.report_progress(jobs_engine, claim, stage="compose", progress=0.5)
        progress = next(events)
        assert (progress.event, progress.id, data(progress)) == (
            "progress",
            claimed.id,  # progress has no id: Last-Event-ID stays the last status row
            {"stage": "compose", "progress": 0.5},
        )
        store.complete(jobs_engine, claim)
        rest = list(events)  # the server closes the stream after `end`
    assert [(e.event, data(e).get("to")) for e in rest] == [
        ("status", "succeeded"),
        ("end", None),
    ]
    end = data(rest[1])
    assert (end["id"], end["status"], end["progress"]) == (job_id, "succeeded", 1.0)
    assert [int(e.id) for e in (created, claimed, rest[0])] == history_ids(jobs_engine, job_id)


def test_sse_a_failed_job_carries_its_error(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    error = {"stage": "render", "code": "invalid_spec", "message": "no scenes"}
    assert store.fail(jobs_engine, claim, error=error, retryable=False) == "failed"
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=auth(key)) as source,
    ):
        events = list(sse_events(source))
    assert [(e.event, data(e).get("to")) for e in events] == [
        ("status", "queued"),
        ("status", "rendering"),
        ("status", "failed"),
        ("end", None),
    ]
    assert data(events[2])["error"] == error
    assert data(events[3])["error"] == error and data(events[3])["status"] == "failed"


def test_sse_progress_carries_the_remaining_eta(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    with Session(jobs_engine) as session, session.begin():
        statement = update(Job).where(Job.id == job_id).values(cost_estimate={"eta_seconds": 40})
        session.execute(statement)
    assert store.report_progress(jobs_engine, claim, stage="render", progress=0.75)
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=auth(key)) as source,
    ):
        events = sse_events(source)
        received = [next(events), next(events), next(events)]
    assert [e.event for e in received] == ["status", "status", "progress"]
    assert data(received[2]) == {"stage": "render", "progress": 0.75, "eta_seconds": 10.0}


def test_sse_last_event_id_resumes_without_gaps_or_repeats(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=auth(key)) as source,
    ):
        events = sse_events(source)
        first = [next(events), next(events)]  # created, claimed; then the client drops
    assert [e.event for e in first] == ["status", "status"]
    store.complete(jobs_engine, claim)
    headers = {**auth(key), "Last-Event-ID": first[-1].id}
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=headers) as source,
    ):
        resumed = list(sse_events(source))
    assert [(e.event, data(e).get("to")) for e in resumed] == [
        ("status", "succeeded"),
        ("end", None),
    ]
    seen = [int(e.id) for e in [*first, *resumed] if e.event == "status"]
    assert seen == history_ids(jobs_engine, job_id)  # every row once, in order


def test_sse_stays_open_through_review_and_sends_keep_alives(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine, kind="brief")
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    store.complete(jobs_engine, claim, status="awaiting_review")
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", sse_url(live_server, job_id), headers=auth(key)) as response,
    ):
        lines = response.iter_lines()
        received: list[str] = []
        while ": keep-alive" not in received:  # keep-alive every 0.3 s while nothing happens
            received.append(next(lines))
        assert "event: end" not in received  # awaiting_review does not end the stream
        with Session(jobs_engine) as session, session.begin():
            assert store.request_cancel(session, job_id=job_id)
        received.extend(lines)
    events = [line.removeprefix("event: ") for line in received if line.startswith("event: ")]
    assert events == ["status", "status", "status", "status", "end"]
    statuses = [json.loads(line[6:]).get("to") for line in received if line.startswith("data: ")]
    assert statuses[:4] == ["queued", "planning", "awaiting_review", "canceled"]


def test_sse_client_disconnect_ends_the_feed(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", sse_url(live_server, job_id), headers=auth(key)) as source,
    ):
        events = source.iter_sse()  # keep a reference: dropping it closes the connection
        assert next(events).event == "status"
        assert len(live_server.server.server_state.tasks) == 1
    deadline = time.monotonic() + 5
    while live_server.server.server_state.tasks:  # the request's task ends with the client
        assert time.monotonic() < deadline, "the feed outlived its client"
        time.sleep(0.05)


def test_sse_refusals_are_problems_before_the_stream(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    job_id = new_job(jobs_engine, owner="bob")
    url = sse_url(live_server, job_id)
    cases = [
        ({}, 401),
        (auth("aip_notakey"), 401),
        (auth(make_key("alice")), 404),  # another owner's job looks missing
        (auth(make_key("bob", scopes=READ_ONLY_WRITE)), 403),
        ({**auth(make_key("bob")), "Last-Event-ID": "not-a-number"}, 422),
    ]
    for headers, status in cases:
        response = httpx.get(url, headers=headers, timeout=10)
        assert response.status_code == status, (headers, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status
    missing = httpx.get(sse_url(live_server, "0" * 32), headers=auth(make_key()), timeout=10)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_sse_last_event_id_is_bounded_to_a_database_integer(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    url = sse_url(live_server, job_id)
    for value in ("99999999999999999999", str(2**31), str(2**63), "-1"):
        response = httpx.get(url, headers={**auth(key), "Last-Event-ID": value}, timeout=10)
        assert response.status_code == 422, (value, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == 422
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    store.complete(jobs_engine, claim)
    headers = {**auth(key), "Last-Event-ID": str(2**31 - 1)}  # the largest id: still served
    with (
        httpx.Client(timeout=10) as client,
        connect_sse(client, "GET", url, headers=headers) as source,
    ):
        assert [e.event for e in sse_events(source)] == ["end"]


# --- WebSocket -----------------------------------------------------------------------------


def ws_url(server: LiveServer, job_id: str, query: str = "") -> str:
    return f"{server.ws}/v1/jobs/{job_id}/ws{query}"


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


def close_code(ws: ClientConnection) -> int:
    """Wait for the server to close; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_ws_follows_a_job_with_a_bearer_header(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    with ws_connect(ws_url(live_server, job_id), additional_headers=auth(key)) as ws:
        created = receive(ws)
        assert (created["event"], created["data"]["to"]) == ("status", "queued")
        claim = store.claim_next_job(jobs_engine, worker_id="w1")
        assert claim is not None
        claimed = receive(ws)
        assert (claimed["event"], claimed["data"]["to"]) == ("status", "rendering")
        assert store.report_progress(jobs_engine, claim, stage="music", progress=0.25)
        assert receive(ws) == {
            "event": "progress",
            "id": None,
            "data": {"stage": "music", "progress": 0.25},
        }
        store.complete(jobs_engine, claim)
        done, end = receive(ws), receive(ws)
        assert (done["event"], done["data"]["to"]) == ("status", "succeeded")
        assert (end["event"], end["id"], end["data"]["status"]) == ("end", None, "succeeded")
        assert close_code(ws) == 1000
    ids = [created["id"], claimed["id"], done["id"]]
    assert ids == history_ids(jobs_engine, job_id)


def test_ws_subprotocol_auth_and_resume(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    store.complete(jobs_engine, claim)
    first_id = history_ids(jobs_engine, job_id)[0]
    protocols: Any = ["aiprod.v1", f"bearer.{key}"]
    url = ws_url(live_server, job_id, f"?last_event_id={first_id}")
    with ws_connect(url, subprotocols=protocols) as ws:
        assert ws.subprotocol == "aiprod.v1"  # never the key
        messages = [receive(ws), receive(ws), receive(ws)]
        assert close_code(ws) == 1000
    assert [(m["event"], m["id"]) for m in messages] == [
        ("status", history_ids(jobs_engine, job_id)[1]),
        ("status", history_ids(jobs_engine, job_id)[2]),
        ("end", None),
    ]


def test_ws_refusals_close_with_4000_plus_the_http_status(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    job_id = new_job(jobs_engine, owner="bob")
    url = ws_url(live_server, job_id)
    cases: list[tuple[dict[str, Any], int]] = [
        ({}, 4401),
        ({"subprotocols": ["aiprod.v1", "bearer.aip_notakey"]}, 4401),
        ({"additional_headers": auth(make_key("alice"))}, 4404),
        ({"additional_headers": auth(make_key("bob", scopes=READ_ONLY_WRITE))}, 4403),
    ]
    for options, code in cases:
        with ws_connect(url, **options) as ws:
            assert close_code(ws) == code, options
    with ws_connect(ws_url(live_server, "0" * 32), additional_headers=auth(make_key())) as ws:
        assert close_code(ws) == 4404


def test_ws_bad_last_event_id_closes_with_4422_and_a_reason(
    live_server: LiveServer, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)
    for value in ("99999999999999999999", str(2**31), "-1", "abc"):
        url = ws_url(live_server, job_id, f"?last_event_id={value}")
        with (
            ws_connect(url, additional_headers=auth(key)) as ws,
            pytest.raises(ConnectionClosed) as closed,
        ):
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None, value  # a real close frame, not a dropped socket
        assert closed.value.rcvd.code == 4422, value
        assert "last_event_id" in closed.value.rcvd.reason, value
    url = ws_url(live_server, job_id, f"?last_event_id={2**31 - 1}")
    claim = store.claim_next_job(jobs_engine, worker_id="w1")
    assert claim is not None
    store.complete(jobs_engine, claim)
    with ws_connect(url, additional_headers=auth(key)) as ws:
        assert receive(ws)["event"] == "end"
        assert close_code(ws) == 1000


# --- `aiprod serve` shutdown ----------------------------------------------------------------


def test_serve_stops_promptly_with_open_feeds(
    tmp_path: Path, jobs_db_url: str, jobs_engine: Engine, make_key: Any
) -> None:
    key, job_id = make_key(), new_job(jobs_engine)  # no worker: the job stays queued
    env = {
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_DATABASE_URL": jobs_db_url,
        "AIPROD_SHUTDOWN_GRACE_S": "30",  # the feeds end on SIGTERM, not by this timeout
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "aiprod", "serve", "--port", str(port), "--no-worker"]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        with (
            httpx.Client(timeout=10) as client,
            connect_sse(client, "GET", f"{base}/v1/jobs/{job_id}/events", headers=auth(key)) as sse,
            ws_connect(
                f"ws://127.0.0.1:{port}/v1/jobs/{job_id}/ws", additional_headers=auth(key)
            ) as ws,
        ):
            events = sse.iter_sse()  # keep a reference: dropping it closes the connection
            assert next(events).event == "status"
            assert receive(ws)["event"] == "status"
            started = time.monotonic()
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
            elapsed = time.monotonic() - started
            assert list(events) == []  # the stream ended cleanly, without an `end` event
            assert close_code(ws) == 1012  # "service restart": reconnect later
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output
    assert elapsed < 10, f"shutdown took {elapsed:.1f} s with a stream open"
    assert "timeout graceful shutdown" not in output and "Traceback" not in output, output


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")
