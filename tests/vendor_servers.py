"""Local HTTP servers that answer like ElevenLabs Music and Freesound API v2.

They follow the published APIs: ElevenLabs' ``POST /v1/music`` (``xi-api-key`` header, JSON
body, audio bytes back, ``{"detail": {"status", "message"}}`` errors); Freesound's
``GET /apiv2/search/text/`` (``Authorization: Token …``, ``{"count", "next", "previous",
"results"}`` pages, ``{"detail": "…"}`` errors) and its public preview files. Each request
is recorded; failures are scripted one request at a time (status, Retry-After, delay,
malformed body).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aiprod.media.ffmpeg.run import run_ffmpeg


def make_audio(path: Path, seconds: float, codec: str) -> bytes:
    """A real encoded tone (libmp3lame or libvorbis) for the servers to hand out."""
    run_ffmpeg(["-y", "-loglevel", "error", "-f", "lavfi", "-i",
                f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                "-ac", "2", "-c:a", codec, str(path)])  # fmt: skip
    return path.read_bytes()


@dataclass
class Fault:
    """What the server does instead of answering normally, for one request."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: bytes | None = None  # raw body (malformed answers); None: the vendor's error JSON
    message: str = "Internal server error"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class VendorServer:
    """The shared machinery: ``with Server(...) as s:`` … ``s.faults.append(Fault(...))``."""

    api_key = "vendor-test-key-0123456789abcdef"

    def __init__(self) -> None:
        self.faults: deque[Fault] = deque()
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length", "0"))
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        seen = Seen(method, parts.path, parse_qs(parts.query), dict(handler.headers.items()), body)
        self.seen.append(seen)
        status, payload, headers = self.route(seen)
        self.send(handler, status, payload, headers)

    def route(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        raise NotImplementedError

    def fault(self) -> tuple[int, bytes, dict[str, str]] | None:
        """The next scripted fault, after its delay; None to answer normally."""
        if not self.faults:
            return None
        fault = self.faults.popleft()
        if fault.delay_s:
            time.sleep(fault.delay_s)
        if fault.status == 200:
            return 200, fault.body or b"", fault.headers
        return fault.status, fault.body or self.error_body(fault), fault.headers

    def error_body(self, fault: Fault) -> bytes:
        raise NotImplementedError

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
             headers: dict[str, str]) -> None:  # fmt: skip
        try:
            handler.send_response(status)
            headers = {"Content-Type": "application/json", **headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def __enter__(self) -> VendorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class ElevenLabsServer(VendorServer):
    """``POST /v1/music``: the key in ``xi-api-key``, MP3 bytes back."""

    def __init__(self, mp3: bytes) -> None:
        super().__init__()
        self.mp3 = mp3
        self.count = 0

    def error_body(self, fault: Fault) -> bytes:
        status = {401: "invalid_api_key", 429: "too_many_concurrent_requests"}.get(
            fault.status, "internal_server_error"
        )
        return json.dumps({"detail": {"status": status, "message": fault.message}}).encode()

    def route(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.method != "POST" or seen.path != "/v1/music":
            return 404, b'{"detail": "Not Found"}', {}
        given = seen.headers.get("xi-api-key") or seen.headers.get("Xi-Api-Key")
        if given != self.api_key:
            # like the real API, the refusal does not echo the key; the client must not either
            return 401, self.error_body(Fault(401, message="Invalid API key")), {}
        body = seen.body if isinstance(seen.body, dict) else {}
        length = body.get("music_length_ms")
        if not isinstance(body.get("prompt"), str) or not isinstance(length, int):
            detail = [{"loc": ["body", "music_length_ms"], "msg": "field required"}]
            return 422, json.dumps({"detail": detail}).encode(), {}
        faulted = self.fault()
        if faulted is not None:
            return faulted
        self.count += 1
        return 200, self.mp3, {"Content-Type": "audio/mpeg", "song-id": f"song_{self.count:04d}",
                               "request-id": f"req_{self.count:04d}"}  # fmt: skip


CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_NC = "http://creativecommons.org/licenses/by-nc/3.0/"


class FreesoundServer(VendorServer):
    """``GET /apiv2/search/text/`` in pages of ``page_size``, and the preview files."""

    def __init__(self, sounds: list[dict[str, Any]], ogg: bytes, page_size: int = 2) -> None:
        super().__init__()
        self.sounds = sounds
        self.ogg = ogg
        self.page_size = page_size

    def sound(self, sound_id: int, name: str, licence: str, user: str = "foley_fan",
              duration: float = 1.2) -> dict[str, Any]:  # fmt: skip
        """A result as the API gives it for our ``fields``."""
        preview = f"{self.origin}/previews/{sound_id}_hq.ogg"
        return {
            "id": sound_id, "name": name, "license": licence, "username": user,
            "duration": duration, "url": f"https://freesound.org/people/{user}/sounds/{sound_id}/",
            "previews": {"preview-hq-ogg": preview, "preview-hq-mp3": preview[:-3] + "mp3",
                         "preview-lq-ogg": preview, "preview-lq-mp3": preview[:-3] + "mp3"},
        }  # fmt: skip

    def error_body(self, fault: Fault) -> bytes:
        return json.dumps({"detail": fault.message}).encode()

    def route(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.path.startswith("/previews/"):
            return 200, self.ogg, {"Content-Type": "audio/ogg"}
        if seen.method != "GET" or seen.path != "/apiv2/search/text/":
            return 404, b'{"detail": "Not found."}', {}
        if seen.headers.get("Authorization") != f"Token {self.api_key}":
            return 401, self.error_body(Fault(401, message="Invalid token.")), {}
        faulted = self.fault()
        if faulted is not None:
            return faulted
        page = int(seen.query.get("page", ["1"])[0])
        start = (page - 1) * self.page_size
        results = self.sounds[start : start + self.page_size]
        more = start + self.page_size < len(self.sounds)
        query = {k: v[0] for k, v in seen.query.items()}
        link = f"{self.origin}/apiv2/search/text/?"
        payload = {
            "count": len(self.sounds),
            "next": link + urlencode({**query, "page": page + 1}) if more else None,
            "previous": link + urlencode({**query, "page": page - 1}) if page > 1 else None,
            "results": results,
        }
        return 200, json.dumps(payload).encode(), {}


class ChatServer(VendorServer):
    """``POST /v1/chat/completions`` (Bearer key) answering each image question with
    ``verdict`` as the assistant's content; it keeps the images' data URLs it was sent."""

    def __init__(self, verdict: dict[str, Any]) -> None:
        super().__init__()
        self.verdict = verdict

    def error_body(self, fault: Fault) -> bytes:
        return json.dumps({"error": {"message": fault.message, "type": "server_error",
                                     "param": None, "code": None}}).encode()  # fmt: skip

    def route(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.method != "POST" or seen.path != "/v1/chat/completions":
            return 404, self.error_body(Fault(404, message="Invalid URL")), {}
        if seen.headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, self.error_body(Fault(401, message="Incorrect API key provided")), {}
        faulted = self.fault()
        if faulted is not None:
            return faulted
        answer = {
            "id": f"chatcmpl-{len(self.seen)}", "object": "chat.completion",
            "model": seen.body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": json.dumps(self.verdict)}}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 20, "total_tokens": 140},
        }  # fmt: skip
        return 200, json.dumps(answer).encode(), {"x-request-id": f"req_{len(self.seen)}"}
