"""Keyword-only webhook services behind the API; no web framework here, the caller commits.

An owner's endpoints are visible to that owner only: another owner's id is
:class:`~aiprod.errors.NotFound`, never "forbidden". A secret is returned only by
the calls that make it (create, rotate) and by :func:`read_job_secret`; every change and
every read of a secret leaves an audit row, which never holds the secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aiprod.auth import Principal, audit
from aiprod.errors import NotFound
from aiprod.jobs.models import Job
from aiprod.net.targets import IPNetwork, check_url
from aiprod.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from aiprod.webhooks.signing import new_secret
from aiprod.webhooks.signing_keys import job_secret, rotate

MAX_PAGE_SIZE = 100


def _audit(
    session: Session, principal: Principal, action: str, target: str, request_id: str | None
) -> None:
    detail = {"key_id": principal.key_id}
    audit.record(
        session,
        actor=principal.owner,
        action=action,
        target=target,
        detail=detail,
        request_id=request_id,
    )


def create_endpoint(
    session: Session,
    *,
    principal: Principal,
    url: str,
    event_types: Sequence[str] | None,
    description: str | None,
    allowed: Sequence[IPNetwork],
    request_id: str | None = None,
) -> WebhookEndpoint:
    """Register ``url`` for the principal's job events; the new row carries its secret."""
    check_url(url, allowed=allowed, path="url")
    endpoint = WebhookEndpoint(
        owner=principal.owner,
        url=url,
        event_types=sorted(set(event_types)) if event_types else None,
        description=description,
        secret=new_secret(),
    )
    session.add(endpoint)
    session.flush()
    _audit(session, principal, "webhook.created", endpoint.id, request_id)
    return endpoint


def list_endpoints(session: Session, *, principal: Principal) -> list[WebhookEndpoint]:
    """The principal's endpoints, oldest first."""
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.owner == principal.owner)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(session.scalars(query))


def get_endpoint(session: Session, *, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    """The principal's endpoint ``endpoint_id``; NotFound for anyone else's."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.owner != principal.owner:
        raise NotFound(f"no webhook {endpoint_id}")
    return endpoint


def delete_endpoint(
    session: Session, *, principal: Principal, endpoint_id: str, request_id: str | None = None
) -> None:
    """Remove an endpoint; its pending deliveries go with it (nothing more is sent)."""
    endpoint = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    session.delete(endpoint)
    session.flush()
    _audit(session, principal, "webhook.deleted", endpoint_id, request_id)


def rotate_endpoint_secret(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: str,
    grace_s: int,
    request_id: str | None = None,
) -> WebhookEndpoint:
    """A new secret for the endpoint; the old one also signs for ``grace_s`` seconds."""
    endpoint = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    rotate(endpoint, grace_s=grace_s)
    session.flush()
    _audit(session, principal, "webhook.rotated", endpoint_id, request_id)
    return endpoint


def read_job_secret(
    session: Session, *, principal: Principal, request_id: str | None = None
) -> tuple[str, bool]:
    """The secret signing deliveries to jobs' ``webhook_url`` (made on first use); True: new."""
    row, created = job_secret(session, owner=principal.owner)
    _audit(session, principal, "webhook.job_secret_read", principal.owner, request_id)
    return row.secret, created


def rotate_job_secret(
    session: Session, *, principal: Principal, grace_s: int, request_id: str | None = None
) -> str:
    """A new job-webhook secret; the old one also signs for ``grace_s`` seconds."""
    row, _ = job_secret(session, owner=principal.owner)
    secret = rotate(row, grace_s=grace_s)
    session.flush()
    _audit(session, principal, "webhook.job_secret_rotated", principal.owner, request_id)
    return secret


@dataclass(frozen=True)
class DeliveryLog:
    """A delivery and its attempts, oldest attempt first."""

    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def endpoint_deliveries(
    session: Session, *, principal: Principal, endpoint_id: str, limit: int, before: int | None
) -> tuple[list[DeliveryLog], int | None]:
    """One page of an endpoint's deliveries, newest first, and the next page's cursor."""
    get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    where = WebhookDelivery.endpoint_id == endpoint_id
    return _page(session, where, limit=limit, before=before)


def job_deliveries(
    session: Session, *, principal: Principal, job_id: str, limit: int, before: int | None
) -> tuple[list[DeliveryLog], int | None]:
    """One page of the deliveries of a job's events (every target), newest first."""
    job = session.get(Job, job_id)
    if job is None or job.owner != principal.owner:
        raise NotFound(f"no job {job_id}")
    where = (WebhookDelivery.job_id == job_id) & (WebhookDelivery.owner == principal.owner)
    return _page(session, where, limit=limit, before=before)


def _page(
    session: Session, where: object, *, limit: int, before: int | None
) -> tuple[list[DeliveryLog], int | None]:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = select(WebhookDelivery).where(where)  # type: ignore[arg-type]
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    attempts: dict[int, list[WebhookAttempt]] = {row.id: [] for row in rows}
    if rows:
        found = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(attempts))
        for attempt in session.scalars(found.order_by(WebhookAttempt.id)):
            attempts[attempt.delivery_id].append(attempt)
    logs = [DeliveryLog(row, attempts[row.id]) for row in rows]
    return logs, rows[-1].id if more else None
