"""Signed, expiring download URLs: HMAC-SHA256 over (job id, artifact name, expiry).

The key is ``settings.url_signing_key`` when set; otherwise a random key generated once and
kept in ``<data_dir>/secrets/url-signing.key`` (mode 0600). Several processes starting at
once agree on one key: each writes a candidate to its own ``O_EXCL`` temporary file and
publishes it with ``link()``, which fails when another process published first; everybody
then reads the one published file, which is never seen half-written.

Changing the key invalidates every URL handed out before. The signature covers the job id,
the name and the expiry only, not presentation flags such as ``download=1``: whoever holds
the URL may fetch the bytes either way.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Final

from aiprod.config import Settings
from aiprod.storage.errors import SigningKeyInvalid, UrlExpired, UrlSignatureInvalid

MAX_TTL_S: Final = 7 * 24 * 3600
KEY_BYTES: Final = 32
KEY_FILE: Final = Path("secrets") / "url-signing.key"
# Domain separation: the same key must never produce this MAC for another purpose.
_CONTEXT: Final = b"aiprod-artifact-url/v1\n"
_MAX_EXPIRES_DIGITS: Final = 12
logger = logging.getLogger(__name__)


class UrlSigner:
    """Signs and checks (job id, name, expiry) triples with one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"a URL-signing key needs at least {KEY_BYTES} bytes")
        self._key = key

    def sign(self, *, job_id: str, name: str, expires: int) -> str:
        """The URL-safe signature of a link to ``name`` of ``job_id`` valid until ``expires``."""
        message = _CONTEXT + f"{job_id}\n{name}\n{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def verify(
        self, *, job_id: str, name: str, expires: str | None, signature: str | None, now: float
    ) -> int:
        """The URL's expiry (Unix seconds) when genuine and current; raise otherwise.

        The signature is checked (in constant time) before the expiry, so an altered
        expiry reads as a bad signature, never as "expired".
        """
        if not expires or not signature:
            raise UrlSignatureInvalid("the URL has no 'expires' or no 'signature'")
        if not (expires.isascii() and expires.isdigit()) or len(expires) > _MAX_EXPIRES_DIGITS:
            raise UrlSignatureInvalid("the URL's 'expires' is not a Unix time")
        expected = self.sign(job_id=job_id, name=name, expires=int(expires))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise UrlSignatureInvalid("the URL's signature does not match")
        if int(expires) <= now:
            raise UrlExpired("the URL has expired; ask for a new one")
        return int(expires)


def signer_from_settings(settings: Settings) -> UrlSigner:
    """A signer with the configured key, or the one persisted in the data directory."""
    if settings.url_signing_key is not None:
        return UrlSigner(settings.url_signing_key.get_secret_value().encode())
    return UrlSigner(load_or_create_key(settings.data_dir / KEY_FILE))


def load_or_create_key(path: Path) -> bytes:
    """The key stored at ``path``; generate and persist one (mode 0600) when absent."""
    if not path.exists():
        _publish_new_key(path)
    return _read_key(path)


def _publish_new_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process published first
            os.link(candidate, path)  # atomic: exactly one process publishes its key
    finally:
        candidate.unlink(missing_ok=True)


def _read_key(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("%s is readable by others (mode %o); chmod 600 it", path, mode)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise SigningKeyInvalid(f"{path} does not hold a hex key") from None
    if len(key) < KEY_BYTES:
        raise SigningKeyInvalid(f"{path} holds a key shorter than {KEY_BYTES} bytes")
    return key
