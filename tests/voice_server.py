"""A local HTTP server that answers like the three cloud voice APIs, one scripted answer per
request and vendor, and records every request:

- ElevenLabs: ``POST /v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000``
  (``xi-api-key``) -> ``{"audio_base64", "alignment": {"characters",
  "character_start_times_seconds", "character_end_times_seconds"}}``; ``GET /v1/voices``;
  errors ``{"detail": {"status", "message"}}``.
- Google: ``POST /v1beta1/text:synthesize`` (``X-Goog-Api-Key`` or ``?key=``; a wrong key is
  a 400 ``API_KEY_INVALID`` as Google answers) -> ``{"audioContent", "timepoints":
  [{"markName", "timeSeconds"}]}``; ``GET /v1/voices?languageCode=``; errors
  ``{"error": {"code", "message", "status"}}``.
- OpenAI: ``POST /v1/audio/speech`` (Bearer) -> the audio (``pcm``: raw 24 kHz 16-bit mono);
  errors ``{"error": {"message", "type", "code"}}``.

ElevenLabs and Google speech is a tone per word (its timings known exactly); OpenAI speech
is real speech made by the local Piper voice (so Whisper can align it).
"""

from __future__ import annotations

import base64
import io
import json
import re
import tempfile
import wave
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from aiprod.providers.tts.registry import select_tts
from vendor_base import LocalServer, Reply, Request, Scripted, json_reply

RATE = 24_000
LEAD_S, GAP_S = 0.1, 0.08
KEYS = {
    "elevenlabs": "xi-test-el-4f1c2b",
    "google": "AIza-test-google-9d8e",
    "openai": "sk-test-tts-77aa",
}


@dataclass
class Answer(Scripted):
    """What the server does for one request: status 200 = the vendor's normal answer."""

    status: int = 200


@dataclass
class Seen:
    vendor: str
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def word_times(words: list[str]) -> list[tuple[float, float]]:
    """Where the server puts each word's tone: letters * 60 ms + 100 ms, 80 ms apart."""
    out, t = [], LEAD_S
    for word in words:
        length = 0.1 + 0.06 * sum(ch.isalnum() for ch in word)
        out.append((t, t + length))
        t += length + GAP_S
    return out


def tones(times: list[tuple[float, float]]) -> np.ndarray:
    end = (times[-1][1] if times else 0.0) + LEAD_S
    audio = np.zeros(round(end * RATE), dtype=np.int16)
    for i, (start, stop) in enumerate(times):
        a, b = round(start * RATE), round(stop * RATE)
        t = np.arange(b - a) / RATE
        audio[a:b] = (8000 * np.sin(2 * np.pi * (220 + 40 * (i % 5)) * t)).astype(np.int16)
    return audio


def wav_bytes(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(audio.astype("<i2").tobytes())
    return buffer.getvalue()


def elevenlabs_body(text: str) -> dict[str, Any]:
    words = text.split()
    times = word_times(words)
    chars, starts, ends = [], [], []
    position = 0
    for word, (start, stop) in zip(words, times, strict=True):
        at = text.index(word, position)
        for gap_char in text[position:at]:
            chars.append(gap_char)
            starts.append(round(start - GAP_S, 3))
            ends.append(round(start, 3))
        step = (stop - start) / len(word)
        for k, ch in enumerate(word):
            chars.append(ch)
            starts.append(round(start + k * step, 3))
            ends.append(round(start + (k + 1) * step, 3))
        position = at + len(word)
    alignment = {"characters": chars, "character_start_times_seconds": starts,
                 "character_end_times_seconds": ends}  # fmt: skip
    audio = base64.b64encode(tones(times).astype("<i2").tobytes()).decode()
    return {"audio_base64": audio, "alignment": alignment, "normalized_alignment": alignment}


_MARK = re.compile(r'<mark name="([^"]+)"/>([^<]*)')


def google_body(ssml: str) -> dict[str, Any]:
    marked = [(name, text.strip()) for name, text in _MARK.findall(ssml)]
    times = word_times([text for _, text in marked])
    points = [{"markName": name, "timeSeconds": start}
              for (name, _), (start, _) in zip(marked, times, strict=True)]  # fmt: skip
    content = base64.b64encode(wav_bytes(tones(times))).decode()
    return {"audioContent": content, "timepoints": points,
            "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": RATE}}  # fmt: skip


def openai_audio(text: str) -> bytes:
    """Real speech: the local Piper voice, resampled to OpenAI's 24 kHz PCM."""
    with tempfile.TemporaryDirectory() as folder:
        clip = select_tts("en", None).synthesize(text, out_path=Path(folder) / "s.wav",
                                                 language="en")  # fmt: skip
        with wave.open(str(clip.path), "rb") as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    pcm = soxr.resample(samples.astype(np.float32), clip.sample_rate, RATE)
    return np.clip(pcm, -32768, 32767).astype("<i2").tobytes()


GOOGLE_VOICES = [
    {"languageCodes": ["en-US"], "name": "en-US-Neural2-F", "ssmlGender": "FEMALE",
     "naturalSampleRateHertz": 24000},
    {"languageCodes": ["fr-FR"], "name": "fr-FR-Neural2-A", "ssmlGender": "FEMALE",
     "naturalSampleRateHertz": 24000},
]  # fmt: skip
ELEVENLABS_VOICES = [
    {"voice_id": "21m00Tcm4TLvOAVglOtC", "name": "Rachel", "labels": {"gender": "female"},
     "verified_languages": [{"language": "en", "model_id": "eleven_multilingual_v2"}]},
    {"voice_id": "frVoice0000000000001", "name": "Amélie", "labels": {"gender": "female"},
     "verified_languages": [{"language": "fr", "model_id": "eleven_multilingual_v2"}]},
]  # fmt: skip


class VoiceServer(LocalServer[Seen]):
    """``with VoiceServer() as server:`` ... ``server.base_url``; ``server.queue(vendor, …)``."""

    def __init__(self) -> None:
        super().__init__()
        self.keys = dict(KEYS)
        self.answers: dict[str, deque[Answer]] = {v: deque() for v in KEYS}
        self._counter = 0

    @property
    def base_url(self) -> str:
        return self.origin

    def queue(self, vendor: str, *answers: Answer) -> None:
        self.answers[vendor].extend(answers)

    def requests(self, vendor: str, method: str = "POST") -> list[Seen]:
        return [s for s in self.seen if s.vendor == vendor and s.method == method]

    # -- handling ------------------------------------------------------------------------

    def respond(self, request: Request) -> Reply:
        vendor = self._vendor(request.path)
        body = request.json()
        self.seen.append(Seen(vendor, request.method, request.target, request.headers, body))
        if vendor == "unknown":
            return json_reply(404, {"detail": "Not Found"})
        if not self._authorised(vendor, request.headers, request.query):
            return self._refuse(vendor, request.headers)
        if request.method == "GET":
            eleven = request.headers.get("xi-api-key") == self.keys["elevenlabs"]
            return json_reply(200, {"voices": ELEVENLABS_VOICES if eleven else GOOGLE_VOICES})
        answer = self.next_answer(self.answers[vendor]) or Answer()
        scripted = self.scripted_reply(
            answer, lambda a: json.dumps(self._error(vendor, a)).encode()
        )
        if scripted is not None:
            return scripted
        if vendor == "elevenlabs":
            return json_reply(200, elevenlabs_body(str(body.get("text", ""))), answer.headers)
        if vendor == "google":
            ssml = str(body.get("input", {}).get("ssml", ""))
            return json_reply(200, google_body(ssml), answer.headers)
        audio = openai_audio(str(body.get("input", "")))
        return 200, audio, {"Content-Type": "application/octet-stream", **answer.headers}

    def send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        self._counter += 1
        ids = {"request-id": f"req-{self._counter}", "x-request-id": f"req-{self._counter}"}
        super().send(handler, status, body, {**ids, **headers})

    @staticmethod
    def _vendor(path: str) -> str:
        if path.startswith("/v1/text-to-speech/") and path.endswith("/with-timestamps"):
            return "elevenlabs"
        if path == "/v1/voices":
            return "google_or_elevenlabs"
        if path == "/v1beta1/text:synthesize":
            return "google"
        if path == "/v1/audio/speech":
            return "openai"
        return "unknown"

    def _authorised(
        self, vendor: str, headers: dict[str, str], query: dict[str, list[str]]
    ) -> bool:
        if vendor == "google_or_elevenlabs":  # the two voices endpoints share the path
            return headers.get("xi-api-key") == self.keys["elevenlabs"] or (
                headers.get("X-Goog-Api-Key") == self.keys["google"]
            )
        if vendor == "elevenlabs":
            return headers.get("xi-api-key") == self.keys["elevenlabs"]
        if vendor == "google":
            given = headers.get("X-Goog-Api-Key") or query.get("key", [""])[0]
            return given == self.keys["google"]
        return headers.get("Authorization") == f"Bearer {self.keys['openai']}"

    @staticmethod
    def _refuse(vendor: str, headers: dict[str, str]) -> Reply:
        if vendor == "google":
            google = {"code": 400, "status": "INVALID_ARGUMENT",
                      "message": "API key not valid. Please pass a valid API key.",
                      "details": [{"reason": "API_KEY_INVALID"}]}  # fmt: skip
            return json_reply(400, {"error": google})
        if vendor == "openai":
            given = headers.get("Authorization", "").removeprefix("Bearer ")
            openai = {"message": f"Incorrect API key provided: {given}.",
                      "type": "invalid_request_error", "code": "invalid_api_key"}  # fmt: skip
            return json_reply(401, {"error": openai})
        return json_reply(
            401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
        )

    @staticmethod
    def _error(vendor: str, answer: Scripted) -> dict[str, Any]:
        if vendor == "elevenlabs":
            status = "too_many_concurrent_requests" if answer.status == 429 else "server_error"
            return {"detail": {"status": status, "message": answer.message}}
        if vendor == "google":
            kinds = {401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED"}
            kind = kinds.get(answer.status, "UNAVAILABLE")
            return {"error": {"code": answer.status, "message": answer.message, "status": kind}}
        return {"error": {"message": answer.message, "type": "server_error", "code": None}}
