"""Errors of API-key management, branches of :class:`aiprod.errors.AiprodError`.

AiprodError
├── InvalidScopes     a key was asked for scopes that do not exist (or for none)
├── ApiKeyNotFound    no key has this id
└── ApiKeyInactive    the key is revoked or expired, so it cannot be rotated
"""

from __future__ import annotations

from collections.abc import Iterable

from aiprod.errors import AiprodError


class InvalidScopes(AiprodError):
    """Scopes outside the known set, or an empty set; ``unknown`` lists the bad ones."""

    code = "invalid_scopes"

    def __init__(self, unknown: Iterable[str]) -> None:
        self.unknown = sorted(unknown)
        detail = ", ".join(self.unknown) if self.unknown else "no scopes given"
        super().__init__(f"invalid API-key scopes: {detail}")


class ApiKeyNotFound(AiprodError):
    """No API key has the given id."""

    code = "api_key_not_found"

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(f"no API key with id {key_id}")


class ApiKeyInactive(AiprodError):
    """The API key is revoked or expired; it can no longer be rotated."""

    code = "api_key_inactive"

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(f"API key {key_id} is revoked or expired")
