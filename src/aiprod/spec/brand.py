"""Brand kit files: name, logo, colours, font, tagline, call to action, pronunciations.

A brand kit is YAML or JSON with the fields of ``BrandKit`` plus an optional ``glossary``
(word -> spoken form). Relative paths (the logo) resolve against the kit's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.spec.load import problems_from, read_document
from aiprod.spec.model import BrandKit


def load_brand_kit(path: Path) -> tuple[BrandKit, dict[str, str]]:
    """(brand kit, glossary) from a file; every problem reported at once."""
    raw: Any = read_document(path)
    if not isinstance(raw, dict):
        raise InvalidSpec([SpecProblem("", "expected a mapping")], str(path))
    data = dict(raw)
    glossary = data.pop("glossary", None) or {}
    problems: list[SpecProblem] = []
    if not isinstance(glossary, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in glossary.items()
    ):
        problems.append(SpecProblem("glossary", "expected a mapping of word -> spoken form"))
        glossary = {}
    written_logo = data.get("logo")  # errors name it as written, not as resolved
    if isinstance(data.get("logo"), str):
        logo = Path(data["logo"]).expanduser()
        data["logo"] = str(logo if logo.is_absolute() else (path.parent / logo).resolve())
    try:
        kit = BrandKit.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc))
        kit = BrandKit()
    if kit.logo is not None and not Path(kit.logo).is_file():
        problems.append(SpecProblem("logo", f"file not found: {written_logo}"))
    if problems:
        raise InvalidSpec(problems, str(path))
    return kit, dict(glossary)
