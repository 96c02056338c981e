"""The webhook dispatcher: a thread that sends due deliveries over HTTP.

Each round claims up to ``concurrency`` due deliveries (see :mod:`aiprod.webhooks.outbox`)
and sends them in parallel. Before every attempt the target host is resolved and checked
by the SSRF guard (:mod:`aiprod.net.targets`), and the request goes to the address
that was checked. Redirects are not followed; the environment's proxies are ignored; a 2xx
answer within the timeout delivers, anything else is retried with backoff. Several
dispatchers (``aiprod serve``, ``aiprod worker``) may run against one database.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine

from aiprod.config import Settings
from aiprod.db.engine import make_engine
from aiprod.net.targets import (
    IPAddress,
    IPNetwork,
    Target,
    TargetRefused,
    parse_networks,
    pinned_request,
    resolve,
)
from aiprod.webhooks.outbox import DueDelivery, Outcome, claim_due, record_attempt
from aiprod.webhooks.signing import encode_body, signed_headers

logger = logging.getLogger(__name__)
SEND_THREAD_PREFIX = "webhook-send"


class _HideWebhookRequests(logging.Filter):
    """httpx logs every request's full URL; a webhook URL's query may hold a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not threading.current_thread().name.startswith(SEND_THREAD_PREFIX)


_HIDE = _HideWebhookRequests()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_HIDE)


@dataclass(frozen=True)
class DispatchConfig:
    """How the dispatcher sends: timeouts, parallelism, polling, allow-list, retry scale."""

    timeout_s: float = 10.0
    concurrency: int = 4
    poll_s: float = 1.0
    retry_scale: float = 1.0
    allowed: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchConfig:
        """The dispatcher's configuration from the deployment settings."""
        return cls(
            timeout_s=settings.webhook_timeout_s,
            concurrency=settings.webhook_concurrency,
            poll_s=settings.webhook_poll_s,
            retry_scale=settings.webhook_retry_scale,
            allowed=tuple(parse_networks(settings.webhook_allow_networks)),
        )

    @property
    def lease_s(self) -> float:
        """Long enough for a send (connect, write, read) and its record to finish."""
        return 4 * self.timeout_s + 30.0


def send_once(client: httpx.Client, due: DueDelivery, config: DispatchConfig) -> Outcome:
    """One attempt: check the target, POST the signed body, time it; never raises.

    The checked addresses are tried in order until one accepts the connection. Any
    unexpected error is a failed attempt too, retried on the normal schedule: escaping, it
    would leave the delivery unrecorded and claimed again after every lease, for ever.
    """
    started = time.monotonic()
    try:
        return _attempt(client, due, config, started)
    except Exception as exc:
        logger.error("webhook %s attempt %d raised", due.message_id, due.attempt, exc_info=True)
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], _since(started))


def _attempt(
    client: httpx.Client, due: DueDelivery, config: DispatchConfig, started: float
) -> Outcome:
    try:
        target = resolve(due.url, allowed=config.allowed)
    except TargetRefused as refused:
        return Outcome(status_code=None, error=str(refused), duration_ms=_since(started))
    body = encode_body(due.payload)
    headers = signed_headers(due.secrets, message_id=due.message_id, body=body)
    outcome = None
    for address in target.addresses:
        outcome = _post(client, target, address, body, headers, started, config)
        if outcome.error is None or not outcome.error.startswith("ConnectError"):
            break
    assert outcome is not None  # resolve() returns at least one address
    return outcome


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _post(
    client: httpx.Client,
    target: Target,
    address: IPAddress,
    body: str,
    headers: dict[str, str],
    started: float,
    config: DispatchConfig,
) -> Outcome:
    url, host, extensions = pinned_request(target, address)
    sent_to = str(address)
    try:
        with client.stream(
            "POST", url, content=body.encode(), headers={**headers, **host}, extensions=extensions
        ) as response:
            code = response.status_code
    except httpx.TimeoutException as exc:
        error = f"timed out after {config.timeout_s:g} s ({type(exc).__name__})"
        return Outcome(None, error, _since(started), sent_to)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], _since(started), sent_to)
    failure = None if 200 <= code < 300 else _status_error(code)
    return Outcome(code, failure, _since(started), sent_to)


def _status_error(code: int) -> str:
    if 300 <= code < 400:
        return f"HTTP {code} (redirects are not followed)"
    return f"HTTP {code}"


def make_client(config: DispatchConfig) -> httpx.Client:
    """The HTTP client of the dispatcher: no redirects, no proxies from the environment."""
    return httpx.Client(
        timeout=httpx.Timeout(config.timeout_s),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=config.concurrency * 2),
    )


class WebhookDispatcher:
    """Sends due deliveries until stopped; ``run_once`` does one round (for tests)."""

    def __init__(
        self, engine: Engine, config: DispatchConfig, *, owns_engine: bool = False
    ) -> None:
        self.engine = engine
        self._owns_engine = owns_engine
        self.config = config
        self.client = make_client(config)
        self._pool = ThreadPoolExecutor(config.concurrency, thread_name_prefix=SEND_THREAD_PREFIX)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Claim and send one round of due deliveries; return how many were attempted."""
        claimed = claim_due(self.engine, limit=self.config.concurrency, lease_s=self.config.lease_s)
        sendable = [due for due in claimed if due.secrets]  # no secrets: endpoint deleted
        for future in [self._pool.submit(self._deliver, due) for due in sendable]:
            future.result()
        return len(sendable)

    def _deliver(self, due: DueDelivery) -> None:
        outcome = send_once(self.client, due, self.config)
        status = record_attempt(self.engine, due, outcome, scale=self.config.retry_scale)
        if not outcome.delivered:  # the URL may carry tokens: log the message id only
            logger.info(
                "webhook %s attempt %d failed (%s): %s",
                due.message_id,
                due.attempt,
                status,
                outcome.error,
            )

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database may be down: keep going, it comes back
                logger.warning("webhook dispatch round failed", exc_info=True)
                busy = 0
            if not busy:
                self._stop.wait(self.config.poll_s)

    def start(self) -> WebhookDispatcher:
        """Run in a daemon thread."""
        self._thread = threading.Thread(target=self._loop, name="webhook-dispatcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop after the current round; an unfinished attempt is retried after its lease."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.config.timeout_s + 5.0 if timeout_s is None else timeout_s)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()
        if self._owns_engine:
            self.engine.dispose()


def start_dispatcher(database_url: str, config: DispatchConfig) -> WebhookDispatcher:
    """A running dispatcher on its own engine (``aiprod serve``, ``aiprod worker``)."""
    engine = make_engine(database_url)
    # forked children (Celery's prefork pool) must not share this engine's connections
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return WebhookDispatcher(engine, config, owns_engine=True).start()
