"""Single sign-on over HTTP: admins connect a council's identity provider; people (through the pages or
an API client) start a sign-in there and complete it here, receiving the platform's own tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy import delete

from gateway.deps import IssuerDep, SettingsDep
from gateway.domain import identity, sso
from gateway.models import CouncilSignOn
from gateway.routes.auth import token_for
from gateway.schemas import (
    SignOnComplete,
    SignOnCouncil,
    SignOnPublic,
    SignOnSettings,
    SignOnStart,
    SignOnStarted,
    TokenAnswer,
)
from platform_core.auth import Principal, require_roles
from platform_core.db import SessionDep
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api", tags=["single sign-on"])
AdminOnly = Annotated[Principal, Depends(require_roles("admin"))]


def _public(config: CouncilSignOn, public_url: str) -> SignOnPublic:
    return SignOnPublic.model_validate(
        {**config.model_dump(exclude={"client_secret_encrypted"}), "callback_url": sso.callback_url(public_url)}
    )


@router.put(
    "/councils/{council_id}/sign-on",
    response_model=SignOnPublic,
    summary="Connect the council's OpenID Connect provider, or change it (admin; the secret is never shown). "
    "A change needs If-Match: the ETag of the settings you read; connecting the first time needs none",
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
async def configure(
    council_id: uuid.UUID,
    body: SignOnSettings,
    _: AdminOnly,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> SignOnPublic:
    """Connects a council's OpenID Connect identity provider, or changes it, so that its staff sign in with their
    usual work account: issuer, client id and secret, and the email domains it vouches for. The secret is stored
    and never shown again. Only admins may (403); an unknown council is a 404. A change needs If-Match with the
    ETag of the settings read (428 without, 412 if another admin changed or removed them since); connecting
    the first time needs none."""
    council = await identity.get_council(session, council_id)
    config = await sso.config_of(session, council_id)
    if config is not None:
        # Two admins changing one council's provider: the second, still holding the old version, is
        # told so (412) rather than silently undoing the first (a new secret, an added domain).
        check_if_match(if_match, config.version)
    elif if_match is not None and if_match.strip():
        # RFC 9110 13.1.1: If-Match is false when there is nothing to match; another admin removed it.
        raise Problem(
            412,
            f"{council.name} has no single sign-on settings any more (removed since you read them); "
            "read the council again, or send the settings without If-Match to connect its provider.",
            errors=[{"field": "If-Match", "message": "nothing to match: no settings"}],
        )
    config = await sso.configure(
        session, council=council, config=config, settings=body.model_dump(), keys=settings.sign_on_keys()
    )
    set_etag(response, config.version)
    return _public(config, settings.public_url)


@router.get(
    "/councils/{council_id}/sign-on",
    response_model=SignOnPublic,
    summary="The council's single sign-on settings (admin; without the secret; ETag: their version, "
    "for If-Match on a change)",
    responses=responses(401, 403, 404, 422),
)
async def read(
    council_id: uuid.UUID, _: AdminOnly, session: SessionDep, settings: SettingsDep, response: Response
) -> SignOnPublic:
    """The council's single sign-on settings, without the client secret, and the callback address to register with
    the provider; the ETag is their version, for If-Match on a change. Only admins may (403); a council without
    single sign-on is a 404."""
    config = await sso.config_of(session, council_id)
    if config is None:
        raise Problem(404, f"Council {council_id} has no single sign-on.")
    set_etag(response, config.version)
    return _public(config, settings.public_url)


@router.delete(
    "/councils/{council_id}/sign-on",
    status_code=204,
    summary="Stop single sign-on for the council (admin); its people can still use passwords and resets. "
    "An optional If-Match is checked (412 if the settings changed since)",
    responses=responses(400, 401, 403, 404, 412, 422),
)
async def remove(council_id: uuid.UUID, _: AdminOnly, session: SessionDep, if_match: IfMatch = None) -> Response:
    """Stops single sign-on for the council: its people sign in with passwords again (and may reset one). Only
    admins may (403); a council without single sign-on is a 404; an If-Match, if sent, must be the current version
    (412)."""
    config = await sso.config_of(session, council_id)
    if config is None:
        raise Problem(404, f"Council {council_id} has no single sign-on.")
    check_if_match(if_match, config.version, required=False)
    await session.execute(delete(CouncilSignOn).where(CouncilSignOn.council_id == council_id))  # type: ignore[arg-type]
    return Response(status_code=204)


@router.get(
    "/auth/sign-on",
    response_model=list[SignOnCouncil],
    summary="The councils whose staff sign in with their own identity provider (no sign-in needed)",
    responses=responses(),
)
async def offered(session: SessionDep) -> list[SignOnCouncil]:
    """The councils whose staff sign in with their own identity provider, by slug and name, for the sign-in page to
    offer a button each. Open to anyone, no sign-in needed."""
    return [SignOnCouncil(slug=c.slug, name=c.name) for c in await sso.councils_offering(session)]


@router.post(
    "/auth/sign-on/start",
    response_model=SignOnStarted,
    summary="Start signing in with a council's identity provider: send the browser to authorization_url",
    responses=responses(404, 422, 429, 502, 503),
)
async def start(body: SignOnStart, session: SessionDep, settings: SettingsDep) -> SignOnStarted:
    """Starts signing in with a council's identity provider: answers the address to send the browser to, and a
    one-time `state` that must come back with the provider's code. Open to anyone. An unknown council, or one
    without single sign-on, is a 404, a `redirect_uri` not registered for it a 422; a provider that cannot be
    reached or answers wrongly is a 502 or 503."""
    url, state = await sso.start(
        session, slug=body.council, redirect_uri=body.redirect_uri, public_url=settings.public_url
    )
    return SignOnStarted(authorization_url=url, state=state)


@router.post(
    "/auth/sign-on/complete",
    response_model=TokenAnswer,
    summary="Finish signing in with the code and state the provider sent back; answers the platform's tokens",
    responses=responses(400, 401, 403, 422, 429, 502, 503),
)
async def complete(body: SignOnComplete, session: SessionDep, issuer: IssuerDep, settings: SettingsDep) -> TokenAnswer:
    """Finishes signing in with the code and state the provider sent back, and answers the platform's own tokens, as
    a password sign-in does. Open to anyone holding a state. A state that is unknown, used or expired is a 400
    (each works once); a code from another provider is a 401; an email the provider did not release or verify, or
    one outside the council's domains, is a 403. Someone new to the platform is registered as staff of the
    council at their first sign-in. A provider that cannot be reached or answers wrongly is a 502 or 503."""
    attempt = await sso.use_attempt(session, state=body.state)
    # Used up for good before the provider is asked: a replayed state (and so its nonce) is refused
    # even if this sign-in then fails.
    await session.commit()
    person = await sso.complete(session, attempt=attempt, code=body.code, iss=body.iss, keys=settings.sign_on_keys())
    return await token_for(session, issuer, settings, person)
