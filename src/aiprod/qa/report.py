"""The QA verdict as data: one ``QACheck`` per measured property, written as qa.json."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiprod.errors import QAFailed

Measured = float | str | int | None


def _json_value(value: Measured) -> Measured:
    """Strict-JSON form: non-finite floats become "inf"/"-inf"/"nan" strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _shown(value: Measured) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class QACheck:
    """One check: what was measured, the threshold it was held to, and the verdict."""

    name: str
    passed: bool
    measured: Measured
    threshold: str
    unit: str = ""
    detail: str = ""

    @property
    def verdict(self) -> str:
        """``"pass"`` or ``"fail"``."""
        return "pass" if self.passed else "fail"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (strict JSON: no NaN/Infinity literals)."""
        return {
            "name": self.name,
            "verdict": self.verdict,
            "passed": self.passed,
            "measured": _json_value(self.measured),
            "threshold": self.threshold,
            "unit": self.unit,
            "detail": self.detail,
        }

    def describe(self) -> str:
        """One human line, e.g. ``resolution: measured 320x240, expected = 640x480``."""
        unit = f" {self.unit}" if self.unit and self.measured is not None else ""
        line = f"{self.name}: measured {_shown(self.measured)}{unit}, expected {self.threshold}"
        return f"{line} ({self.detail})" if self.detail else line


@dataclass(frozen=True)
class QAReport:
    """All checks of one render; ``passed`` is true only if every check passed.

    ``loudness``: the loudness over time (:func:`aiprod.qa.gate.loudness_series`), for the
    studio's plot; not a check."""

    passed: bool
    checks: list[QACheck]
    elapsed_s: float | None = field(default=None, compare=False)
    loudness: dict[str, Any] | None = field(default=None, compare=False)
    # the advisory vision check (providers/vision/review.py): never part of ``passed``
    vision: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_checks(
        cls,
        checks: Iterable[QACheck],
        elapsed_s: float | None = None,
        loudness: dict[str, Any] | None = None,
    ) -> QAReport:
        """Build a report whose verdict is the conjunction of ``checks``."""
        listed = list(checks)
        return cls(all(c.passed for c in listed), listed, elapsed_s, loudness=loudness)

    def with_checks(self, *extra: QACheck) -> QAReport:
        """This report with more checks (the verdict follows them; the rest is kept)."""
        listed = [*self.checks, *extra]
        return replace(self, passed=all(c.passed for c in listed), checks=listed)

    def check(self, name: str) -> QACheck:
        """The check called ``name``; KeyError if there is none."""
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def failures(self) -> list[str]:
        """One human-readable line per failed check."""
        return [c.describe() for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: ``passed``, ``checks`` and, if known, ``elapsed_s``,
        ``loudness`` and ``vision``."""
        data: dict[str, Any] = {"passed": self.passed, "checks": [c.to_dict() for c in self.checks]}
        if self.elapsed_s is not None:
            data["elapsed_s"] = round(self.elapsed_s, 3)
        if self.loudness is not None:
            data["loudness"] = self.loudness
        if self.vision is not None:
            data["vision"] = self.vision
        return data

    def write(self, path: Path) -> Path:
        """Write the report as JSON (indent 2) atomically; return ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(text + "\n", encoding="utf-8")
        partial.replace(path)
        return path

    def raise_if_failed(self) -> None:
        """Raise ``QAFailed`` listing every failed check, if any failed."""
        if not self.passed:
            raise QAFailed(self.failures())
