"""Single sign-on with a council's own identity provider (OpenID Connect), no HTTP routes here.

A council's staff sign in with the account they already have (Microsoft Entra ID, Google Workspace, any
OpenID provider). The flow is the authorization code flow with PKCE (S256), a `state` that names one
started sign-in and a `nonce` the ID token must carry back:

1. `start`: the provider's discovery document is read (and its `issuer` must be exactly the one
   configured, OpenID Connect Discovery 4.3), a state, nonce and PKCE verifier are made and kept as a
   `SignOnAttempt` (the state only as a digest), and the person's browser is sent to the provider.
2. `complete`: the attempt is found by its state and used up at once (committed before anything else,
   so a replayed state or nonce is refused even when the rest fails), the code is exchanged with the
   verifier, and the ID token is checked: its signature against the provider's JWKS (fetched again once
   for an unknown key id, when the provider rotated its keys), issuer, audience, expiry, issued-at and
   nonce (Authlib's `CodeIDToken`), then the email's domain against the council's allowed ones.
3. The person: found by (issuer, subject) once linked, else by email within the council (then linked),
   else created just in time as staff of that council. Roles stay the platform's to give: the provider's
   claims never grant any. A deactivated person is refused, as with a password.

Then the caller issues the platform's own tokens exactly as for a password sign-in.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.domain import sign_on_secrets
from gateway.domain.passwords import secret_digest
from gateway.models import Council, CouncilSignOn, Person, SignOnAttempt, SignOnIdentity
from platform_core.clock import utcnow
from platform_core.problems import Problem

ATTEMPT_MINUTES = 10  # time to sign in at the provider; longer and the person starts again
CALLBACK_PATH = "/sign-in/sso/callback"  # the pages' callback (web/routes/sign_in.py)
METADATA_SECONDS = 300  # discovery and keys are read again after this (or at once for an unknown key)
LEEWAY_SECONDS = 60  # clocks of the provider and of this machine may differ this much
SCOPE = "openid email profile"

_DOWN = (
    "The identity provider of {council} could not be reached ({why}); nothing was changed. "
    "Try again in a few minutes, or sign in with your password."
)


@dataclass
class _Provider:
    metadata: dict[str, Any]
    jwks: dict[str, Any] | None
    read_at: float


_providers: dict[str, _Provider] = {}


def callback_url(public_url: str) -> str:
    return public_url.rstrip("/") + CALLBACK_PATH


def check_issuer_url(issuer: str) -> None:
    """An issuer is https; plain http only on this machine's loopback (a provider run for tests)."""
    parts = urlsplit(issuer)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise Problem(
            422,
            "The issuer must be an https URL.",
            errors=[{"field": "issuer", "message": "must start with https:// (http only for 127.0.0.1)"}],
        )


def _http() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0), follow_redirects=False)


async def _get_json(url: str, council: str) -> dict[str, Any]:
    try:
        async with _http() as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        raise Problem(
            503, _DOWN.format(council=council, why=type(exc).__name__), headers={"Retry-After": "30"}
        ) from None
    if response.status_code != 200:
        raise Problem(503, _DOWN.format(council=council, why=f"{url} answered {response.status_code}"))
    try:
        body = response.json()
    except ValueError:
        raise Problem(
            502, f"The identity provider of {council} answered {url} with something other than JSON."
        ) from None
    if not isinstance(body, dict):
        raise Problem(502, f"The identity provider of {council} answered {url} with something other than an object.")
    return body


async def _provider(config: CouncilSignOn, council: str, *, fresh: bool = False) -> _Provider:
    known = _providers.get(config.issuer)
    if known and not fresh and time.monotonic() - known.read_at < METADATA_SECONDS:
        return known
    metadata = await _get_json(config.issuer.rstrip("/") + "/.well-known/openid-configuration", council)
    if metadata.get("issuer") != config.issuer:
        raise Problem(
            502,
            f"The identity provider of {council} names its issuer {metadata.get('issuer')!r}, not the configured "
            f"{config.issuer!r}: an admin must correct the council's single sign-on issuer.",
        )
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(needed), str):
            raise Problem(502, f"The identity provider of {council} does not publish its {needed}.")
    provider = _Provider(metadata=metadata, jwks=None, read_at=time.monotonic())
    _providers[config.issuer] = provider
    return provider


async def _keys(provider: _Provider, council: str, *, fresh: bool = False) -> KeySet:
    if provider.jwks is None or fresh:
        provider.jwks = await _get_json(provider.metadata["jwks_uri"], council)
    try:
        return KeySet.import_key_set(provider.jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError):
        raise Problem(502, f"The identity provider of {council} publishes keys that cannot be read.") from None


# ---- configuration -----------------------------------------------------------------------------


async def config_of(session: AsyncSession, council_id: uuid.UUID) -> CouncilSignOn | None:
    return await session.get(CouncilSignOn, council_id)


async def configure(
    session: AsyncSession, *, council: Council, config: CouncilSignOn | None, settings: dict[str, Any], keys: str
) -> CouncilSignOn:
    """Connect the council's provider (`config` None) or change the settings read as `config`; the
    client secret is kept encrypted with `keys` (sign_on_secrets.py)."""
    check_issuer_url(settings["issuer"])
    settings = {k: v for k, v in settings.items() if k != "client_secret"} | {
        "client_secret_encrypted": sign_on_secrets.seal(settings["client_secret"], keys=keys)
    }
    for i, uri in enumerate(settings.get("redirect_uris") or []):
        if urlsplit(uri).fragment:
            raise Problem(
                422, "A redirect URI has no fragment.", errors=[{"field": f"redirect_uris.{i}", "message": "has #"}]
            )
    if config is None:
        config = CouncilSignOn(council_id=council.id, **settings)
    else:
        for name, value in settings.items():
            setattr(config, name, value)
        config.updated_at = utcnow()
        config.version += 1
    config.email_domains = sorted(set(config.email_domains))
    session.add(config)
    await session.flush()
    _providers.pop(config.issuer, None)  # a changed provider is read again
    return config


async def councils_offering(session: AsyncSession) -> list[Council]:
    rows = await session.exec(
        select(Council).join(CouncilSignOn, col(CouncilSignOn.council_id) == col(Council.id)).order_by(Council.name)
    )
    return list(rows.all())


async def _by_slug(session: AsyncSession, slug: str) -> tuple[Council, CouncilSignOn]:
    council = (await session.exec(select(Council).where(Council.slug == slug))).first()
    config = await config_of(session, council.id) if council else None
    if council is None or config is None:
        raise Problem(
            404,
            f"No council {slug!r} signs its staff in with its own identity provider.",
            errors=[{"field": "council", "message": "no single sign-on for this council"}],
        )
    return council, config


# ---- the flow ----------------------------------------------------------------------------------


async def start(session: AsyncSession, *, slug: str, redirect_uri: str | None, public_url: str) -> tuple[str, str]:
    """The provider's authorization URL to send the person to, and the state it will come back with."""
    council, config = await _by_slug(session, slug)
    ours = callback_url(public_url)
    redirect_uri = redirect_uri or ours
    if redirect_uri != ours and redirect_uri not in config.redirect_uris:
        raise Problem(
            422,
            f"This redirect URI is not one of {council.name}'s: {ours} or one an admin registered.",
            errors=[{"field": "redirect_uri", "message": "not registered for this council"}],
        )
    provider = await _provider(config, council.name)
    state, nonce, verifier = generate_token(43), generate_token(32), generate_token(64)
    client = AsyncOAuth2Client(
        client_id=config.client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256"
    )
    url, _ = client.create_authorization_url(
        provider.metadata["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
    )
    now = utcnow()
    # Attempts nobody finished are of no use after a day: removed as new ones begin.
    await session.execute(delete(SignOnAttempt).where(col(SignOnAttempt.expires_at) < now - timedelta(days=1)))
    session.add(
        SignOnAttempt(
            state_hash=secret_digest(state),
            council_id=council.id,
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            expires_at=now + timedelta(minutes=ATTEMPT_MINUTES),
        )
    )
    await session.flush()
    return url, state


async def use_attempt(session: AsyncSession, *, state: str) -> SignOnAttempt:
    """The started sign-in this state names, used up now: a state (and so its nonce) works once."""
    attempt = (
        await session.exec(select(SignOnAttempt).where(SignOnAttempt.state_hash == secret_digest(state)))
    ).first()
    now = utcnow()
    if attempt is None or attempt.used_at is not None or attempt.expires_at < now:
        raise Problem(
            400,
            "This sign-in is not valid (unknown, already used or older than "
            f"{ATTEMPT_MINUTES} minutes); start again from the sign-in page.",
            errors=[{"field": "state", "message": "unknown, used or expired"}],
        )
    attempt.used_at = now
    session.add(attempt)
    await session.flush()
    return attempt


async def complete(session: AsyncSession, *, attempt: SignOnAttempt, code: str, iss: str | None, keys: str) -> Person:
    """Exchange the code, check the ID token, and find (or create) the person it names."""
    council = await session.get(Council, attempt.council_id)
    config = await config_of(session, attempt.council_id)
    if council is None or config is None:
        raise Problem(400, "This council no longer signs in with its own identity provider.")
    if iss is not None and iss != config.issuer:
        # RFC 9207: the code came from another provider than the one this sign-in went to (a mix-up).
        raise Problem(
            401,
            f"The sign-in came back from {iss!r}, not from {council.name}'s identity provider; start again.",
            errors=[{"field": "iss", "message": "not the council's issuer"}],
        )
    provider = await _provider(config, council.name)
    secret = sign_on_secrets.unseal(config.client_secret_encrypted, keys=keys)
    tokens = await _exchange(config, secret, provider, attempt, code, council.name)
    claims: dict[str, Any] = dict(await _checked_claims(config, provider, attempt, tokens["id_token"], council.name))
    if config.email_claim not in claims:
        # Many providers keep the email for the UserInfo endpoint unless asked to put it in the ID token.
        claims = {**await _userinfo(provider, tokens, str(claims["sub"]), council.name), **claims}
    email = _email(config, claims, council.name)
    name = claims.get(config.name_claim)
    name = name.strip()[:200] if isinstance(name, str) and name.strip() else email.split("@")[0]
    return await _person(
        session, council=council, issuer=config.issuer, subject=str(claims["sub"]), email=email, name=name
    )


async def _exchange(
    config: CouncilSignOn, secret: str, provider: _Provider, attempt: SignOnAttempt, code: str, council: str
) -> dict[str, Any]:
    client = AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=secret,
        redirect_uri=attempt.redirect_uri,
        timeout=httpx.Timeout(10.0, connect=3.0),
    )
    try:
        async with client:
            token = await client.fetch_token(
                provider.metadata["token_endpoint"], code=code, code_verifier=attempt.code_verifier
            )
    except OAuthError as exc:
        raise Problem(
            401,
            f"The identity provider of {council} refused the sign-in ({exc.error}: {exc.description or 'no reason'}); "
            "start again from the sign-in page.",
        ) from None
    except httpx.HTTPError as exc:
        raise Problem(
            503, _DOWN.format(council=council, why=type(exc).__name__), headers={"Retry-After": "30"}
        ) from None
    if not isinstance(token.get("id_token"), str):
        raise Problem(502, f"The identity provider of {council} answered without an ID token (is `openid` allowed?).")
    return dict(token)


async def _userinfo(provider: _Provider, tokens: dict[str, Any], subject: str, council: str) -> dict[str, Any]:
    endpoint = provider.metadata.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not isinstance(tokens.get("access_token"), str):
        return {}
    try:
        async with _http() as client:
            response = await client.get(endpoint, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    except httpx.HTTPError as exc:
        raise Problem(
            503, _DOWN.format(council=council, why=type(exc).__name__), headers={"Retry-After": "30"}
        ) from None
    if response.status_code != 200:
        raise Problem(502, f"The identity provider of {council} answered its UserInfo endpoint {response.status_code}.")
    try:
        info = response.json()
    except ValueError:
        info = None
    # OpenID Connect Core 5.3.2: the UserInfo answer is about the ID token's subject, or it is not used.
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise Problem(502, f"The identity provider of {council} answered UserInfo for another subject.")
    return info


def _refused(council: str, what: str) -> Problem:
    return Problem(401, f"The ID token from the identity provider of {council} was refused: {what}. Start again.")


async def _checked_claims(
    config: CouncilSignOn, provider: _Provider, attempt: SignOnAttempt, id_token: str, council: str
) -> CodeIDToken:
    algorithms = provider.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"], strict_check_header=False)
    try:
        try:
            token = jwt.decode(id_token, key=await _keys(provider, council), registry=registry)
        except InvalidKeyIdError:  # the provider rotated its keys since we read them
            token = jwt.decode(id_token, key=await _keys(provider, council, fresh=True), registry=registry)
    except BadSignatureError:
        raise _refused(council, "its signature does not match the provider's published keys") from None
    except JoseError as exc:
        raise _refused(council, f"it cannot be read ({exc.description or type(exc).__name__})") from None
    claims = CodeIDToken(
        token.claims,
        token.header,
        {"iss": {"essential": True, "value": config.issuer}, "aud": {"essential": True, "value": config.client_id}},
        {"nonce": attempt.nonce, "client_id": config.client_id},
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except ExpiredTokenError:
        raise _refused(council, "it has expired (is a clock wrong?)") from None
    except MissingClaimError as exc:
        raise _refused(council, f"it has no {exc.claim!r} claim") from None
    except ClaimError as exc:
        what = {
            "iss": f"it was issued by {claims.get('iss')!r}, not {config.issuer!r}",
            "aud": f"it is meant for {claims.get('aud')!r}, not this platform's client {config.client_id!r}",
            "nonce": "its nonce is not the one this sign-in sent (a replayed or mixed-up token)",
            "iat": "it was issued in the future (is a clock wrong?)",
        }.get(exc.claim, f"its {exc.claim!r} claim is not valid")
        raise _refused(council, what) from None
    return claims


def _email(config: CouncilSignOn, claims: dict[str, Any], council: str) -> str:
    email = claims.get(config.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise Problem(
            403,
            f"The identity provider of {council} did not tell your email address (claim {config.email_claim!r}); "
            "an admin must let it release the address.",
        )
    if claims.get("email_verified") is False:
        raise Problem(403, f"The identity provider of {council} says {email} is not verified; verify it there first.")
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    if domain not in config.email_domains:
        raise Problem(
            403,
            f"{email} is not an address of {council} (allowed domains: {', '.join(config.email_domains)}); "
            "sign in with your council account.",
        )
    return email


async def _person(
    session: AsyncSession, *, council: Council, issuer: str, subject: str, email: str, name: str
) -> Person:
    for tries_left in (1, 0):
        try:
            async with session.begin_nested():
                person = await _found_or_made(
                    session, council=council, issuer=issuer, subject=subject, email=email, name=name
                )
            break
        except IntegrityError:
            # Two first sign-ins of one person at once (two tabs, a double click on the button): the
            # other made or linked them between our look and our insert. Look again: theirs is ours.
            if not tries_left:
                raise
    if not person.active:
        raise Problem(403, "This account is deactivated; ask an organiser of your council to reactivate it.")
    return person


async def _found_or_made(
    session: AsyncSession, *, council: Council, issuer: str, subject: str, email: str, name: str
) -> Person:
    linked = (
        await session.exec(
            select(SignOnIdentity).where(SignOnIdentity.issuer == issuer, SignOnIdentity.subject == subject)
        )
    ).first()
    person = await session.get(Person, linked.person_id) if linked else None
    if person is None:
        person = (await session.exec(select(Person).where(Person.email == email))).first()
        if person is not None and person.council_id != council.id:
            # Said without naming the other council: which council holds an address is not told.
            raise Problem(403, f"{email} is registered with another part of the platform; ask an admin to move it.")
        if person is None:
            # Just in time: staff of this council, the one role the provider's word is enough for.
            person = Person(email=email, name=name, council_id=council.id, roles=["staff"])
            session.add(person)
            await session.flush()
        session.add(SignOnIdentity(issuer=issuer, subject=subject, person_id=person.id))
    await session.flush()
    return person
