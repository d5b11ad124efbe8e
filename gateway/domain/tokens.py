"""Signing tokens: short-lived Ed25519 JWTs carrying who the caller is."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from platform_core.auth import ALGORITHM


class TokenIssuer:
    def __init__(self, private_key_pem: str, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        if not private_key_pem:
            raise RuntimeError(
                "No token signing key: set GATEWAY_JWT_PRIVATE_KEY or GATEWAY_JWT_PRIVATE_KEY_FILE "
                "(`make run` generates a development key pair in .data/keys)."
            )
        key = load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError("The token signing key must be an Ed25519 key (tokens are signed with EdDSA).")
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def public_key_pem(self) -> str:
        from cryptography.hazmat.primitives import serialization

        return (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def issue(
        self,
        *,
        subject: uuid.UUID,
        council_id: uuid.UUID | None,
        council_name: str,
        roles: Iterable[str],
        name: str,
        kind: str = "person",
        ttl_seconds: int | None = None,
        auth_version: int = 0,
        service: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(subject),
            "iat": now,
            "nbf": now,
            "exp": now + (ttl_seconds or self.ttl_seconds),
            "jti": uuid.uuid4().hex,
            "council": str(council_id) if council_id else None,
            "council_name": council_name,
            "roles": sorted(set(roles)),
            "name": name,
            "kind": kind,
            "av": auth_version,
        }
        if service is not None:
            claims["service"] = service  # a service's own credential says which service it is
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)
