"""Rate limits per client IP (before authentication) and per API key or JWT owner.

Limits are ``limits`` strings from settings (``"600/minute"``, ``"10/second;600/minute"``):

- ``rate_limit_ip``: every request from one address, counted by :class:`RateLimitMiddleware`
  before the request is authenticated, so guessing keys is throttled too;
- ``rate_limit_read`` (GET, HEAD) and ``rate_limit_write`` (every other method): per API key,
  or per owner for bearer JWTs, counted by :func:`limit_principal` once the principal is known.

Counters live in this process's memory (embedded mode; each HTTP process counts alone) or in
Redis when ``rate_limit_storage_url`` is set (shared by every API process: scale-out). If the
storage fails, requests are let through and the failure is logged: an outage of Redis must
not take the API down with it.

Headers follow draft-ietf-httpapi-ratelimit-headers-07: each limited response carries
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds) of the limit
nearest exhaustion, and ``RateLimit-Policy`` listing every limit that applied; a refusal is
a 429 problem with ``Retry-After``. Health, readiness, metrics and the API docs are exempt.

The client IP is the socket peer; a trusted proxy's ``X-Forwarded-For`` replaces it earlier
in the stack (:mod:`aiprod.api.security`). IPv6 clients are counted by their /64 network,
since one host usually holds a whole /64.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI, Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiprod.api.errors import problem_response
from aiprod.auth import Principal
from aiprod.config import Settings
from aiprod.errors import RateLimited

logger = logging.getLogger(__name__)

STATE_KEY: Final = "rate_limits"  # scope["state"][STATE_KEY]: the limits counted so far
EXEMPT_PATHS: Final = frozenset(
    {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc"}
)
EXEMPT_PREFIXES: Final = ("/docs/",)
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
STORAGE_TIMEOUT_S: Final = 0.5
WARN_EVERY_S: Final = 30.0


@dataclass(frozen=True)
class LimitState:
    """Where one counted limit stands after this request."""

    item: RateLimitItem
    remaining: int
    reset_after_s: int

    @property
    def policy(self) -> str:
        """This limit in ``RateLimit-Policy`` form: ``quota;w=window-seconds``."""
        return f"{self.item.amount};w={self.item.get_expiry()}"


class RateLimiter:
    """Counts requests against the configured limits in one storage (memory or Redis)."""

    def __init__(self, settings: Settings) -> None:
        self.per_ip = parse_many(settings.rate_limit_ip)
        self.read = parse_many(settings.rate_limit_read)
        self.write = parse_many(settings.rate_limit_write)
        self._pool: Any = None
        self._warned_at = -math.inf
        self.storage = self._make_storage(settings)
        self.strategy = FixedWindowRateLimiter(self.storage)

    def _make_storage(self, settings: Settings) -> Storage:
        url = settings.rate_limit_storage_url or "memory://"
        if url.startswith("memory://"):
            storage = storage_from_string("async+memory://")
        else:
            from redis.asyncio import ConnectionPool

            # our own pool, so :meth:`aclose` can close its connections; short timeouts, so
            # an unreachable Redis delays no request by more than half a second
            self._pool = ConnectionPool.from_url(
                url, socket_connect_timeout=STORAGE_TIMEOUT_S, socket_timeout=STORAGE_TIMEOUT_S
            )
            storage = storage_from_string(
                f"async+{url}",
                wrap_exceptions=True,
                implementation="redispy",
                key_prefix=settings.rate_limit_key_prefix,
                connection_pool=self._pool,  # passed on to redis.asyncio.Redis
            )
        assert isinstance(storage, Storage)
        return storage

    async def hit(
        self, items: list[RateLimitItem], kind: str, identity: str, counted: list[LimitState]
    ) -> int | None:
        """Count one request of ``identity`` against ``items``; append where each stands to
        ``counted``. Returns the seconds to wait when a limit is exceeded, else None."""
        retry_after: int | None = None
        for item in items:
            try:
                allowed = await self.strategy.hit(item, kind, identity)
                stats = await self.strategy.get_window_stats(item, kind, identity)
            except StorageError as error:
                self._warn(error)
                return None
            reset_after = max(1, math.ceil(stats.reset_time - time.time()))
            counted.append(LimitState(item, max(0, stats.remaining), reset_after))
            if not allowed:
                retry_after = max(retry_after or 0, reset_after)
        return retry_after

    def _warn(self, error: StorageError) -> None:
        """Log a storage failure, at most once every :data:`WARN_EVERY_S` seconds."""
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            logger.warning("rate limit storage failed, requests let through: %s", error)

    async def aclose(self) -> None:
        """Close the Redis connections (memory storage holds none)."""
        if self._pool is not None:
            await self._pool.aclose()


def build_rate_limiter(settings: Settings) -> RateLimiter | None:
    """The app's limiter, or None when ``rate_limit_enabled`` is off."""
    return RateLimiter(settings) if settings.rate_limit_enabled else None


def install_rate_limits(app: FastAPI, limiter: RateLimiter | None) -> None:
    """Count per-IP limits in a middleware (add it inside CORS, outside everything else)."""
    app.state.rate_limiter = limiter
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter)


def is_exempt(path: str) -> bool:
    """True for paths never limited: health, readiness, metrics and the docs."""
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def client_identity(scope: Scope) -> str:
    """The client's address; an IPv6 address stands for its /64 network."""
    client = scope.get("client")
    host = str(client[0]) if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def principal_identity(principal: Principal) -> str:
    """API keys are counted by key id; JWTs by owner (their key id names the issuer's key)."""
    if principal.key_id.startswith("jwt:"):
        return f"owner:{principal.owner}"
    return f"key:{principal.key_id}"


def rate_limit_headers(counted: list[LimitState]) -> list[tuple[bytes, bytes]]:
    """The ``RateLimit-*`` headers of the limit nearest exhaustion, and every policy."""
    nearest = min(counted, key=lambda state: (state.remaining, -state.reset_after_s))
    policies = ", ".join(dict.fromkeys(state.policy for state in counted))
    return [
        (b"ratelimit-limit", str(nearest.item.amount).encode()),
        (b"ratelimit-remaining", str(nearest.remaining).encode()),
        (b"ratelimit-reset", str(nearest.reset_after_s).encode()),
        (b"ratelimit-policy", policies.encode()),
    ]


class RateLimitMiddleware:
    """Counts each request against the per-IP limit; adds the ``RateLimit-*`` headers of
    every limit counted during the request (per IP here, per key in :func:`limit_principal`)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse with 429 over the per-IP limit; else run the app and add the headers."""
        if scope["type"] != "http" or is_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        counted: list[LimitState] = []
        scope.setdefault("state", {})[STATE_KEY] = counted
        limiter = self.limiter
        retry_after = await limiter.hit(limiter.per_ip, "ip", client_identity(scope), counted)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and counted:
                headers = [*message.get("headers", []), *rate_limit_headers(counted)]
                message = {**message, "headers": headers}
            await send(message)

        if retry_after is not None:
            error = RateLimited(
                f"too many requests from this address; retry in {retry_after} s",
                retry_after_s=retry_after,
            )
            await problem_response(error, scope["path"])(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


async def limit_principal(request: Request, principal: Principal) -> None:
    """Count the request against its principal's read or write limit; RateLimited (429)
    when over it."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None or is_exempt(request.url.path):
        return
    items = limiter.read if request.method in SAFE_METHODS else limiter.write
    counted: list[LimitState] = request.scope.setdefault("state", {}).setdefault(STATE_KEY, [])
    kind = "read" if items is limiter.read else "write"
    retry_after = await limiter.hit(items, kind, principal_identity(principal), counted)
    if retry_after is not None:
        raise RateLimited(
            f"too many {kind} requests for this API key; retry in {retry_after} s",
            retry_after_s=retry_after,
        )
