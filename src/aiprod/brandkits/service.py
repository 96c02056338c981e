"""Keyword-only services of ``/v1/brand-kits``; no web framework here.

A kit is its owner's: another owner's (or a missing) kit is :class:`NotFound`, never
"forbidden". Every change writes an audit row with the request id, in the caller's
transaction. The content is checked by the spec's own model (:class:`BrandKit`); the logo
must be a file of the owner's uploads (``POST /v1/uploads``) or the asset library, as a
spec's media must (:func:`aiprod.intake.confine_media_paths`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from aiprod.auth import Principal, audit
from aiprod.brandkits.models import BrandKitRow
from aiprod.db.base import utcnow
from aiprod.errors import InvalidSpec, NotFound, SpecProblem
from aiprod.spec.load import problems_from
from aiprod.spec.model import BrandKit

MAX_KITS: Final = 200  # per owner, listed at once
MAX_GLOSSARY: Final = 200
MAX_WORD_CHARS: Final = 80


def checked(
    kit: dict[str, Any], glossary: dict[str, str], roots: Sequence[Path]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The kit as the spec's model has it (JSON) and the glossary; InvalidSpec lists every
    problem (a kit needs a name; its logo must be an image of the owner's uploads)."""
    problems: list[SpecProblem] = []
    data = dict(kit)
    if not str(data.get("name") or "").strip():
        problems.append(SpecProblem("name", "give the kit a name"))
    logo = data.get("logo")
    if isinstance(logo, str) and logo:
        raw = Path(logo.replace("\0", ""))
        resolved = (raw if raw.is_absolute() else roots[0] / raw).resolve()
        if (
            "\0" in logo
            or logo.startswith("~")
            or not any(resolved.is_relative_to(r) for r in roots)
        ):
            problems.append(SpecProblem("logo", "the logo must be one of your uploads"))
        elif not resolved.is_file():
            problems.append(SpecProblem("logo", f"file not found: {logo}"))
        else:
            data["logo"] = str(resolved)
    elif logo == "":
        data["logo"] = None
    if len(glossary) > MAX_GLOSSARY:
        problems.append(SpecProblem("glossary", f"at most {MAX_GLOSSARY} words"))
    for word, spoken in glossary.items():
        if not word.strip() or not spoken.strip():
            problems.append(SpecProblem("glossary", "each word needs a spoken form"))
        elif len(word) > MAX_WORD_CHARS or len(spoken) > MAX_WORD_CHARS:
            problems.append(
                SpecProblem(f"glossary.{word[:40]}", f"at most {MAX_WORD_CHARS} characters")
            )
    try:
        parsed = BrandKit.model_validate(data)
    except ValidationError as invalid:
        problems.extend(problems_from(invalid))
        parsed = None
    if problems or parsed is None:
        raise InvalidSpec(problems, source="brand kit")
    cleaned = {word.strip(): spoken.strip() for word, spoken in glossary.items()}
    return parsed.model_dump(mode="json"), cleaned


def _audit(
    session: Session, principal: Principal, action: str, kit_id: str, request_id: str | None
) -> None:
    audit.record(
        session,
        actor=principal.owner,
        action=action,
        target=kit_id,
        detail={"key_id": principal.key_id},
        request_id=request_id,
    )


def create_kit(
    session: Session,
    *,
    principal: Principal,
    kit: dict[str, Any],
    glossary: dict[str, str],
    roots: Sequence[Path],
    request_id: str | None = None,
) -> BrandKitRow:
    """Store a new kit for the principal's owner."""
    content, words = checked(kit, glossary, roots)
    now = utcnow()
    row = BrandKitRow(
        owner=principal.owner,
        name=str(content["name"]),
        kit=content,
        glossary=words,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, principal, "brand_kit.created", row.id, request_id)
    return row


def list_kits(session: Session, *, principal: Principal) -> list[BrandKitRow]:
    """The owner's kits, by name."""
    query = (
        select(BrandKitRow)
        .where(BrandKitRow.owner == principal.owner)
        .order_by(BrandKitRow.name, BrandKitRow.id)
        .limit(MAX_KITS)
    )
    return list(session.scalars(query))


def get_kit(session: Session, *, principal: Principal, kit_id: str) -> BrandKitRow:
    """The owner's kit ``kit_id``; NotFound for a missing one or anyone else's."""
    row = session.get(BrandKitRow, kit_id) if len(kit_id) <= 32 else None
    if row is None or row.owner != principal.owner:
        raise NotFound(f"no brand kit {kit_id}")
    return row


def update_kit(
    session: Session,
    *,
    principal: Principal,
    kit_id: str,
    kit: dict[str, Any],
    glossary: dict[str, str],
    roots: Sequence[Path],
    request_id: str | None = None,
) -> BrandKitRow:
    """Replace a kit's content (its version goes up by one)."""
    row = get_kit(session, principal=principal, kit_id=kit_id)
    content, words = checked(kit, glossary, roots)
    row.kit, row.glossary, row.name = content, words, str(content["name"])
    row.version += 1
    row.updated_at = utcnow()
    _audit(session, principal, "brand_kit.updated", row.id, request_id)
    return row


def delete_kit(
    session: Session, *, principal: Principal, kit_id: str, request_id: str | None = None
) -> None:
    """Remove a kit (jobs made with it keep their copy)."""
    row = get_kit(session, principal=principal, kit_id=kit_id)
    session.delete(row)
    _audit(session, principal, "brand_kit.deleted", row.id, request_id)


def job_brand(
    session: Session, *, principal: Principal, kit_id: str | None
) -> dict[str, Any] | None:
    """What a job keeps of a kit (a copy: ``{"id", "brand", "glossary"}``); None without
    one; InvalidSpec (``brand_kit``) for a missing kit or another owner's."""
    if kit_id is None:
        return None
    try:
        row = get_kit(session, principal=principal, kit_id=kit_id)
    except NotFound:
        raise InvalidSpec([SpecProblem("brand_kit", f"no brand kit {kit_id}")], "request") from None
    return {"id": row.id, "brand": dict(row.kit), "glossary": dict(row.glossary)}
