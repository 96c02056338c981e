"""A short-lived, per-process memory of API keys that verified, so a busy client does not
pay a database query and a hash check on every request to learn what its last one did.

Entries are keyed by the SHA-256 of the presented key (the key itself is not kept) and
hold the :class:`~aiprod.auth.principal.Principal` it authenticated as. An entry lasts
``ttl_s`` seconds (``AIPROD_API_KEY_CACHE_S``, default 5) and never past the key's own
expiry or scheduled revocation (a rotation's grace). Consequence: a key revoked in the
database (``aiprod keys revoke``, rotation without grace) may still be accepted by an API
process for up to ``ttl_s`` seconds; ``ttl_s = 0`` turns the cache off. Failed
verifications are never remembered: each one reaches the database and its audit row.
A hit skips the ``last_used_at`` refresh, which is only kept to the minute anyway.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from aiprod.auth.keys import authenticate_key
from aiprod.auth.principal import Principal
from aiprod.db.base import utcnow

DEFAULT_MAX_ENTRIES: Final = 10_000


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    fresh_until: float  # on the monotonic clock


def _digest(presented: str) -> bytes:
    return hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()


class VerifiedKeyCache:
    """Remembers verified keys for ``ttl_s`` seconds; thread-safe, bounded (oldest out)."""

    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s, self.max_entries, self._clock = ttl_s, max_entries, clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[bytes, threading.Lock] = {}

    def verify(
        self, session: Session, presented: str, *, request_id: str | None = None
    ) -> Principal | None:
        """The principal of ``presented``, from memory when fresh, else from the database
        (see :func:`~aiprod.auth.keys.verify_key`, including its audit row on failure)."""
        digest = _digest(presented)
        with self._in_flight(digest):  # when an entry expires under load, one asks the DB
            remembered = self.remembered(presented)
            if remembered is not None:
                return remembered
            now = self._clock()
            verified = authenticate_key(session, presented, request_id=request_id)
            if verified is None:
                self._forget(digest)
                return None
            if self.ttl_s > 0:
                fresh_until = now + self._lifetime(verified.valid_until)
                self._remember(digest, verified.principal, fresh_until)
            return verified.principal

    @contextmanager
    def _in_flight(self, digest: bytes) -> Iterator[None]:
        """Serialise the verifications of one key (others go on in parallel), so requests
        arriving together after an entry expired make one query and one ``last_used_at``
        update, not a queue of writers waiting on the key's row lock."""
        if self.ttl_s <= 0:
            yield
            return
        with self._lock:
            flight = self._flights.setdefault(digest, threading.Lock())
        with flight:
            yield
        with self._lock:
            if self._flights.get(digest) is flight and not flight.locked():
                del self._flights[digest]

    def remembered(self, presented: str) -> Principal | None:
        """The principal of ``presented`` if it verified less than the TTL ago; no I/O,
        so an async caller can try this before handing the slow path to a thread."""
        if self.ttl_s <= 0:
            return None
        with self._lock:
            entry = self._entries.get(_digest(presented))
        return entry.principal if entry is not None and self._clock() < entry.fresh_until else None

    def clear(self) -> None:
        """Forget every key (after a revocation made in this process, say)."""
        with self._lock:
            self._entries.clear()

    def _lifetime(self, valid_until: datetime | None) -> float:
        if valid_until is None:
            return self.ttl_s
        return max(0.0, min(self.ttl_s, (valid_until - utcnow()).total_seconds()))

    def _remember(self, digest: bytes, principal: Principal, fresh_until: float) -> None:
        with self._lock:
            self._entries[digest] = _Entry(principal, fresh_until)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _forget(self, digest: bytes) -> None:
        with self._lock:
            self._entries.pop(digest, None)
