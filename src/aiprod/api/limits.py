"""A small ASGI middleware that refuses request bodies over a size limit with 413."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiprod.api.errors import problem_response
from aiprod.errors import PayloadTooLarge

MAX_BODY_BYTES: Final = 1024 * 1024


class BodySizeLimit:
    """Refuse bodies larger than ``max_bytes`` (or the path's own limit in ``path_limits``,
    such as uploads): by Content-Length, or while streaming."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        path_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 at once for a declared oversize body; else count what arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            error = PayloadTooLarge(f"the request body is over {max_bytes} bytes")
            await problem_response(error, scope["path"])(scope, receive, send)
            return
        await self.app(scope, self._counting(receive, max_bytes), send)

    def _counting(self, receive: Receive, max_bytes: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                # an HTTPException passes FastAPI's body reader unchanged → problem 413
                raise HTTPException(413, f"the request body is over {max_bytes} bytes")
            return message

        return counted
