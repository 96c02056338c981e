"""Bearer JWTs: tokens of an OIDC provider (Keycloak, Auth0, …) or Firebase as principals.

A token is accepted when it is signed by a key in the issuer's JWKS with an allowed
asymmetric algorithm, and carries ``exp``, ``iat``, ``iss``, ``aud`` and ``sub`` with the
configured issuer and audience (``nbf`` is checked when present; ``jwt_leeway_s`` of clock
skew). The key set comes from ``jwt_jwks_url`` or, when unset, from OIDC discovery
(``<issuer>/.well-known/openid-configuration``). :class:`jwt.PyJWKClient` caches it for
``jwt_jwks_cache_s`` and refetches it for an unknown ``kid`` at most once per
``jwt_jwks_refetch_cooldown_s``, so rotated keys are picked up and junk ``kid`` values
cannot make us hammer the issuer.

Claims become a :class:`Principal`: the owner is ``jwt_owner_claim`` (``sub``), the key id
``jwt:<kid>``, the scopes those of :func:`scopes_from_claims`.

AiprodError
├── TokenRejected           the token is not valid here; ``reason`` says why   (→ 401)
└── TokenIssuerUnavailable  the issuer's keys cannot be fetched                (→ 503)
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Final

import httpx
import jwt
from sqlalchemy.orm import Session

from aiprod.auth import audit
from aiprod.auth.errors import InvalidScopes
from aiprod.auth.principal import ADMIN, SCOPES, Principal
from aiprod.config import Settings
from aiprod.errors import AiprodError

logger = logging.getLogger(__name__)

MAX_OWNER_CHARS: Final = 200  # the width of jobs.owner and audit_events.actor
MAX_KID_CHARS: Final = 100
REQUIRED_CLAIMS: Final = ("exp", "iat", "iss", "aud", "sub")
SCOPE_CLAIMS: Final = ("scope", "scp", "permissions")  # OAuth 2, Azure AD, Auth0 RBAC
USER_AGENT: Final = "aiprod-jwks/1"
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

# PyJWT's errors as audit reasons; the first matching class wins (subclasses first).
_REASONS: Final[tuple[tuple[type[jwt.PyJWTError], str], ...]] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "disallowed_algorithm"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidKeyError, "weak_key"),
    (jwt.DecodeError, "malformed"),
)


class TokenRejected(AiprodError):
    """The bearer token is not valid for this service; ``reason`` is a short audit code."""

    code = "token_rejected"

    def __init__(self, reason: str, *, kid: str | None = None) -> None:
        self.reason = reason
        self.kid = kid
        super().__init__(f"the bearer token is not accepted ({reason})")


class TokenIssuerUnavailable(AiprodError):
    """The issuer's key set (or its OIDC discovery document) cannot be fetched or used."""

    code = "token_issuer_unavailable"


def looks_like_jwt(presented: str) -> bool:
    """True when ``presented`` has a JWS compact shape: three base64url parts."""
    return _JWT_SHAPE.fullmatch(presented) is not None


def claim_value(claims: Mapping[str, Any], name: str) -> Any:
    """The claim ``name``; a dotted name (``realm_access.roles``) walks nested objects.

    An exact key wins, so namespaced claims such as ``https://example.com/roles`` work.
    """
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _words(value: Any) -> list[str]:
    """Scopes of a claim: a space-separated string or a list of strings."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _matches(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    if isinstance(value, list):
        return wanted in value
    return isinstance(value, str | int) and str(value) == wanted


def scopes_from_claims(
    claims: Mapping[str, Any],
    *,
    scopes_claim: str | None,
    default_scopes: Iterable[str],
    admin_claim: str | None = None,
    admin_value: str = "true",
) -> frozenset[str]:
    """The AIPROD scopes a token grants.

    Scopes come from ``scopes_claim``, or from ``scope``, ``scp`` and ``permissions`` when
    it is unset; names AIPROD does not know are ignored. A token with none of these claims
    (a Firebase ID token, say) gets ``default_scopes``; one whose claims name no AIPROD
    scope gets none. ``admin_claim`` equal to (or, for a list, containing) ``admin_value``
    adds ``admin``.
    """
    names = (scopes_claim,) if scopes_claim else SCOPE_CLAIMS
    present = [claim_value(claims, name) for name in names]
    present = [value for value in present if value is not None]
    if present:
        granted = {scope for value in present for scope in _words(value)} & SCOPES
    else:
        granted = set(default_scopes)
    if admin_claim and _matches(claim_value(claims, admin_claim), admin_value):
        granted.add(ADMIN)
    return frozenset(granted)


def _reason(error: jwt.PyJWTError) -> str:
    for cls, reason in _REASONS:
        if isinstance(error, cls):
            return reason
    return "invalid_claims"


class TokenVerifier:
    """Verifies bearer JWTs for one deployment's settings; safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        unknown = set(settings.jwt_default_scopes) - SCOPES
        if unknown:
            raise InvalidScopes(unknown)
        self.settings = settings
        self._lock = threading.Lock()
        self._jwks: jwt.PyJWKClient | None = None
        if settings.jwt_enabled and settings.jwt_jwks_url:
            self._jwks = self._client(settings.jwt_jwks_url)

    @property
    def enabled(self) -> bool:
        """True when the settings configure an issuer and an audience."""
        return self.settings.jwt_enabled

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; :class:`TokenRejected` or
        :class:`TokenIssuerUnavailable` otherwise."""
        if not self.enabled:
            raise TokenRejected("jwt_disabled")
        kid = self._kid(token)
        key = self._signing_key(kid)
        claims = self._claims(token, key, kid)
        return self._principal(claims, kid)

    def _kid(self, token: str) -> str:
        """The token's key id, after refusing what no key could verify (``alg: none``, HS*)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("malformed") from None
        if header.get("alg") not in self.settings.jwt_algorithms:
            raise TokenRejected("disallowed_algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_CHARS:
            raise TokenRejected("unknown_key")
        return kid

    def _signing_key(self, kid: str) -> jwt.PyJWK:
        client = self._jwks_client()
        try:
            return client.get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, OSError, ValueError) as error:
            raise self._unavailable(client.uri, error) from error
        except jwt.PyJWKClientError as error:
            # "no key has this kid", or a key set without signing keys: tell them apart
            # on the cached set, without matching PyJWT's message text
            try:
                client.get_signing_keys()
            except (jwt.PyJWTError, OSError, ValueError):
                raise self._unavailable(client.uri, error) from error
            raise TokenRejected("unknown_key", kid=kid) from None

    def _claims(self, token: str, key: jwt.PyJWK, kid: str) -> dict[str, Any]:
        settings = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=settings.jwt_algorithms,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=settings.jwt_leeway_s,
                options={"require": list(REQUIRED_CLAIMS), "enforce_minimum_key_length": True},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(_reason(error), kid=kid) from None
        return claims

    def _principal(self, claims: dict[str, Any], kid: str) -> Principal:
        settings = self.settings
        owner = claim_value(claims, settings.jwt_owner_claim)
        if not isinstance(owner, str) or not owner.strip() or len(owner) > MAX_OWNER_CHARS:
            raise TokenRejected("invalid_owner", kid=kid)
        scopes = scopes_from_claims(
            claims,
            scopes_claim=settings.jwt_scopes_claim,
            default_scopes=settings.jwt_default_scopes,
            admin_claim=settings.jwt_admin_claim,
            admin_value=settings.jwt_admin_value,
        )
        return Principal(owner=owner, key_id=f"jwt:{kid}", scopes=scopes)

    def _client(self, url: str) -> jwt.PyJWKClient:
        settings = self.settings
        return jwt.PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=settings.jwt_jwks_cache_s,
            cooldown_duration=settings.jwt_jwks_refetch_cooldown_s,
            timeout=settings.jwt_http_timeout_s,
            headers={"User-Agent": USER_AGENT},
        )

    def _jwks_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                self._jwks = self._client(self._discover_jwks_url())
            return self._jwks

    def _discover_jwks_url(self) -> str:
        """The ``jwks_uri`` of the issuer's OIDC discovery document."""
        issuer = str(self.settings.jwt_issuer)
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = httpx.get(
                url, timeout=self.settings.jwt_http_timeout_s, headers={"User-Agent": USER_AGENT}
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise self._unavailable(url, error) from error
        if not isinstance(document, dict):
            document = {}
        jwks_uri = document.get("jwks_uri")
        if document.get("issuer") != issuer or not isinstance(jwks_uri, str):
            raise TokenIssuerUnavailable(f"{url} does not describe the issuer {issuer}")
        if not jwks_uri.startswith(("https://", "http://")):
            raise TokenIssuerUnavailable(f"{url} names an unusable jwks_uri")
        return jwks_uri

    @staticmethod
    def _unavailable(url: str, error: Exception) -> TokenIssuerUnavailable:
        logger.warning("token issuer unavailable: %s: %s", url, error)
        return TokenIssuerUnavailable("the token issuer's keys are unavailable; try again later")


def verify_token(
    session: Session, verifier: TokenVerifier, presented: str, *, request_id: str | None = None
) -> Principal:
    """The principal of a valid bearer JWT.

    Raises :class:`TokenRejected` after adding an ``auth.failed`` audit row to ``session``
    (the caller commits; the token itself is never recorded), or
    :class:`TokenIssuerUnavailable` when the issuer's keys cannot be fetched.
    """
    try:
        return verifier.verify(presented)
    except TokenRejected as rejected:
        detail = {"reason": rejected.reason, "credential": "jwt"}
        if rejected.kid is not None:
            detail["kid"] = rejected.kid
        audit.record(
            session,
            actor=audit.SYSTEM_ACTOR,
            action="auth.failed",
            target=f"jwt:{rejected.kid}" if rejected.kid else "jwt",
            detail=detail,
            request_id=request_id,
        )
        raise
