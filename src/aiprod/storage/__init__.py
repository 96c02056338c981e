"""Where job outputs live and how callers fetch them: artifact stores and signed URLs."""

from aiprod.storage.artifacts import (
    ARTIFACT_KINDS,
    KNOWN_ARTIFACTS,
    Artifact,
    ArtifactStore,
    download_name,
    require_known,
)
from aiprod.storage.errors import (
    RangeNotSatisfiable,
    SigningKeyInvalid,
    StorageConfigInvalid,
    StorageError,
    StorageUnavailable,
    UnknownArtifact,
    UrlExpired,
    UrlSignatureInvalid,
)
from aiprod.storage.factory import (
    artifact_store_from_settings,
    check_storage_settings,
    deliver_outputs,
)
from aiprod.storage.local import LocalArtifactStore
from aiprod.storage.signing import MAX_TTL_S, UrlSigner, signer_from_settings

__all__ = [
    "ARTIFACT_KINDS",
    "KNOWN_ARTIFACTS",
    "MAX_TTL_S",
    "Artifact",
    "ArtifactStore",
    "LocalArtifactStore",
    "RangeNotSatisfiable",
    "SigningKeyInvalid",
    "StorageConfigInvalid",
    "StorageError",
    "StorageUnavailable",
    "UnknownArtifact",
    "UrlExpired",
    "UrlSignatureInvalid",
    "UrlSigner",
    "artifact_store_from_settings",
    "check_storage_settings",
    "deliver_outputs",
    "download_name",
    "require_known",
    "signer_from_settings",
]
