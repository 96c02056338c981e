"""The API-key format and how a key's secret is stored and checked.

A key reads ``aip_<8 chars>_<32 chars>`` (base62). ``aip_<8 chars>`` is the public
*prefix*: unique, shown in listings and used to look the key up. The 32-character secret
carries about 190 bits of entropy.

Storage: PBKDF2-HMAC-SHA256 with a random 16-byte salt per key and few iterations. Slow
password hashes (bcrypt, argon2, many-iteration scrypt) defend low-entropy human
passwords against guessing; a 190-bit random secret cannot be guessed, so stretching buys
nothing and would only cost CPU on every request. The salt still makes each stored hash
unique, and the stored string names algorithm and iterations so they can change later.
Comparison uses :func:`hmac.compare_digest` (constant time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from typing import Final

KEY_PREFIX: Final = "aip_"
PREFIX_CHARS: Final = 8
SECRET_CHARS: Final = 32
ALPHABET: Final = string.ascii_letters + string.digits
ALGORITHM: Final = "pbkdf2_sha256"
ITERATIONS: Final = 1_000
SALT_BYTES: Final = 16

_KEY_RE = re.compile(rf"^(aip_[A-Za-z0-9]{{{PREFIX_CHARS}}})_([A-Za-z0-9]{{{SECRET_CHARS}}})$")
_PREFIX_RE = re.compile(rf"^aip_[A-Za-z0-9]{{{PREFIX_CHARS}}}")


@dataclass(frozen=True)
class ParsedKey:
    """A well-formed presented key split into its public prefix and its secret."""

    prefix: str
    secret: str


def _random_chars(count: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(count))


def new_prefix() -> str:
    """A fresh public prefix, ``aip_`` and 8 base62 characters."""
    return KEY_PREFIX + _random_chars(PREFIX_CHARS)


def new_secret() -> str:
    """A fresh 32-character base62 secret."""
    return _random_chars(SECRET_CHARS)


def format_key(prefix: str, secret: str) -> str:
    """The full key handed to the user once: ``<prefix>_<secret>``."""
    return f"{prefix}_{secret}"


def parse_key(presented: str) -> ParsedKey | None:
    """Split a presented key; ``None`` when it is not exactly in the key format."""
    match = _KEY_RE.fullmatch(presented)
    return ParsedKey(match.group(1), match.group(2)) if match else None


def public_prefix(presented: str) -> str | None:
    """The prefix a (possibly malformed) key starts with, safe to log; else ``None``."""
    match = _PREFIX_RE.match(presented)
    return match.group(0) if match else None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)


def hash_secret(secret: str) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<digest>`` of ``secret`` with a fresh salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(secret, salt, ITERATIONS)
    return f"{ALGORITHM}${ITERATIONS}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when ``secret`` matches the stored hash; compares in constant time."""
    try:
        algorithm, iterations, salt, digest = stored.split("$")
        expected, salt_bytes, rounds = _unb64(digest), _unb64(salt), int(iterations)
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    return hmac.compare_digest(_derive(secret, salt_bytes, rounds), expected)


# Checked against when the prefix is unknown, so a miss costs the same work as a hit.
DUMMY_HASH: Final = hash_secret(new_secret())
