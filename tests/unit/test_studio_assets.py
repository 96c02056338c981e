"""The studio's files ship in the wheel, and its vendored htmx is pinned once."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "aiprod"


def makefile_value(name: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}\s*:=\s*(\S+)$", text, re.MULTILINE)
    assert match is not None, name
    return match.group(1)


def dockerfile_arg(name: str) -> str:
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(rf"^ARG {name}=(\S+)$", text, re.MULTILINE)
    assert match is not None, name
    return match.group(1)


def globbed(name: str, pattern: str) -> bool:
    """``name`` matches ``pattern`` as setuptools' glob does (``*`` stays in its folder)."""
    path, glob = PurePosixPath(name), PurePosixPath(pattern)
    return len(path.parts) == len(glob.parts) and path.match(pattern)


def test_the_image_vendors_the_same_htmx_as_the_makefile() -> None:
    for name in ("HTMX_VERSION", "HTMX_INTEGRITY"):
        assert makefile_value(name) == dockerfile_arg(name)
    assert makefile_value("HTMX_INTEGRITY").startswith("sha512-")


def test_every_studio_template_and_static_file_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["aiprod"]
    studio = PACKAGE / "studio"
    files = [
        path.relative_to(PACKAGE).as_posix()
        for folder in ("templates", "static")
        for path in (studio / folder).rglob("*")
        if path.is_file() and path.name != ".gitignore"
    ]
    assert any(name.endswith(".html") for name in files)
    unshipped = [name for name in files if not any(globbed(name, p) for p in patterns)]
    assert unshipped == []
    assert any(globbed("studio/static/vendor/htmx.min.js", p) for p in patterns)
