"""Output formats: one plan rendered into several aspect ratios (``--formats 9:16,1:1,16:9``).

A format is an aspect ratio from a fixed table, so everything derived from it (its folder
name, an artifact's name) is a table lookup, never text a caller chose. Its frame size
follows the preset: the preset's short side stays, the long side follows the ratio
(1080x1920 → 9:16 1080x1920, 1:1 1080x1080, 16:9 1920x1080), rounded to even pixels.

Pure: no I/O. The CLI, the API's validation, the artifact stores and the renderer share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from aiprod.errors import InvalidSpec, SpecProblem


@dataclass(frozen=True)
class OutputFormat:
    """An aspect ratio ``across:down`` and the folder its deliverables go to."""

    across: int
    down: int

    @property
    def name(self) -> str:
        """As users write it: ``9:16``."""
        return f"{self.across}:{self.down}"

    @property
    def folder(self) -> str:
        """The output sub-folder (and artifact name prefix): ``9x16``."""
        return f"{self.across}x{self.down}"

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The frame size of this aspect for a preset of ``width`` x ``height``."""
        short = min(width, height)
        long_side = _even(short * max(self.across, self.down) / min(self.across, self.down))
        if self.across == self.down:
            return short, short
        return (long_side, short) if self.across > self.down else (short, long_side)


FORMATS: Final[tuple[OutputFormat, ...]] = (
    OutputFormat(9, 16),
    OutputFormat(1, 1),
    OutputFormat(16, 9),
)
FORMAT_FOLDERS: Final[frozenset[str]] = frozenset(f.folder for f in FORMATS)
FORMATS_INDEX: Final = "formats.json"  # the listing of a multi-format render
_BY_SPELLING: Final[dict[str, OutputFormat]] = {
    spelling: f for f in FORMATS for spelling in (f.name, f.folder)
}


class FormatsInvalid(ValueError):
    """A list of formats with an unknown or repeated entry; the message is one line."""


def known_formats() -> str:
    """``9:16, 1:1, 16:9``: for messages."""
    return ", ".join(f.name for f in FORMATS)


def parse_format(text: str) -> OutputFormat:
    """``9:16`` (or ``9x16``) as a format; FormatsInvalid for anything else."""
    found = _BY_SPELLING.get(text.strip().lower())
    if found is None:
        shown = text.strip()[:20]
        raise FormatsInvalid(f"unknown format '{shown}' (known: {known_formats()})")
    return found


def parse_formats(items: Iterable[str]) -> tuple[OutputFormat, ...]:
    """The formats named, in order; FormatsInvalid for none, an unknown or a repeated one."""
    found: list[OutputFormat] = []
    for item in items:
        fmt = parse_format(item)
        if fmt in found:
            raise FormatsInvalid(f"format '{fmt.name}' is given twice")
        found.append(fmt)
    if not found:
        raise FormatsInvalid(f"no format given (known: {known_formats()})")
    return tuple(found)


def parse_formats_option(text: str) -> tuple[OutputFormat, ...]:
    """``"9:16,1:1,16:9"`` (the CLI's ``--formats``) as formats."""
    return parse_formats(part for part in text.split(",") if part.strip())


def format_names(formats: Sequence[OutputFormat]) -> list[str]:
    """Canonical names, as stored in a job request: ``["9:16", "1:1"]``."""
    return [f.name for f in formats]


def format_fields(formats: Sequence[str] | None) -> dict[str, Any]:
    """What a job request stores of ``formats``: ``{"formats": ["9:16", "1:1"]}``, or
    nothing at all when none were asked for (so older requests compare equal).
    InvalidSpec (path ``formats``) for an unknown or repeated one."""
    if formats is None:
        return {}
    try:
        return {"formats": format_names(parse_formats(formats))}
    except FormatsInvalid as exc:
        raise InvalidSpec([SpecProblem("formats", str(exc))]) from None


def formats_of_request(request: Mapping[str, Any]) -> tuple[OutputFormat, ...] | None:
    """The formats a stored job request asks for; None when it asks for none."""
    stored = request.get("formats")
    if not stored:
        return None
    try:
        return parse_formats(str(item) for item in stored)
    except FormatsInvalid as exc:
        raise InvalidSpec([SpecProblem("formats", str(exc))], "job") from None


def _even(value: float) -> int:
    return round(value / 2) * 2
