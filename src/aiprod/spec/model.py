"""VideoSpec: what the user asks for, validated completely before any work starts.

Relative file paths are resolved against the spec file's folder by ``spec.load``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SPEC_VERSION = 1  # the only version so far; VideoSpec.version is Literal[1]
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")

XFADE_TRANSITIONS = (
    "fade",
    "fadeblack",
    "fadewhite",
    "dissolve",
    "wipeleft",
    "wiperight",
    "wipeup",
    "wipedown",
    "slideleft",
    "slideright",
    "slideup",
    "slidedown",
    "smoothleft",
    "smoothright",
    "smoothup",
    "smoothdown",
    "circleopen",
    "circleclose",
    "circlecrop",
    "radial",
    "pixelize",
    "zoomin",
    "distance",
    "hblur",
)
TransitionType = Literal[XFADE_TRANSITIONS]  # type: ignore[valid-type]


def check_colour(value: str) -> str:
    if not HEX_COLOUR.match(value):
        raise ValueError(f"'{value}' is not a colour; use #RRGGBB or #RRGGBBAA")
    return value.upper()


Colour = Annotated[str, Field(examples=["#1E88E5"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class ColourBackground(Strict):
    """A solid colour (brand primary when omitted)."""

    type: Literal["color"] = "color"
    color: Colour | None = None

    _colour = field_validator("color")(lambda v: v if v is None else check_colour(v))


GRADIENT_PRESETS: dict[str, tuple[str, ...]] = {
    "aurora": ("#0B3D91", "#1FA2FF", "#12D8FA", "#A6FFCB"),
    "sunset": ("#FF5E62", "#FF9966", "#FFC371"),
    "ocean": ("#02111B", "#0F4C75", "#3282B8"),
    "ember": ("#2B0A0A", "#8E2DE2", "#FF416C"),
    "mint": ("#0F2027", "#2C5364", "#38EF7D"),
    "mono": ("#111111", "#3A3A3A", "#5C5C5C"),
    "brand": (),
}


class GradientBackground(Strict):
    """Animated gradient (motion graphics). ``preset`` 'brand' uses the brand colours."""

    type: Literal["gradient"] = "gradient"
    preset: Literal["aurora", "sunset", "ocean", "ember", "mint", "mono", "brand"] = "brand"
    colors: list[Colour] | None = Field(default=None, min_length=2, max_length=8)
    speed: float = Field(default=0.02, gt=0, le=0.2, description="rotation speed")

    @field_validator("colors")
    @classmethod
    def _colours(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [check_colour(v) for v in value]


KenBurns = Literal["zoom_in", "zoom_out", "pan_left", "pan_right", "none"]


class ImageBackground(Strict):
    """A still image, cover-fitted, with a Ken Burns move."""

    type: Literal["image"] = "image"
    path: str = Field(min_length=1)
    ken_burns: KenBurns = "zoom_in"


class VideoBackground(Strict):
    """A video clip, cover-fitted, trimmed from ``start`` and looped if too short."""

    type: Literal["video"] = "video"
    path: str = Field(min_length=1)
    start: float = Field(default=0.0, ge=0)
    loop: bool = True


Background = Annotated[
    ColourBackground | GradientBackground | ImageBackground | VideoBackground,
    Field(discriminator="type"),
]


class Transition(Strict):
    """The transition from this scene into the next one."""

    type: TransitionType = "fade"
    duration: float = Field(default=0.5, ge=0.1, le=2.0)


SfxKind = Literal["whoosh", "pop", "click", "riser", "impact", "ambience"]
MusicMood = Literal["upbeat", "calm", "corporate", "inspiring", "dramatic", "playful"]


def exactly_one(owner: str, **values: object) -> None:
    given = [name for name, value in values.items() if value is not None]
    if len(given) != 1:
        names = " or ".join(f"'{n}'" for n in values)
        raise ValueError(f"{owner} needs exactly one of {names}")


class SfxCue(Strict):
    """A sound effect ``at`` seconds after the scene starts: a file, or a kind we make.

    Kinds come from the sound designer: the user's SFX library first, else synthesised.
    ``ambience`` plays for ``duration`` seconds (default: to the end of the scene).
    """

    path: str | None = Field(default=None, min_length=1)
    kind: SfxKind | None = None
    category: str | None = Field(default=None, max_length=40, description="ambience category")
    at: float = Field(default=0.0, ge=0)
    duration: float | None = Field(default=None, gt=0, le=600)
    volume_db: float = Field(default=0.0, ge=-60, le=12)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _one_source(self) -> SfxCue:
        exactly_one("a sound effect", path=self.path, kind=self.kind)
        return self


class Illustration(Strict):
    """A picture shown over the background: an icon of the bundled set, a colour emoji, or
    an image file."""

    icon: str | None = Field(
        default=None, min_length=1, max_length=80, description="icon name in the bundled set"
    )
    emoji: str | None = Field(default=None, min_length=1, max_length=16)
    path: str | None = Field(default=None, min_length=1)
    position: Literal["upper", "center", "lower"] = "center"
    size: float = Field(default=0.3, gt=0.05, le=0.8, description="of the frame's shorter side")

    @model_validator(mode="after")
    def _one_source(self) -> Illustration:
        exactly_one("an illustration", icon=self.icon, emoji=self.emoji, path=self.path)
        return self


LayoutKind = Literal[
    "hook", "benefit", "stat", "list", "comparison", "quote", "product", "offer", "end_card"
]
LAYOUT_KINDS: tuple[str, ...] = LayoutKind.__args__  # type: ignore[attr-defined]


class Stat(Strict):
    """A number shown huge and counting up: ``prefix`` + value + ``unit``, with a label."""

    value: float = Field(ge=-1e12, le=1e12)
    decimals: int = Field(default=0, ge=0, le=3)
    prefix: str = Field(default="", max_length=8, description="before the number, e.g. '$'")
    unit: str = Field(default="", max_length=16, description="after the number, e.g. 'km', '%'")
    label: str = Field(default="", max_length=120)


class Offer(Strict):
    """What an offer scene shows: a badge, a price (and the price it replaces), a code."""

    badge: str | None = Field(default=None, max_length=40, description="e.g. '-20%', 'NEW'")
    price: str | None = Field(default=None, max_length=24)
    was: str | None = Field(default=None, max_length=24, description="struck-through price")
    code: str | None = Field(default=None, max_length=32, description="promo code chip")


class Quote(Strict):
    text: str = Field(min_length=1, max_length=300)
    author: str | None = Field(default=None, max_length=120)


class Scene(Strict):
    id: str | None = Field(default=None, max_length=80)
    narration: str = Field(default="", max_length=5000)
    title: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=300, description="lower-third text")
    background: Background = Field(default_factory=GradientBackground)
    duration: float | None = Field(
        default=None, ge=0.5, le=600, description="seconds; default fits the narration"
    )
    padding: float = Field(default=0.35, ge=0, le=5, description="silence around narration")
    transition: Transition | None = Field(default_factory=Transition)
    sfx: list[SfxCue] = Field(default_factory=list, max_length=50)
    illustration: Illustration | None = None
    role: Literal["hook", "point", "cta"] | None = Field(default=None, description="planner")
    keywords: list[str] = Field(default_factory=list, max_length=30)
    layout: LayoutKind | None = Field(
        default=None, description="how the scene is laid out; default: chosen from its content"
    )
    stat: Stat | None = None
    items: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=4, description="list items; two for a comparison"
    )
    offer: Offer | None = None
    quote: Quote | None = None

    @model_validator(mode="after")
    def _has_length(self) -> Scene:
        if not self.narration.strip() and self.duration is None:
            raise ValueError("a scene without narration needs a 'duration'")
        return self


class MusicSpec(Strict):
    """The music bed: a file (looped to length), or composed for a mood."""

    path: str | None = Field(default=None, min_length=1)
    mood: MusicMood | None = None
    seed: int = Field(default=0, ge=0)
    volume_db: float = Field(default=-8.0, ge=-60, le=6, description="bed level before ducking")
    duck: bool = True
    fade_in: float = Field(default=0.5, ge=0, le=10)
    fade_out: float = Field(default=1.5, ge=0, le=10)

    @model_validator(mode="after")
    def _one_source(self) -> MusicSpec:
        exactly_one("music", path=self.path, mood=self.mood)
        return self


class CaptionSpec(Strict):
    enabled: bool = True
    burn_in: bool = True
    style: Literal["clean", "social"] | None = Field(
        default=None, description="default: the preset's caption style"
    )
    max_cps: float = Field(default=20.0, gt=5, le=60)
    max_chars_per_line: int = Field(default=42, ge=10, le=80)
    uppercase: bool = False


LogoPosition = Literal["top-left", "top-right", "bottom-left", "bottom-right"]


class BrandColours(Strict):
    primary: Colour = "#1E3A5F"
    secondary: Colour = "#3D7DD8"
    accent: Colour = "#FFD400"
    text: Colour = "#FFFFFF"

    _hex = field_validator("primary", "secondary", "accent", "text")(check_colour)


class BrandKit(Strict):
    name: str | None = Field(default=None, max_length=120)
    logo: str | None = None
    logo_position: LogoPosition = "top-right"
    colors: BrandColours = Field(default_factory=BrandColours)
    font: str | None = Field(default=None, max_length=120, description="font family name")
    tagline: str | None = Field(default=None, max_length=120)
    call_to_action: str | None = Field(default=None, max_length=160)
    url: str | None = Field(default=None, max_length=120, description="shown on the end card")


class BriefInfo(Strict):
    """What the planner read in a brief; kept so QA can check every key point made it."""

    text: str = Field(max_length=50_000)
    language: str = "en"
    brand: str | None = None
    product: str | None = None
    audience: str | None = None
    mood: MusicMood = "corporate"
    key_points: list[str] = Field(default_factory=list, max_length=20)
    call_to_action: str | None = None
    target_duration_s: float = Field(default=30.0, ge=3, le=600)
    providers: dict[str, Any] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="which script provider wrote it, each call's cost, every fallback and why",
    )


class VideoSpec(Strict):
    """A whole video: global choices plus an ordered list of scenes."""

    version: Literal[1] = 1
    title: str | None = Field(default=None, max_length=200)
    preset: str = Field(default="quick_social", min_length=1)
    language: str = Field(default="en", pattern=r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")
    voice: str | None = Field(default=None, max_length=80)
    music: MusicSpec | None = None
    captions: CaptionSpec = Field(default_factory=CaptionSpec)
    brand: BrandKit = Field(default_factory=BrandKit)
    glossary: dict[str, str] = Field(default_factory=dict, description="word -> spoken form")
    scenes: list[Scene] = Field(min_length=1, max_length=200)
    brief: BriefInfo | None = Field(default=None, description="set by the planner")
