"""Councils' OpenID Connect client secrets, encrypted at rest with Fernet (`cryptography`: AES-128-CBC
and HMAC-SHA256, so a changed or truncated value is refused, never decrypted to garbage).

The gateway needs the secret itself (it authenticates to the provider's token endpoint with it), so
unlike the platform's own codes and keys it cannot be kept as a digest. It is encrypted with a key
kept outside the database (`GATEWAY_SIGN_ON_SECRET_KEYS`): a copy of the database or of a backup
alone does not give a council's secret away. Several keys, comma-separated, newest first: the newest
encrypts, any of them decrypts, so a key is replaced by putting the new one first and keeping the old
one after it until every council's settings have been saved again.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from platform_core.problems import Problem

SETTING = "GATEWAY_SIGN_ON_SECRET_KEYS"


@lru_cache(maxsize=4)
def _cipher(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])


def check_keys(keys: str) -> None:
    """Refuse a value that is not one or more Fernet keys, naming the setting (at start-up, not at a sign-in)."""
    try:
        _cipher(keys)
    except (ValueError, TypeError):
        raise ValueError(
            f"{SETTING} must be one or more Fernet keys, comma-separated, newest first (make one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from None


def seal(secret: str, *, keys: str) -> str:
    """The secret encrypted with the newest key, as stored in `council_sign_ons.client_secret_encrypted`."""
    return _cipher(keys).encrypt(secret.encode()).decode()


def unseal(sealed: str, *, keys: str) -> str:
    """The secret again; a value none of the keys opens is a clear error for the operator, not a 500."""
    try:
        return _cipher(keys).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Problem(
            503,
            f"The council's single sign-on secret cannot be decrypted with {SETTING} (was the key replaced "
            "without keeping the old one after it?); an admin must save the council's sign-on settings again.",
        ) from None
