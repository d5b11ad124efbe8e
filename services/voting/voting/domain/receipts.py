"""Receipts, commitments, the sealed ballot box and sealed retry answers: what keeps a ballot secret.

A receipt is two halves: the **ballot id** (published with the ballot once the round closes) and a
**secret** that only the voter's receipt holds; the service keeps the secret only sealed, and drops
it when the round closes. The audit chain records, at the moment of a cast, only the ballot's
**commitment** sha256(secret ":" ballot id ":" canonical choices): it says nothing about the choices
to anyone without the secret, and only the receipt's holder can show that a published ballot is the
one committed then.

Until the round closes, a voter's current ballot lives only **sealed** in their voter row (AES-GCM
under a key derived from VOTING_BALLOT_SECRET and the round, bound to the voter), so the database
alone never shows choices next to a voter. Closing unseals every ballot, writes the counted ballots
(ballot id and choices, no voter) all in one transaction in ballot-id order, and erases the seals.

A retried cast must get its first answer (the same receipt) back, so that answer is stored sealed
under a key derived from the voter and their Idempotency-Key, which is never stored: only a retry
can open it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HALF_BYTES = 10  # 80 bits each: the ballot id (unguessable, unique) and the secret (unguessable)
HALF_CHARS = 16  # base32 of 10 bytes


@dataclass(frozen=True)
class Receipt:
    """A receipt read from what a voter typed: the ballot id, and the secret if they gave it."""

    ballot_id: str
    secret: str | None

    @property
    def text(self) -> str:
        return self.ballot_id + ("-" + self.secret if self.secret else "")


def _groups(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_receipt() -> Receipt:
    """A fresh receipt such as ``K3QF-7ZQX-M2VA-PD4C-9RTA-…`` (base32 in groups of four).

    Both halves from one draw of 20 random bytes: base32 turns each 5 bytes into 8 characters, so the
    first 16 characters are the first 10 bytes' and the last 16 the other 10's, as two draws would be."""
    raw = base64.b32encode(secrets.token_bytes(2 * HALF_BYTES)).decode()
    return Receipt(_groups(raw[:HALF_CHARS]), _groups(raw[HALF_CHARS:]))


def read_receipt(text: str) -> Receipt:
    """A receipt as people type it (any case, with or without dashes and spaces); the ballot id
    alone (the first four groups, as published) is a receipt without its secret."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return Receipt(_groups(raw[:HALF_CHARS]), _groups(raw[HALF_CHARS:]) or None)


def commitment(secret: str, ballot_id: str, choices_text: str) -> str:
    """What the chain records when a ballot is cast: opaque without the receipt's secret."""
    return hashlib.sha256(f"{secret}:{ballot_id}:{choices_text}".encode()).hexdigest()


def _mac(secret: str, *parts: str) -> bytes:
    return hmac.digest(secret.encode(), "|".join(parts).encode(), "sha256")  # one-shot, in C


def _seal(key: bytes, payload: dict, aad: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, orjson.dumps(payload), aad)).decode()


def _unseal(key: bytes, sealed: str, aad: bytes) -> dict | None:
    try:
        blob = base64.b64decode(sealed)
        return orjson.loads(AESGCM(key).decrypt(blob[:12], blob[12:], aad))
    except (InvalidTag, ValueError):
        return None


def box_key(secret: str, round_id: uuid.UUID) -> bytes:
    """The key of a round's sealed ballots (derived once per round, kept with its rules)."""
    return _mac(secret, "ballot-box", str(round_id))


def seal_ballot(key: bytes, round_id: uuid.UUID, voter_id: uuid.UUID, ballot: dict) -> str:
    """A voter's current ballot {ballot_id, secret, choices}, sealed to their voter row."""
    return _seal(key, ballot, f"{round_id}|{voter_id}".encode())


def unseal_ballot(key: bytes, round_id: uuid.UUID, voter_id: uuid.UUID, sealed: str) -> dict | None:
    """The sealed ballot, or None if it cannot be opened (another key, another row's seal, edited)."""
    return _unseal(key, sealed, f"{round_id}|{voter_id}".encode())


def retry_id(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str) -> str:
    return _mac(secret, "retry-id", str(round_id), str(voter_id), key).hex()


def _retry_key(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str) -> bytes:
    return _mac(secret, "retry-key", str(round_id), str(voter_id), key)


def seal(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str, payload: dict) -> str:
    """A cast's first answer, sealed so that only a retry with the same Idempotency-Key opens it."""
    return _seal(_retry_key(secret, round_id, voter_id, key), payload, str(round_id).encode())


def unseal(secret: str, round_id: uuid.UUID, voter_id: uuid.UUID, key: str, sealed: str) -> dict | None:
    """The sealed payload, or None if it cannot be opened with this voter's key (tampered)."""
    return _unseal(_retry_key(secret, round_id, voter_id, key), sealed, str(round_id).encode())
