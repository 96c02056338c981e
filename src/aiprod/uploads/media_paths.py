"""Media files a spec names through the API must be the caller's own: confined to their
upload folder (``POST /v1/uploads``), the operator's asset and SFX libraries, or the stock and
generated pictures a plan fetched (``aiprod.pipeline.fetch_visuals``). This module
says which folders those are; :func:`aiprod.intake.validate_spec` confines to them.

The CLI renders any file its user can read; an API caller must not make the server read
(or probe) arbitrary files such as ``/etc/passwd`` or another owner's uploads. Relative
paths are taken inside the caller's upload folder and stored resolved.
"""

from __future__ import annotations

from pathlib import Path

from aiprod.config import Settings
from aiprod.uploads.service import uploads_dir


def media_roots(settings: Settings, owner: str) -> list[Path]:
    """Where ``owner``'s specs may take media from; the upload folder comes first."""
    roots = [uploads_dir(settings, owner)]
    roots += [p for p in (settings.asset_library_dir, settings.sfx_library_dir) if p is not None]
    # the stock and generated pictures the planner fetched (content-addressed, named by the
    # planned spec a reviewer edits and sends back): the server's own files, not a caller's
    roots.append(settings.cache_dir / "visuals" / "files")
    return [root.resolve() for root in roots]
