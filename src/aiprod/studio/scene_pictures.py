"""Pictures uploaded for storyboard scenes: each file part ``picture-<row>`` of the editor's
form is stored by the upload service of ``POST /v1/uploads`` (probed by ffprobe, kept in
the user's upload folder) and becomes that scene's picture file; a refused file is a
problem on its scene's card. A card shows its picture file through the studio's own
``/studio/uploads/{id}`` (the policy's ``img-src 'self'``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Final

from fastapi import Request
from starlette.datastructures import UploadFile

from aiprod.config import Settings
from aiprod.errors import (
    MediaError,
    MediaTooLong,
    PayloadTooLarge,
    UndecodableMedia,
    UnsupportedMedia,
)
from aiprod.studio import stock_pictures
from aiprod.studio.sessions import StudioSession
from aiprod.studio.storyboard import Card
from aiprod.uploads import service as uploads

CHUNK: Final = 256 * 1024
UPLOAD_REFUSALS: Final = (
    MediaError,
    MediaTooLong,
    PayloadTooLarge,
    UndecodableMedia,
    UnsupportedMedia,
)


async def _chunks(part: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await part.read(CHUNK):
        yield chunk


async def take_pictures(
    request: Request, studio: StudioSession, form: Any, cards: list[Card]
) -> bool:
    """Store each scene's new picture file and set it on the card (its icon cleared);
    True when a file was refused (the reason is on its card)."""
    settings: Settings = request.app.state.settings
    refused = False
    for row, card in enumerate(cards):
        part = form.get(f"picture-{row}")
        if not isinstance(part, UploadFile) or not part.filename:
            continue
        try:
            stored = await uploads.store_upload(
                settings=settings,
                owner=studio.principal.owner,
                filename=part.filename,
                chunks=_chunks(part),
            )
        except UPLOAD_REFUSALS as problem:
            card.problems.append(f"picture: {problem}")
            refused = True
            continue
        if stored.kind != "image":
            card.problems.append("picture: the file is not a picture (a video or a sound)")
            refused = True
            continue
        card.picture_path, card.icon = stored.path, ""
    return refused


def url_for(settings: Settings, owner: str) -> Callable[[str], str]:
    """For the storyboard template: a picture file's address in the studio: one of
    ``owner``'s uploads, or a stock or generated picture of the visuals cache; '' for
    any other file."""

    def url(path: str) -> str:
        upload_id = uploads.upload_id_of(settings, owner, path)
        if upload_id:
            return f"/studio/uploads/{upload_id}"
        return stock_pictures.visual_url(settings, path) if path else ""

    return url
