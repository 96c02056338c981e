"""API keys and the audit trail of the jobs service.

Services (keyword-only, session in, caller commits): :func:`create_key`,
:func:`verify_key`, :func:`revoke_key`, :func:`rotate_key`, :func:`list_keys`; the audit
trail is :mod:`aiprod.auth.audit`. A verified key yields a :class:`Principal`; so does a
bearer JWT of the configured issuer (:class:`TokenVerifier`, :func:`verify_token`).
"""

from __future__ import annotations

from aiprod.auth.errors import ApiKeyInactive, ApiKeyNotFound, InvalidScopes
from aiprod.auth.keys import (
    ApiKeyInfo,
    create_key,
    list_keys,
    revoke_key,
    rotate_key,
    verify_key,
)
from aiprod.auth.models import ApiKey, AuditEvent
from aiprod.auth.principal import ADMIN, JOBS_READ, JOBS_WRITE, SCOPES, Principal
from aiprod.auth.tokens import (
    TokenIssuerUnavailable,
    TokenRejected,
    TokenVerifier,
    verify_token,
)

__all__ = [
    "ADMIN",
    "JOBS_READ",
    "JOBS_WRITE",
    "SCOPES",
    "ApiKey",
    "ApiKeyInactive",
    "ApiKeyInfo",
    "ApiKeyNotFound",
    "AuditEvent",
    "InvalidScopes",
    "Principal",
    "TokenIssuerUnavailable",
    "TokenRejected",
    "TokenVerifier",
    "create_key",
    "list_keys",
    "revoke_key",
    "rotate_key",
    "verify_key",
    "verify_token",
]
