# ruff: noqa: F811  (pytest fixtures imported from edge_client, then requested by name)
"""``POST /v1/uploads`` with real media made by FFmpeg, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from api_client import PROBLEM, KeyMaker, auth
from edge_client import ClientMaker, make_app, make_client  # noqa: F401

from aiprod.media.ffmpeg.probe import probe
from aiprod.uploads.service import clean_filename

MediaMaker = Callable[[str, str], Path]


def uploaded_files(tmp_path: Path) -> list[Path]:
    """Every file under the data dir's upload area (and nothing may be anywhere else)."""
    root = tmp_path / "data" / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_problem(response: object, status: int, slug: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    assert response.json()["type"] == f"urn:aiprod:problem:{slug}"  # type: ignore[attr-defined]


def test_image_as_multipart_is_stored_and_usable_in_a_spec(
    make_client: ClientMaker, make_key: KeyMaker, make_media: MediaMaker, tmp_path: Path
) -> None:
    api, key = make_client(), make_key()
    image = make_media("shop front.png", "image")
    files = {"file": ("shop front.png", image.read_bytes(), "image/png")}
    response = api.post("/v1/uploads", files=files, headers=auth(key))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["format"], body["filename"]) == (
        "image",
        "png_pipe",
        "shop front.png",
    )
    assert (body["width"], body["height"], body["duration_s"]) == (640, 480, None)
    stored = Path(body["path"])
    assert stored.name == f"{body['id']}.png"
    assert stored.read_bytes() == image.read_bytes()
    assert uploaded_files(tmp_path) == sorted([stored, stored.with_suffix(".json")])
    spec = {"scenes": [{"narration": "Hi.", "background": {"type": "image", "path": body["path"]}}]}
    assert api.post("/v1/jobs", json={"spec": spec}, headers=auth(key)).status_code == 202


@pytest.mark.parametrize(
    ("name", "kind", "extension"), [("clip.mp4", "video", ".mp4"), ("bed.wav", "audio", ".wav")]
)
def test_video_and_audio_as_raw_bodies(
    make_client: ClientMaker,
    make_key: KeyMaker,
    make_media: MediaMaker,
    name: str,
    kind: str,
    extension: str,
) -> None:
    media = make_media(name, {"video": "clip", "audio": "music"}[kind])
    response = make_client().post(
        "/v1/uploads",
        params={"filename": name},
        content=media.read_bytes(),
        headers=auth(make_key()),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["filename"]) == (kind, name)
    assert Path(body["path"]).suffix == extension
    assert body["duration_s"] == pytest.approx(1.5 if kind == "video" else 3.0, abs=0.1)
    assert probe(Path(body["path"])).duration == pytest.approx(body["duration_s"], abs=0.1)


def test_text_renamed_mp4_is_refused_and_not_kept(
    make_client: ClientMaker, make_key: KeyMaker, tmp_path: Path
) -> None:
    files = {"file": ("movie.mp4", b"just some text, not a movie\n" * 10, "video/mp4")}
    response = make_client().post("/v1/uploads", files=files, headers=auth(make_key()))
    assert_problem(response, 415, "unsupported-media")
    assert uploaded_files(tmp_path) == []


def test_a_playlist_posing_as_video_is_never_followed(
    make_client: ClientMaker, make_key: KeyMaker, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.ts"
    secret.write_bytes(b"\x47" + b"\x00" * 187)  # a file the playlist would have FFmpeg read
    playlist = (
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://{secret}\n#EXT-X-ENDLIST\n"
    )
    response = make_client().post(
        "/v1/uploads",
        params={"filename": "video.mp4"},
        content=playlist.encode(),
        headers=auth(make_key()),
    )
    assert_problem(response, 415, "unsupported-media")


def test_traversal_in_the_file_name_is_neutralised(
    make_client: ClientMaker, make_key: KeyMaker, make_media: MediaMaker, tmp_path: Path
) -> None:
    image = make_media("pic.png", "image")
    response = make_client().post(
        "/v1/uploads",
        params={"filename": "../../etc/passwd"},
        content=image.read_bytes(),
        headers=auth(make_key()),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["filename"] == "passwd"
    uploads = (tmp_path / "data" / "uploads").resolve()
    assert Path(body["path"]).parent.parent == uploads
    assert "passwd" not in body["path"]
    assert len(uploaded_files(tmp_path)) == 2  # the file and its metadata, nothing else


def test_oversized_uploads_are_413(
    make_client: ClientMaker, make_key: KeyMaker, tmp_path: Path
) -> None:
    api, key = make_client(upload_max_bytes=10_000), make_key()
    over_file_cap = api.post("/v1/uploads", content=b"\0" * 20_000, headers=auth(key))
    assert_problem(over_file_cap, 413, "payload-too-large")
    over_body_cap = api.post("/v1/uploads", content=b"\0" * 200_000, headers=auth(key))
    assert_problem(over_body_cap, 413, "payload-too-large")

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(50):
            yield b"\0" * 4096

    streamed = api.post("/v1/uploads", content=chunked(), headers=auth(key))
    assert_problem(streamed, 413, "payload-too-large")
    assert uploaded_files(tmp_path) == []


def test_over_long_media_is_422(
    make_client: ClientMaker, make_key: KeyMaker, make_media: MediaMaker, tmp_path: Path
) -> None:
    clip = make_media("long.mp4", "clip")  # 1.5 s
    response = make_client(upload_max_duration_s=1.0).post(
        "/v1/uploads", content=clip.read_bytes(), headers=auth(make_key())
    )
    assert_problem(response, 422, "media-too-long")
    assert "1.5 s" in response.json()["detail"]
    assert uploaded_files(tmp_path) == []


def test_uploads_need_the_write_scope_and_a_file(
    make_client: ClientMaker, make_key: KeyMaker
) -> None:
    api = make_client()
    reader = make_key(scopes=("jobs:read",))
    assert_problem(api.post("/v1/uploads", content=b"x", headers=auth(reader)), 403, "forbidden")
    writer = auth(make_key())
    assert_problem(api.post("/v1/uploads", content=b"", headers=writer), 415, "unsupported-media")
    no_file = api.post("/v1/uploads", files={"other": ("a.png", b"x")}, headers=writer)
    assert_problem(no_file, 415, "unsupported-media")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/abs/path/.hidden.png", "hidden.png"),
        ("a\x00b\nc.mp4", "abc.mp4"),
        ("<script>.png", "_script_.png"),
        ("..", "upload"),
        (None, "upload"),
        ("x" * 300 + ".webm", "x" * 115 + ".webm"),
    ],
)
def test_file_names_are_cleaned(given: str | None, kept: str) -> None:
    assert clean_filename(given) == kept


def test_an_image_that_cannot_be_decoded_is_422_and_not_kept(
    make_client: ClientMaker, make_key: KeyMaker, tmp_path: Path
) -> None:
    corrupt = b"GIF89a" + random.Random(10).randbytes(100)  # probes as a 0x0 GIF
    response = make_client().post(
        "/v1/uploads",
        params={"filename": "logo.gif"},
        content=corrupt,
        headers=auth(make_key()),
    )
    assert_problem(response, 422, "undecodable-media")
    assert str(tmp_path) not in response.text  # the caller's file, never a server path
    assert uploaded_files(tmp_path) == []


def test_an_upload_is_read_back_by_its_owner_only(
    make_client: ClientMaker, make_key: KeyMaker, make_media: MediaMaker
) -> None:
    api, alice, bob = make_client(), make_key("alice"), make_key("bob")
    image = make_media("logo.png", "image")
    files = {"file": ("logo.png", image.read_bytes(), "image/png")}
    created = api.post("/v1/uploads", files=files, headers=auth(alice)).json()
    content = f"/v1/uploads/{created['id']}/content"
    got = api.get(content, headers=auth(alice))
    assert got.status_code == 200, got.text
    assert got.content == image.read_bytes()
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"].startswith("private")
    described = api.get(f"/v1/uploads/{created['id']}", headers=auth(alice))
    assert described.status_code == 200 and described.json() == created
    for path in (content, f"/v1/uploads/{created['id']}"):
        assert_problem(api.get(path, headers=auth(bob)), 404, "not-found")
    for unknown in ("0" * 32, "..%2F..%2Fetc%2Fpasswd", "ABC"):
        assert_problem(
            api.get(f"/v1/uploads/{unknown}/content", headers=auth(alice)), 404, "not-found"
        )
    assert api.get(content).status_code == 401
