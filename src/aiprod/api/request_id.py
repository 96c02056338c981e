"""Request ids: every request gets one, echoed in ``X-Request-ID`` and kept in audit rows.

A caller's own ``X-Request-ID`` is kept when it is a short, printable token (so ids can be
followed across systems); anything else is replaced by a fresh random id. Pure ASGI, so
streaming responses pass through untouched.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER: Final = "x-request-id"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:@-]{1,128}")


def new_request_id() -> str:
    """A fresh random request id (128 bits, hex)."""
    return secrets.token_hex(16)


def accepted_request_id(presented: str | None) -> str:
    """The caller's id when it is safe to log and echo, else a fresh one."""
    if presented is not None and _ACCEPTABLE.fullmatch(presented):
        return presented
    return new_request_id()


class RequestId:
    """Stores the request id in ``scope["state"]["request_id"]`` and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Assign the id before the app runs; add the header to the response start."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        presented = dict(scope["headers"]).get(HEADER.encode())
        request_id = accepted_request_id(presented.decode("latin-1") if presented else None)
        scope.setdefault("state", {})["request_id"] = request_id
        raw = request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER.encode()]
                message = {**message, "headers": [*headers, (HEADER.encode(), raw)]}
            await send(message)

        await self.app(scope, receive, send_with_id)
