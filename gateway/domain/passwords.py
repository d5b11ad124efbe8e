"""Password hashing with Argon2id (argon2-cffi), and secrets that are random enough to hash with SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Argon2id at OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane), chosen by measurement
# (benchmarks/argon2_parameters.py): on this 2-core machine one check takes about a tenth of the
# library's default (64 MiB, 3 iterations, 4 lanes), which took 1.5-1.7 s under load and queued a
# hack-day morning's sign-ins. Hashes made with other parameters are re-made at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_secret(prefix: str) -> str:
    """A high-entropy one-time code or API key (256 bits), e.g. `hk_...`."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def secret_digest(secret: str) -> str:
    # Codes and keys carry 256 random bits, so a fast digest is safe to store (unlike passwords).
    return hashlib.sha256(secret.encode()).hexdigest()
