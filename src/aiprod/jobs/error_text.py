"""A job's error message is shown to whoever submitted it: no server path in it.

Errors from deep inside a render (a media file gone since submission, an FFmpeg failure)
name files by their resolved paths under the data dir. API callers named their media by
upload path or bare name, and know their job's files by name: those are what they see.
"""

from __future__ import annotations

import re

from aiprod.config import Settings

_UPLOAD_FOLDER = r"/uploads/[0-9a-f]{32}/"


def without_server_paths(message: str, settings: Settings) -> str:
    """``message`` with data-dir paths cut down: uploads to their file name, the rest to
    the part inside the data dir (``jobs/<id>/video.mp4``)."""
    roots = {str(settings.data_dir.resolve()), str(settings.data_dir.absolute())}
    for root in sorted(roots, key=len, reverse=True):
        message = re.sub(re.escape(root) + _UPLOAD_FOLDER, "", message)
        message = message.replace(root + "/", "")
    return message
