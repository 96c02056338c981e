"""``GET /metrics``: Prometheus text format, without authentication (scrapers carry no key).

Expose it on a private network only; it reveals counts, never job contents.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from aiprod.api.db_metrics import CONTENT_TYPE, exposition

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """This host's process samples and the job database's counts, read now."""
    body = exposition(engine=request.app.state.engine)
    return Response(content=body, media_type=CONTENT_TYPE)
