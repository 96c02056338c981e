"""Scopes and the authenticated principal a verified API key acts for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from aiprod.auth.errors import InvalidScopes

JOBS_READ: Final = "jobs:read"
JOBS_WRITE: Final = "jobs:write"
ADMIN: Final = "admin"
SCOPES: Final = frozenset({JOBS_READ, JOBS_WRITE, ADMIN})


def validate_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes as a frozenset; raise :class:`InvalidScopes` if empty or unknown."""
    wanted = frozenset(scopes)
    unknown = wanted - SCOPES
    if unknown or not wanted:
        raise InvalidScopes(unknown)
    return wanted


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: the key's owner, the key's id and its scopes."""

    owner: str
    key_id: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        """True when the key grants ``scope``; ``admin`` grants every scope."""
        return scope in self.scopes or ADMIN in self.scopes

    @property
    def is_admin(self) -> bool:
        """True when the key carries the ``admin`` scope."""
        return ADMIN in self.scopes
