"""Bodies of ``/v1/brand-kits``: the spec's brand kit plus a pronunciation glossary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from aiprod.brandkits.models import BrandKitRow
from aiprod.spec.model import BrandColours, BrandKit, LogoPosition

Word = Annotated[str, Field(min_length=1, max_length=80)]
EXAMPLE: dict[str, Any] = {
    "name": "Bean There",
    "logo": "/srv/aiprod/uploads/3b1f…/5f0c8e2a9b1d4c3e8f7a6b5c4d3e2f1a.png",
    "logo_position": "top-right",
    "colors": {
        "primary": "#3B2314",
        "secondary": "#A0522D",
        "accent": "#FFD400",
        "text": "#FFFFFF",
    },
    "font": "Noto Sans",
    "tagline": "Fresh beans, every week",
    "call_to_action": "Order at beanthere.example",
    "url": "beanthere.example",
    "glossary": {"AIPROD": "ay prod"},
}


class BrandKitBody(BrandKit):
    """A brand kit: the fields of a spec's ``brand`` (a name is required) and a glossary.

    ``logo``: the ``path`` of an image you uploaded (``POST /v1/uploads``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    name: str = Field(min_length=1, max_length=120)
    glossary: dict[Word, Word] = Field(
        default_factory=dict, max_length=200, description="word -> how to say it"
    )

    def kit(self) -> dict[str, Any]:
        """The spec's brand kit part."""
        return self.model_dump(mode="json", exclude={"glossary"})


class BrandKitPublic(BaseModel):
    """A stored brand kit; ``id`` is what ``POST /v1/jobs`` takes as ``brand_kit``."""

    id: str
    version: int
    name: str
    logo: str | None
    logo_position: LogoPosition
    colors: BrandColours
    font: str | None
    tagline: str | None
    call_to_action: str | None
    url: str | None
    glossary: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: BrandKitRow) -> BrandKitPublic:
        kit = BrandKit.model_validate(row.kit)
        return cls(
            id=row.id,
            version=row.version,
            name=row.name,
            logo=kit.logo,
            logo_position=kit.logo_position,
            colors=kit.colors,
            font=kit.font,
            tagline=kit.tagline,
            call_to_action=kit.call_to_action,
            url=kit.url,
            glossary=dict(row.glossary),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class BrandKitList(BaseModel):
    """Your brand kits, by name."""

    items: list[BrandKitPublic]
