"""Contract test: schemathesis drives every operation of ``/openapi.json`` against the real app.

The schema is loaded from the live app (ASGI, in process), so the test covers whatever routes
exist when it runs. Each operation gets its documented examples, valid (positive) and invalid
(negative) generated requests, authenticated with a real API key; operations on one job also
get valid requests about a real job of the key's owner. Every response must:

- never be a 5xx (``not_a_server_error``),
- have a documented status, content type, headers and body (the ``*_conformance`` checks),
- reject invalid input with a 4xx (``negative_data_rejection``), refuse a missing key
  (``ignored_auth``), and answer a 4xx as ``application/problem+json``.

Generation is derandomized (same requests on every run) and never shrinks. The server-sent
events stream is only fuzzed with made-up job ids, so every request ends: a real job's stream
stays open until the job ends, and no worker runs here. The WebSocket is not in the OpenAPI
document (OpenAPI cannot describe one), so it is not covered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from fastapi import FastAPI, HTTPException
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

PROBLEM = "application/problem+json"
MIN_REQUESTS = 1_000
EXAMPLES_PER_STRATEGY = 30  # hypothesis stops earlier when an operation has fewer inputs
# operations whose valid requests make media (a voice spoken, music composed): fewer cases
COSTLY_EXAMPLES: dict[str, int] = {"POST /v1/previews/voice": 6, "POST /v1/previews/music": 6}
EVENT_STREAM = "text/event-stream"


def problem_json_for_client_errors(
    _ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Every 4xx is an RFC 9457 problem document."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith(PROBLEM), (
            f"{response.status_code} answered as {content_type!r}, not {PROBLEM}"
        )
        if case.method.upper() != "HEAD":  # a HEAD answer has headers only
            assert f'"status":{response.status_code}' in response.text.replace(" ", "")


@schemathesis.check
def invalid_data_rejected(ctx: Any, response: Any, case: Any) -> bool | None:
    """``negative_data_rejection``, with a 413 counted as a rejection: a body over the size
    limit is refused, before it is parsed, with the documented 413 (schemathesis's list of
    rejections leaves it out; a large generated batch hit it once the schema grew)."""
    if response.status_code == 413:
        return None
    result: bool | None = negative_data_rejection(ctx, response, case)
    return result


CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    invalid_data_rejected,
    ignored_auth,
    problem_json_for_client_errors,
]


@dataclass
class Tally:
    """What the run sent and what it found."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_operation: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)

    def report(self) -> str:
        found = "\n\n".join(f"== {key}\n{message}" for key, message in self.failures.items())
        return f"{len(self.failures)} distinct failure(s):\n{found}"


def strategies_for(operation: Any, job_id: str) -> list[Any]:
    """Examples, positive, negative and NUL-laden requests; plus real-job requests where
    that ends."""
    found = list(operation.get_strategies_from_examples())
    found += [operation.as_strategy(mode) for mode in GenerationMode]
    found.append(operation.as_strategy(GenerationMode.POSITIVE).map(with_nul_characters))
    if "{job_id}" in operation.path and not _streams(operation):
        found.append(operation.as_strategy(path_parameters={"job_id": job_id}))
    return found


def with_nul_characters(case: schemathesis.Case) -> schemathesis.Case:
    """``case`` with a NUL character in every text of its path, query and JSON body.

    Valid JSON and a valid URL, yet PostgreSQL refuses NUL in text: a classic 500 that
    random generation seldom hits.
    """
    laden = case.derive(query=_nul(case.query), keep_auth=True)
    laden.path_parameters = _nul(case.path_parameters)
    if isinstance(case.body, dict | list):
        laden.body = _nul(case.body)
    return laden


def _nul(value: Any) -> Any:
    if isinstance(value, str):
        return f"{value[:1]}\x00{value[1:]}"
    if isinstance(value, dict):
        return {key: _nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nul(item) for item in value]
    return value


def _streams(operation: Any) -> bool:
    responses = operation.definition.raw.get("responses", {})
    return any(EVENT_STREAM in r.get("content", {}) for r in responses.values())


def exercise(strategy: Any, *, label: str, headers: dict[str, str], tally: Tally) -> None:
    """Send up to ``EXAMPLES_PER_STRATEGY`` cases of ``strategy`` and check each answer."""

    @settings(
        max_examples=EXAMPLES_PER_STRATEGY,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        # a negative case may leave the key out on purpose: then send none
        negated = case.operation.schema.is_security_param_negated(case)
        sent = {} if negated else headers
        try:
            response = case.call(headers=sent)
        except Exception as error:  # the app raised past its error handlers: a 500 at best
            key = f"{label}: Server error (unhandled {type(error).__name__})"
            tally.failures.setdefault(key, f"{error!r}\n{case.as_curl_command(headers=sent)}")
            return
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        tally.per_operation[label] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except schemathesis.errors.FailureGroup as group:
            for failure in group.exceptions:
                tally.failures.setdefault(f"{label}: {failure.title}", str(group))

    try:
        run()
    except Unsatisfiable:
        tally.unsatisfiable.append(label)  # e.g. no invalid request exists for `GET /health`


@contextmanager
def examples_for(label: str) -> Iterator[None]:
    """``EXAMPLES_PER_STRATEGY`` lowered for a costly operation while it is exercised.
    (``exercise``'s code stays as it is: hypothesis derives its derandomized seeds from
    that code, and the harness test below relies on the cases they give.)"""
    global EXAMPLES_PER_STRATEGY  # noqa: PLW0603
    kept = EXAMPLES_PER_STRATEGY
    EXAMPLES_PER_STRATEGY = COSTLY_EXAMPLES.get(label, kept)
    try:
        yield
    finally:
        EXAMPLES_PER_STRATEGY = kept


def test_every_operation_honours_its_contract(
    contract_app: FastAPI, api_key: str, canceled_job_id: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", contract_app)
    headers = {"Authorization": f"Bearer {api_key}"}
    tally = Tally()
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for strategy in strategies_for(operation, canceled_job_id):
            with examples_for(operation.label):
                exercise(strategy, label=operation.label, headers=headers, tally=tally)

    assert not tally.failures, tally.report()
    assert set(tally.per_operation) == set(labels), "some operation was never called"
    assert tally.requests >= MIN_REQUESTS, f"only {tally.requests} requests: {tally.per_operation}"
    assert any(200 <= status < 300 for status in tally.statuses)
    print(f"\n{tally.requests} requests, statuses {dict(sorted(tally.statuses.items()))}")
    print(dict(tally.per_operation), tally.unsatisfiable)


def test_the_harness_reports_server_errors_and_undocumented_answers() -> None:
    """The checks above can fail: a 500 and an undocumented 418 are both reported."""
    app = FastAPI()

    @app.get("/teapots/{count}")
    def teapots(count: int) -> dict[str, int]:
        if count < 0:
            raise HTTPException(418, "I'm a teapot")
        return {"teapots": 100 // (count % 2)}  # an even count: ZeroDivisionError, a 500

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        for strategy in strategies_for(operation, job_id="unused"):
            exercise(strategy, label=operation.label, headers={}, tally=tally)
    titles = " | ".join(tally.failures)
    assert "Server error" in titles
    assert "Undocumented status code" in titles
