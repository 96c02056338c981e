"""A local HTTP server that answers like the picture vendors' published APIs.

- Pexels: ``GET /v1/search`` and ``GET /videos/search``, the key in ``Authorization`` (no
  ``Bearer``), ``per_page``/``page`` with ``next_page``, ``{"error": ...}`` on 401, 429 with
  ``Retry-After``;
- Pixabay: ``GET /api/`` and ``GET /api/videos/``, ``key`` as a query parameter, ``hits`` and
  ``totalHits``, plain-text ``[ERROR 400] ...`` errors;
- Runway: ``POST /v1/text_to_video`` and ``POST /v1/image_to_video`` (``promptImage`` an
  HTTPS URL or a base64 image data URI of at most 5 MB, ``ratio`` required, ``promptText``
  optional; Bearer key and ``X-Runway-Version`` required), then
  ``GET /v1/tasks/{id}`` answering the scripted statuses in turn, ``DELETE`` to cancel;
- OpenAI-compatible images: ``POST /v1/images/generations`` with ``b64_json``;
- ``GET /files/<name>``: the media the answers point to.

Faults are queued per path (status, headers, body, delay) and used before normal answers.
Every request is recorded (method, path, query, headers) for the test to inspect.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PEXELS_KEY = "pexels-test-key-0123456789abcdef"
PIXABAY_KEY = "pixabay-test-key-0123456789abcdef"
RUNWAY_KEY = "key_runway-test-0123456789abcdef"
IMAGES_KEY = "sk-images-test-0123456789abcdef"
RUNWAY_VERSION = "2024-11-06"


@dataclass
class Fault:
    status: int = 500
    body: bytes = b'{"error": "Internal server error"}'
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str = "application/json"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any = None


@dataclass
class MediaFile:
    data: bytes
    content_type: str


class VendorServer:
    """``with VendorServer() as server:`` ... ``server.base_url``."""

    def __init__(self) -> None:
        self.files: dict[str, MediaFile] = {}
        self.photos: list[str] = []  # file names the photo searches return, in order
        self.videos: list[str] = []
        self.faults: dict[str, deque[Fault]] = {}
        self.seen: list[Seen] = []
        self.task_statuses: deque[dict[str, Any]] = deque()
        self.image_b64: str | None = None
        self._tasks = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_DELETE(self) -> None:
                server._handle(self, "DELETE")

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> VendorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fault(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, deque()).extend(faults)

    def add_file(self, name: str, data: bytes, content_type: str) -> None:
        self.files[name] = MediaFile(data, content_type)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    # -- dispatch ------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        query = parse_qs(url.query)
        length = int(h.headers.get("Content-Length", "0") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw.startswith(b"{") else None
        self.seen.append(Seen(method, url.path, query, dict(h.headers.items()), body))
        queued = self.faults.get(url.path)
        if queued:
            fault = queued.popleft()
            time.sleep(fault.delay_s)
            if fault.status:
                self._send(h, fault.status, fault.body, fault.content_type, fault.headers)
                return
        routes = {
            ("GET", "/v1/search"): self._pexels,
            ("GET", "/videos/search"): self._pexels,
            ("GET", "/api/"): self._pixabay,
            ("GET", "/api/videos/"): self._pixabay,
            ("POST", "/v1/text_to_video"): self._runway_create,
            ("POST", "/v1/image_to_video"): self._runway_animate,
            ("POST", "/v1/images/generations"): self._images,
        }
        handler = routes.get((method, url.path))
        if handler is not None:
            handler(h, url.path, query, body)
        elif url.path.startswith("/v1/tasks/"):
            self._runway_task(h, method, url.path)
        elif method == "GET" and url.path.startswith("/files/"):
            media = self.files.get(url.path.removeprefix("/files/"))
            if media is None:
                self._json(h, 404, {"error": "not found"})
            else:
                self._send(h, 200, media.data, media.content_type)
        else:
            self._json(h, 404, {"error": f"no route {method} {url.path}"})

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("X-Request-Id", f"req-{len(self.seen)}")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _json(self, h: BaseHTTPRequestHandler, status: int, data: Any) -> None:
        self._send(h, status, json.dumps(data).encode(), "application/json")

    # -- Pexels --------------------------------------------------------------------------

    def _pexels(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]],
                body: Any) -> None:  # fmt: skip
        if h.headers.get("Authorization") != PEXELS_KEY:
            self._json(h, 401, {"error": "Unauthorized"})
            return
        page = int(query.get("page", ["1"])[0])
        per_page = min(80, int(query.get("per_page", ["15"])[0]))
        names = self.photos if path == "/v1/search" else self.videos
        chunk = names[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(names)
        base = self.base_url
        if path == "/v1/search":
            items = [self._pexels_photo(name, base) for name in chunk]
            data: dict[str, Any] = {"page": page, "per_page": per_page, "photos": items,
                                    "total_results": len(names)}  # fmt: skip
        else:
            items = [self._pexels_video(name, base) for name in chunk]
            data = {"page": page, "per_page": per_page, "videos": items,
                    "total_results": len(names), "url": f"{base}/videos"}  # fmt: skip
        if more:
            data["next_page"] = f"{base}{path}?page={page + 1}&per_page={per_page}"
        self._json(h, 200, data)

    @staticmethod
    def _pexels_photo(name: str, base: str) -> dict[str, Any]:
        ident = zlib.crc32(name.encode()) % 10**7
        src = {k: f"{base}/files/{name}" for k in ("original", "large2x", "large", "portrait")}
        return {"id": ident, "width": 1280, "height": 1920, "url": f"https://www.pexels.com/photo/{ident}/",
                "photographer": "Jane Doe", "photographer_url": "https://www.pexels.com/@jane",
                "avg_color": "#7A6A5A", "alt": name, "src": src}  # fmt: skip

    @staticmethod
    def _pexels_video(name: str, base: str) -> dict[str, Any]:
        ident = zlib.crc32(name.encode()) % 10**7
        files = [{"id": 1, "quality": "hd", "file_type": "video/mp4", "width": 1080,
                  "height": 1920, "fps": 25, "link": f"{base}/files/{name}"}]  # fmt: skip
        return {"id": ident, "width": 1080, "height": 1920, "duration": 4,
                "url": f"https://www.pexels.com/video/{ident}/", "image": "",
                "user": {"id": 7, "name": "John Roe", "url": "https://www.pexels.com/@john"},
                "video_files": files, "video_pictures": []}  # fmt: skip

    # -- Pixabay -------------------------------------------------------------------------

    def _pixabay(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]],
                 body: Any) -> None:  # fmt: skip
        if query.get("key", [""])[0] != PIXABAY_KEY:
            self._send(h, 400, b"[ERROR 400] Invalid or missing API key", "text/plain")
            return
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["20"])[0])
        if not 3 <= per_page <= 200:
            self._send(h, 400, b'[ERROR 400] "per_page" is out of valid range.', "text/plain")
            return
        names = self.photos if path == "/api/" else self.videos
        chunk = names[(page - 1) * per_page : page * per_page]
        base = self.base_url
        hits = [self._pixabay_hit(name, base, path) for name in chunk]
        self._json(h, 200, {"total": len(names), "totalHits": len(names), "hits": hits})

    @staticmethod
    def _pixabay_hit(name: str, base: str, path: str) -> dict[str, Any]:
        ident = zlib.crc32(name.encode()) % 10**7
        hit: dict[str, Any] = {"id": ident, "pageURL": f"https://pixabay.com/photos/{ident}/",
                               "tags": "coffee", "user": "RitaE", "user_id": 19628}  # fmt: skip
        if path == "/api/":
            hit |= {"type": "photo", "largeImageURL": f"{base}/files/{name}",
                    "webformatURL": f"{base}/files/{name}", "imageWidth": 1280,
                    "imageHeight": 1920}  # fmt: skip
        else:
            rendition = {"url": f"{base}/files/{name}", "width": 1080, "height": 1920,
                         "size": 100000}  # fmt: skip
            hit |= {"type": "film", "duration": 4, "videos": {"large": rendition}}
        return hit

    # -- Runway --------------------------------------------------------------------------

    def _runway_auth(self, h: BaseHTTPRequestHandler) -> bool:
        if h.headers.get("Authorization") != f"Bearer {RUNWAY_KEY}":
            self._json(h, 401, {"error": "Invalid API key"})
            return False
        if h.headers.get("X-Runway-Version") != RUNWAY_VERSION:
            self._json(h, 400, {"error": "Missing or invalid X-Runway-Version header"})
            return False
        return True

    def _runway_create(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]],
                       body: Any) -> None:  # fmt: skip
        if not self._runway_auth(h):
            return
        if not isinstance(body, dict) or not body.get("promptText") or not body.get("ratio"):
            self._json(h, 400, {"error": "Validation of body failed", "issues": []})
            return
        self._tasks += 1
        self._json(h, 200, {"id": f"17f20503-6c24-4c16-946b-35dbbce2af{self._tasks:02d}"})

    def _runway_animate(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]],
                        body: Any) -> None:  # fmt: skip
        if not self._runway_auth(h):
            return
        image = body.get("promptImage") if isinstance(body, dict) else None
        if not isinstance(image, str) or not body.get("ratio") or not body.get("model"):
            self._json(h, 400, {"error": "Validation of body failed", "issues": []})
            return
        if not _runway_image_ok(image):
            self._json(h, 400, {"error": "promptImage must be an HTTPS URL or an image data URI"})
            return
        self._tasks += 1
        self._json(h, 200, {"id": f"17f20503-6c24-4c16-946b-35dbbce2af{self._tasks:02d}"})

    def _runway_task(self, h: BaseHTTPRequestHandler, method: str, path: str) -> None:
        if not self._runway_auth(h):
            return
        task_id = path.removeprefix("/v1/tasks/")
        if method == "DELETE":
            self._send(h, 204, b"", "application/json")
            return
        state = self.task_statuses.popleft() if self.task_statuses else {"status": "RUNNING"}
        self._json(h, 200, {"id": task_id, "createdAt": "2026-12-07T02:00:00.000Z", **state})

    # -- OpenAI images -------------------------------------------------------------------

    def _images(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]],
                body: Any) -> None:  # fmt: skip
        if h.headers.get("Authorization") != f"Bearer {IMAGES_KEY}":
            self._json(h, 401, {"error": {"message": "Incorrect API key provided",
                                          "type": "invalid_request_error",
                                          "code": "invalid_api_key"}})  # fmt: skip
            return
        if not isinstance(body, dict) or body.get("response_format") != "b64_json":
            self._json(h, 400, {"error": {"message": "response_format", "type": "invalid"}})
            return
        self._json(h, 200, {"created": 1765072800, "data": [{"b64_json": self.image_b64 or "",
                                                             "revised_prompt": "x"}]})  # fmt: skip


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that timed out and hung up: expected in the timeout tests


def _runway_image_ok(image: str) -> bool:
    if image.startswith("https://"):
        return True
    head, _, data = image.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        return False
    if len(image) > 5 * 1024 * 1024:
        return False
    try:
        base64.b64decode(data, validate=True)
    except ValueError:
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
