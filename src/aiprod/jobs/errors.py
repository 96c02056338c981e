"""Errors of the job queue, branches of :class:`aiprod.errors.AiprodError`.

AiprodError
├── LeaseLost             a worker wrote with a lease it no longer holds: write refused
└── InvalidTransition     a status change the job state machine does not allow

The database errors (``UnmigratedDatabase``, ``DatabaseUnavailable``) are in
:mod:`aiprod.db.errors`.
"""

from __future__ import annotations

from aiprod.errors import AiprodError


class LeaseLost(AiprodError):
    """The claim's lease token no longer matches the row: another worker owns the job."""

    code = "lease_lost"

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"lease on job {job_id} was lost; the write was refused")


class InvalidTransition(AiprodError):
    """A status change that the job state machine forbids."""

    code = "invalid_transition"

    def __init__(self, from_status: str, to_status: str) -> None:
        self.from_status, self.to_status = from_status, to_status
        super().__init__(f"a job cannot go from {from_status} to {to_status}")
