"""Token checks every part does for itself: Ed25519-signed JWTs from the gateway.

The algorithm is pinned (EdDSA), and expiry, issuer and audience are always checked, so a token
with `alg: none`, a wrong signature, a wrong audience or a past expiry is refused with 401. So is a
token whose lifetime (`exp - iat`) is longer than the part allows, or whose claims have the wrong
shape (`roles` not a list of known roles, a `council` that is not a UUID, a service's token that
does not say which service it is): a signing key used by mistake elsewhere, or a bug in an issuer,
must not turn into a token that lasts a year or holds a role spelt character by character.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Depends, Request

from platform_core.eddsa import check_eddsa_with_libsodium, compact_claims
from platform_core.problems import Problem
from platform_core.state import PLATFORM

Role = Literal["staff", "organiser", "manager", "champion", "admin", "service"]
ROLES: tuple[str, ...] = ("staff", "organiser", "manager", "champion", "admin")
ALL_ROLES = frozenset((*ROLES, "service"))
KINDS = frozenset({"person", "api_key"})
ALGORITHM = "EdDSA"
# The longest lifetime a token may claim unless a part's settings say otherwise: the gateway's
# tokens last 15 minutes.
MAX_LIFETIME_SECONDS = 15 * 60
LEEWAY_SECONDS = 5
_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (or an automation key acting for a council)."""

    person_id: uuid.UUID
    council_id: uuid.UUID | None
    roles: frozenset[str]
    name: str = ""
    council_name: str = ""
    kind: Literal["person", "api_key"] = "person"
    # For a service's own credential: which service it is (`ideas`, `voting`, `followup`), so that
    # each internal route lets in only the services it is meant for (platform_core.service_auth).
    service: str | None = None
    expires_at: float = 0.0
    token: str = field(default="", repr=False)
    # The subject's auth version when the token was issued (claim `av`): the gateway refuses a token
    # whose subject has moved on since (roles changed, deactivated, key revoked, signed out).
    auth_version: int = 0

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_service(self) -> bool:
        return "service" in self.roles

    def in_council(self, council_id: uuid.UUID | None) -> bool:
        return council_id is not None and self.council_id == council_id


class TokenVerifier:
    """Checks tokens, keeping the ones it has verified until they expire.

    Why the cache: the Ed25519 signature check and claim parsing cost about 0.3 ms, paid on every
    request although a person sends the same token for its whole 15 minutes. A token is the exact
    string that was verified, so a hit needs no new check; it is kept only until its `exp` (without
    the decoder's leeway, so a cached token is never accepted longer than a fresh check would accept
    it). Refused tokens are not kept. The cache is bounded: the oldest entries go first.
    """

    def __init__(
        self,
        public_key_pem: str,
        *,
        issuer: str,
        audience: str,
        cache_size: int = 10_000,
        max_lifetime_seconds: int = MAX_LIFETIME_SECONDS,
    ) -> None:
        # Parse once at start-up: a bad key fails loudly here, not on the first request.
        key = load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("The token public key must be an Ed25519 key (tokens are signed with EdDSA).")
        self._key = key
        self._raw_key = key.public_bytes_raw()
        check_eddsa_with_libsodium()
        self._issuer = issuer
        self._audience = audience
        self._max_lifetime = max_lifetime_seconds
        self._cache_size = cache_size
        self._verified: OrderedDict[str, Principal] = OrderedDict()

    def verify(self, token: str) -> Principal:
        principal = self._verified.get(token)
        if principal is not None:
            if principal.expires_at > time.time():
                return principal
            del self._verified[token]
        principal = self._decode(token)  # raises Problem(401)
        if self._cache_size > 0:
            self._verified[token] = principal
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> Principal:
        # The common token is checked without PyJWT's generic machinery; anything else, refused tokens
        # included, goes through PyJWT, which names what is wrong (platform_core/eddsa.py).
        claims = compact_claims(
            token, self._raw_key, issuer=self._issuer, audience=self._audience, leeway=LEEWAY_SECONDS
        ) or self._pyjwt_claims(token)
        try:
            return self._principal(claims, token)
        except (ValueError, KeyError, TypeError) as exc:
            raise Problem(401, f"The token is not valid: {exc}", headers=_challenge()) from exc

    def _pyjwt_claims(self, token: str) -> dict:
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Problem(401, "The token has expired; sign in again.", headers=_challenge()) from exc
        except jwt.InvalidTokenError as exc:
            raise Problem(401, f"The token is not valid: {exc}.", headers=_challenge()) from exc

    def _principal(self, claims: dict, token: str) -> Principal:
        """The caller the claims describe, once their shape and lifetime are checked."""
        issued, expires = claims["iat"], claims["exp"]
        if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in (issued, expires)):
            raise ValueError("'iat' and 'exp' must be numbers.")
        if issued > time.time() + LEEWAY_SECONDS:
            raise ValueError("it was issued in the future ('iat').")
        if expires - issued > self._max_lifetime:
            lasts = expires - issued
            raise ValueError(f"it claims to last {lasts:g} s, longer than the {self._max_lifetime} s allowed.")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r in ALL_ROLES for r in roles):
            raise ValueError(f"'roles' must be a list of {', '.join(sorted(ALL_ROLES))}.")
        texts = {name: claims.get(name) or "" for name in ("name", "council_name")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise ValueError("'name' and 'council_name' must be text.")
        kind = claims.get("kind", "person")
        if kind not in KINDS:
            raise ValueError(f"'kind' must be one of {', '.join(sorted(KINDS))}.")
        council = claims.get("council")
        if council is not None and not isinstance(council, str):
            raise ValueError("'council' must be a UUID.")
        if not isinstance(claims["sub"], str):
            raise ValueError("'sub' must be a UUID.")
        auth_version = claims.get("av", 0)
        if not isinstance(auth_version, int) or isinstance(auth_version, bool) or auth_version < 0:
            raise ValueError("'av' must be a whole number.")
        service = claims.get("service")
        if "service" in roles:
            # A service's own credential names the service and holds nothing else: no council, no
            # other role, so it can never act for a person.
            if not (isinstance(service, str) and _SERVICE_NAME.match(service)):
                raise ValueError("a service's token must name the service ('service').")
            if council is not None or len(roles) != 1:
                raise ValueError("a service's token holds the role 'service' only, and no council.")
        elif service is not None:
            raise ValueError("only a token with the role 'service' may name a service.")
        return Principal(
            person_id=uuid.UUID(claims["sub"]),
            council_id=uuid.UUID(council) if council else None,
            roles=frozenset(roles),
            name=texts["name"],
            council_name=texts["council_name"],
            kind=kind,
            service=service,
            expires_at=float(expires),
            token=token,
            auth_version=auth_version,
        )


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="council-hackday"'}


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def current_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Problem(401, "Sign in first: send 'Authorization: Bearer <token>'.", headers=_challenge())
    verifier = PLATFORM.of(request).token_verifier
    principal = verifier.verify(token)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only callers holding one of `roles` (admins always pass)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles, "admin"):
            raise Problem(403, f"This needs one of the roles: {', '.join(roles)}.")
        return principal

    return _check
