"""Requests the HTTP parser refuses before the app runs still get problem+json.

Against ``aiprod serve`` itself and against a server on each of uvicorn's HTTP protocols,
over raw sockets: no HTTP client sends such requests. (``--http-workers 2`` passes the same
protocol class to uvicorn; it is not started here because uvicorn kills child processes that
miss a 5 s health check while they import, which a busy CI machine provokes.)
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from aiprod.api import create_app
from aiprod.api.http_protocol import WS_PROTOCOL, ProblemH11Protocol, ProblemHttpToolsProtocol
from aiprod.config import Settings
from aiprod.db.engine import upgrade

MALFORMED = [
    b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40,  # TLS to a plain port
]
WS_UPGRADE = (
    b"GET /v1/jobs/x/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
)
BAD_HANDSHAKES = [  # refused by the websockets library before the app runs
    WS_UPGRADE + b"\r\n",  # no Sec-WebSocket-Key
    WS_UPGRADE + b"Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n",
    WS_UPGRADE + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is; the status, headers and body of the answer (read to EOF)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def assert_problem_400(
    port: int, request: bytes, detail: str = "Invalid HTTP request received."
) -> None:
    status, headers, body = raw_exchange(port, request)
    assert status == 400, (request, headers, body)
    assert headers["content-type"] == "application/problem+json", (request, body)
    assert int(headers["content-length"]) == len(body)
    assert headers["connection"] == "close"
    problem: dict[str, Any] = json.loads(body)
    assert problem["detail"].startswith(detail), problem
    assert problem == {
        "type": "urn:aiprod:problem:malformed-request",
        "title": "Malformed request",
        "status": 400,
        "detail": problem["detail"],
    }


def assert_problem_handshakes(port: int) -> None:
    for request in BAD_HANDSHAKES:
        assert_problem_400(port, request, "Failed to open a WebSocket connection: ")


def test_aiprod_serve_answers_unparsable_requests_with_problem_json(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(database_url)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_DATABASE_URL": database_url,
    }
    port = free_port()
    command = [sys.executable, "-m", "aiprod", "serve", "--no-worker", "--port", str(port)]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        for request in MALFORMED:
            assert_problem_400(port, request)
        assert_problem_handshakes(port)
        healthy = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert healthy.status_code == 200  # the parser's refusals harm nothing else
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "aiprod serve exited"
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.fixture(params=[ProblemHttpToolsProtocol, ProblemH11Protocol], ids=["httptools", "h11"])
def protocol_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[int]:
    """The API on one of uvicorn's HTTP protocols, in a thread; yields its port."""
    database_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(database_url)
    app = create_app(Settings(data_dir=tmp_path / "data"), database_url=database_url)
    protocol: type[asyncio.Protocol] = request.param
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="error", http=protocol, ws=WS_PROTOCOL
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield int(server.servers[0].sockets[0].getsockname()[1])
    server.should_exit = True
    thread.join(timeout=15)


def test_each_http_protocol_answers_unparsable_requests_with_problem_json(
    protocol_server: int,
) -> None:
    for request in MALFORMED:
        assert_problem_400(protocol_server, request)
    assert_problem_handshakes(protocol_server)
    status, headers, _ = raw_exchange(
        protocol_server, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert (status, headers["content-type"]) == (200, "application/json")
