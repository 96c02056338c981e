"""``/v1/webhooks``: endpoints, secrets and delivery logs. Thin: parse, call, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from aiprod.api.deps import ReaderDep, RequestIdDep, SessionDep, SettingsDep, WriterDep
from aiprod.api.schemas import problem_responses
from aiprod.api.webhook_schemas import (
    DeliveryList,
    DeliveryPublic,
    JobSecretPublic,
    SecretRotate,
    WebhookCreate,
    WebhookList,
    WebhookPublic,
    WebhookWithSecret,
)
from aiprod.net.targets import parse_networks
from aiprod.webhooks import service

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
jobs_router = APIRouter(prefix="/v1/jobs", tags=["webhooks"])
LimitQuery = Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)]
# delivery ids are 32-bit integers (PostgreSQL ``integer``): a larger cursor is a 422 here,
# not a query the database refuses
CursorQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="`next_cursor` of the last page")
]
RotateBody = Annotated[
    SecretRotate | None,
    Body(openapi_examples={"one-hour-grace": {"value": {"grace_s": 3600}}}),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 413, 422, 503),
)
def create_webhook(
    body: WebhookCreate,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
) -> WebhookWithSecret:
    """Register an endpoint for your jobs' events; its secret is shown in this answer only."""
    endpoint = service.create_endpoint(
        session,
        principal=principal,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        allowed=parse_networks(settings.webhook_allow_networks),
        request_id=request_id,
    )
    return WebhookWithSecret.of_new(endpoint)


@router.get("", responses=problem_responses(401, 403, 503))
def list_webhooks(principal: ReaderDep, session: SessionDep) -> WebhookList:
    """Your endpoints, oldest first (never their secrets)."""
    endpoints = service.list_endpoints(session, principal=principal)
    return WebhookList(items=[WebhookPublic.of(e) for e in endpoints])


@router.get("/job-secret", responses=problem_responses(401, 403, 503))
def read_job_secret(
    principal: WriterDep, session: SessionDep, request_id: RequestIdDep
) -> JobSecretPublic:
    """The secret signing deliveries to your jobs' own ``webhook_url`` (made on first use)."""
    secret, created = service.read_job_secret(session, principal=principal, request_id=request_id)
    return JobSecretPublic(secret=secret, created=created)


@router.post("/job-secret/rotate", responses=problem_responses(401, 403, 413, 422, 503))
def rotate_job_secret(
    principal: WriterDep, session: SessionDep, request_id: RequestIdDep, body: RotateBody = None
) -> JobSecretPublic:
    """Replace the job-webhook secret; the old one may keep signing for ``grace_s``."""
    grace = (body or SecretRotate()).grace_s
    secret = service.rotate_job_secret(
        session, principal=principal, grace_s=grace, request_id=request_id
    )
    return JobSecretPublic(secret=secret, created=False)


@router.get("/{webhook_id}", responses=problem_responses(401, 403, 404, 503))
def get_webhook(webhook_id: str, principal: ReaderDep, session: SessionDep) -> WebhookPublic:
    """One of your endpoints; another owner's is 404."""
    endpoint = service.get_endpoint(session, principal=principal, endpoint_id=webhook_id)
    return WebhookPublic.of(endpoint)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
def delete_webhook(
    webhook_id: str, principal: WriterDep, session: SessionDep, request_id: RequestIdDep
) -> Response:
    """Remove an endpoint; its pending deliveries are dropped."""
    service.delete_endpoint(
        session, principal=principal, endpoint_id=webhook_id, request_id=request_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/rotate", responses=problem_responses(401, 403, 404, 413, 422, 503))
def rotate_webhook_secret(
    webhook_id: str,
    principal: WriterDep,
    session: SessionDep,
    request_id: RequestIdDep,
    body: RotateBody = None,
) -> WebhookWithSecret:
    """A new secret for the endpoint, shown once; the old one may sign for ``grace_s``."""
    endpoint = service.rotate_endpoint_secret(
        session,
        principal=principal,
        endpoint_id=webhook_id,
        grace_s=(body or SecretRotate()).grace_s,
        request_id=request_id,
    )
    return WebhookWithSecret.of_new(endpoint)


@router.get("/{webhook_id}/deliveries", responses=problem_responses(401, 403, 404, 422, 503))
def list_webhook_deliveries(
    webhook_id: str,
    principal: ReaderDep,
    session: SessionDep,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> DeliveryList:
    """The endpoint's deliveries with every attempt, newest first."""
    logs, next_cursor = service.endpoint_deliveries(
        session, principal=principal, endpoint_id=webhook_id, limit=limit, before=cursor
    )
    return DeliveryList(items=[DeliveryPublic.of(log) for log in logs], next_cursor=next_cursor)


@jobs_router.get(
    "/{job_id}/webhook-deliveries", responses=problem_responses(401, 403, 404, 422, 503)
)
def list_job_webhook_deliveries(
    job_id: str,
    principal: ReaderDep,
    session: SessionDep,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> DeliveryList:
    """Every webhook delivery of the job's events (endpoints and its own URL), newest first."""
    logs, next_cursor = service.job_deliveries(
        session, principal=principal, job_id=job_id, limit=limit, before=cursor
    )
    return DeliveryList(items=[DeliveryPublic.of(log) for log in logs], next_cursor=next_cursor)
