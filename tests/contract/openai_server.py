"""A local HTTP server that answers like OpenAI's chat completions API, one scripted answer
per request: paths, Bearer auth, the ``{"error": {...}}`` body of 401/429/5xx, ``Retry-After``,
slow answers. It records every request for the test to inspect."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    """What the server does for one request."""

    status: int = 200
    content: str | None = None  # the assistant message (200)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    error_type: str = "server_error"
    error_code: str | None = None
    message: str = "The server had an error while processing your request."
    raw_body: bytes | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def ok(content: str, **kw: Any) -> Answer:
    return Answer(200, content, **kw)


def error(status: int, error_type: str, code: str | None, message: str, **kw: Any) -> Answer:
    return Answer(status, None, error_type=error_type, error_code=code, message=message, **kw)


class OpenAIServer:
    """``with OpenAIServer(key) as server:`` ... ``server.base_url``; ``server.queue(...)``."""

    def __init__(self, api_key: str | None = "sk-test-contract-0123456789") -> None:
        self.api_key = api_key
        self.answers: deque[Answer] = deque()
        self.seen: list[Seen] = []
        self._counter = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsable": raw.decode("latin-1")}
                server.seen.append(Seen(self.path, dict(self.headers.items()), body))
                if self.path != "/v1/chat/completions":
                    server._send_error(self, 404, "invalid_request_error", "unknown_url",
                                       f"Invalid URL (POST {self.path})")  # fmt: skip
                    return
                given = self.headers.get("Authorization", "")
                if server.api_key and given != f"Bearer {server.api_key}":
                    shown = given.removeprefix("Bearer ")
                    # OpenAI echoes (part of) the key it refused: the client must redact it
                    server._send_error(self, 401, "invalid_request_error", "invalid_api_key",
                                       f"Incorrect API key provided: {shown}.")  # fmt: skip
                    return
                answer = server.answers.popleft() if server.answers else Answer(
                    500, message="no answer scripted"
                )  # fmt: skip
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                if answer.status != 200:
                    server._send_error(self, answer.status, answer.error_type, answer.error_code,
                                       answer.message, answer.headers)  # fmt: skip
                    return
                server._counter += 1
                payload = answer.raw_body or json.dumps(
                    {
                        "id": f"chatcmpl-{server._counter}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "?"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": answer.content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 900, "completion_tokens": 300,
                                  "total_tokens": 1200},
                    }
                ).encode()  # fmt: skip
                headers = {"x-request-id": f"req_{server._counter:04d}", **answer.headers}
                server._send(self, 200, payload, headers)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def queue(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _send_error(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        error_type: str,
        code: str | None,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
        self._send(handler, status, json.dumps(body).encode(), headers or {})

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
