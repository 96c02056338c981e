"""The served application: the REST API with the web studio beside it.

The studio is a face of the API (its pages call the API's own services), so it depends on
``aiprod.api`` and never the other way round; this module puts the two together.
"""

from __future__ import annotations

from fastapi import FastAPI

from aiprod.api.app import create_app as create_api
from aiprod.api.limits import MAX_BODY_BYTES
from aiprod.config import Settings
from aiprod.studio import install_studio


def create_app(
    settings: Settings, *, database_url: str | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """The API (see :func:`aiprod.api.app.create_app`, whose errors it raises) with the
    studio's own routers and static folder: no middleware on API routes. With
    ``studio_enabled`` false, the API alone (``/studio`` is then a 404)."""
    app = create_api(settings, database_url=database_url, max_body_bytes=max_body_bytes)
    if settings.studio_enabled:
        install_studio(app)
    return app
