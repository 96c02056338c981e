"""uvicorn's HTTP and WebSocket protocols, answering requests they cannot parse with problem+json.

A request the HTTP parser refuses (``Content-Length: -1``, two differing
``Content-Length`` headers, a space in a header name, TLS sent to a plain port) never
reaches the app: uvicorn answers it itself with ``400 text/plain "Invalid HTTP request
received."`` and closes the connection. These subclasses change only that answer's body, to
the ``malformed-request`` problem of :mod:`aiprod.api.errors` (no ``instance``: the request
has no path we could trust). ``aiprod serve`` passes :data:`HTTP_PROTOCOL` to uvicorn, which
otherwise picks httptools, as it does (``http="auto"``) when httptools is installed.

A WebSocket handshake the ``websockets`` library refuses (no ``Sec-WebSocket-Key``, an
unsupported version) is answered by the library in plain text too; :data:`WS_PROTOCOL` (the
protocol uvicorn picks with ``ws="auto"``) answers it as a problem of the same status.

What uvicorn still answers in plain text lies outside every request we parse; see
``docs/api.md`` ("Errors").
"""

from __future__ import annotations

import email.utils
import http
import json
from typing import Any, Final

import h11
from starlette.exceptions import HTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.datastructures import Headers
from websockets.http11 import Response
from websockets.server import ServerProtocol

from aiprod.api.errors import HTTP_STATUS_KINDS, PROBLEM_MEDIA_TYPE, TYPE_PREFIX, problem_kind

MALFORMED: Final = HTTP_STATUS_KINDS[400]


def malformed_request_body(detail: str, status: int = 400) -> bytes:
    """The problem document of a request the HTTP or WebSocket parser refused."""
    kind = MALFORMED if status == 400 else problem_kind(HTTPException(status))
    problem = {
        "type": TYPE_PREFIX + kind.slug,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    return json.dumps(problem).encode()


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; its 400 for an unparsable request is problem+json."""

    def send_400_response(self, msg: str) -> None:
        body = malformed_request_body(msg)
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: " + PROBLEM_MEDIA_TYPE.encode() + b"\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; its 400 for an unparsable request is problem+json."""

    def send_400_response(self, msg: str) -> None:
        body = malformed_request_body(msg)
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            output = self.conn.send(event)
            if output:
                self.transport.write(output)
        self.transport.close()


class ProblemHandshakes(ServerProtocol):
    """The ``websockets`` server side; a refused handshake is answered with problem+json."""

    def reject(self, status: http.HTTPStatus | int, text: str) -> Response:
        status = http.HTTPStatus(status)
        body = malformed_request_body(text.strip() or status.phrase, status.value)
        headers = Headers(
            [
                ("Date", email.utils.formatdate(usegmt=True)),
                ("Connection", "close"),
                ("Content-Length", str(len(body))),
                ("Content-Type", PROBLEM_MEDIA_TYPE),
            ]
        )
        return Response(status.value, status.phrase, headers, body)


class ProblemWebSocketsProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol (websockets, sans-I/O); refusals are problem+json."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the connection uvicorn built, with all its options; only ``reject`` differs
        self.conn.__class__ = ProblemHandshakes


HTTP_PROTOCOL: Final = ProblemHttpToolsProtocol
WS_PROTOCOL: Final = ProblemWebSocketsProtocol
