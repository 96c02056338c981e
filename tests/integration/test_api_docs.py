"""``/docs`` and ``/redoc`` work offline, and ``/openapi.json`` tells the truth about errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema
import pytest
from api_client import PROBLEM, ApiClient
from openapi_spec_validator import validate

DOC_PAGES = ["/docs", "/redoc", "/docs/oauth2-redirect"]
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


class LinkCollector(HTMLParser):
    """Every ``src`` and ``href`` attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in {"src", "href"} and value]


def page_links(html: str) -> list[str]:
    """``src``/``href`` attributes, plus URLs the inline scripts load (``url: '…'``)."""
    collector = LinkCollector()
    collector.feed(html)
    inline = re.findall(r"\burl:\s*'([^']+)'", html) + re.findall(r"spec-url=\"([^\"]+)\"", html)
    return collector.links + inline


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``components`` beside it, so ``$ref`` resolves in jsonschema."""
    return {**schema, "components": document["components"]}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_every_asset_from_this_server(client: ApiClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = page_links(response.text)
    assert any(link.endswith(".js") for link in links), links
    assert "/openapi.json" in links
    for link in links:
        absolute = urljoin(f"http://api.test{page}", link)
        assert urlsplit(absolute).netloc == "api.test", f"{page} loads {link} from elsewhere"
        assert client.get(absolute).status_code == 200, link
    assert "http://" not in response.text and "https://" not in response.text


def test_swagger_asks_no_online_validator(client: ApiClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_swagger_oauth2_redirect_page_is_served(client: ApiClient) -> None:
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text


def test_openapi_is_valid_3_1_without_doc_pages(client: ApiClient) -> None:
    document = client.get("/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert not set(document["paths"]) & {*DOC_PAGES, "/docs/static"}
    schemes = document["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())


def test_every_error_response_is_problem_json_with_an_example(client: ApiClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            assert list(response["content"]) == [PROBLEM], (path, method, code)
            media = response["content"][PROBLEM]
            assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
            if int(code) in {401, 403, 404, 409, 413, 422, 503}:
                (example,) = [e["value"] for e in media["examples"].values()]
                assert example["status"] == int(code)
                jsonschema.validate(example, resolve(media["schema"], document))


def test_errors_are_declared_where_they_occur(client: ApiClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method, operation in operations(document):
        declared = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403", "503"} <= declared, (path, method)
        if "{" in path:
            assert "404" in declared, (path, method)
        if "requestBody" in operation:
            assert {"413", "422"} <= declared, (path, method)
    cancel = document["paths"]["/v1/jobs/{job_id}/cancel"]["post"]
    assert "409" in cancel["responses"]


def test_bodies_carry_examples_that_match_their_schemas(client: ApiClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        for media_type, media in content.items():
            assert media.get("examples"), f"{method} {path} {media_type} has no example"
            for example in media["examples"].values():
                jsonschema.validate(example["value"], resolve(media["schema"], document))
        for response in operation["responses"].values():
            for media in response.get("content", {}).values():
                for example in media.get("examples", {}).values():
                    jsonschema.validate(example["value"], resolve(media["schema"], document))


def test_main_responses_show_bean_there_examples(client: ApiClient) -> None:
    document = client.get("/openapi.json").json()
    jobs = document["paths"]["/v1/jobs"]
    accepted = jobs["post"]["responses"]["202"]["content"]["application/json"]["examples"]
    listed = jobs["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    one = document["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]["200"]["content"]
    assert [e["value"]["status"] for e in accepted.values()] == ["queued"]
    assert next(iter(listed.values()))["value"]["items"][0]["error"] is None
    assert one["application/json"]["examples"]
    briefs = jobs["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert any("Bean There" in str(e["value"]) for e in briefs.values())


def test_the_brief_example_is_accepted_as_is(client: ApiClient, make_key: Any) -> None:
    document = client.get("/openapi.json").json()
    examples = document["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]
    headers = {"Authorization": f"Bearer {make_key()}"}
    for example in examples["application/json"]["examples"].values():
        response = client.post("/v1/jobs", json=example["value"], headers=headers)
        assert response.status_code == 202, response.text
