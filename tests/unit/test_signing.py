"""Signed artifact URLs: round trip, expiry, tampering, and the persisted key file."""

from __future__ import annotations

import os
import stat
from multiprocessing import get_context
from pathlib import Path

import pytest

from aiprod.config import Settings
from aiprod.storage import (
    SigningKeyInvalid,
    UrlExpired,
    UrlSignatureInvalid,
    UrlSigner,
    signer_from_settings,
)
from aiprod.storage.signing import KEY_FILE, load_or_create_key

JOB = "0193f2a4c1d87e5b9a0c3d2e1f4b6a78"
NOW = 1_800_000_000.0


def signer() -> UrlSigner:
    return UrlSigner(b"k" * 32)


def test_round_trip_returns_the_expiry() -> None:
    signature = signer().sign(job_id=JOB, name="video.mp4", expires=int(NOW) + 60)
    expires = signer().verify(
        job_id=JOB, name="video.mp4", expires=str(int(NOW) + 60), signature=signature, now=NOW
    )
    assert expires == int(NOW) + 60
    assert "=" not in signature and "+" not in signature and "/" not in signature


def test_expired_url_is_refused_after_its_signature_is_checked() -> None:
    past = int(NOW) - 1
    signature = signer().sign(job_id=JOB, name="video.mp4", expires=past)
    with pytest.raises(UrlExpired):
        signer().verify(
            job_id=JOB, name="video.mp4", expires=str(past), signature=signature, now=NOW
        )
    with pytest.raises(UrlSignatureInvalid):  # a pushed-back expiry is a bad signature
        signer().verify(
            job_id=JOB, name="video.mp4", expires=str(past + 3600), signature=signature, now=NOW
        )


@pytest.mark.parametrize(
    ("job_id", "name", "expires", "signature"),
    [
        ("0193f2a4c1d87e5b9a0c3d2e1f4b6a79", "video.mp4", None, None),  # other job
        (JOB, "thumbnail.jpg", None, None),  # other file
        (JOB, "video.mp4", None, "x"),  # truncated
        (JOB, "video.mp4", None, "é" * 43),  # non-ASCII must not crash compare_digest
        (JOB, "video.mp4", "", None),  # no expiry
        (JOB, "video.mp4", "-5", None),  # not a Unix time
        (JOB, "video.mp4", "1" * 40, None),  # absurdly long
        (JOB, "video.mp4", None, ""),  # no signature
    ],
)
def test_tampered_urls_are_refused(
    job_id: str, name: str, expires: str | None, signature: str | None
) -> None:
    good_expires = int(NOW) + 60
    good = signer().sign(job_id=JOB, name="video.mp4", expires=good_expires)
    with pytest.raises(UrlSignatureInvalid):
        signer().verify(
            job_id=job_id,
            name=name,
            expires=str(good_expires) if expires is None else expires,
            signature=good if signature is None else signature,
            now=NOW,
        )


def test_another_key_does_not_verify() -> None:
    signature = UrlSigner(b"a" * 32).sign(job_id=JOB, name="qa.json", expires=int(NOW) + 9)
    with pytest.raises(UrlSignatureInvalid):
        UrlSigner(b"b" * 32).verify(
            job_id=JOB, name="qa.json", expires=str(int(NOW) + 9), signature=signature, now=NOW
        )


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        UrlSigner(b"short")


def test_generated_key_persists_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = signer_from_settings(settings).sign(job_id=JOB, name="video.mp4", expires=1)
    path = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(path.read_text())) == 32
    again = signer_from_settings(settings).sign(job_id=JOB, name="video.mp4", expires=1)
    assert again == first
    assert [p.name for p in path.parent.iterdir()] == ["url-signing.key"]  # no temp files left


def test_configured_key_wins_and_writes_no_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", url_signing_key="s" * 32)  # type: ignore[arg-type]
    signature = signer_from_settings(settings).sign(job_id=JOB, name="video.mp4", expires=1)
    assert signature == UrlSigner(b"s" * 32).sign(job_id=JOB, name="video.mp4", expires=1)
    assert not (settings.data_dir / KEY_FILE).exists()


def test_settings_refuse_a_short_key_and_a_long_ttl() -> None:
    with pytest.raises(ValueError, match="url_signing_key"):
        Settings(url_signing_key="short")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="signed_url_ttl_s"):
        Settings(signed_url_ttl_s=7 * 24 * 3600 + 1)


def _load_key(path: str) -> str:
    return load_or_create_key(Path(path)).hex()


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "url-signing.key"
    with get_context("spawn").Pool(4) as pool:
        keys = pool.map(_load_key, [str(path)] * 8)
    assert len(set(keys)) == 1
    assert keys[0] == path.read_text().strip()


def test_a_corrupt_key_file_is_an_error_not_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "url-signing.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not hex\n")
    os.close(fd)
    with pytest.raises(SigningKeyInvalid):
        load_or_create_key(path)
