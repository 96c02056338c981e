"""Secrets and signatures of the Standard Webhooks spec, via the ``standardwebhooks`` package.

A secret is ``whsec_`` + base64 of 24 random bytes. Each attempt is signed afresh:
``webhook-signature`` = ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one such
signature per active secret separated by spaces, so a receiver that still knows only the
previous secret keeps verifying during a rotation's grace period.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from standardwebhooks import Webhook

SECRET_PREFIX: Final = "whsec_"
USER_AGENT: Final = "AIPROD-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def active_secrets(
    secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets that sign now: the current one, and the previous one until it expires."""
    if previous and previous_expires_at is not None and previous_expires_at > now:
        return [secret, previous]
    return [secret]


def encode_body(payload: dict[str, Any]) -> str:
    """The exact body that is signed and sent (compact JSON, UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signed_headers(
    signing_secrets: Sequence[str], *, message_id: str, body: str, now: datetime | None = None
) -> dict[str, str]:
    """The ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers (and type)."""
    if not signing_secrets:
        raise ValueError("a webhook needs at least one signing secret")
    at = datetime.fromtimestamp(int((now or datetime.now(UTC)).timestamp()), UTC)
    signature = " ".join(Webhook(s).sign(message_id, at, body) for s in signing_secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
