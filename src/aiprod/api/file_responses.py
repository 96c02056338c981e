"""Serving files with byte ranges: RFC 9110 range rules in front of Starlette's FileResponse.

Starlette's ``FileResponse`` serves single and multiple ranges (206, ``multipart/byteranges``),
but answers a malformed or foreign-unit ``Range`` with a plain-text 400 and an unsatisfiable
one with an empty ``text/plain`` 416. RFC 9110 §14.2 says such headers are ignored (the whole
file, 200), and our errors leave as problem+json; so :class:`RangeFileResponse` reads the
header first, ignores what must be ignored, answers 416 through the error table, and hands
Starlette only a normalised header of satisfiable ranges.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from aiprod.api.errors import problem_response
from aiprod.storage.errors import RangeNotSatisfiable

# 19 digits reach past any file size; longer numbers make the header invalid (ignored).
_RANGE_SPEC: Final = re.compile(r"([0-9]{0,19})-([0-9]{0,19})")


def parse_byte_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable ``(first, last)`` byte positions (inclusive) a ``Range`` header asks for.

    ``None`` means "ignore the header, send the whole file": another unit or invalid syntax.
    Raises :class:`RangeNotSatisfiable` when the header is valid but no range overlaps the file.
    """
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    wanted: list[tuple[str, str]] = []
    for part in (part.strip() for part in specs.split(",")):
        if not part:
            continue  # empty list elements are allowed (RFC 9110 §5.6.1)
        match = _RANGE_SPEC.fullmatch(part)
        if match is None or match.group(0) == "-":
            return None
        first, last = match.groups()
        if first and last and int(last) < int(first):
            return None
        wanted.append((first, last))
    if not wanted:
        return None
    ranges = [r for first, last in wanted if (r := _satisfiable(first, last, size)) is not None]
    if not ranges:
        raise RangeNotSatisfiable(size)
    return ranges


def _satisfiable(first: str, last: str, size: int) -> tuple[int, int] | None:
    if first:
        start = int(first)
        return (start, min(int(last), size - 1) if last else size - 1) if start < size else None
    suffix = int(last)
    return (max(size - suffix, 0), size - 1) if suffix > 0 and size > 0 else None


class RangeFileResponse(FileResponse):
    """A ``FileResponse`` (built with ``stat_result``) whose ``Range`` handling follows RFC 9110."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.stat_result is not None:
            headers = Headers(scope=scope)
            header = headers.get("range")
            if header is not None:
                try:
                    ranges = self._ranges(header, headers.get("if-range"), self.stat_result.st_size)
                except RangeNotSatisfiable as error:
                    await problem_response(error, scope["path"])(scope, receive, send)
                    return
                scope = _with_range(scope, ranges)
        await super().__call__(scope, receive, send)

    def _ranges(self, header: str, if_range: str | None, size: int) -> list[tuple[int, int]] | None:
        # If-Range names the version the client holds; another version gets the whole file.
        if if_range is not None and if_range not in (
            self.headers.get("etag"),
            self.headers.get("last-modified"),
        ):
            return None
        return parse_byte_ranges(header, size)


def _with_range(scope: Scope, ranges: list[tuple[int, int]] | None) -> Scope:
    """``scope`` with its Range header replaced by ``ranges`` (or removed when None)."""
    kept = [(key, value) for key, value in scope["headers"] if key.lower() != b"range"]
    if ranges is not None:
        spec = ",".join(f"{first}-{last}" for first, last in ranges)
        kept.append((b"range", f"bytes={spec}".encode("latin-1")))
    return {**scope, "headers": kept}
