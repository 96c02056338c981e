"""Edge hardening: trusted proxies, security headers on every response, a CORS allow-list.

:func:`install_edge_security` adds, from the outside in:

1. ``ProxyHeadersMiddleware`` (uvicorn's), only for ``trusted_proxies``: a request whose
   socket peer is one of them takes its client address from ``X-Forwarded-For`` and its
   scheme from ``X-Forwarded-Proto``. Anyone else's forwarding headers are ignored, so a
   client cannot pick its own address to dodge a per-IP rate limit. (``aiprod serve`` turns
   uvicorn's own handling off, which would trust 127.0.0.1 by default.)
2. :class:`SecurityHeaders`: ``nosniff``, ``X-Frame-Options: DENY``, ``no-referrer`` on every
   response; ``Strict-Transport-Security`` only over TLS (the scheme is ``https`` directly or
   via a trusted proxy); on HTML pages a Content-Security-Policy that allows the page's own
   inline scripts by their SHA-256 hashes and nothing else inline (unless the page set its
   own policy, as the studio's do).
3. :class:`CorsAllowList` (Starlette's ``CORSMiddleware``) when ``cors_origins`` is set; a
   refused preflight is a 403 problem, like every other error.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Final

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from aiprod.api.errors import problem_response
from aiprod.config import Settings
from aiprod.errors import OriginNotAllowed

ALWAYS: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# Swagger UI and ReDoc (served by this process, see aiprod.api.docs) fetch the OpenAPI
# document, draw SVG/data: images, and ReDoc injects <style> and runs its search in a blob:
# worker; nothing is loaded from another origin.
HTML_POLICY: Final = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
INLINE_SCRIPT: Final = re.compile(
    rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)
EXPOSED_HEADERS: Final = (
    "Location",
    "X-Request-ID",
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
)
ALLOWED_REQUEST_HEADERS: Final = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "Last-Event-ID",
    "X-Request-ID",
    "Range",
)


def install_edge_security(app: FastAPI, settings: Settings) -> None:
    """Add CORS (if configured), the security headers and the trusted-proxy middleware.

    Call after the rate-limit middleware and before the request-id one, so they sit
    between the two.
    """
    if settings.cors_origins:
        app.add_middleware(
            CorsAllowList,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=list(ALLOWED_REQUEST_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts_max_age_s=settings.hsts_max_age_s)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def script_hashes(html: bytes) -> list[str]:
    """CSP sources (``'sha256-…'``) of the inline scripts of an HTML page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
        if body.strip()
    ]


def html_policy(html: bytes) -> str:
    """The Content-Security-Policy of an HTML page: its own inline scripts, nothing else."""
    hashes = "".join(" " + source for source in script_hashes(html))
    return HTML_POLICY.format(hashes=hashes)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (see the module docstring)."""

    def __init__(self, app: ASGIApp, hsts_max_age_s: int) -> None:
        self.app = app
        hsts = f"max-age={hsts_max_age_s}; includeSubDomains".encode()
        self.hsts = hsts if hsts_max_age_s > 0 else None  # 0: never send it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers at the response start; hold an HTML page to hash its scripts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(ALWAYS)
        if scope.get("scheme") == "https" and self.hsts is not None:
            extra.append((b"strict-transport-security", self.hsts))
        held: list[Message] = []

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = _with_headers(message, extra)
                if not _is_html(message) or _has_policy(message):
                    await send(message)
                    return
            elif not held:
                await send(message)
                return
            held.append(message)  # an HTML page: wait for its whole body
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await _send_html(held, send)

        await self.app(scope, receive, send_secured)


def _with_headers(message: Message, extra: list[tuple[bytes, bytes]]) -> Message:
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in extra if name not in present]
    return {**message, "headers": headers}


def _has_policy(start: Message) -> bool:
    """True when the page set its own Content-Security-Policy (the studio's pages)."""
    return any(name.lower() == b"content-security-policy" for name, _ in start["headers"])


def _is_html(start: Message) -> bool:
    content_type = Headers(raw=start.get("headers", [])).get("content-type", "")
    return content_type.startswith("text/html")


async def _send_html(held: list[Message], send: Send) -> None:
    start, *bodies = held
    html = b"".join(message.get("body", b"") for message in bodies)
    headers = [*start["headers"], (b"content-security-policy", html_policy(html).encode())]
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": html, "more_body": False})


class CorsAllowList(CORSMiddleware):
    """Starlette's CORS middleware, whose refused preflights are problem+json (403)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer preflights here; pass every other request to Starlette's handling."""
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code >= 400:
                    reason = bytes(response.body).decode("utf-8", "replace")
                    error = OriginNotAllowed(reason)
                    response = problem_response(error, scope["path"])
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
