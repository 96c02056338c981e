"""Query parameters that filter jobs, shared by ``GET /v1/jobs`` and the CSV export.

FastAPI validates them all at once, so one 422 problem lists every bad value.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime, BeforeValidator

from aiprod.jobs.filters import JobFilter
from aiprod.jobs.policy import JobStatus

ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    """Refuse what pydantic would also take for a date-time (unix seconds, a bare date)."""
    if isinstance(value, str) and not ISO_DATE_TIME.match(value):
        raise ValueError("expected an ISO-8601 date-time with a zone, e.g. 2026-11-21T09:00:00Z")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


async def job_filter(
    status: Annotated[
        list[JobStatus] | None, Query(description="any of these statuses (repeatable)")
    ] = None,
    preset: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    created_after: Annotated[
        Instant | None,
        Query(description="created at or after: ISO-8601 with a zone (…T09:00:00Z or %2B02:00)"),
    ] = None,
    created_before: Annotated[
        Instant | None, Query(description="created strictly before (ISO-8601 with a zone)")
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="text in the brief, any case, literal"),
    ] = None,
    batch_id: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
) -> JobFilter:
    """The filter the query string asks for."""
    return JobFilter(
        statuses=tuple(dict.fromkeys(s.value for s in status or ())),
        preset=preset,
        created_after=created_after,
        created_before=created_before,
        text=q,
        batch_id=batch_id,
    )


JobFilterDep = Annotated[JobFilter, Depends(job_filter)]
