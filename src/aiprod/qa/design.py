"""Design checks from the manifest's ``design`` section: where the layout engine put things.

The section (written by the layout engine, read here as plain data) is::

    {"aspect", "width", "height", "safe_zone": SafeZone.to_dict(), "stage_s",
     "scenes": [{"index", "layout", "background", "start_s", "end_s",
                 "boxes": [Box.to_dict(), ...]}]}

Checks, each a ``QACheck`` like the gate's others:

- ``design_safe_zone``: every text box inside the platform's safe zone (each offender named:
  box, role, scene, and by how many pixels it crosses which edge);
- ``design_overlaps``: no two boxes overlap unless one lists the other in ``may_overlap``
  (shapes are backgrounds and may sit under anything);
- ``design_layout_variety``: at most a third of consecutive scene pairs laid out alike, i.e.
  with the same layout name or whose content masks (union of the scene's non-shape,
  non-caption boxes) overlap with an intersection-over-union above 0.5;
- ``design_headline_size``: in every scene with text, its largest text (font size, else box
  height) is at least 6 % of the frame height.

Without a design section (specs rendered before the layout engine) every check is reported
as skipped, and passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aiprod.design.boxes import Box, SafeZone, outside_safe_zone, unintended_overlaps
from aiprod.qa.report import QACheck

SKIPPED = "skipped"
MAX_ALIKE_SHARE = 1 / 3
ALIKE_IOU = 0.5
MIN_HEADLINE_SHARE = 0.06  # of the frame height (issue #11: read at arm's length on a phone)
MASK_CELL_PX = 8  # content masks are compared on an 8-pixel grid
SECTION_CHECKS = (
    "design_safe_zone",
    "design_overlaps",
    "design_layout_variety",
    "design_headline_size",
)


@dataclass(frozen=True)
class DesignScene:
    """One scene of the design section, its boxes parsed."""

    index: int
    layout: str
    start_s: float
    end_s: float
    boxes: tuple[Box, ...]

    @property
    def text_boxes(self) -> list[Box]:
        return [b for b in self.boxes if b.is_text]

    def rest_time(self) -> float:
        """A time at which the scene's elements are at rest: the middle of the window in
        which all of its boxes are on screen, else the middle of the scene."""
        shown = [b for b in self.boxes if b.end_s > b.start_s]
        if shown:
            start = max(self.start_s, *(b.start_s for b in shown))
            end = min(self.end_s, *(b.end_s for b in shown))
            if end > start:
                return (start + end) / 2
        return (self.start_s + self.end_s) / 2


@dataclass(frozen=True)
class DesignSection:
    """The manifest's design section, typed."""

    aspect: str
    width: int
    height: int
    zone: SafeZone
    scenes: tuple[DesignScene, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DesignSection:
        scenes = tuple(
            DesignScene(
                index=int(s["index"]),
                layout=str(s.get("layout") or ""),
                start_s=float(s["start_s"]),
                end_s=float(s["end_s"]),
                boxes=tuple(Box.from_dict(dict(b)) for b in s.get("boxes", ())),
            )
            for s in data.get("scenes", ())
        )
        return cls(
            aspect=str(data.get("aspect", "")),
            width=int(data["width"]),
            height=int(data["height"]),
            zone=SafeZone(**dict(data["safe_zone"])),
            scenes=scenes,
        )


def skipped_checks(names: Sequence[str], reason: str) -> list[QACheck]:
    """Checks that could not apply, reported as such (they pass)."""
    return [QACheck(name, True, SKIPPED, "n/a", "", reason) for name in names]


# --------------------------------------------------------------------------- safe zone


def crossings(box: Box, zone: SafeZone) -> list[tuple[str, int]]:
    """Which edges of ``zone`` the box crosses, and by how many pixels."""
    found = [
        ("left", zone.left - box.x),
        ("top", zone.top - box.y),
        ("right", box.right - zone.right),
        ("bottom", box.bottom - zone.bottom),
    ]
    return [(edge, px) for edge, px in found if px > 0]


def safe_zone_check(section: DesignSection) -> QACheck:
    threshold = f"0 text boxes outside the {section.zone.platform} safe zone"
    offenders: list[str] = []
    worst = 0
    for scene in section.scenes:
        for box in outside_safe_zone(list(scene.boxes), section.zone):
            edges = crossings(box, section.zone)
            worst = max([worst, *(px for _, px in edges)])
            shown = ", ".join(f"{px} px past the {edge}" for edge, px in edges)
            offenders.append(f"scene {scene.index} {box.id!r} ({box.role}): {shown}")
    zone = section.zone
    where = f"zone x {zone.left}-{zone.right}, y {zone.top}-{zone.bottom}"
    if not offenders:
        return QACheck("design_safe_zone", True, 0, threshold, "boxes", where)
    more = f" (+{len(offenders) - 8} more)" if len(offenders) > 8 else ""
    detail = "; ".join(offenders[:8]) + f"{more}; worst {worst} px; {where}"
    return QACheck("design_safe_zone", False, len(offenders), threshold, "boxes", detail)


# --------------------------------------------------------------------------- overlaps


def overlaps_check(section: DesignSection) -> QACheck:
    pairs: list[str] = []
    for scene in section.scenes:
        for a, b in unintended_overlaps(list(scene.boxes)):
            area = a.intersection(b)
            pairs.append(
                f"scene {scene.index} {a.id!r} ({a.role}) x {b.id!r} ({b.role}) {area} px²"
            )
    detail = "; ".join(pairs[:8]) + (f" (+{len(pairs) - 8} more)" if len(pairs) > 8 else "")
    checked = sum(len(s.boxes) for s in section.scenes)
    return QACheck(
        "design_overlaps",
        not pairs,
        len(pairs),
        "0 unintended overlaps",
        "pairs",
        detail or f"{checked} boxes in {len(section.scenes)} scenes",
    )


# --------------------------------------------------------------------------- variety


def content_mask(boxes: Sequence[Box], width: int, height: int) -> npt.NDArray[np.bool_]:
    """Where the scene's content sits (shapes and the caption band left out), on a coarse
    grid of ``MASK_CELL_PX`` cells."""
    cols, rows = -(-width // MASK_CELL_PX), -(-height // MASK_CELL_PX)
    mask = np.zeros((rows, cols), dtype=bool)
    for box in boxes:
        if box.role in ("shape", "caption"):
            continue
        x0, y0 = max(0, box.x // MASK_CELL_PX), max(0, box.y // MASK_CELL_PX)
        x1 = min(cols, -(-box.right // MASK_CELL_PX))
        y1 = min(rows, -(-box.bottom // MASK_CELL_PX))
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


def mask_iou(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> float:
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0


def alike_pairs(section: DesignSection) -> list[tuple[int, int, str]]:
    """Consecutive scene pairs laid out alike, with the reason."""
    masks = [content_mask(s.boxes, section.width, section.height) for s in section.scenes]
    found = []
    pairs = zip(section.scenes, section.scenes[1:], strict=False)
    for i, (a, b) in enumerate(pairs):
        iou = mask_iou(masks[i], masks[i + 1])
        if a.layout and a.layout == b.layout:
            found.append((a.index, b.index, f"both {a.layout}"))
        elif iou > ALIKE_IOU:
            found.append((a.index, b.index, f"content IoU {iou:.2f}"))
    return found


def variety_check(section: DesignSection) -> QACheck:
    threshold = f"<= {MAX_ALIKE_SHARE:.0%} of consecutive pairs alike"
    pairs = len(section.scenes) - 1
    if pairs < 1:
        return QACheck("design_layout_variety", True, SKIPPED, threshold, "", "one scene")
    alike = alike_pairs(section)
    share = len(alike) / pairs
    layouts = " → ".join(s.layout or "?" for s in section.scenes)
    shown = "; ".join(f"{a}-{b} {why}" for a, b, why in alike)
    detail = f"{len(alike)} of {pairs} alike" + (f" ({shown})" if shown else "")
    return QACheck(
        "design_layout_variety",
        share <= MAX_ALIKE_SHARE + 1e-9,
        round(share, 3),
        threshold,
        "",
        f"{detail}; {layouts}",
    )


# --------------------------------------------------------------------------- headline size


def largest_text_px(scene: DesignScene) -> int | None:
    """The scene's largest text: its font size in pixels, else its box height."""
    sizes = [b.text_px or b.h for b in scene.text_boxes]
    return max(sizes) if sizes else None


def headline_shares(section: DesignSection) -> dict[int, float]:
    """Per scene with text: largest text / frame height."""
    found = {}
    for scene in section.scenes:
        largest = largest_text_px(scene)
        if largest is not None:
            found[scene.index] = largest / section.height
    return found


def headline_check(section: DesignSection) -> QACheck:
    threshold = f">= {MIN_HEADLINE_SHARE:.0%} of the frame height in every scene with text"
    shares = headline_shares(section)
    if not shares:
        return QACheck("design_headline_size", True, SKIPPED, threshold, "", "no text boxes")
    smallest = min(shares.values())
    per_scene = ", ".join(f"{i}: {v:.2%}" for i, v in shares.items())
    small = [i for i, v in shares.items() if v < MIN_HEADLINE_SHARE]
    detail = f"per scene {per_scene}" + (f"; too small in scenes {small}" if small else "")
    return QACheck(
        "design_headline_size",
        not small,
        round(smallest * 100, 2),
        threshold,
        "% of height",
        detail,
    )


# --------------------------------------------------------------------------- entry point


def read_section(section: Mapping[str, Any] | None) -> DesignSection | None:
    """The section typed; None when there is none or it cannot be read (see
    ``design_checks``, which then fails with the reason)."""
    if section is None:
        return None
    try:
        return DesignSection.from_dict(section)
    except (KeyError, TypeError, ValueError):
        return None


def design_checks(section: Mapping[str, Any] | None) -> list[QACheck]:
    """The box checks of a design section; every one skipped when there is none, and the
    first failing with the reason when it cannot be read."""
    if section is None:
        return skipped_checks(SECTION_CHECKS, "no design section (no layout engine ran)")
    try:
        parsed = DesignSection.from_dict(section)
    except (KeyError, TypeError, ValueError) as exc:
        reason = f"unreadable design section: {type(exc).__name__}: {exc}"
        first = QACheck(SECTION_CHECKS[0], False, None, "a readable design section", "", reason)
        return [first, *skipped_checks(SECTION_CHECKS[1:], "unreadable design section")]
    return [
        safe_zone_check(parsed),
        overlaps_check(parsed),
        variety_check(parsed),
        headline_check(parsed),
    ]
