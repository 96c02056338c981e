"""The plumbing every local vendor test server shares.

A :class:`LocalServer` listens on 127.0.0.1's ephemeral port in a daemon thread (``with
Server(…) as server:`` starts and stops it), reads each request into a :class:`Request`,
asks the subclass's :meth:`LocalServer.respond` for the reply and sends it (JSON unless
the reply's headers say otherwise). Subclasses follow one vendor's published API: its
paths, its auth check, its error bodies; they keep their own request log (``seen``).

Failures are scripted one request at a time (:class:`Scripted`: status, headers, a delay
for slow answers, a raw body for malformed ones, the error's message); :meth:`next_answer`
takes the next one (after its delay) and :meth:`scripted_reply` turns it into what is sent
instead of the normal answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, bytes, dict[str, str]]  # status, body, headers
SeenT = TypeVar("SeenT")
AnswerT = TypeVar("AnswerT", bound="Scripted")


@dataclass
class Scripted:
    """What the server does for one request instead of answering normally: a ``status``
    other than 200 sends the vendor's error JSON with ``message``; ``body``, when given, is
    sent as is (malformed answers); ``delay_s`` is waited first (slow answers)."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: bytes | None = None
    message: str = "Internal server error"


@dataclass
class Request:
    """One request as it arrived."""

    method: str
    target: str  # the path with its query, as sent
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        """The JSON body: ``{}`` when there is none, ``{"_unparsable": …}`` when it is not JSON."""
        try:
            return json.loads(self.raw) if self.raw else {}
        except ValueError:
            return {"_unparsable": self.raw.decode("latin-1")}


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, json.dumps(body).encode(), dict(headers or {})


class LocalServer(Generic[SeenT]):
    """An HTTP server on 127.0.0.1 (ephemeral port) in a thread; subclasses answer."""

    methods: tuple[str, ...] = ("GET", "POST")

    def __init__(self) -> None:
        self.seen: list[SeenT] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def serve(self) -> None:
                server._serve(self)

        for method in self.methods:
            setattr(Handler, f"do_{method}", Handler.serve)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def respond(self, request: Request) -> Reply:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length", "0") or 0)
        raw = handler.rfile.read(length) if length else b""
        request = Request(handler.command, handler.path, url.path, parse_qs(url.query),
                          dict(handler.headers.items()), raw)  # fmt: skip
        self.send(handler, *self.respond(request))

    def send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        try:
            handler.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    @staticmethod
    def next_answer(queue: deque[AnswerT]) -> AnswerT | None:
        """The next scripted answer of ``queue``, after its delay; None when none is left."""
        if not queue:
            return None
        answer = queue.popleft()
        if answer.delay_s:
            time.sleep(answer.delay_s)
        return answer

    @staticmethod
    def scripted_reply(answer: Scripted, error_body: Callable[[Scripted], bytes]) -> Reply | None:
        """What ``answer`` sends instead of the normal answer: its raw body, or the vendor's
        error body for its status; None when it is a normal (if slow) answer."""
        if answer.body is not None:
            return answer.status, answer.body, answer.headers
        if answer.status != 200:
            return answer.status, error_body(answer), answer.headers
        return None
