"""Password hashing with Argon2id (argon2-cffi), and secrets that are random enough to hash with SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
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
