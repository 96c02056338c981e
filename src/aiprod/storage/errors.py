"""Errors of artifact storage and signed URLs, branches of :class:`aiprod.errors.AiprodError`.

    AiprodError
    └── StorageError               an artifact cannot be served
        ├── UnknownArtifact        not a known artifact name, or no such file    → 404
        ├── UrlSignatureInvalid    a signed URL's signature is missing or wrong   → 403
        ├── UrlExpired             a correctly signed URL is past its expiry      → 403
        ├── RangeNotSatisfiable    no requested byte range lies inside the file   → 416
        ├── SigningKeyInvalid      the persisted URL-signing key is unreadable    → 500
        ├── StorageUnavailable     the object store is unreachable or refuses us  → 503
        └── StorageConfigInvalid   AIPROD_STORAGE_URL (or S3 settings) unusable   → startup

:mod:`aiprod.api.errors` maps them to HTTP statuses in its one table.
"""

from __future__ import annotations

from aiprod.errors import AiprodError


class StorageError(AiprodError):
    """An artifact cannot be listed or served."""

    code = "storage_error"


class UnknownArtifact(StorageError):
    """Not one of the known artifact names, a malformed job id, or no such file."""

    code = "unknown_artifact"


class UrlSignatureInvalid(StorageError):
    """The signed URL's signature is missing, malformed or does not match."""

    code = "url_signature_invalid"


class UrlExpired(StorageError):
    """The signed URL was genuine but its expiry has passed."""

    code = "url_expired"


class RangeNotSatisfiable(StorageError):
    """No byte range of the request lies inside the artifact; ``size`` is its length."""

    code = "range_not_satisfiable"

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"no requested byte range lies inside the {size}-byte file")


class SigningKeyInvalid(StorageError):
    """The persisted URL-signing key file exists but does not hold a valid key."""

    code = "signing_key_invalid"


class StorageUnavailable(StorageError):
    """The object store cannot be reached, or refuses the request (credentials, bucket)."""

    code = "storage_unavailable"


class StorageConfigInvalid(StorageError):
    """``AIPROD_STORAGE_URL`` or the S3 settings cannot work; refused at startup."""

    code = "storage_config_invalid"
