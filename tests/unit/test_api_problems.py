"""The one error table: each error class maps to its status and a stable problem type."""

from __future__ import annotations

import pytest
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from aiprod.api.errors import problem_kind, problem_response
from aiprod.db.errors import DatabaseUnavailable
from aiprod.errors import (
    AuthenticationRequired,
    Conflict,
    InvalidSpec,
    NotFound,
    PermissionDenied,
    SpecProblem,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidSpec([SpecProblem("scenes", "too short")]), 422),
        (RequestValidationError([]), 422),
        (AuthenticationRequired("no key"), 401),
        (PermissionDenied("no scope"), 403),
        (NotFound("no job"), 404),
        (Conflict("finished"), 409),
        (DatabaseUnavailable("down"), 503),
        (OperationalError("SELECT 1", {}, Exception("gone")), 503),
        (HTTPException(405), 405),
        (RuntimeError("boom"), 500),
    ],
)
def test_status_of_each_error(error: Exception, status: int) -> None:
    assert problem_kind(error).status == status


def test_invalid_spec_lists_every_problem() -> None:
    error = InvalidSpec([SpecProblem("a", "bad"), SpecProblem("b.0", "worse")])
    response = problem_response(error, "/v1/jobs")
    assert response.media_type == "application/problem+json"
    assert b'"errors":[{"path":"a","message":"bad"},{"path":"b.0","message":"worse"}]' in (
        response.body
    )


def test_401_asks_for_a_bearer_token_and_500_hides_details() -> None:
    assert problem_response(AuthenticationRequired("x"), "/").headers["www-authenticate"] == (
        "Bearer"
    )
    assert b"secret" not in problem_response(RuntimeError("secret"), "/").body
