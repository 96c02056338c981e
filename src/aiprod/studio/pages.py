"""Rendering studio pages: one Jinja environment (autoescape on for every template) and the
headers every studio page carries (its own strict Content-Security-Policy)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from starlette.responses import HTMLResponse

HERE: Final = Path(__file__).parent
STATIC_DIR: Final = HERE / "static"
# External scripts and styles of this origin only: no inline script, style or handler.
# Videos and pictures come from this origin's signed file links.
POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{files}; "
    "media-src 'self'{files}; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; manifest-src 'self'"
)
_ORIGIN: Final = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


def policy(links: Iterable[str] = ()) -> str:
    """The studio's Content-Security-Policy; pictures and videos may also come from the
    origins of ``links`` (an object store's presigned URLs), and from nowhere else."""
    origins = set()
    for link in links:
        parts = urlsplit(link)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.netloc and _ORIGIN.fullmatch(origin):
            origins.add(origin)
    return POLICY.format(files="".join(f" {origin}" for origin in sorted(origins)))


PAGE_HEADERS: Final = {
    "Content-Security-Policy": policy(),
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its name: user text is text
    trim_blocks=True,
    lstrip_blocks=True,
)


def _duration(seconds: float | None) -> str:
    """``75.4`` -> ``1 min 15 s``; None -> an em dash."""
    if seconds is None:
        return "—"
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024:
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _download(url: str) -> str:
    """A signed link that asks for an attachment: our own ``/v1/files`` links take
    ``download=1`` (not signed); another store's presigned URL is left as it is."""
    return f"{url}&download=1" if url.startswith("/v1/files/") else url


environment.filters["download"] = _download
environment.filters["duration"] = _duration
environment.filters["when"] = _when
environment.filters["size"] = _size


def render(
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An HTML page (or fragment) from ``template`` with the studio's headers."""
    html = environment.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})
