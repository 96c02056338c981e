"""Pure parts of API keys: the key format, scopes, hashing and the principal."""

from __future__ import annotations

import hmac

import pytest

from aiprod.auth import hashing
from aiprod.auth.errors import InvalidScopes
from aiprod.auth.principal import ADMIN, JOBS_READ, JOBS_WRITE, Principal, validate_scopes


def test_a_new_key_parses_back_into_prefix_and_secret() -> None:
    prefix, secret = hashing.new_prefix(), hashing.new_secret()
    full = hashing.format_key(prefix, secret)
    assert full.startswith("aip_") and len(prefix) == 12 and len(secret) == 32
    assert hashing.parse_key(full) == hashing.ParsedKey(prefix, secret)


@pytest.mark.parametrize(
    "presented",
    [
        "",
        "aip_abcdefgh",
        "aip_abcdefgh_" + "x" * 31,
        "aip_abcdefgh_" + "x" * 33,
        "aip_abcdefg_" + "x" * 33,
        "xyz_abcdefgh_" + "x" * 32,
        "aip_abcdefgh_" + "x" * 31 + "!",
        " aip_abcdefgh_" + "x" * 32,
        "aip_abcdefgh_" + "x" * 32 + "\n",
    ],
)
def test_malformed_keys_do_not_parse(presented: str) -> None:
    assert hashing.parse_key(presented) is None


def test_only_a_well_formed_prefix_is_reported_for_a_malformed_key() -> None:
    assert hashing.public_prefix("aip_abcdefgh_short") == "aip_abcdefgh"
    assert hashing.public_prefix("Bearer something") is None


def test_scopes_are_validated() -> None:
    assert validate_scopes([JOBS_READ, JOBS_READ]) == frozenset({JOBS_READ})
    with pytest.raises(InvalidScopes, match="jobs:delete") as caught:
        validate_scopes([JOBS_READ, "jobs:delete"])
    assert caught.value.code == "invalid_scopes"
    with pytest.raises(InvalidScopes, match="no scopes"):
        validate_scopes([])


def test_the_stored_hash_never_contains_the_secret_and_is_salted() -> None:
    secret = hashing.new_secret()
    first, second = hashing.hash_secret(secret), hashing.hash_secret(secret)
    assert secret not in first and first != second
    assert first.startswith("pbkdf2_sha256$")
    assert hashing.verify_secret(secret, first) and hashing.verify_secret(secret, second)
    assert not hashing.verify_secret(hashing.new_secret(), first)


def test_a_corrupt_stored_hash_never_verifies() -> None:
    assert not hashing.verify_secret("x", "garbage")
    assert not hashing.verify_secret("x", "md5$1$AA$AA")


def test_verification_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # hashing calls hmac.compare_digest
    secret = hashing.new_secret()
    assert hashing.verify_secret(secret, hashing.hash_secret(secret))
    assert not hashing.verify_secret(secret, hashing.DUMMY_HASH)
    assert len(calls) == 2


def test_principal_scopes() -> None:
    reader = Principal(owner="ana", key_id="k1", scopes=frozenset({JOBS_READ}))
    assert reader.has(JOBS_READ) and not reader.has(JOBS_WRITE) and not reader.is_admin
    admin = Principal(owner="root", key_id="k2", scopes=frozenset({ADMIN}))
    assert admin.is_admin and admin.has(JOBS_WRITE)
