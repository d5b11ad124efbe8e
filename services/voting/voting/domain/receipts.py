"""Receipts, the voter row's keyed hash of its receipt, and sealed retry answers.

Why: in a secret round nothing stored may link a voter to their choices. The voter row keeps only
HMAC(ballot_secret, round + receipt), so the server can find a voter's ballot again when they
replace it, but the database alone cannot join the two tables. A retried cast must get its first
answer (the same receipt) back, so that answer is stored sealed (AES-GCM) under a key derived from
the voter and their Idempotency-Key, which is never stored: only a retry can open it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RECEIPT_BYTES = 10  # 80 bits: unguessable, and short enough to read out or write down


def new_receipt() -> str:
    """A random receipt such as ``K3QF-7ZQX-M2VA-PD4C`` (base32, grouped for reading)."""
    raw = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_receipt(text: str) -> str:
    """Accept a receipt as people type it: any case, with or without dashes and spaces."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _mac(secret: str, *parts: str) -> bytes:
    return hmac.new(secret.encode(), "|".join(parts).encode(), hashlib.sha256).digest()


def receipt_mac(secret: str, round_id: uuid.UUID, receipt: str) -> str:
    return _mac(secret, "receipt", str(round_id), receipt).hex()


def retry_id(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str) -> str:
    return _mac(secret, "retry-id", str(round_id), str(voter_id), key).hex()


def _retry_key(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str) -> bytes:
    return _mac(secret, "retry-key", str(round_id), str(voter_id), key)


def seal(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str, payload: dict) -> str:
    nonce = os.urandom(12)
    box = AESGCM(_retry_key(secret, round_id, voter_id, key))
    return base64.b64encode(nonce + box.encrypt(nonce, orjson.dumps(payload), str(round_id).encode())).decode()


def unseal(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str, sealed: str) -> dict | None:
    """The sealed payload, or None if it cannot be opened with this voter's key (tampered)."""
    try:
        blob = base64.b64decode(sealed)
        box = AESGCM(_retry_key(secret, round_id, voter_id, key))
        return orjson.loads(box.decrypt(blob[:12], blob[12:], str(round_id).encode()))
    except (InvalidTag, ValueError):
        return None
