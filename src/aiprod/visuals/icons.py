"""Lucide icons (ISC licence, bundled by the ``python-lucide`` package) drawn in brand colours.

``render_icon(name, size=, colour=, badge=)`` rasterises the icon's SVG with resvg at the size
it is shown, so lines stay sharp: the strokes are drawn in ``colour`` and, when ``badge`` is
given, on a disc of that colour (the icon then takes 60 % of the disc). Nothing is fetched at
run time: the SVGs come from the package's SQLite file. The PNG is deterministic (same
arguments, same bytes) and cached under :func:`aiprod.visuals.cache.cache_dir`.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import resvg_py

from aiprod.errors import ProviderRejectedInput, ProviderUnavailable
from aiprod.visuals.cache import cache_dir, write_atomic
from aiprod.visuals.palette import parse_colour, readable_text, to_hex

MAX_SIZE = 4096
SVG_NS = "http://www.w3.org/2000/svg"
BADGE_ICON_SHARE = 0.6  # of the disc's diameter
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class UnknownIcon(ProviderRejectedInput, ValueError):
    """The name is not an icon of the bundled set."""

    code = "unknown_icon"


def _database() -> Path:
    try:
        from lucide import get_default_db_path
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ProviderUnavailable("the icon set is not installed (python-lucide)") from exc
    path = get_default_db_path()
    if path is None or not Path(path).is_file():
        raise ProviderUnavailable(f"the Lucide icon database is missing ({path})")
    return Path(path)


def _query(sql: str, *args: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(f"file:{_database()}?mode=ro", uri=True) as db:
        return [tuple(row) for row in db.execute(sql, args).fetchall()]


@cache
def icon_set_version() -> str:
    """The Lucide release the bundled SVGs come from (e.g. '1.61.0')."""
    rows = _query("SELECT value FROM metadata WHERE key = 'version'")
    return rows[0][0] if rows else "unknown"


@cache
def icon_names() -> frozenset[str]:
    """Every icon name of the bundled set."""
    return frozenset(row[0] for row in _query("SELECT name FROM icons"))


@cache
def icon_svg(name: str) -> str:
    """The icon's SVG source as shipped (24x24 viewBox, ``currentColor`` strokes)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UnknownIcon(f"not an icon name: {name!r}")
    rows = _query("SELECT svg FROM icons WHERE name = ?", name)
    if not rows:
        rows = _query(
            "SELECT icons.svg FROM icon_aliases JOIN icons ON icons.name = icon_aliases.name"
            " WHERE icon_aliases.alias = ?",
            name,
        )
    if not rows:
        raise UnknownIcon(f"no icon named '{name}' in the bundled set")
    return rows[0][0]


def icon_exists(name: str) -> bool:
    """True if ``name`` (or one of its aliases) is an icon of the bundled set."""
    try:
        icon_svg(name)
    except UnknownIcon:
        return False
    return True


def icon_document(name: str, *, colour: str, badge: str | None = None) -> str:
    """The SVG to rasterise: the icon's shapes stroked in ``colour``, on a ``badge`` disc."""
    ET.register_namespace("", SVG_NS)
    source = ET.fromstring(icon_svg(name))
    stroke = to_hex(parse_colour(colour))
    group = ET.Element(
        f"{{{SVG_NS}}}g",
        {
            "fill": "none",
            "stroke": stroke,
            "stroke-width": source.get("stroke-width", "2"),
            "stroke-linecap": "round",
            "stroke-linejoin": "round",
        },
    )
    for child in list(source):
        group.append(child)
    root = ET.Element(f"{{{SVG_NS}}}svg", {"viewBox": "0 0 24 24"})
    if badge is not None:
        pad = 12 * (1 / BADGE_ICON_SHARE - 1)
        side = 24 + 2 * pad
        root.set("viewBox", f"{-pad:.4f} {-pad:.4f} {side:.4f} {side:.4f}")
        disc = {"cx": "12", "cy": "12", "r": f"{side / 2:.4f}"}
        ET.SubElement(root, f"{{{SVG_NS}}}circle", {**disc, "fill": to_hex(parse_colour(badge))})
    root.append(group)
    # currentColor in the shapes (fills of dots, for instance) means the stroke colour
    return ET.tostring(root, encoding="unicode").replace("currentColor", stroke)


def render_icon_bytes(name: str, *, size: int, colour: str, badge: str | None = None) -> bytes:
    """The icon as a ``size`` x ``size`` transparent PNG (bytes)."""
    if not 8 <= size <= MAX_SIZE:
        raise ValueError(f"icon size must be 8..{MAX_SIZE} pixels, not {size}")
    document = icon_document(name, colour=colour, badge=badge)
    return bytes(resvg_py.svg_to_bytes(svg_string=document, width=size, height=size))


def render_icon(
    name: str, *, size: int, colour: str, badge: str | None = None, out: Path | None = None
) -> Path:
    """Render the icon to ``out`` (or to the cache, reused when already there); the PNG path."""
    if out is None:
        key = "|".join([icon_set_version(), name, str(size), colour.upper(), str(badge).upper()])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        out = cache_dir() / "icons" / f"{name}-{size}-{digest}.png"
        if out.is_file():
            return out
    return write_atomic(out, render_icon_bytes(name, size=size, colour=colour, badge=badge))


def brand_icon_colours(primary: str, accent: str) -> tuple[str, str]:
    """(stroke, badge) for an icon in a brand's palette: a disc of the accent colour, the
    strokes in the primary colour if it reads on it (4.5:1), else in white or ink."""
    return readable_text([accent], preferred=primary), to_hex(parse_colour(accent))
