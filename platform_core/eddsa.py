"""Ed25519 token signatures checked by libsodium (PyNaCl) rather than OpenSSL.

Why: every request through the gateway has its token's signature checked twice, once at the edge
and once by the service (each part checks for itself; ARCHITECTURE.md), and a voter's first request
always carries a token no cache has seen. Measured on this machine (2026-11-29, timeit, 3,000
checks): OpenSSL through `cryptography` 112 µs a check, libsodium 60 µs. The signatures are the
same Ed25519 (RFC 8032); libsodium is, if anything, stricter about malformed ones.

PyJWT keeps doing everything else (parsing, the pinned algorithm, expiry, issuer, audience): this
only swaps the function that checks an Ed25519 signature, through PyJWT's documented hook for
algorithms (`jwt.register_algorithm`). Keys stay `cryptography` objects; signing is unchanged.
"""

from __future__ import annotations

import functools
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


@functools.lru_cache(maxsize=16)
def _sodium_key(raw: bytes) -> VerifyKey:
    return VerifyKey(raw)


class SodiumEdDSA(OKPAlgorithm):
    """PyJWT's EdDSA, with Ed25519 public-key checks done by libsodium (Ed448 and private keys as before)."""

    def verify(self, msg: str | bytes, key: Any, sig: str | bytes) -> bool:
        if not isinstance(key, Ed25519PublicKey):
            return super().verify(msg, key, sig)
        msg_bytes = msg.encode() if isinstance(msg, str) else msg
        sig_bytes = sig.encode() if isinstance(sig, str) else sig
        try:
            _sodium_key(key.public_bytes_raw()).verify(msg_bytes, sig_bytes)
            return True
        except (BadSignatureError, ValueError, TypeError):  # wrong signature, or not 64 bytes
            return False


def check_eddsa_with_libsodium() -> None:
    """Make PyJWT check EdDSA signatures with SodiumEdDSA (idempotent; once per process is enough)."""
    if isinstance(jwt.get_algorithm_by_name("EdDSA"), SodiumEdDSA):
        return
    jwt.unregister_algorithm("EdDSA")
    jwt.register_algorithm("EdDSA", SodiumEdDSA())
