"""The studio's brand kit pages: list, create, edit, delete. Thin, like the API's router:
the same services (:mod:`aiprod.brandkits.service`), the same checks, the logo stored by
the upload service of ``POST /v1/uploads``; another owner's kit is a 404 page."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from aiprod.api.deps import check_scope
from aiprod.api.request_session import run_in_session
from aiprod.auth import JOBS_WRITE
from aiprod.brandkits import service
from aiprod.brandkits.models import BrandKitRow
from aiprod.errors import (
    InvalidSpec,
    SpecProblem,
)
from aiprod.spec.model import BrandColours, LogoPosition
from aiprod.studio.pages import render
from aiprod.studio.routes import SessionDep, StudioRoute, check_csrf, settings_of
from aiprod.studio.scene_pictures import CHUNK, UPLOAD_REFUSALS
from aiprod.studio.sessions import StudioSession
from aiprod.uploads import service as uploads
from aiprod.uploads.media_paths import media_roots

router = APIRouter(prefix="/studio/brand-kits", route_class=StudioRoute, include_in_schema=False)
COLOURS: Final = ("primary", "secondary", "accent", "text")
COLOUR_LABELS: Final = {
    "primary": "Primary colour",
    "secondary": "Secondary colour",
    "accent": "Accent colour",
    "text": "Text colour",
}
POSITIONS: Final[tuple[str, ...]] = LogoPosition.__args__  # type: ignore[attr-defined]
TEXT_FIELDS: Final = {"name": 120, "font": 120, "tagline": 120, "call_to_action": 160, "url": 120}
FIELD_LABELS: Final = {
    "name": "Name",
    "font": "Font",
    "tagline": "Tagline",
    "call_to_action": "Call to action",
    "url": "Web address",
    "logo": "Logo",
    "logo_position": "Logo position",
    "glossary": "Pronunciations",
    **{f"colors.{c}": label for c, label in COLOUR_LABELS.items()},
}


@dataclass
class KitForm:
    """The kit form as typed (or as stored)."""

    name: str = ""
    font: str = ""
    tagline: str = ""
    call_to_action: str = ""
    url: str = ""
    logo: str | None = None
    logo_position: str = "top-right"
    colors: dict[str, str] = field(
        default_factory=lambda: {c: str(getattr(BrandColours(), c)) for c in COLOURS}
    )
    glossary: str = ""

    @classmethod
    def of(cls, row: BrandKitRow) -> KitForm:
        kit = row.kit
        colours = kit.get("colors") or {}
        return cls(
            **{name: str(kit.get(name) or "") for name in TEXT_FIELDS},
            logo=kit.get("logo"),
            logo_position=str(kit.get("logo_position") or "top-right"),
            colors={c: str(colours.get(c) or "#000000") for c in COLOURS},
            glossary="\n".join(f"{word} = {spoken}" for word, spoken in row.glossary.items()),
        )

    @classmethod
    def read(cls, form: FormData, logo: str | None) -> KitForm:
        colours = {c: str(form.get(f"color_{c}") or "")[:9] for c in COLOURS}
        return cls(
            **{name: str(form.get(name) or "")[:size] for name, size in TEXT_FIELDS.items()},
            logo=logo,
            logo_position=str(form.get("logo_position") or "top-right")[:20],
            colors=colours,
            glossary=str(form.get("glossary") or "")[:20_000],
        )

    def glossary_words(self) -> dict[str, str]:
        """``word = spoken form`` lines as a mapping; InvalidSpec names a line without ``=``."""
        words: dict[str, str] = {}
        for number, line in enumerate(self.glossary.splitlines(), start=1):
            if not line.strip():
                continue
            word, equals, spoken = line.partition("=")
            if not equals:
                problem = f"line {number}: write 'word = how to say it'"
                raise InvalidSpec([SpecProblem("glossary", problem)], "brand kit")
            words[word.strip()] = spoken.strip()
        return words

    def kit(self) -> dict[str, Any]:
        """The spec's brand kit, as typed (the service checks it)."""
        return {
            **{name: getattr(self, name).strip() or None for name in TEXT_FIELDS},
            "name": self.name.strip(),
            "logo": self.logo,
            "logo_position": self.logo_position,
            "colors": dict(self.colors),
        }


def swatch(colours: dict[str, str]) -> str:
    """The kit's colours as a small picture (a ``data:`` SVG: no inline style needed)."""
    bars = "".join(
        f'<rect x="{i * 16}" width="16" height="16" fill="{colours.get(c, "#000000")[:7]}"/>'
        for i, c in enumerate(COLOURS)
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16">{bars}</svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _page(
    studio: StudioSession,
    form: KitForm,
    *,
    kit_id: str | None,
    problems: list[SpecProblem] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "studio": studio,
        "form": form,
        "kit_id": kit_id,
        "positions": POSITIONS,
        "colour_labels": COLOUR_LABELS,
        "problems": [(FIELD_LABELS.get(p.path, p.path), p.message) for p in problems or []],
        "can_write": studio.principal.has(JOBS_WRITE),
    }
    return render("brand_kit.html", context, status_code=status_code)


@router.get("")
async def kit_list(request: Request, studio: SessionDep) -> Response:
    """The user's brand kits."""
    principal = studio.principal

    def load(session: Session) -> list[dict[str, Any]]:
        rows = service.list_kits(session, principal=principal)
        return [
            {
                "id": row.id,
                "name": row.name,
                "tagline": row.kit.get("tagline"),
                "swatch": swatch(row.kit.get("colors") or {}),
                "words": len(row.glossary),
                "logo": bool(row.kit.get("logo")),
            }
            for row in rows
        ]

    kits = await run_in_session(request, load, read_only=True)
    can_write = principal.has(JOBS_WRITE)
    return render("brand_kits.html", {"studio": studio, "kits": kits, "can_write": can_write})


@router.get("/new")
async def new_kit(studio: SessionDep) -> Response:
    """An empty kit form."""
    return _page(studio, KitForm(), kit_id=None)


@router.get("/{kit_id}")
async def edit_kit(request: Request, kit_id: str, studio: SessionDep) -> Response:
    """A kit's form, filled; another owner's kit is a 404."""
    principal = studio.principal
    form = await run_in_session(
        request,
        lambda s: KitForm.of(service.get_kit(s, principal=principal, kit_id=kit_id)),
        read_only=True,
    )
    return _page(studio, form, kit_id=kit_id)


async def _logo(request: Request, studio: StudioSession, part: Any) -> str | None:
    """A new logo from the form, stored by the upload service; None when none was sent."""
    if not isinstance(part, UploadFile) or not part.filename:
        return None

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await part.read(CHUNK):
            yield chunk

    try:
        stored = await uploads.store_upload(
            settings=settings_of(request),
            owner=studio.principal.owner,
            filename=part.filename,
            chunks=chunks(),
        )
    except UPLOAD_REFUSALS as refused:
        raise InvalidSpec([SpecProblem("logo", str(refused))], "brand kit") from None
    if stored.kind != "image":
        raise InvalidSpec([SpecProblem("logo", "the logo must be a picture")], "brand kit")
    return stored.path


@router.post("")
async def create_kit(request: Request, studio: SessionDep) -> Response:
    """Store a new kit (and its logo), then list the kits."""
    return await _save(request, studio, None)


@router.post("/{kit_id}")
async def update_kit(request: Request, kit_id: str, studio: SessionDep) -> Response:
    """Replace a kit's content (a new logo, the old one kept, or none)."""
    return await _save(request, studio, kit_id)


async def _save(request: Request, studio: StudioSession, kit_id: str | None) -> Response:
    principal = studio.principal
    settings = settings_of(request)
    request_id = getattr(request.state, "request_id", "")
    async with request.form(max_files=1, max_fields=40) as form:
        check_csrf(request, studio, str(form.get("csrf") or ""))
        check_scope(principal, JOBS_WRITE)
        current: str | None = None
        if kit_id is not None:  # another's kit: 404 before anything is stored
            row_logo = await run_in_session(
                request,
                lambda s: service.get_kit(s, principal=principal, kit_id=kit_id).kit.get("logo"),
                read_only=True,
            )
            current = None if form.get("remove_logo") == "on" else row_logo
        typed = KitForm.read(form, current)
        try:
            typed.logo = await _logo(request, studio, form.get("logo")) or current
        except InvalidSpec as refused:
            return _page(studio, typed, kit_id=kit_id, problems=refused.problems, status_code=422)
    roots = media_roots(settings, principal.owner)

    def store(session: Session) -> str:
        words = typed.glossary_words()
        if kit_id is None:
            row = service.create_kit(
                session,
                principal=principal,
                kit=typed.kit(),
                glossary=words,
                roots=roots,
                request_id=request_id,
            )
        else:
            row = service.update_kit(
                session,
                principal=principal,
                kit_id=kit_id,
                kit=typed.kit(),
                glossary=words,
                roots=roots,
                request_id=request_id,
            )
        return row.id

    try:
        await run_in_session(request, store)
    except InvalidSpec as invalid:
        return _page(studio, typed, kit_id=kit_id, problems=invalid.problems, status_code=422)
    return RedirectResponse("/studio/brand-kits", status_code=303)


@router.post("/{kit_id}/delete")
async def delete_kit(request: Request, kit_id: str, studio: SessionDep) -> Response:
    """Remove a kit (jobs made with it keep their copy)."""
    form = await request.form()
    check_csrf(request, studio, str(form.get("csrf") or ""))
    principal = check_scope(studio.principal, JOBS_WRITE)
    request_id = getattr(request.state, "request_id", "")
    await run_in_session(
        request,
        lambda s: service.delete_kit(s, principal=principal, kit_id=kit_id, request_id=request_id),
    )
    return RedirectResponse("/studio/brand-kits", status_code=303)
