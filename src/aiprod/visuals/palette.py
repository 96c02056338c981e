"""Brand colours to a consistent per-scene palette with readable text (WCAG 2.x contrast).

``derive_palette(primary, secondary, accent)`` gives dark/light variants of each brand
colour and, for each scene role ("hook", "point", "cta"), a 3-stop background gradient and a
text colour whose contrast against every stop is at least 4.5:1 (WCAG AA for body text).
When no text colour reaches that against the brand colours as they are, the stops are
darkened (for light text) or lightened (for dark text) just enough.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["hook", "point", "cta"]
ROLES: tuple[Role, ...] = ("hook", "point", "cta")
WHITE = "#FFFFFF"
INK = "#111111"
BLACK = "#000000"
MIN_TEXT_CONTRAST = 4.5  # WCAG AA, normal text
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG AA, large text and graphics
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_STEPS = 50


def parse_colour(colour: str) -> tuple[int, int, int]:
    """'#RRGGBB' (also '#RGB', or '#RRGGBBAA' with alpha ignored) -> (r, g, b)."""
    if not isinstance(colour, str) or not _HEX.fullmatch(colour.strip()):
        raise ValueError(f"'{colour}' is not a colour; use #RRGGBB")
    digits = colour.strip()[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: Sequence[float]) -> str:
    """(r, g, b) in 0..255 -> '#RRGGBB' (upper case, clamped, rounded)."""
    r, g, b = (min(255, max(0, round(channel))) for channel in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def mix(a: str, b: str, t: float) -> str:
    """The colour ``t`` of the way from ``a`` to ``b`` (0 -> a, 1 -> b), in sRGB."""
    pa, pb = parse_colour(a), parse_colour(b)
    return to_hex([x + (y - x) * t for x, y in zip(pa, pb, strict=True)])


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in parse_colour(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1.0 (same) to 21.0 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def min_contrast(text: str, backgrounds: Sequence[str]) -> float:
    """The worst contrast of ``text`` against any of ``backgrounds``."""
    return min(contrast_ratio(text, bg) for bg in backgrounds)


def readable_text(backgrounds: Sequence[str], *, preferred: str | None = None) -> str:
    """``preferred`` if it reads (>= 4.5:1) on every background, else white or ink."""
    if preferred is not None and min_contrast(preferred, backgrounds) >= MIN_TEXT_CONTRAST:
        return preferred.upper()
    return max((WHITE, INK), key=lambda text: min_contrast(text, backgrounds))


def _adjust(background: str, text: str, minimum: float) -> tuple[str, int]:
    """``background`` moved toward black or white until ``text`` reads; and how many steps.

    It moves away from the text's luminance, unless that end cannot reach ``minimum`` (dark
    text on black); every colour reaches 4.58:1 against black or against white.
    """
    away = BLACK if relative_luminance(text) >= relative_luminance(background) else WHITE
    other = WHITE if away == BLACK else BLACK
    target = away if contrast_ratio(away, text) >= minimum else other
    for step in range(_STEPS + 1):
        candidate = mix(background, target, step / _STEPS)
        if contrast_ratio(candidate, text) >= minimum:
            return candidate, step
    return target, _STEPS + 1


def ensure_contrast(background: str, text: str, minimum: float = MIN_TEXT_CONTRAST) -> str:
    """``background`` moved toward black (light text) or white (dark text) until it reads."""
    return _adjust(background, text, minimum)[0]


def shade(colour: str, lightness: float) -> str:
    """``colour`` with its HLS lightness scaled (< 1 darker) or raised toward white (> 1)."""
    r, g, b = (c / 255 for c in parse_colour(colour))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    light = light * lightness if lightness <= 1 else light + (1 - light) * (lightness - 1)
    return to_hex([c * 255 for c in colorsys.hls_to_rgb(h, min(1.0, light), s)])


@dataclass(frozen=True)
class SceneColours:
    """The colours of one scene role: gradient stops, text and highlight."""

    gradient: tuple[str, str, str]
    text: str  # contrast >= 4.5 against every gradient stop
    highlight: str  # emphasis colour: a brand colour reaching 3:1 on every stop, else ``text``


@dataclass(frozen=True)
class Palette:
    """Brand colours, their variants and the colours of each scene role."""

    primary: str
    secondary: str
    accent: str
    primary_dark: str
    primary_light: str
    secondary_dark: str
    secondary_light: str
    accent_dark: str
    accent_light: str
    hook: SceneColours
    point: SceneColours
    cta: SceneColours

    def for_role(self, role: Role) -> SceneColours:
        """The colours of a scene role ("hook", "point" or "cta")."""
        if role not in ROLES:
            raise ValueError(f"unknown scene role {role!r}; expected one of {ROLES}")
        colours: SceneColours = getattr(self, role)
        return colours


def scene_colours(
    stops: tuple[str, str, str], highlight: str, *, text: str | None = None
) -> SceneColours:
    """Readable colours for a 3-stop gradient, changing the stops as little as possible.

    Candidates are ``text`` (if given), white and ink; the one needing the fewest
    adjustment steps wins (ties: that order); its stops are adjusted to reach 4.5:1.
    """
    candidates = [c.upper() for c in (text, WHITE, INK) if c is not None]
    options: list[tuple[int, int, str, tuple[str, str, str]]] = []
    for order, candidate in enumerate(candidates):
        a, b, c = (_adjust(stop, candidate, MIN_TEXT_CONTRAST) for stop in stops)
        options.append((a[1] + b[1] + c[1], order, candidate, (a[0], b[0], c[0])))
    _, _, chosen, fixed = min(options)
    emphasis = highlight if min_contrast(highlight, fixed) >= MIN_GRAPHIC_CONTRAST else chosen
    return SceneColours(gradient=fixed, text=chosen, highlight=emphasis)


def derive_palette(
    primary: str, secondary: str, accent: str, *, text: str | None = None
) -> Palette:
    """The palette of a brand: variants and per-role gradients with readable text.

    ``text`` is the brand's preferred text colour, used wherever it reads (>= 4.5:1);
    elsewhere white or near-black is used. Colours come back as upper-case '#RRGGBB'.
    """
    p, s, a = (to_hex(parse_colour(c)) for c in (primary, secondary, accent))
    pd, pl, sd, sl = shade(p, 0.55), shade(p, 1.6), shade(s, 0.55), shade(s, 1.6)
    ad, al = shade(a, 0.55), shade(a, 1.6)
    return Palette(
        primary=p,
        secondary=s,
        accent=a,
        primary_dark=pd,
        primary_light=pl,
        secondary_dark=sd,
        secondary_light=sl,
        accent_dark=ad,
        accent_light=al,
        hook=scene_colours((pd, p, s), a, text=text),
        point=scene_colours((pd, sd, p), a, text=text),
        cta=scene_colours((ad, a, al), p, text=text),
    )
