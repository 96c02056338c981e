"""Uploaded media: streamed to disk under a size cap, checked with ffprobe, kept per owner.

An upload is accepted only when ffprobe reads it as an image, audio or video in one of the
formats listed here (``-format_whitelist``: a playlist or concat file posing as a video is
refused before FFmpeg follows what it names), audio and video no longer than
``upload_max_duration_s`` and images no larger than :data:`MAX_PIXELS`. The file is stored
as ``data_dir/uploads/<owner folder>/<id><extension>``: the id is random, the extension comes
from the probed format, and the owner folder is a keyed hash of the owner
(:mod:`aiprod.storage.owner_folders`), so no part of the path
comes from the caller. The caller's file name is kept, cleaned, only as metadata (in
``<id>.json`` beside the file).

The returned ``path`` is what a spec names (``ImageBackground.path``, ``MusicSpec.path``,
…). Refusals: :class:`PayloadTooLarge` (413), :class:`UnsupportedMedia` (415),
:class:`MediaTooLong` (422).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import anyio

from aiprod.config import Settings
from aiprod.errors import (
    FFmpegError,
    MediaError,
    MediaTooLong,
    NotFound,
    NotReady,
    PayloadTooLarge,
    ProviderUnavailable,
    UndecodableMedia,
    UnsupportedMedia,
)
from aiprod.media.ffmpeg.probe import PROBE_TIMEOUT_S, ProbeResult, parse_probe_json
from aiprod.media.ffmpeg.run import run_process
from aiprod.media.probe_inputs import require_first_frame
from aiprod.storage.owner_folders import owner_uploads_folder

UploadKind = Literal["image", "audio", "video"]
MAX_PIXELS: Final = 100_000_000  # a larger image is a decompression bomb, not an asset
MAX_FILENAME_CHARS: Final = 120
# ffprobe demuxer name → the stored file's extension, per kind
IMAGE_FORMATS: Final = {
    "png_pipe": ".png",
    "jpeg_pipe": ".jpg",
    "webp_pipe": ".webp",
    "gif": ".gif",
    "bmp_pipe": ".bmp",
    "tiff_pipe": ".tiff",
}
AUDIO_FORMATS: Final = {
    "mp3": ".mp3",
    "wav": ".wav",
    "flac": ".flac",
    "ogg": ".ogg",
    "aac": ".aac",
    "mov,mp4,m4a,3gp,3g2,mj2": ".m4a",
    "matroska,webm": ".mka",
}
VIDEO_FORMATS: Final = {
    "mov,mp4,m4a,3gp,3g2,mj2": ".mp4",
    "matroska,webm": ".mkv",
    "avi": ".avi",
}
DEMUXERS: Final = ",".join(
    sorted({name.split(",")[0] for name in (*IMAGE_FORMATS, *AUDIO_FORMATS, *VIDEO_FORMATS)})
)
_UNSAFE_CHARS = re.compile(r"[^\w.\- ()\[\]+]+")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
# the stored extension → the Content-Type an upload is served with
MEDIA_TYPES: Final = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".tiff": "image/tiff",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".aac": "audio/aac",
    ".m4a": "audio/mp4",
    ".mka": "audio/x-matroska",
    ".mp4": "video/mp4",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
}


@dataclass(frozen=True)
class StoredUpload:
    """An accepted upload: where it is and what ffprobe found in it."""

    id: str
    kind: UploadKind
    path: str
    filename: str
    format: str
    size_bytes: int
    sha256: str
    duration_s: float | None
    width: int | None
    height: int | None
    created_at: str


def uploads_dir(settings: Settings, owner: str) -> Path:
    """The owner's upload folder: named by a keyed hash, so an owner name is never a path."""
    return owner_uploads_folder(settings, owner)  # aiprod.storage.owner_folders


def clean_filename(name: str | None) -> str:
    """A caller's file name made harmless for metadata: no folders, no control characters,
    no leading dots, at most :data:`MAX_FILENAME_CHARS` characters."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_CHARS.sub("_", base).strip(" .")
    stem, dot, extension = base.rpartition(".")
    if dot and len(extension) <= 10:
        return stem[: MAX_FILENAME_CHARS - len(extension) - 1] + "." + extension
    return base[:MAX_FILENAME_CHARS] or "upload"


def find_upload(settings: Settings, owner: str, upload_id: str) -> StoredUpload:
    """``owner``'s upload ``upload_id``; NotFound for an unknown id or another owner's
    (the id is looked up in the owner's own folder only, so the two are never told apart)."""
    missing = NotFound(f"no upload {upload_id[:40]!r}")
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise missing
    folder = uploads_dir(settings, owner).resolve()
    try:
        data = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        upload = StoredUpload(**data)
    except (OSError, ValueError, TypeError):
        raise missing from None
    path = Path(upload.path)
    if path.parent != folder or path.stem != upload_id or not path.is_file():
        raise missing
    return upload


def media_type(upload: StoredUpload) -> str:
    """The Content-Type an upload is served with (from its probed, stored extension)."""
    return MEDIA_TYPES.get(Path(upload.path).suffix, "application/octet-stream")


def upload_id_of(settings: Settings, owner: str, path: str) -> str | None:
    """The id of ``owner``'s upload stored at ``path`` (as a spec names it), else None."""
    if not path:
        return None
    candidate = Path(path)
    if not candidate.is_absolute() or not _UPLOAD_ID.fullmatch(candidate.stem):
        return None
    if candidate.parent != uploads_dir(settings, owner).resolve():
        return None
    return candidate.stem


async def store_upload(
    *, settings: Settings, owner: str, filename: str | None, chunks: AsyncIterator[bytes]
) -> StoredUpload:
    """Write ``chunks`` to the owner's upload folder if they are acceptable media."""
    folder = uploads_dir(settings, owner)
    folder.mkdir(parents=True, exist_ok=True)
    upload_id = secrets.token_hex(16)
    partial = folder / f".{upload_id}.part"  # a dot file: not yet an upload
    try:
        size, sha256 = await _receive(partial, chunks, settings.upload_max_bytes)
        probed = await anyio.to_thread.run_sync(_probe_upload, partial)
        kind, extension = _classify(probed, settings.upload_max_duration_s)
        if kind != "audio":
            await anyio.to_thread.run_sync(_decode_first_frame, probed, kind)
        final = folder / f"{upload_id}{extension}"
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    video = probed.video
    upload = StoredUpload(
        id=upload_id,
        kind=kind,
        path=str(final.resolve()),
        filename=clean_filename(filename),
        format=probed.format_name,
        size_bytes=size,
        sha256=sha256,
        duration_s=None if kind == "image" else probed.duration,
        width=video.width if video and kind != "audio" else None,
        height=video.height if video and kind != "audio" else None,
        created_at=datetime.now(UTC).isoformat(),
    )
    (folder / f"{upload_id}.json").write_text(json.dumps(asdict(upload)), encoding="utf-8")
    return upload


async def _receive(path: Path, chunks: AsyncIterator[bytes], max_bytes: int) -> tuple[int, str]:
    size, digest = 0, hashlib.sha256()
    async with await anyio.open_file(path, "xb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"the upload is over {max_bytes} bytes")
            digest.update(chunk)
            await out.write(chunk)
    if size == 0:
        raise UnsupportedMedia("the upload is empty")
    return size, digest.hexdigest()


def _probe_upload(path: Path) -> ProbeResult:
    """ffprobe limited to the accepted demuxers and to local files."""
    command = [
        "ffprobe",
        "-v",
        "error",
        "-format_whitelist",
        DEMUXERS,
        "-protocol_whitelist",
        "file",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    try:
        result = run_process(command, timeout=PROBE_TIMEOUT_S)
        data = json.loads(result.stdout or b"{}")
        return parse_probe_json(path, data if isinstance(data, dict) else {})
    except ProviderUnavailable as missing:
        raise NotReady(str(missing)) from None
    except (FFmpegError, MediaError, ValueError):
        raise UnsupportedMedia(
            "the upload is not an image, audio or video in an accepted format"
        ) from None


def _decode_first_frame(probed: ProbeResult, kind: UploadKind) -> None:
    """UndecodableMedia unless FFmpeg decodes the picture (named without a server path)."""
    try:
        require_first_frame(probed, f"the {kind}", demuxers=DEMUXERS)
    except ProviderUnavailable as missing:
        raise NotReady(str(missing)) from None
    except MediaError as bad:
        raise UndecodableMedia(f"{bad.reason}: send an image or video FFmpeg can read") from None


def _classify(probed: ProbeResult, max_duration_s: float) -> tuple[UploadKind, str]:
    """The upload's kind and stored extension; UnsupportedMedia or MediaTooLong if refused."""
    fmt = probed.format_name
    moving = [s for s in probed.streams if s.codec_type == "video" and not s.attached_pic]
    if fmt in IMAGE_FORMATS and moving:
        width, height = moving[0].width or 0, moving[0].height or 0
        if width * height > MAX_PIXELS:
            raise UnsupportedMedia(f"the image is {width}x{height}: over {MAX_PIXELS} pixels")
        return "image", IMAGE_FORMATS[fmt]
    if moving and fmt in VIDEO_FORMATS:
        kind: UploadKind = "video"
        extension = VIDEO_FORMATS[fmt]
    elif probed.audio is not None and fmt in AUDIO_FORMATS:
        kind, extension = "audio", AUDIO_FORMATS[fmt]
    else:
        raise UnsupportedMedia(f"'{fmt}' media is not accepted: send an image, audio or video")
    duration = probed.duration
    if duration is None:
        raise UnsupportedMedia(f"the {kind}'s duration cannot be read")
    if duration > max_duration_s:
        raise MediaTooLong(f"the {kind} lasts {duration:.1f} s; at most {max_duration_s:g} s")
    return kind, extension
