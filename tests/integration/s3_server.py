"""A real S3-compatible server on loopback for the storage tests: moto's S3 in its own process.

``python s3_server.py PORT`` serves moto's S3 API on ``127.0.0.1:PORT``. moto accepts any
credentials and does not check presigned URLs at all, so one thin WSGI layer adds the
rule of real S3 that the tests need: a presigned URL is refused (403 ``AccessDenied``,
"Request has expired") once ``X-Amz-Date`` + ``X-Amz-Expires`` has passed.

:class:`S3Server` starts it as a subprocess on a free port, so stopping it is a real outage
(connections refused), for the worker's delivery-failure test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from calendar import timegm
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def refuse_expired_presigned(app: Wsgi) -> Wsgi:
    """Wrap ``app``: a SigV4 query-signed request past its expiry gets S3's 403."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        signed_at, lifetime = query.get("X-Amz-Date"), query.get("X-Amz-Expires")
        if signed_at and lifetime:
            issued = timegm(time.strptime(signed_at[0], "%Y%m%dT%H%M%SZ"))
            if time.time() > issued + int(lifetime[0]):
                headers = [("Content-Type", "application/xml")]
                start_response("403 Forbidden", headers)
                return [EXPIRED]
        return app(environ, start_response)

    return guarded


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class S3Server:
    """moto's S3 server in a subprocess on ``127.0.0.1:<free port>``: ``start()``, ``stop()``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30.0) -> S3Server:
        command = [sys.executable, str(Path(__file__)), str(self.port)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the S3 server exited with {self.process.returncode}")
            try:
                httpx.get(f"{self.endpoint_url}/moto-api/", timeout=1.0)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the S3 server did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


def main(port: int) -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        "127.0.0.1",
        port,
        refuse_expired_presigned(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
