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
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gateway.domain.tokens import TokenIssuer
from platform_core.auth import ALL_ROLES, KINDS, LEEWAY_SECONDS, TokenVerifier
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
    # The issuer's jti is uuid4().hex: about one in 500 has 19 decimal digits in a row.
    "jti with 19 digits in a row": lambda: _signed(PLAIN, _claims(jti="1234567890123456789012345678abcd")),
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


@pytest.mark.parametrize(
    "name",
    ["good", "issued by the gateway's issuer", "header alg only", "audience in a list", "jti with 19 digits in a row"],
)
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


# ---- property-based: the same comparison on generated tokens ------------------------------------------
#
# The hand-made tokens above are the cases someone thought of; here Hypothesis builds tokens from
# generated parts (header, claims, JSON spelling, base64 spelling, signature, dots) and mutates signed
# ones character by character. Each part is signed as spelt, so a token is refused for the variation
# under test and not merely for a broken signature. Derandomized: CI sees the same examples every run.


def _settings(examples: int) -> settings:
    return settings(derandomize=True, database=None, max_examples=examples, deadline=None)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
# Unusual values for any claim: other types, and numbers PyJWT's json and orjson may read differently.
_ODD = (
    st.sampled_from(
        [None, True, False, 0, -1, "", "5", "nan", "inf", "NaN", [], {}, [AUDIENCE], 10**20, 2**63, 2**64, -(2**63) - 1]
    )
    | _JSON
)


def _at(offset: float) -> st.SearchStrategy[float]:
    """A time `offset` seconds from now, read when the example is drawn (as an int and as a float)."""
    return st.builds(lambda f: (int(time.time()) + offset) if not f else time.time() + offset, st.booleans())


# Times kept 3 s or more from the leeway's edges, so the two checks (a few ms apart) cannot straddle one.
_PAST_IN_LEEWAY, _FUTURE_IN_LEEWAY = -LEEWAY_SECONDS + 3, LEEWAY_SECONDS - 3
_TIME = st.one_of(
    *(_at(o) for o in (-(10**9), -3600, -LEEWAY_SECONDS - 3, _PAST_IN_LEEWAY, 0, _FUTURE_IN_LEEWAY)),
    *(_at(o) for o in (LEEWAY_SECONDS + 3, 900, 10**9)),
    _ODD,
)
_TEXT_CLAIM = st.sampled_from([ISSUER, AUDIENCE, str(uuid.uuid4())]) | _ODD
_AUD = (
    st.sampled_from([AUDIENCE, [AUDIENCE], ["other", AUDIENCE], [AUDIENCE, 3], [AUDIENCE, None], [[AUDIENCE]]]) | _ODD
)
_CHANGES = st.dictionaries(
    st.sampled_from(["exp", "iat", "nbf", "iss", "aud", "sub", "jti", "extra"]), st.none(), max_size=2
)
_CHANGED = {"exp": _TIME, "iat": _TIME, "nbf": _TIME, "iss": _TEXT_CLAIM, "aud": _AUD, "sub": _TEXT_CLAIM}
_DROP = st.sets(st.sampled_from(["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]), max_size=1)


@st.composite
def _claims_json(draw: st.DrawFn, vary: bool) -> bytes:
    """Claims as JSON text: if `vary`, up to two changed, one dropped, in one of several spellings."""
    claims = _claims()
    if not vary:
        return json.dumps(claims).encode()
    for name in draw(_CHANGES):
        claims[name] = draw(_CHANGED.get(name, _TEXT_CLAIM if name == "jti" else _JSON))
    for name in draw(_DROP):
        claims.pop(name, None)
    spelling = draw(st.sampled_from(["plain"] * 3 + ["compact", "spaced", "ascii", "duplicate", "big", "odd bytes"]))
    if spelling == "compact":
        return json.dumps(claims, separators=(",", ":")).encode()
    if spelling == "spaced":
        return b" \n\t" + json.dumps(claims, indent=2).encode() + b"\r\n"
    if spelling == "ascii":
        return json.dumps({**claims, "name": "Zoë \u2603 \U0001f600"}, ensure_ascii=False).encode()
    if spelling == "duplicate":  # a key twice in the text: which one wins must not differ
        name = draw(st.sampled_from(["exp", "iat", "iss", "aud", "sub", "jti"]))
        twin = json.dumps(draw(_TIME if name in ("exp", "iat") else _TEXT_CLAIM))
        text = json.dumps(claims)[1:-1]
        return (
            "{" + (f'"{name}": {twin}, {text}' if draw(st.booleans()) else f'{text}, "{name}": {twin}') + "}"
        ).encode()
    if spelling == "big":  # integer literals past 64 bits, and exponents past a double
        literal = draw(
            st.sampled_from(["18446744073709551616", "-9223372036854775809", "100000000000000000001", "1e400"])
        )
        name = draw(st.sampled_from(["exp", "iat", "nbf", "av", "extra"]))
        return (
            json.dumps(claims).replace("}", f', "{name}": {literal}}}', 1).encode()
            if name == "extra"
            else (json.dumps({**claims, name: 0}).replace(f'"{name}": 0', f'"{name}": {literal}').encode())
        )
    if spelling == "odd bytes":
        text = json.dumps(claims).encode()
        odd = draw(
            st.sampled_from(
                [
                    b"\xef\xbb\xbf" + text,
                    text.replace(b'"Alex"', b'"\xff\xfe"'),
                    text.replace(b'"Alex"', b'"\\ud800"'),
                    json.dumps(claims).encode("utf-16"),
                    text.replace(b'"Alex"', b'"A\\u0000"'),
                    text + b"\x00",
                    text[:-1],
                ]
            )
        )
        return odd
    return json.dumps(claims).encode()


_HEADER = st.fixed_dictionaries(
    {
        "alg": st.sampled_from(["EdDSA", "eddsa", "EDDSA", "EdDSA ", "Ed25519", "none", "None", "HS256", "ES256", ""])
        | _ODD
    },
    optional={
        "typ": st.sampled_from(["JWT", "jwt", "JOSE", "at+jwt", ""]) | _ODD,
        "kid": st.sampled_from(["k1", ""]) | _ODD,
        "crit": st.sampled_from([["b64"], ["exp"], [], "b64"]) | _ODD,
        "b64": st.booleans() | _ODD,
        "jku": st.just("https://attacker.example/keys"),
        "cty": st.just("JWT"),
    },
)


@st.composite
def _header_json(draw: st.DrawFn, vary: bool) -> bytes:
    """A header as JSON text: if `vary`, with other keys and values, in one of several spellings."""
    if not vary:
        return json.dumps(draw(st.sampled_from([PLAIN, {"alg": "EdDSA"}]))).encode()
    header = draw(_HEADER) if draw(st.integers(0, 4)) else dict(PLAIN)
    spelling = draw(st.sampled_from(["plain", "compact", "spaced", "duplicate alg", "not an object", "odd bytes"]))
    if spelling == "compact":
        return json.dumps(header, separators=(",", ":")).encode()
    if spelling == "spaced":
        return b"\n " + json.dumps(header, indent=1).encode() + b" "
    if spelling == "duplicate alg":
        first, last = draw(st.permutations(['"alg": "none"', '"alg": "EdDSA"']))
        return ("{" + first + ", " + json.dumps(header)[1:-1] + (", " if header else "") + last + "}").encode()
    if spelling == "not an object":
        return json.dumps(draw(st.sampled_from([["EdDSA"], "EdDSA", None, 1, [PLAIN]]))).encode()
    if spelling == "odd bytes":
        text = json.dumps(header).encode()
        return draw(st.sampled_from([b"\xef\xbb\xbf" + text, json.dumps(header).encode("utf-16-le"), text + b"\xff"]))
    return json.dumps(header).encode()


@st.composite
def _segment_text(draw: st.DrawFn, data: bytes, vary: bool) -> str:
    """`data` in base64url; if `vary`, maybe in one of the other spellings PyJWT may or may not take."""
    canonical = _b64(data)
    if not vary:
        return canonical
    spelling = draw(
        st.sampled_from(["canonical"] * 6 + ["padded", "standard", "stray bits", "space", "not ascii", "empty"])
    )
    if spelling == "padded":
        return canonical + "=" * draw(st.integers(1, 3))
    if spelling == "standard":
        return base64.b64encode(data).decode().rstrip("=")
    if spelling == "stray bits" and len(data) % 3:  # last character's unused low bits set
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return canonical[:-1] + alphabet[alphabet.index(canonical[-1]) | 1]
    if spelling in ("space", "not ascii"):
        at = draw(st.integers(0, 2**16)) % (len(canonical) + 1)  # not len(): times change the length
        return (
            canonical[:at]
            + draw(st.sampled_from([" ", "\n", "\t"] if spelling == "space" else ["é", "\u00a0", "Ａ"]))
            + canonical[at:]
        )
    if spelling == "empty":
        return ""
    return canonical


_OTHER_KEY = load_pem_private_key(OTHER_PRIVATE.encode(), password=None)


@st.composite
def _built_tokens(draw: st.DrawFn) -> str:
    """A token from generated parts, signed over its header and payload as spelt (then maybe spoilt)."""
    vary = draw(st.sampled_from(["header", "claims", "base64", "signature", "dots", "everything"]))
    base64_varies = vary in ("base64", "everything")
    header = draw(_segment_text(draw(_header_json(vary in ("header", "everything"))), base64_varies))
    payload = draw(_segment_text(draw(_claims_json(vary in ("claims", "everything"))), base64_varies))
    signed = f"{header}.{payload}".encode()
    signature = KEY.sign(signed)  # type: ignore[union-attr]
    spoils = ["bit", "short", "long", "other key", "other header", "zeros"]
    spoil = draw(st.sampled_from(spoils)) if vary == "signature" else "none"
    if spoil == "bit":
        bit = draw(st.integers(0, 511))
        signature = bytes(b ^ (1 << bit % 8) if i == bit // 8 else b for i, b in enumerate(signature))
    elif spoil == "short":
        signature = signature[: draw(st.integers(0, 63))]
    elif spoil == "long":
        signature += bytes(draw(st.integers(1, 4)))
    elif spoil == "other key":
        signature = _OTHER_KEY.sign(signed)  # type: ignore[union-attr]
    elif spoil == "other header":
        signature = KEY.sign(f"{_b64(json.dumps(PLAIN).encode())}.{payload}".encode())  # type: ignore[union-attr]
    elif spoil == "zeros":
        signature = bytes(64)
    parts = [header, payload, draw(_segment_text(signature, base64_varies))]
    dots = draw(st.sampled_from(["extra", "missing", "leading", "trailing", "doubled"])) if vary == "dots" else "three"
    if dots == "extra":
        parts.append(draw(st.sampled_from(["", "e30", parts[2]])))
    elif dots == "missing":
        del parts[draw(st.integers(0, 2))]
    elif dots == "leading":
        parts.insert(0, "")
    elif dots == "trailing":
        parts.append("")
    elif dots == "doubled":
        parts.insert(draw(st.integers(1, 2)), "")
    return ".".join(parts)


@st.composite
def _mutated_tokens(draw: st.DrawFn) -> str:
    """A signed, accepted token with a few characters replaced, inserted or deleted."""
    token = draw(st.sampled_from([_good, _MAKERS["issued by the gateway's issuer"], _MAKERS["audience in a list"]]))()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, 2**16)) % (len(token) + 1)
        char = draw(st.sampled_from("AQgwBZaz09_-+/=. \n\x00é") | st.characters())
        how = draw(st.sampled_from(["replace", "insert", "delete"]))
        token = token[:at] + (char if how != "delete" else "") + token[at + (how != "insert") :]
    return token


_RANDOM_TOKENS = (
    st.text(max_size=60)
    | st.binary(max_size=60).map(lambda b: b.decode("latin-1"))
    | st.lists(
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=", max_size=12),
        min_size=1,
        max_size=5,
    ).map(".".join)
)


def _typed(value: object) -> object:
    """`value` with every number's type beside it, so that 1, 1.0 and True do not compare equal."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _compare(token: str) -> None:
    fast = compact_claims(token, RAW_PUBLIC, issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY_SECONDS)
    event("fast path: accepted" if fast is not None else "fast path: left to PyJWT")
    if fast is not None:
        reference = _pyjwt(token)
        assert reference is not None, "the fast path accepted a token PyJWT refuses"
        assert _typed(fast) == _typed(reference), "the fast path read other claims than PyJWT"


@_settings(400)
@given(token=_built_tokens())
def test_built_tokens_fast_path_accepts_only_what_pyjwt_accepts(token: str) -> None:
    _compare(token)


@_settings(200)
@given(token=_mutated_tokens() | _RANDOM_TOKENS)
def test_mutated_and_random_tokens_fast_path_accepts_only_what_pyjwt_accepts(token: str) -> None:
    _compare(token)


_ISSUER = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=900)


@_settings(100)
@given(
    roles=st.sets(st.sampled_from(sorted(ALL_ROLES))),
    council=st.none() | st.uuids(),
    council_name=st.text(max_size=20),
    name=st.text(max_size=20),
    kind=st.sampled_from(sorted(KINDS)),
    ttl=st.integers(LEEWAY_SECONDS + 3, 3600),
    auth_version=st.integers(0, 2**31),
    service=st.none() | st.sampled_from(["ideas", "voting", "followup"]),
)
def test_fast_path_takes_every_token_the_issuer_mints(
    roles: set[str],
    council: uuid.UUID | None,
    council_name: str,
    name: str,
    kind: str,
    ttl: int,
    auth_version: int,
    service: str | None,
) -> None:
    token = _ISSUER.issue(
        subject=uuid.uuid4(),
        council_id=council,
        council_name=council_name,
        roles=roles,
        name=name,
        kind=kind,
        ttl_seconds=ttl,
        auth_version=auth_version,
        service=service,
    )
    fast = compact_claims(token, RAW_PUBLIC, issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY_SECONDS)
    assert fast is not None
    assert _typed(fast) == _typed(_pyjwt(token))
