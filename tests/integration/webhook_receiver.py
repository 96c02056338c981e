"""A real webhook receiver for tests: stdlib ``http.server`` on loopback, in a thread.

It records every request (headers and body) and answers ``status`` (200 by default);
``fail_first`` answers 503 to the first N requests of each ``webhook-id``; ``close()``
stops it (its port then refuses connections) and ``start()`` brings it back on the same
port.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records requests; answers ``status``, or 503 for a message's first ``fail_first``."""

    status: int = 200
    fail_first: int = 0
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver._answer(self.headers.get("webhook-id", ""))
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.path, dict(self.headers.items()), body, status)
                    )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _answer(self, message_id: str) -> int:
        with self._lock:
            seen = sum(1 for r in self.requests if r.headers.get("webhook-id") == message_id)
        return 503 if seen < self.fail_first else self.status

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self) -> list[Received]:
        """The requests answered with a 2xx, in arrival order."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        """The delivered requests once there are ``count`` of them (AssertionError if not)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if len(self.delivered()) >= count:
                return self.delivered()
            time.sleep(0.02)
        raise AssertionError(f"{len(self.delivered())} of {count} webhooks arrived")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver on a free loopback port."""
    running = Receiver().start()
    yield running
    running.close()
