"""The token check's fast path (platform_core/eddsa.py `compact_claims`) accepts only what PyJWT accepts.

`TokenVerifier` checks the common token (EdDSA, a plain header, canonical base64url) itself and hands
anything else to PyJWT. Here both judge the same tokens, well-formed and malformed: the fast path must
never accept a token PyJWT refuses, must return the same claims when it accepts, and must accept the
tokens the gateway issues (or it would cost as much as before). No platform is started.
"""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from gateway.domain.tokens import TokenIssuer
from platform_core.auth import LEEWAY_SECONDS, TokenVerifier
from platform_core.eddsa import compact_claims
from platform_core.keys import generate_keypair
from platform_core.problems import Problem

ISSUER, AUDIENCE = "test-issuer", "test-audience"
PRIVATE, PUBLIC = generate_keypair()
OTHER_PRIVATE, _ = generate_keypair()
KEY = load_pem_private_key(PRIVATE.encode(), password=None)
VERIFIER = TokenVerifier(PUBLIC, issuer=ISSUER, audience=AUDIENCE, cache_size=0, max_lifetime_seconds=3600)
RAW_PUBLIC = KEY.public_key().public_bytes_raw()  # type: ignore[union-attr]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(header: dict, claims: object, key: object = KEY) -> str:
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(key.sign(head.encode()))  # type: ignore[attr-defined]


def _claims(**changes: object) -> dict:
    now = int(time.time())
    claims: dict = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "council": str(uuid.uuid4()),
        "council_name": "Testshire",
        "roles": ["staff"],
        "name": "Alex",
        "kind": "person",
        "av": 0,
    }
    for name, value in changes.items():
        if value is ...:
            claims.pop(name)
        else:
            claims[name] = value
    return claims


PLAIN = {"alg": "EdDSA", "typ": "JWT"}


def _stray_bits(token: str) -> str:
    """The signature's last character changed to one with stray low bits (only A, Q, g and w can end a
    64-byte signature): a spelling of the signature that PyJWT refuses."""
    return token[:-1] + ("B" if token[-1] != "B" else "C")


def _good() -> str:
    return _signed(PLAIN, _claims())


def _now() -> int:
    return int(time.time())


_MAKERS = {
    "good": _good,
    "issued by the gateway's issuer": lambda: TokenIssuer(
        PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=900
    ).issue(subject=uuid.uuid4(), council_id=uuid.uuid4(), council_name="X", roles=["staff"], name="V"),
    "header alg only": lambda: _signed({"alg": "EdDSA"}, _claims()),
    "audience in a list": lambda: _signed(PLAIN, _claims(aud=["other", AUDIENCE])),
    "audience not in the list": lambda: _signed(PLAIN, _claims(aud=["other"])),
    "audience list with a number": lambda: _signed(PLAIN, _claims(aud=[AUDIENCE, 3])),
    "empty audience": lambda: _signed(PLAIN, _claims(aud="")),
    "wrong audience": lambda: _signed(PLAIN, _claims(aud="other")),
    "no audience": lambda: _signed(PLAIN, _claims(aud=...)),
    "wrong issuer": lambda: _signed(PLAIN, _claims(iss="other")),
    "issuer a number": lambda: _signed(PLAIN, _claims(iss=5)),
    "no issuer": lambda: _signed(PLAIN, _claims(iss=...)),
    "no subject": lambda: _signed(PLAIN, _claims(sub=...)),
    "subject a number": lambda: _signed(PLAIN, _claims(sub=5)),
    "jti a number": lambda: _signed(PLAIN, _claims(jti=5)),
    "jti null": lambda: _signed(PLAIN, _claims(jti=None)),
    "no jti, no nbf": lambda: _signed(PLAIN, _claims(jti=..., nbf=...)),
    "expired": lambda: _signed(PLAIN, _claims(exp=_now() - 60)),
    "expired within the leeway": lambda: _signed(PLAIN, _claims(exp=_now() - LEEWAY_SECONDS + 2)),
    "exp as text": lambda: _signed(PLAIN, _claims(exp=str(_now() + 900))),
    "exp a float": lambda: _signed(PLAIN, _claims(exp=_now() + 900.5)),
    "exp true": lambda: _signed(PLAIN, _claims(exp=True)),
    "no exp": lambda: _signed(PLAIN, _claims(exp=...)),
    "no iat": lambda: _signed(PLAIN, _claims(iat=...)),
    "iat in the future": lambda: _signed(PLAIN, _claims(iat=_now() + 60)),
    "iat within the leeway": lambda: _signed(PLAIN, _claims(iat=_now() + LEEWAY_SECONDS - 2)),
    "nbf in the future": lambda: _signed(PLAIN, _claims(nbf=_now() + 60)),
    "nbf null": lambda: _signed(PLAIN, _claims(nbf=None)),
    "claims a list": lambda: _signed(PLAIN, [1, 2]),
    "a number past 64 bits (orjson reads a float)": lambda: _signed(PLAIN, _claims(av=10**20 + 1)),
    "exp past 64 bits": lambda: _signed(PLAIN, _claims(exp=2**64)),
    "other key": lambda: _signed(PLAIN, _claims(), load_pem_private_key(OTHER_PRIVATE.encode(), password=None)),
    "alg none": lambda: jwt.encode(_claims(), "", algorithm="none"),
    "alg HS256 with the public key's text": lambda: _b64(b'{"alg":"HS256","typ":"JWT"}') + ".e30.AAAA",
    "kid a number": lambda: _signed({**PLAIN, "kid": 5}, _claims()),
    "kid text": lambda: _signed({**PLAIN, "kid": "k1"}, _claims()),
    "crit": lambda: _signed({**PLAIN, "crit": ["exp"]}, _claims()),
    "b64 false": lambda: _signed({**PLAIN, "b64": False, "crit": ["b64"]}, _claims()),
    "signature padded": lambda: _good() + "==",
    "signature with stray bits": lambda: _stray_bits(_good()),
    "signature cut": lambda: _good()[:-4],
    "four segments": lambda: _good() + ".e30",
    "two segments": lambda: _good().rsplit(".", 1)[0],
    "payload with a dot": lambda: _good().replace(".", "..", 1),
    "not ascii": lambda: _good()[:-1] + "é",
    "empty": lambda: "",
    "garbage": lambda: "a.b.c",
}


def _pyjwt(token: str) -> dict | None:
    try:
        return VERIFIER._pyjwt_claims(token)
    except Problem:
        return None


@pytest.mark.parametrize("name", list(_MAKERS))
def test_fast_path_accepts_only_what_pyjwt_accepts(name: str) -> None:
    token = _MAKERS[name]()
    fast = compact_claims(token, RAW_PUBLIC, issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY_SECONDS)
    if fast is not None:
        assert fast == _pyjwt(token), name


@pytest.mark.parametrize("name", ["good", "issued by the gateway's issuer", "header alg only", "audience in a list"])
def test_fast_path_takes_the_common_tokens(name: str) -> None:
    token = _MAKERS[name]()
    assert compact_claims(token, RAW_PUBLIC, issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY_SECONDS) is not None


@pytest.mark.parametrize(
    "name", ["expired", "other key", "alg none", "wrong audience", "iat in the future", "signature with stray bits"]
)
def test_refused_tokens_keep_pyjwt_reasons(name: str) -> None:
    token = _MAKERS[name]()
    with pytest.raises(Problem) as refused:
        VERIFIER.verify(token)
    assert refused.value.status == 401
    with pytest.raises(Problem) as reference:
        VERIFIER._pyjwt_claims(token)
    assert refused.value.detail == reference.value.detail
