"""The web studio: server-rendered pages at ``/studio`` over the API's own services.

:func:`install_studio` mounts it on the API app as its own routers and a static folder:
no middleware is added, so API routes run exactly as before. Front-end libraries (htmx)
are copied into ``static/vendor`` by the Makefile from their npm package; the browser never
loads anything from another origin (see docs/studio.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def install_studio(app: FastAPI) -> None:
    """Serve the studio at ``/studio`` (and redirect ``/`` there)."""
    # imported here: the studio's routes use aiprod.api, whose app factory calls this
    from starlette.staticfiles import StaticFiles

    from aiprod.studio.brand_kits import router as brand_kits_router
    from aiprod.studio.pages import STATIC_DIR
    from aiprod.studio.previews import router as previews_router
    from aiprod.studio.routes import fallback_router, root_router, router

    app.include_router(root_router)
    app.include_router(router)
    app.include_router(brand_kits_router)
    app.include_router(previews_router)
    app.mount("/studio/static", StaticFiles(directory=STATIC_DIR), name="studio-static")
    app.include_router(fallback_router)  # last: any other /studio path is a 404 page
