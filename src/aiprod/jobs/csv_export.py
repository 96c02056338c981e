"""The caller's jobs as CSV, streamed page by page; no web framework here.

Rows are fetched in pages of :data:`PAGE_SIZE` (each in its own short session, keyset
paginated newest first) and stop after :data:`MAX_ROWS`. Every cell that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) gets a
leading ``'``, so an exported brief can never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from aiprod.auth import Principal
from aiprod.jobs.filters import JobFilter, newest_first, visible_jobs
from aiprod.jobs.models import Job

PAGE_SIZE: Final = 500
MAX_ROWS: Final = 100_000
BRIEF_CHARS: Final = 200
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: Final = (
    "id", "status", "kind", "preset", "stage", "progress", "attempts", "created_at",
    "started_at", "finished_at", "error_stage", "error_code", "error_message",
    "estimate_total", "actual_total", "currency", "batch_id", "brief",
)  # fmt: skip

# the brief as written (a spec job has none: its lower-cased narration stands in)
_BRIEF = func.substr(
    func.coalesce(Job.request["brief"].as_string(), Job.search_text), 1, BRIEF_CHARS
)
_SELECTED = (
    Job.id, Job.status, Job.kind, Job.preset, Job.stage, Job.progress, Job.attempts,
    Job.created_at, Job.started_at, Job.finished_at, Job.error, Job.cost_estimate,
    Job.cost_actual, Job.batch_id, _BRIEF.label("brief"),
)  # fmt: skip


def safe_cell(value: object) -> str:
    """``value`` as CSV text that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _field(data: dict[str, Any] | None, key: str) -> object:
    return data.get(key) if isinstance(data, dict) else None


def job_row(row: Row[Any]) -> list[str]:
    """One CSV row, in :data:`COLUMNS` order, from a row of the export query."""
    error, estimate, actual = row.error, row.cost_estimate, row.cost_actual
    values = (
        row.id, row.status, row.kind, row.preset, row.stage, row.progress, row.attempts,
        row.created_at, row.started_at, row.finished_at, _field(error, "stage"),
        _field(error, "code"), _field(error, "message"), _field(estimate, "total"),
        _field(actual, "total"), _field(estimate, "currency") or _field(actual, "currency"),
        row.batch_id, row.brief,
    )  # fmt: skip
    return [safe_cell(value) for value in values]


def count_jobs(session: Session, *, principal: Principal, job_filter: JobFilter) -> int:
    """How many visible jobs pass ``job_filter`` (before the row cap)."""
    visible = visible_jobs(principal, job_filter).with_only_columns(Job.id).subquery()
    return int(session.scalar(select(func.count()).select_from(visible)) or 0)


def job_pages(
    session_factory: Callable[[], Session],
    *,
    principal: Principal,
    job_filter: JobFilter,
    page_size: int = PAGE_SIZE,
    max_rows: int = MAX_ROWS,
) -> Iterator[list[list[str]]]:
    """Pages of CSV rows, newest job first, at most ``max_rows`` rows in all."""
    after: tuple[datetime, str] | None = None
    sent = 0
    while sent < max_rows:
        limit = min(page_size, max_rows - sent)
        query = newest_first(visible_jobs(principal, job_filter), after)
        with session_factory() as session:
            rows = session.execute(query.with_only_columns(*_SELECTED).limit(limit)).all()
        if rows:
            yield [job_row(row) for row in rows]
        sent += len(rows)
        if len(rows) < limit:
            return
        after = (rows[-1].created_at, rows[-1].id)


def csv_text(pages: Iterator[Sequence[Sequence[str]]]) -> Iterator[str]:
    """The header line, then each page as CSV text (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(page)
        yield buffer.getvalue()
