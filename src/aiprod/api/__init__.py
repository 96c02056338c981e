"""The HTTP API: ``create_app(settings)`` builds a FastAPI app over the job database.

HTTP only: the app factory (app.py), dependencies (deps.py, security.py, ratelimit.py), the
error table (errors.py), schemas (``*schemas.py``) and one thin router per resource
(``routes/``). Services live in their domain: jobs/, uploads/, webhooks/, auth/, storage/.
"""

from __future__ import annotations

from aiprod.api.app import create_app

__all__ = ["create_app"]
