"""A spec submitted through the API may only name the caller's own media files."""

from __future__ import annotations

from pathlib import Path

from api_client import PROBLEM, ApiClient, KeyMaker, auth

from aiprod.spec.validate import confine_media_paths


def spec_with_image(path: str) -> dict[str, object]:
    background = {"type": "image", "path": path}
    return {"scenes": [{"narration": "Fresh beans.", "background": background}]}


def test_files_outside_the_callers_uploads_are_refused(
    client: ApiClient, make_key: KeyMaker
) -> None:
    headers = auth(make_key())
    for path in ("/etc/passwd", "../../etc/passwd", "~/secret.png"):
        for url, body in (
            ("/v1/jobs", {"spec": spec_with_image(path)}),
            ("/v1/estimate", {"spec": spec_with_image(path)}),
            ("/v1/batches", {"jobs": [{"brief": "an ad"}, {"spec": spec_with_image(path)}]}),
        ):
            response = client.post(url, json=body, headers=headers)
            assert response.status_code == 422, (url, path, response.text)
            assert response.headers["content-type"] == PROBLEM
            [problem] = response.json()["errors"]
            assert problem["path"].endswith("spec.scenes.0.background.path"), problem
            assert "uploads" in problem["message"]
            assert "passwd" not in response.text.replace(path, "")  # nothing read, nothing told
    assert client.get("/v1/jobs", headers=headers).json()["items"] == []


def test_paths_are_resolved_inside_the_roots(tmp_path: Path) -> None:
    uploads, library = tmp_path / "uploads", tmp_path / "library"
    for folder in (uploads, library):
        folder.mkdir()
    (uploads / "escape.png").symlink_to("/etc/passwd")
    spec = {
        "scenes": [
            {"background": {"path": "beans.png"}},
            {"background": {"path": str(library / "cup.png")}},
            {"background": {"path": "escape.png"}},
        ],
        "brand": {"logo": str(library / ".." / "uploads" / ".." / "elsewhere.png")},
    }
    problems = confine_media_paths(spec, [uploads.resolve(), library.resolve()], prefix="")
    assert [p.path for p in problems] == ["scenes.2.background.path", "brand.logo"]
    assert spec["scenes"][0]["background"]["path"] == str(uploads.resolve() / "beans.png")  # type: ignore[index]
