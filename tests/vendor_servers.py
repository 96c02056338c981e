"""Local HTTP servers that answer like ElevenLabs Music and Freesound API v2.

They follow the published APIs: ElevenLabs' ``POST /v1/music`` (``xi-api-key`` header, JSON
body, audio bytes back, ``{"detail": {"status", "message"}}`` errors); Freesound's
``GET /apiv2/search/text/`` (``Authorization: Token …``, ``{"count", "next", "previous",
"results"}`` pages, ``{"detail": "…"}`` errors) and its public preview files. Each request
is recorded; failures are scripted one request at a time (status, Retry-After, delay,
malformed body). The HTTP plumbing is :mod:`vendor_base`'s.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiprod.media.ffmpeg.run import run_ffmpeg
from vendor_base import LocalServer, Reply, Request, Scripted


def make_audio(path: Path, seconds: float, codec: str) -> bytes:
    """A real encoded tone (libmp3lame or libvorbis) for the servers to hand out."""
    run_ffmpeg(["-y", "-loglevel", "error", "-f", "lavfi", "-i",
                f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                "-ac", "2", "-c:a", codec, str(path)])  # fmt: skip
    return path.read_bytes()


Fault = Scripted  # what the server does instead of answering normally, for one request


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class VendorServer(LocalServer[Seen]):
    """The shared part: ``with Server(...) as s:`` … ``s.faults.append(Fault(...))``."""

    api_key = "vendor-test-key-0123456789abcdef"

    def __init__(self) -> None:
        super().__init__()
        self.faults: deque[Fault] = deque()

    def respond(self, request: Request) -> Reply:
        seen = Seen(request.method, request.path, request.query, request.headers, request.json())
        self.seen.append(seen)
        return self.route(seen)

    def route(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def fault(self) -> Reply | None:
        """The next scripted fault's reply, after its delay; None to answer normally."""
        answer = self.next_answer(self.faults)
        return None if answer is None else self.scripted_reply(answer, self.error_body)

    def error_body(self, fault: Fault) -> bytes:
        raise NotImplementedError


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

    def route(self, seen: Seen) -> Reply:
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

    def route(self, seen: Seen) -> Reply:
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

    def route(self, seen: Seen) -> Reply:
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
