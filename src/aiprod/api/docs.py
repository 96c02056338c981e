"""Interactive API docs that work offline (``/docs``, ``/redoc``) and an honest OpenAPI document.

FastAPI's own pages load their JavaScript from a CDN, so on an offline install they are
blank. These pages serve the same UIs from the files shipped inside the ``fastapi-offline``
wheel, under ``/docs/static``; the HTML names no external URL. None of them appears in the
OpenAPI document.

:func:`refine_openapi` makes ``/openapi.json`` say what the API really answers: every error
response is ``application/problem+json`` (never FastAPI's ``HTTPValidationError``), the
errors every route can give (401/403 with a key, 404 with a path id, 400/413/422 with a
body, 422 with parameters, 503 with the database, 429 over a rate limit) are declared
with examples, and body examples appear where Swagger UI shows them. It works on whatever
routes exist, so new routes are documented alike.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from aiprod.api.errors import PROBLEM_MEDIA_TYPE, TYPE_PREFIX
from aiprod.api.ratelimit import is_exempt
from aiprod.api.schemas import JOB_ID_EXAMPLE, Problem

DOCS_PATH: Final = "/docs"
REDOC_PATH: Final = "/redoc"
OAUTH2_REDIRECT_PATH: Final = "/docs/oauth2-redirect"
STATIC_PATH: Final = "/docs/static"
# Swagger UI's own settings: keep the pasted API key across reloads, show request times,
# and no badge from the online validator (validator.swagger.io), unreachable offline
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {
    "persistAuthorization": True,
    "displayRequestDuration": True,
    "validatorUrl": None,
}


def docs_assets_dir() -> Path:
    """The folder of Swagger UI and ReDoc files inside the installed ``fastapi-offline``."""
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets from this process (no CDN), and the
    refined ``/openapi.json`` they show.

    ``app`` must be built with ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages
    are off.
    """
    install_openapi(app)
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(STATIC_PATH, StaticFiles(directory=docs_assets_dir()), name="docs-static")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
            swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_PATH, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API reference",
            redoc_js_url=f"{root}{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
            with_google_fonts=False,
        )


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`refine_openapi` of FastAPI's generated document at ``/openapi.json``."""
    generate = app.openapi  # cached by FastAPI until the routes change
    refined: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()
        if not refined or refined[-1] is not document:
            refined[:] = [refine_openapi(document)]  # in place, so FastAPI caches the result
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


# (slug, title, detail) of the example problem of each status
PROBLEM_EXAMPLES: Final[dict[int, tuple[str, str, str]]] = {
    400: ("malformed-request", "Malformed request", "There was an error parsing the body"),
    401: (
        "unauthenticated",
        "Authentication required",
        "an API key is required: 'Authorization: Bearer <key>'",
    ),
    403: ("forbidden", "Missing permission", "this API key lacks the 'jobs:write' scope"),
    404: ("not-found", "Not found", f"no job {JOB_ID_EXAMPLE}"),
    409: ("conflict", "Conflict", f"job {JOB_ID_EXAMPLE} is already succeeded"),
    412: (
        "precondition-failed",
        "Precondition failed",
        f'the manifest of job {JOB_ID_EXAMPLE} is at version "3", not "2"',
    ),
    413: ("payload-too-large", "Payload too large", "the request body is over 1048576 bytes"),
    416: (
        "range-not-satisfiable",
        "Range not satisfiable",
        "no requested byte range lies inside the 48213-byte file",
    ),
    422: ("invalid-request", "The request is invalid", "1 problem(s) in the request"),
    429: (
        "rate-limited",
        "Too many requests",
        "too many write requests for this API key; retry in 17 s",
    ),
    503: ("database-unavailable", "Database unavailable", "Database unavailable"),
}
# an operation without a key (a signed download) refuses a bad signature, not a scope
UNSECURED_PROBLEM_EXAMPLES: Final[dict[int, tuple[str, str, str]]] = {
    403: ("invalid-signature", "Invalid URL signature", "the URL's signature does not match"),
}
PATH_EXAMPLES: Final = {
    "job_id": JOB_ID_EXAMPLE,
    "batch_id": "0193f2a4c1c05d1e7b3a9f2c4d6e8a10",
    "name": "video.mp4",
}
VALIDATION_EXAMPLE_ERRORS: Final = [
    {"path": "body.brief", "message": "String should have at least 1 character"}
]
PROBLEM_REF: Final = "#/components/schemas/Problem"
FASTAPI_VALIDATION_SCHEMAS: Final = ("HTTPValidationError", "ValidationError")
HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def refine_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place) with problem+json errors, implied error statuses and
    media examples."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for schema in schemas.values():
        for example in schema.get("examples", []):
            _restore_nulls(example, schema, schemas)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in problem_schema.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("Problem", problem_schema)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                _refine_operation(path, operation, schemas)
    for name in FASTAPI_VALIDATION_SCHEMAS:
        if f'"#/components/schemas/{name}"' not in _as_text(document, skip=name):
            schemas.pop(name, None)
    return document


def _refine_operation(path: str, operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in _implied_error_statuses(path, operation):
        responses.setdefault(str(status), {})
    instance = re.sub(r"\{([^}]+)\}", lambda m: PATH_EXAMPLES.get(m[1], JOB_ID_EXAMPLE), path)
    secured = bool(operation.get("security"))
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            _make_problem_response(int(code), response, instance, secured=secured)
        else:
            _add_media_examples(response.get("content", {}), schemas)
            _hide_item_schemas(response.get("content", {}))
    _add_media_examples(operation.get("requestBody", {}).get("content", {}), schemas)


def _hide_item_schemas(content: dict[str, Any]) -> None:
    """Keep OpenAPI 3.2's ``itemSchema`` (FastAPI's server-sent events) as an extension.

    The document says 3.1, where a media type may not have it, so validators refuse it.
    """
    for media in content.values():
        if "itemSchema" in media:
            media["x-itemSchema"] = media.pop("itemSchema")


def _implied_error_statuses(path: str, operation: dict[str, Any]) -> list[int]:
    """The errors an operation can give by its shape alone."""
    statuses: list[int] = []
    if operation.get("security"):
        statuses += [401, 403, 503]
    if "{" in path:
        statuses.append(404)
    if "requestBody" in operation:
        statuses += [400, 413, 422]  # 400: a body that cannot be parsed at all
    elif operation.get("parameters"):
        statuses.append(422)
    if not is_exempt(path):
        statuses.append(429)  # rate limits: per client IP, and per key (aiprod.api.ratelimit)
    return sorted(statuses)


def _make_problem_response(
    status: int, response: dict[str, Any], instance: str, *, secured: bool
) -> None:
    if not response.get("description") or response["description"] == "Validation Error":
        response["description"] = _phrase(status)
    media: dict[str, Any] = {"schema": {"$ref": PROBLEM_REF}}
    example = _problem_example(status, instance, secured=secured)
    if example is not None:
        media["examples"] = {example["type"].removeprefix(TYPE_PREFIX): {"value": example}}
    response["content"] = {PROBLEM_MEDIA_TYPE: media}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _problem_example(status: int, instance: str, *, secured: bool) -> dict[str, Any] | None:
    known = PROBLEM_EXAMPLES if secured else {**PROBLEM_EXAMPLES, **UNSECURED_PROBLEM_EXAMPLES}
    if status not in known:
        return None
    slug, title, detail = known[status]
    example: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if status == 422:
        example["errors"] = VALIDATION_EXAMPLE_ERRORS
    return example


def _add_media_examples(content: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Copy a referenced model's ``examples`` to its media type, where Swagger UI shows them."""
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples") if ref else None
        if examples and "examples" not in media and "example" not in media:
            media["examples"] = {
                f"example-{number}": {"value": value} for number, value in enumerate(examples, 1)
            }


def _as_text(document: dict[str, Any], *, skip: str) -> str:
    """``document`` as JSON text without the component ``skip`` (to find references to it)."""
    schemas = {k: v for k, v in document["components"]["schemas"].items() if k != skip}
    return json.dumps({**document, "components": {**document["components"], "schemas": schemas}})


def _restore_nulls(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Put back the required ``null`` fields of an example.

    FastAPI drops every ``None`` from the document (``exclude_none``), so an example's
    ``"error": null`` vanishes and the example no longer matches its own schema.
    """
    schema = _object_schema(schema, schemas)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value and _allows_null(properties.get(name, {})):
                value[name] = None
        for name, item in value.items():
            _restore_nulls(item, properties.get(name, {}), schemas)
    elif isinstance(value, list):
        for item in value:
            _restore_nulls(item, schema.get("items", {}), schemas)


def _object_schema(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` followed and its null branch dropped."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _object_schema(option, schemas)
    ref = schema.get("$ref", "")
    return _object_schema(schemas.get(ref.rsplit("/", 1)[-1], {}), schemas) if ref else schema


def _allows_null(schema: dict[str, Any]) -> bool:
    options = [schema, *schema.get("anyOf", [])]
    return any(o.get("type") == "null" or "null" in (o.get("type") or []) for o in options)
