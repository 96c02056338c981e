"""``/v1/brand-kits``: brand kits owned like jobs. Thin: parse, call, answer."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from aiprod.api.brand_kit_schemas import BrandKitBody, BrandKitList, BrandKitPublic
from aiprod.api.deps import ReaderDep, RequestIdDep, SessionDep, SettingsDep, WriterDep
from aiprod.api.schemas import problem_responses
from aiprod.brandkits import service
from aiprod.uploads.media_paths import media_roots

router = APIRouter(prefix="/v1/brand-kits", tags=["brand kits"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 413, 422, 503)
)
def create_brand_kit(
    body: BrandKitBody,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
    response: Response,
) -> BrandKitPublic:
    """Store a brand kit; its logo must be an image you uploaded (``POST /v1/uploads``)."""
    row = service.create_kit(
        session,
        principal=principal,
        kit=body.kit(),
        glossary=body.glossary,
        roots=media_roots(settings, principal.owner),
        request_id=request_id,
    )
    response.headers["Location"] = f"/v1/brand-kits/{row.id}"
    return BrandKitPublic.of(row)


@router.get("", responses=problem_responses(401, 403, 503))
def list_brand_kits(principal: ReaderDep, session: SessionDep) -> BrandKitList:
    """Your brand kits, by name."""
    rows = service.list_kits(session, principal=principal)
    return BrandKitList(items=[BrandKitPublic.of(row) for row in rows])


@router.get("/{kit_id}", responses=problem_responses(401, 403, 404, 503))
def get_brand_kit(kit_id: str, principal: ReaderDep, session: SessionDep) -> BrandKitPublic:
    """One of your brand kits; another owner's is 404."""
    return BrandKitPublic.of(service.get_kit(session, principal=principal, kit_id=kit_id))


@router.put("/{kit_id}", responses=problem_responses(401, 403, 404, 413, 422, 503))
def replace_brand_kit(
    kit_id: str,
    body: BrandKitBody,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
) -> BrandKitPublic:
    """Replace a brand kit's content; jobs made with it before keep their copy."""
    row = service.update_kit(
        session,
        principal=principal,
        kit_id=kit_id,
        kit=body.kit(),
        glossary=body.glossary,
        roots=media_roots(settings, principal.owner),
        request_id=request_id,
    )
    return BrandKitPublic.of(row)


@router.delete(
    "/{kit_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
def delete_brand_kit(
    kit_id: str, principal: WriterDep, session: SessionDep, request_id: RequestIdDep
) -> Response:
    """Remove a brand kit."""
    service.delete_kit(session, principal=principal, kit_id=kit_id, request_id=request_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
