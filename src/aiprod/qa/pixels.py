"""Measurements on rendered frames: text contrast (WCAG) and how empty a frame is.

One frame per scene, taken at the scene's rest time by the QA video pass (the decode the
black/freeze detectors already make, see ``aiprod.media.measure``), as RGB ``uint8`` arrays of
shape (height, width, 3). Everything here is whole-array numpy: no per-pixel Python loops.

- **Contrast**: WCAG 2 relative luminance of the text colour the layout engine drew with
  (``Box.colour``) against the background measured around the box: the pixels of a ring just
  outside it, at the percentile nearest the text's own luminance (the 90th for light text,
  the 10th for dark: the part of the background the text must still stand out from).
  When the text sits on a panel (the smallest shape box containing it), the ring is clipped
  to the panel. Buttons, badges and chips are their own plates: their background is the
  median of the pixels inside the box that are not the text's colour.
  Required: 4.5:1 for captions and body text, 3:1 for large text (WCAG's 24 CSS px, here
  ``text_px`` scaled to a 412-CSS-px-wide phone showing the frame's short side).
- **Emptiness**: the share of 8x8-pixel blocks of the frame's luma with no detail (standard
  deviation under ``EMPTY_BLOCK_STD`` levels of 255); the median over scenes must stay at or
  under 55 %. The block is 8 px of a 1080-px short side, scaled with smaller or larger frames
  (a share of the frame is what a viewer sees; a fixed 8 px would call a 640x360 render a
  third less empty than the same design at 1080p).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiprod.design.boxes import Box
from aiprod.qa.design import SKIPPED, DesignSection
from aiprod.qa.report import QACheck

Frame = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float64]

BLOCK_PX = 8  # at the reference size (a short side of 1080 px); scaled with the frame
REFERENCE_SHORT_SIDE = 1080
EMPTY_BLOCK_STD = 2.0  # luma levels (of 255): flat colour and smooth gradients stay under it
MAX_EMPTY_MEDIAN = 0.55
BODY_CONTRAST = 4.5
LARGE_CONTRAST = 3.0
LARGE_TEXT_CSS_PX = 24.0
PHONE_CSS_PX = 412.0  # a typical phone's width in CSS pixels, showing the frame's short side
RING_MIN_PX = 4
PLATE_ROLES = frozenset({"button", "badge", "chip"})  # the box is the plate the text is on
TEXT_COLOUR_TOLERANCE = 40  # per channel: pixels this close to the text colour are glyphs
PLATE_MIN_SHARE = 0.05


# --------------------------------------------------------------------------- luminance


def relative_luminance(rgb: npt.ArrayLike) -> FloatArray:
    """WCAG 2 relative luminance (0..1) of sRGB values 0..255, over the last axis."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    weights = np.array([0.2126, 0.7152, 0.0722])
    return np.asarray(linear @ weights, dtype=np.float64)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#RRGGBB`` (or ``RRGGBB``) as three ints; ValueError for anything else."""
    text = colour.strip().removeprefix("#")
    if len(text) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def contrast_ratio(lum_a: float, lum_b: float) -> float:
    """WCAG contrast ratio (1..21) of two relative luminances."""
    high, low = max(lum_a, lum_b), min(lum_a, lum_b)
    return (high + 0.05) / (low + 0.05)


def required_contrast(box: Box, frame_width: int, frame_height: int) -> float:
    """3:1 for large text (not captions), 4.5:1 for the rest."""
    if box.role == "caption":
        return BODY_CONTRAST
    size = box.text_px or box.h
    css_px = size * PHONE_CSS_PX / min(frame_width, frame_height)
    return LARGE_CONTRAST if css_px >= LARGE_TEXT_CSS_PX else BODY_CONTRAST


def _clip(frame: Frame, within: Box | None) -> tuple[int, int, int, int]:
    """The frame's rectangle, narrowed to ``within`` when given: (x0, y0, x1, y1)."""
    height, width = frame.shape[:2]
    if within is None:
        return 0, 0, width, height
    return max(0, within.x), max(0, within.y), min(width, within.right), min(height, within.bottom)


def ring_luminance(
    frame: Frame,
    box: Box,
    ring_px: int | None = None,
    within: Box | None = None,
    exclude: Sequence[Box] = (),
) -> FloatArray:
    """Relative luminance of the pixels in a ring just outside ``box``, clipped to the frame
    and to ``within`` (the panel the text sits on) when given, leaving out the boxes of
    ``exclude`` (other elements beside the text — an underline, a picture — are not the
    background it is read against); empty when nothing is left."""
    left, top, right, bottom = _clip(frame, within)
    ring = ring_px or max(RING_MIN_PX, round(min(box.h, box.text_px or box.h) / 4))
    x0, y0 = max(left, box.x - ring), max(top, box.y - ring)
    x1, y1 = min(right, box.right + ring), min(bottom, box.bottom + ring)
    if x1 <= x0 or y1 <= y0:
        return np.zeros(0)
    outer = frame[y0:y1, x0:x1]
    keep = np.ones(outer.shape[:2], dtype=bool)
    ix0, iy0 = max(0, box.x - x0), max(0, box.y - y0)
    ix1, iy1 = max(0, min(x1, box.right) - x0), max(0, min(y1, box.bottom) - y0)
    keep[iy0:iy1, ix0:ix1] = False
    for other in exclude:
        ex0, ey0 = max(0, other.x - x0), max(0, other.y - y0)
        ex1, ey1 = max(0, min(x1, other.right) - x0), max(0, min(y1, other.bottom) - y0)
        keep[ey0:ey1, ex0:ex1] = False
    return relative_luminance(outer[keep])


def plate_luminance(frame: Frame, box: Box, text_rgb: tuple[int, int, int]) -> float | None:
    """The fill of a box that is its own plate (a button, badge or chip): the median
    luminance of the pixels inside it that are not the text's colour. When (nearly) every
    pixel is the text's colour, the plate is that colour."""
    height, width = frame.shape[:2]
    inside = frame[max(0, box.y) : min(height, box.bottom), max(0, box.x) : min(width, box.right)]
    if inside.size == 0:
        return None
    pixels = inside.reshape(-1, inside.shape[-1])[:, :3].astype(np.int16)
    other = pixels[np.abs(pixels - np.array(text_rgb)).max(axis=1) > TEXT_COLOUR_TOLERANCE]
    if other.shape[0] < PLATE_MIN_SHARE * pixels.shape[0]:
        return float(relative_luminance(text_rgb))
    return float(np.median(relative_luminance(other)))


def background_luminance(
    frame: Frame,
    box: Box,
    text_luminance: float,
    within: Box | None = None,
    exclude: Sequence[Box] = (),
) -> float | None:
    """The background the text must stand out from: the ring's 90th luminance percentile
    for text lighter than the ring's median, else its 10th. None when there is no ring."""
    ring = ring_luminance(frame, box, within=within, exclude=exclude)
    if ring.size == 0 and exclude:  # neighbours cover the whole ring
        ring = ring_luminance(frame, box, within=within)
    if ring.size == 0 and within is not None:  # the panel is no larger than the text
        ring = ring_luminance(frame, box)
    if ring.size == 0:
        return None
    lighter = text_luminance >= float(np.median(ring))
    return float(np.percentile(ring, 90 if lighter else 10))


def text_contrast(
    frame: Frame, box: Box, panel: Box | None = None, neighbours: Sequence[Box] = ()
) -> float | None:
    """Contrast of the box's text colour against the background measured around it (on
    ``panel`` when the text sits on one, leaving out its ``neighbours``' boxes), or inside
    it for plates (buttons, badges, chips)."""
    if box.colour is None:
        return None
    rgb = hex_rgb(box.colour)
    text = float(relative_luminance(rgb))
    if box.role in PLATE_ROLES:
        background = plate_luminance(frame, box, rgb)
    else:
        background = background_luminance(frame, box, text, within=panel, exclude=neighbours)
    return None if background is None else contrast_ratio(text, background)


def _contains(outer: Box, inner: Box) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and outer.right >= inner.right
        and outer.bottom >= inner.bottom
    )


def panel_under(box: Box, boxes: Sequence[Box], at: float) -> Box | None:
    """The smallest shape on screen at ``at`` that contains ``box``: the panel it sits on."""
    panels = [
        b
        for b in boxes
        if b.role == "shape"
        and b.start_s <= at < b.end_s
        and b.x <= box.x
        and b.y <= box.y
        and b.right >= box.right
        and b.bottom >= box.bottom
    ]
    return min(panels, key=lambda b: b.w * b.h, default=None)


# --------------------------------------------------------------------------- emptiness


def luma(frame: Frame) -> FloatArray:
    """Rec. 709 luma (0..255) of an RGB frame."""
    return np.asarray(frame[..., :3] @ np.array([0.2126, 0.7152, 0.0722]), dtype=np.float64)


def block_for(frame: Frame) -> int:
    """The block size that covers the same share of this frame as 8 px of a 1080-px short
    side (8 for every 1080p preset; at least 2 for small test renders)."""
    short = int(min(frame.shape[0], frame.shape[1]))
    return max(2, round(BLOCK_PX * short / REFERENCE_SHORT_SIDE))


def emptiness(
    frame: Frame, *, block: int | None = None, threshold: float = EMPTY_BLOCK_STD
) -> float:
    """Share (0..1) of the frame's ``block``x``block`` blocks with no detail (the block
    size scaled to the frame by default, see ``block_for``)."""
    block = block or block_for(frame)
    y = luma(frame)
    rows, cols = y.shape[0] // block, y.shape[1] // block
    if rows == 0 or cols == 0:
        return 1.0
    blocks = y[: rows * block, : cols * block].reshape(rows, block, cols, block)
    spread = blocks.std(axis=(1, 3))
    return float(np.count_nonzero(spread < threshold) / spread.size)


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class ContrastFinding:
    scene: int
    box: Box
    ratio: float
    required: float

    @property
    def passed(self) -> bool:
        return bool(self.ratio + 1e-9 >= self.required)

    def describe(self) -> str:
        return (
            f"scene {self.scene} {self.box.id!r} ({self.box.role}) "
            f"{self.ratio:.2f}:1 < {self.required:g}:1"
        )


def scale_box(box: Box, sx: float, sy: float) -> Box:
    """``box`` in the pixels of a frame ``sx`` x ``sy`` times the design's size."""
    if sx == 1.0 and sy == 1.0:
        return box
    return Box(
        id=box.id,
        role=box.role,
        x=round(box.x * sx),
        y=round(box.y * sy),
        w=max(1, round(box.w * sx)),
        h=max(1, round(box.h * sy)),
        start_s=box.start_s,
        end_s=box.end_s,
        text_px=None if box.text_px is None else max(1, round(box.text_px * sy)),
        colour=box.colour,
        may_overlap=box.may_overlap,
    )


def contrast_findings(
    section: DesignSection, frames: Sequence[Frame | None], times: Sequence[float]
) -> tuple[list[ContrastFinding], int]:
    """One finding per coloured text box on screen in its scene's frame, and the count of
    text boxes that could not be measured (no colour, no frame, no background ring)."""
    findings: list[ContrastFinding] = []
    unmeasured = 0
    for scene, frame, at in zip(section.scenes, frames, times, strict=True):
        shown = [b for b in scene.boxes if (b.is_text or b.role == "caption")]
        shown = [b for b in shown if b.start_s <= at < b.end_s]
        if frame is None:
            unmeasured += len(shown)
            continue
        sx, sy = frame.shape[1] / section.width, frame.shape[0] / section.height
        for original in shown:
            box = scale_box(original, sx, sy)
            panel = panel_under(original, scene.boxes, at)
            neighbours = [
                scale_box(b, sx, sy)
                for b in scene.boxes
                if b is not original
                and b is not panel
                and b.start_s <= at < b.end_s
                and not _contains(b, original)  # a shape under the text is its background
            ]
            ratio = text_contrast(
                frame, box, None if panel is None else scale_box(panel, sx, sy), neighbours
            )
            if ratio is None:
                unmeasured += 1
                continue
            need = required_contrast(box, frame.shape[1], frame.shape[0])
            findings.append(ContrastFinding(scene.index, original, ratio, need))
    return findings, unmeasured


def contrast_check(
    section: DesignSection | None, frames: Sequence[Frame | None], times: Sequence[float]
) -> QACheck:
    threshold = f">= {BODY_CONTRAST:g}:1 captions and body text, >= {LARGE_CONTRAST:g}:1 large"
    if section is None:
        return QACheck("design_contrast", True, SKIPPED, "n/a", "", "no design section")
    findings, unmeasured = contrast_findings(section, frames, times)
    if not findings:
        detail = f"no coloured text box on screen at rest ({unmeasured} unmeasured)"
        return QACheck("design_contrast", True, SKIPPED, threshold, "", detail)
    low = [f for f in findings if not f.passed]
    worst = min(findings, key=lambda f: f.ratio / f.required)
    detail = f"{len(findings)} text boxes measured, {unmeasured} unmeasured"
    if low:
        detail += "; " + "; ".join(f.describe() for f in low[:8])
    else:
        closest = f"{worst.ratio:.2f}:1 ({worst.box.id!r}, needs {worst.required:g}:1)"
        detail += f"; closest to its threshold {closest}"
    per_scene: dict[int, float] = {}
    for f in findings:
        per_scene[f.scene] = min(f.ratio, per_scene.get(f.scene, f.ratio))
    detail += "; lowest per scene " + ", ".join(f"{n}: {r:.1f}:1" for n, r in per_scene.items())
    lowest = min(f.ratio for f in findings)
    return QACheck("design_contrast", not low, round(lowest, 2), threshold, ":1", detail)


def emptiness_check(
    frames: Sequence[Frame | None], scene_numbers: Sequence[int], *, enforced: bool
) -> QACheck:
    """Median share of empty blocks over the scenes' frames (enforced with a design)."""
    threshold = f"median <= {MAX_EMPTY_MEDIAN:.0%}"
    shares = {n: emptiness(f) for n, f in zip(scene_numbers, frames, strict=True) if f is not None}
    if not shares:
        return QACheck("design_emptiness", True, SKIPPED, threshold, "", "no frame decoded")
    median = statistics.median(shares.values())
    per_scene = ", ".join(f"{n}: {v:.0%}" for n, v in shares.items())
    sizes = sorted({block_for(f) for f in frames if f is not None})
    blocks = "/".join(f"{b}x{b}" for b in sizes)
    detail = f"{blocks} blocks with luma std < {EMPTY_BLOCK_STD:g}; per scene {per_scene}"
    if not enforced:
        threshold = f"{threshold} (not enforced without a design section)"
    passed = median <= MAX_EMPTY_MEDIAN or not enforced
    return QACheck("design_emptiness", passed, round(median * 100, 1), threshold, "%", detail)


def pixel_checks(
    section: DesignSection | None,
    frames: Sequence[Frame | None],
    times: Sequence[float],
    scene_numbers: Sequence[int],
) -> list[QACheck]:
    """Contrast and emptiness from one frame per scene (``frames[i]`` at ``times[i]``)."""
    return [
        contrast_check(section, frames, times),
        emptiness_check(frames, scene_numbers, enforced=section is not None),
    ]
