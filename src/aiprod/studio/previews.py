"""The new-video page's voice and music previews: the API's previews for the signed-in
browser (``<audio src>`` fetches them with the session cookie), same service, same cache,
same limits; refused when another site asks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from aiprod.api.deps import check_scope
from aiprod.api.routes.previews import make_preview
from aiprod.auth import JOBS_WRITE
from aiprod.previews import MAX_MUSIC_S, MAX_TEXT_CHARS, MIN_MUSIC_S, preview_music, preview_voice
from aiprod.studio.routes import SessionDep, StudioRoute, settings_of
from aiprod.studio.sessions import check_origin

router = APIRouter(prefix="/studio/previews", route_class=StudioRoute, include_in_schema=False)


@router.get("/voice")
async def voice_preview(
    request: Request,
    studio: SessionDep,
    language: Annotated[str, Query(max_length=35)] = "en",
    voice: Annotated[str, Query(max_length=80)] = "",
    text: Annotated[str, Query(max_length=MAX_TEXT_CHARS)] = "",
) -> Response:
    """A sentence spoken by ``voice`` in ``language`` (``audio/wav``)."""
    check_origin(request)
    check_scope(studio.principal, JOBS_WRITE)
    settings = settings_of(request)
    return await make_preview(
        request,
        lambda: preview_voice(settings=settings, language=language, voice=voice, text=text),
    )


@router.get("/music")
async def music_preview(
    request: Request,
    studio: SessionDep,
    mood: Annotated[str, Query(max_length=40)],
    seconds: Annotated[float, Query(ge=MIN_MUSIC_S, le=MAX_MUSIC_S)] = 6.0,
) -> Response:
    """``seconds`` of music composed for ``mood`` (``audio/wav``)."""
    check_origin(request)
    check_scope(studio.principal, JOBS_WRITE)
    settings = settings_of(request)
    return await make_preview(
        request, lambda: preview_music(settings=settings, mood=mood, seconds=seconds)
    )
