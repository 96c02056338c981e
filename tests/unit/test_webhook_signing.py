"""Webhook signatures (checked by ``standardwebhooks``), retry schedule and event mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from aiprod.webhooks.events import EventType, event_for
from aiprod.webhooks.outbox import MAX_ATTEMPTS, RETRY_SCHEDULE_S, Outcome, retry_delay
from aiprod.webhooks.signing import active_secrets, encode_body, new_secret, signed_headers


def test_a_signed_body_verifies_with_its_secret_only() -> None:
    secret, other = new_secret(), new_secret()
    assert secret.startswith("whsec_") and secret != other
    body = encode_body({"type": "job.succeeded", "data": {"id": "j1", "note": "café"}})
    headers = signed_headers([secret], message_id="msg_1", body=body)
    assert headers["webhook-id"] == "msg_1"
    assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 5
    assert Webhook(secret).verify(body.encode(), headers)["data"]["note"] == "café"
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("j1", "j2"), headers)


def test_during_a_grace_period_both_secrets_sign() -> None:
    now = datetime.now(UTC)
    new, old = new_secret(), new_secret()
    assert active_secrets(new, old, now + timedelta(seconds=60), now) == [new, old]
    assert active_secrets(new, old, now - timedelta(seconds=1), now) == [new]
    assert active_secrets(new, None, None, now) == [new]
    body = encode_body({"a": 1})
    headers = signed_headers([new, old], message_id="msg_2", body=body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers) == Webhook(old).verify(body, headers) == {"a": 1}


def test_an_old_timestamp_is_refused_by_receivers() -> None:
    secret, body = new_secret(), encode_body({})
    stale = signed_headers(
        [secret], message_id="m", body=body, now=datetime.now(UTC) - timedelta(hours=1)
    )
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, stale)


def test_retries_span_more_than_a_day_then_stop() -> None:
    assert MAX_ATTEMPTS == 8 and RETRY_SCHEDULE_S[0] == 0
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    total = sum((d.total_seconds() for d in delays if d is not None), 0.0)
    assert total > 0.9 * 24 * 3600
    assert retry_delay(MAX_ATTEMPTS) is None
    scaled = retry_delay(2, scale=0.001)
    assert scaled is not None and scaled.total_seconds() < 0.5


def test_only_2xx_delivers() -> None:
    assert Outcome(204, None, 3).delivered
    assert not Outcome(302, "HTTP 302", 3).delivered and not Outcome(None, "timeout", 3).delivered


@pytest.mark.parametrize(
    ("from_status", "to_status", "expected"),
    [
        (None, "queued", EventType.QUEUED),
        ("awaiting_review", "queued", EventType.QUEUED),
        ("dead", "queued", EventType.QUEUED),
        ("rendering", "queued", None),  # a retried attempt, a release or a reaped lease
        ("queued", "rendering", None),
        ("planning", "awaiting_review", EventType.AWAITING_REVIEW),
        ("awaiting_review", "awaiting_review", None),  # a replaced manifest
        ("rendering", "succeeded", EventType.SUCCEEDED),
        ("rendering", "failed", EventType.FAILED),
        ("rendering", "dead", EventType.DEAD),
        ("queued", "canceled", EventType.CANCELED),
    ],
)
def test_status_changes_map_to_events(
    from_status: str | None, to_status: str, expected: EventType | None
) -> None:
    assert event_for(from_status, to_status) is expected
