"""``POST /v1/previews/voice`` and ``/v1/previews/music``: hear a voice or a mood before a
render (``audio/wav``, cached by content, with a strong ETag)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from aiprod.api.deps import SettingsDep, WriterDep
from aiprod.api.preview_schemas import MusicPreviewCreate, VoicePreviewCreate
from aiprod.api.schemas import problem_responses
from aiprod.previews import Preview, preview_music, preview_voice

MAX_CONCURRENT: Final = 2  # each preview takes a core for a moment: the renders come first
WAV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}},
    304: {"description": "the same preview as the ETag you sent"},
}
RESPONSES: Final = {**WAV, **problem_responses(401, 403, 413, 422, 429, 503)}

router = APIRouter(prefix="/v1/previews", tags=["previews"])


def _limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "preview_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(MAX_CONCURRENT)
        request.app.state.preview_limiter = limiter
    return limiter


async def make_preview(request: Request, make: Callable[[], Preview]) -> Response:
    """Make (or find) a preview off the event loop and answer it as ``audio/wav``; a
    matching ``If-None-Match`` is a 304."""
    preview = await anyio.to_thread.run_sync(make, limiter=_limiter(request))
    etag = f'"{preview.key}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(preview.path, media_type="audio/wav", headers=headers)


@router.post("/voice", response_class=Response, responses=RESPONSES)
async def voice_preview(
    request: Request, body: VoicePreviewCreate, principal: WriterDep, settings: SettingsDep
) -> Response:
    """One sentence spoken by ``voice`` in ``language`` (WAV, mono)."""
    del principal  # authenticated, scoped and rate-limited by the dependency
    return await make_preview(
        request,
        lambda: preview_voice(
            settings=settings, language=body.language, voice=body.voice, text=body.text
        ),
    )


@router.post("/music", response_class=Response, responses=RESPONSES)
async def music_preview(
    request: Request, body: MusicPreviewCreate, principal: WriterDep, settings: SettingsDep
) -> Response:
    """``seconds`` of music composed for ``mood`` (WAV, stereo, 24 kHz)."""
    del principal
    return await make_preview(
        request, lambda: preview_music(settings=settings, mood=body.mood, seconds=body.seconds)
    )
