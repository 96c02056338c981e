"""Sound-effect provider: Freesound API v2 (text search, then the sound's preview).

``GET {base}/search/text/?query=…&filter=…&fields=…`` with ``Authorization: Token KEY``;
the answer is ``{"count", "next", "previous", "results"}`` and ``next`` (an absolute URL) is
followed for up to ``AIPROD_FREESOUND_MAX_PAGES`` pages until a sound fits. Only the
licences in ``AIPROD_FREESOUND_LICENCES`` are asked for *and* accepted (the answer's licence
URL is checked again here). The preview (``preview-hq-ogg``, else ``preview-hq-mp3``) is
downloaded without the key (previews are public; the key never goes to another host) and
decoded by FFmpeg. Each sound's title, author, URL and licence are kept for the credits.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.decode import decode_to_wav
from aiprod.providers.http import VendorHttp, is_local, json_object, settings_http
from aiprod.providers.registry import required_key
from aiprod.providers.sfx.asset import DURATION_RANGE_S, SfxAsset, SfxKind
from aiprod.providers.sfx.wavio import wav_duration

FIELDS = "id,name,license,username,previews,duration,url"
PAGE_SIZE = 15
CACHE_VERSION = "1"
# the filter's licence names (Freesound's search index) and how the answer's URL reads
LICENCE_FILTER = {"cc0": '"Creative Commons 0"', "cc-by": '"Attribution"',
                  "cc-by-nc": '"Attribution NonCommercial"'}  # fmt: skip
QUERY = {"whoosh": "whoosh swoosh", "pop": "pop", "click": "click", "riser": "riser",
         "impact": "impact hit", "ambience": "ambience"}  # fmt: skip


def licence_of(url_or_name: str) -> tuple[str, str] | None:
    """(our key, SPDX-like name) of a Freesound licence URL or name; None if unknown."""
    text = url_or_name.strip().lower()
    version = re.search(r"/(\d\.\d)/?$", text)
    number = version.group(1) if version else "4.0"
    if "publicdomain/zero" in text or text == "creative commons 0":
        return "cc0", "CC0-1.0"
    if "/licenses/by-nc/" in text or text == "attribution noncommercial":
        return "cc-by-nc", f"CC-BY-NC-{number}"
    if "/licenses/by/" in text or text == "attribution":
        return "cc-by", f"CC-BY-{number}"
    return None


@dataclass(frozen=True)
class FreesoundSound:
    """One search result we may use, with what its credit line needs."""

    id: int
    title: str
    author: str
    url: str
    licence: str  # CC0-1.0, CC-BY-4.0 …
    licence_url: str
    preview: str
    duration_s: float

    @property
    def needs_credit(self) -> bool:
        return self.licence != "CC0-1.0"

    def attribution(self) -> dict[str, Any]:
        return {"title": self.title, "author": self.author, "url": self.url,
                "licence": self.licence, "licence_url": self.licence_url,
                "source": f"freesound:{self.id}"}  # fmt: skip


class FreesoundSfx:
    """See the module docstring."""

    def __init__(
        self,
        *,
        api_key: str,
        cache_dir: Path,
        base_url: str = "https://freesound.org/apiv2",
        licences: tuple[str, ...] = ("cc0", "cc-by"),
        max_pages: int = 3,
        http: VendorHttp,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.licences = licences
        self.max_pages = max_pages
        self._key = api_key
        self.http = http
        self.info = ProviderInfo(
            name="freesound",
            capability="sfx",
            limits={"pages": max_pages, "page_size": PAGE_SIZE},
            unit="sound",
            licence="per sound: " + ", ".join(licences) + " (credits.txt for CC-BY)",
            needs_network=not is_local(self.base_url),
            configured=f"{self.base_url} ({', '.join(licences)})",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> FreesoundSfx:
        key = required_key(settings.freesound_api_key, "AIPROD_FREESOUND_API_KEY")
        return cls(
            api_key=key,
            cache_dir=settings.cache_dir / "sfx" / "freesound",
            base_url=settings.freesound_base_url,
            licences=tuple(settings.freesound_licences),
            max_pages=settings.freesound_max_pages,
            http=settings_http(settings, timeout_s=settings.freesound_timeout_s, secret=key,
                               breaker=f"sfx:{settings.freesound_base_url}"),
        )  # fmt: skip

    # -- search --------------------------------------------------------------------------

    def search_params(self, kind: SfxKind, category: str | None) -> dict[str, str]:
        query = f"{category} {QUERY[kind]}" if category else QUERY[kind]
        low, high = DURATION_RANGE_S[kind]
        span = "[5 TO *]" if kind == "ambience" else f"[{low:g} TO {high:g}]"
        names = " OR ".join(LICENCE_FILTER[k] for k in self.licences)
        return {
            "query": query,
            "filter": f"license:({names}) duration:{span}",
            "fields": FIELDS,
            "page_size": str(PAGE_SIZE),
        }

    def _accepts(self, item: Any) -> FreesoundSound | None:
        if not isinstance(item, dict):
            return None
        known = licence_of(str(item.get("license", "")))
        previews = item.get("previews")
        if known is None or known[0] not in self.licences or not isinstance(previews, dict):
            return None
        preview = previews.get("preview-hq-ogg") or previews.get("preview-hq-mp3")
        sound_id, duration = item.get("id"), item.get("duration")
        if not isinstance(sound_id, int) or not isinstance(preview, str):
            return None
        if not isinstance(duration, int | float) or duration <= 0:
            return None
        return FreesoundSound(
            id=sound_id, title=str(item.get("name") or f"sound {sound_id}")[:200],
            author=str(item.get("username") or "unknown")[:120],
            url=str(item.get("url") or f"https://freesound.org/s/{sound_id}/"),
            licence=known[1], licence_url=str(item["license"]), preview=preview,
            duration_s=float(duration),
        )  # fmt: skip

    def _pages(self, params: dict[str, str], record: CallRecord) -> Iterator[list[Any]]:
        url: str | None = f"{self.base_url}/search/text/"
        query: dict[str, str] | None = params
        headers = {"Authorization": f"Token {self._key}", "Accept": "application/json"}
        for page in range(self.max_pages):
            if not url:
                return
            response = self.http.send("GET", url, record=record, params=query, headers=headers)
            payload = json_object(response, record)
            record.units = {"pages": page + 1}
            results = payload.get("results")
            if not isinstance(results, list):
                record.status = "invalid_response"
                raise ProviderFailed("invalid_response", "no 'results' list", record=record)
            yield results
            nxt = payload.get("next")
            # the key goes with the next page only to the API's own host
            same_host = isinstance(nxt, str) and _origin(nxt) == _origin(self.base_url)
            url, query = (str(nxt), None) if same_host else (None, None)

    def find(
        self, kind: SfxKind, category: str | None, seed: int
    ) -> tuple[FreesoundSound, CallRecord]:
        """The sound for this cue: the ``seed``-th fitting result of the first page that
        has one. Raises ProviderFailed (``no_match`` when no page has one)."""
        record = CallRecord(capability="sfx", provider="freesound", detail="search")
        for results in self._pages(self.search_params(kind, category), record):
            fitting = [s for s in map(self._accepts, results) if s is not None]
            if fitting:
                chosen = fitting[seed % len(fitting)]
                record.licence = chosen.licence
                return chosen, record
        record.status = "no_match"
        query = self.search_params(kind, category)["query"]
        allowed = "/".join(self.licences)
        raise ProviderFailed("no_match", f"no {allowed} sound for {query!r}", record=record)

    # -- fetch ---------------------------------------------------------------------------

    def _choice_file(self, kind: str, category: str | None, seed: int) -> Path:
        key = json.dumps([CACHE_VERSION, self.base_url, kind, category, seed, self.licences])
        return self.cache_dir / f"choice-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"

    def get(
        self, kind: SfxKind, *, category: str | None, seconds: float | None, seed: int,
        records: list[CallRecord],
    ) -> tuple[SfxAsset, FreesoundSound]:  # fmt: skip
        """A WAV of the cue (``seconds`` long, or the sound's own length up to the kind's
        maximum) and the sound it came from; every call made is appended to ``records``."""
        choice = self._choice_file(kind, category, seed)
        sound = _read_choice(choice)
        if sound is None:
            try:
                sound, record = self.find(kind, category, seed)
            except ProviderFailed as failure:
                records.extend([failure.record] if failure.record else [])
                raise
            records.append(record)
        length = seconds or min(sound.duration_s, DURATION_RANGE_S[kind][1])
        digest = hashlib.sha256(json.dumps([CACHE_VERSION, round(length, 6)]).encode())
        out = self.cache_dir / f"{sound.id}-{digest.hexdigest()[:12]}.wav"
        if not out.is_file():
            try:
                records.append(self._download(sound, out, length, loop=kind == "ambience"))
            except ProviderFailed as failure:
                records.extend([failure.record] if failure.record else [])
                raise
        choice.parent.mkdir(parents=True, exist_ok=True)
        choice.write_text(json.dumps(asdict(sound)), encoding="utf-8")
        asset = SfxAsset(
            path=out,
            kind=kind,
            category=category,
            duration_s=wav_duration(out),
            source=f"freesound:{sound.id}",
            licence=sound.licence,
            seed=seed,
        )
        return asset, sound

    def _download(
        self, sound: FreesoundSound, out: Path, seconds: float, *, loop: bool
    ) -> CallRecord:
        record = CallRecord(capability="sfx", provider="freesound", detail="preview",
                            request_id=str(sound.id), licence=sound.licence)  # fmt: skip
        # previews are public files: no Authorization header, so the key stays with the API
        response = self.http.send("GET", sound.preview, record=record)
        suffix = ".ogg" if sound.preview.endswith(".ogg") else ".mp3"
        decode_to_wav(response.content, out, seconds=seconds, record=record, suffix=suffix,
                      fade_out_s=0.0 if loop else min(0.05, seconds / 4), loop=loop)  # fmt: skip
        record.units = {"bytes": len(response.content)}
        return record


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


def _read_choice(path: Path) -> FreesoundSound | None:
    try:
        return FreesoundSound(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
