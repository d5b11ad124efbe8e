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

import base64
import binascii
import functools
import json
import re
import time
from typing import Any, TypeGuard

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from nacl.bindings import crypto_sign_BYTES, crypto_sign_open
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


# ---- the common token, checked without PyJWT's generic machinery -------------------------------------
#
# Why: PyJWT's decode is general (any algorithm, detached payloads, `crit`, padded segments) and checks
# each base64url segment character by character in Python; a voter's first ballot pays for it twice
# (at the gateway and in the voting service), about 100 µs of CPU each beside the 50 µs signature.
# `compact_claims` accepts only what PyJWT's `decode` (EdDSA pinned, every claim check on) would
# accept, and returns None for anything else, on which the caller runs PyJWT itself: so a refused token
# is refused with PyJWT's own reason, and a token accepted here is one PyJWT would accept too
# (tests/platform/test_token_checks.py compares the two on well-formed and malformed tokens).

_SEGMENT = re.compile(rb"[A-Za-z0-9_-]*")
_HEADER_KEYS = frozenset({"alg", "typ"})
_MAX_HEADERS = 8
_accepted_headers: set[bytes] = set()


def _segment(raw: bytes) -> bytes | None:
    """A base64url segment's bytes, only in its one canonical spelling (no padding, no other
    characters, no stray bits), as PyJWT insists; None otherwise."""
    if not _SEGMENT.fullmatch(raw):
        return None
    try:
        data = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if base64.urlsafe_b64encode(data).rstrip(b"=") == raw else None


def _plain_eddsa_header(raw: bytes) -> bool:
    """A header of `alg: EdDSA` (and optionally `typ`) only: no `kid`, `crit` or `b64` to honour."""
    if raw in _accepted_headers:
        return True
    data = _segment(raw)
    if data is None:
        return False
    try:
        header = json.loads(data)
    except (ValueError, RecursionError):
        return False
    if not (isinstance(header, dict) and header.keys() <= _HEADER_KEYS and header.get("alg") == "EdDSA"):
        return False
    if len(_accepted_headers) < _MAX_HEADERS:
        _accepted_headers.add(raw)
    return True


def _has_float(claims: dict) -> bool:
    """Whether any value of the claims, however deep, is a float. orjson reads an integer outside 64 bits
    as a float (1e+20) where PyJWT's json keeps the exact int, so a payload with a float is left to PyJWT
    and the two never read different claims from one token (tests/platform/test_token_checks.py). The
    platform's own tokens carry only whole numbers. (A scan of the payload for 19 digits in a row did the
    same before, but also sent the one token in about 500 whose random `jti` has such a run to PyJWT.)"""
    pending: list[Any] = [claims]
    while pending:
        value = pending.pop()
        if type(value) is float:
            return True
        if type(value) is dict:
            pending.extend(value.values())
        elif type(value) is list:
            pending.extend(value)
    return False


def _number(value: Any) -> TypeGuard[int]:
    return type(value) is int  # floats were left to PyJWT already (_has_float)


def compact_claims(token: str, public_key: bytes, *, issuer: str, audience: str, leeway: float) -> dict | None:
    """The claims of an EdDSA token signed by `public_key` that passes every check PyJWT's `decode` makes
    (signature; `exp`, `iat`, `sub`, `iss` and `aud` present; `exp`, `iat`, `nbf` in time with `leeway`;
    issuer; audience; `sub` and `jti` text); None if it is anything else (refused, or unusual)."""
    if not token.isascii():
        return None
    parts = token.encode().split(b".")
    if len(parts) != 3 or not _plain_eddsa_header(parts[0]):
        return None
    signature = _segment(parts[2])
    if signature is None or len(signature) != crypto_sign_BYTES:
        return None
    try:
        crypto_sign_open(signature + parts[0] + b"." + parts[1], public_key)
    except (BadSignatureError, ValueError, TypeError):
        return None
    payload = _segment(parts[1])
    if payload is None:
        return None
    try:
        claims = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(claims, dict) or _has_float(claims):
        return None
    exp, iat, nbf, aud = claims.get("exp"), claims.get("iat"), claims.get("nbf", 0), claims.get("aud")
    now = time.time()
    if not (_number(exp) and _number(iat) and _number(nbf)) or claims.get("sub") is None:
        return None
    if int(iat) > now + leeway or int(nbf) > now + leeway or int(exp) <= now - leeway:
        return None
    if claims.get("iss") != issuer or not isinstance(claims["iss"], str):
        return None
    if not (aud == audience or (type(aud) is list and all(type(a) is str for a in aud) and audience in aud)):
        return None
    if not isinstance(claims["sub"], str) or not isinstance(claims.get("jti", ""), str):
        return None
    return claims
