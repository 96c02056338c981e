"""A local HTTP server that answers like OpenAI's chat completions API, one scripted answer
per request: paths, Bearer auth, the ``{"error": {...}}`` body of 401/429/5xx, ``Retry-After``,
slow answers. It records every request for the test to inspect."""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from vendor_base import LocalServer, Reply, Request, json_reply


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


class OpenAIServer(LocalServer[Seen]):
    """``with OpenAIServer(key) as server:`` ... ``server.base_url``; ``server.queue(...)``."""

    methods = ("POST",)

    def __init__(self, api_key: str | None = "sk-test-contract-0123456789") -> None:
        super().__init__()
        self.api_key = api_key
        self.answers: deque[Answer] = deque()
        self._counter = 0

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def queue(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def respond(self, request: Request) -> Reply:
        body = request.json()
        self.seen.append(Seen(request.target, request.headers, body))
        if request.target != "/v1/chat/completions":
            return _error(404, "invalid_request_error", "unknown_url",
                          f"Invalid URL (POST {request.target})")  # fmt: skip
        given = request.headers.get("Authorization", "")
        if self.api_key and given != f"Bearer {self.api_key}":
            shown = given.removeprefix("Bearer ")
            # OpenAI echoes (part of) the key it refused: the client must redact it
            return _error(401, "invalid_request_error", "invalid_api_key",
                          f"Incorrect API key provided: {shown}.")  # fmt: skip
        answer = self.next_answer(self.answers) or Answer(500, message="no answer scripted")
        if answer.status != 200:
            return _error(answer.status, answer.error_type, answer.error_code, answer.message,
                          answer.headers)  # fmt: skip
        self._counter += 1
        payload = answer.raw_body or json.dumps(
            {
                "id": f"chatcmpl-{self._counter}",
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
        return 200, payload, {"x-request-id": f"req_{self._counter:04d}", **answer.headers}


def _error(
    status: int,
    error_type: str,
    code: str | None,
    message: str,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return json_reply(status, body, headers)
