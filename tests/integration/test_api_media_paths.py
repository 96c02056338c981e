"""A spec submitted through the API may only name the caller's own media files."""

from __future__ import annotations

import hashlib
import stat
import subprocess
from pathlib import Path

from api_client import PROBLEM, ApiClient, KeyMaker, auth

from aiprod.config import Settings
from aiprod.spec.validate import confine_media_paths
from aiprod.uploads.service import uploads_dir


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
    (uploads / "beans.png").write_bytes(b"png")
    (library / "cup.png").write_bytes(b"png")
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


def test_errors_name_the_callers_input_never_a_server_path(
    client: ApiClient, make_key: KeyMaker, settings: Settings
) -> None:
    headers = auth(make_key())
    server_dir = str(settings.data_dir.resolve())
    for path in ("file:///etc/passwd", "missing.png", "sub/../gone.png"):
        for url in ("/v1/jobs", "/v1/estimate"):
            response = client.post(url, json={"spec": spec_with_image(path)}, headers=headers)
            assert response.status_code == 422, (url, path, response.text)
            assert server_dir not in response.text and "/uploads/" not in response.text, (
                response.text
            )
            [problem] = response.json()["errors"]
            assert path in problem["message"], problem


def test_upload_folders_are_named_by_a_salted_hash_and_old_ones_stay_reachable(
    client: ApiClient, make_key: KeyMaker, settings: Settings
) -> None:
    unsalted = hashlib.sha256(b"alice").hexdigest()[:32]
    legacy = settings.data_dir / "uploads" / unsalted
    legacy.mkdir(parents=True)
    image = legacy / "0123456789abcdef0123456789abcdef.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=red:size=64x64", "-frames:v", "1",
         str(image)],
        check=True,
    )  # fmt: skip
    folder = uploads_dir(settings, "alice")
    assert folder.name != unsalted and folder.parent == settings.data_dir / "uploads"
    assert uploads_dir(Settings(data_dir=settings.data_dir.parent / "other"), "alice").name != (
        folder.name
    )  # the salt is this server's own
    key_files = [p for p in (settings.data_dir / "secrets").iterdir() if "upload" in p.name]
    assert [stat.S_IMODE(p.stat().st_mode) for p in key_files] == [0o600]
    headers = auth(make_key("alice"))
    for named in (str(image), image.name):  # the old absolute path, and the bare name
        response = client.post("/v1/jobs", json={"spec": spec_with_image(named)}, headers=headers)
        assert response.status_code == 202, response.text
    assert image.read_bytes()  # never lost
