"""Sign-in: passwords, invitation codes and API keys become short-lived tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway import identity
from gateway.deps import IssuerDep, SettingsDep
from gateway.models import AcceptInvitation, Login, Person, PersonPublic, TokenAnswer
from gateway.tokens import TokenIssuer
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/auth", tags=["sign-in"])


async def token_for(session: AsyncSession, issuer: TokenIssuer, person: Person) -> TokenAnswer:
    token = issuer.issue(
        subject=person.id,
        council_id=person.council_id,
        council_name=await identity.council_name(session, person.council_id),
        roles=person.roles,
        name=person.name,
    )
    return TokenAnswer(
        access_token=token,
        expires_in=issuer.ttl_seconds,
        person=PersonPublic.model_validate(person, from_attributes=True),
    )


@router.post(
    "/login",
    response_model=TokenAnswer,
    summary="Sign in with email and password",
    responses=responses(401, 422, 429),
)
async def login(body: Login, session: SessionDep, issuer: IssuerDep, settings: SettingsDep) -> TokenAnswer:
    try:
        person = await identity.login(
            session,
            email=body.email,
            password=body.password,
            max_failures=settings.login_failures_before_lockout,
            lockout_seconds=settings.login_lockout_seconds,
        )
    except Problem:
        # The failed-attempt count must be saved even though the answer is an error.
        await session.commit()
        raise
    return await token_for(session, issuer, person)


@router.post(
    "/invitations/accept",
    response_model=TokenAnswer,
    summary="Choose a password with a one-time invitation code, and sign in",
    responses=responses(400, 422, 429),
)
async def accept_invitation(body: AcceptInvitation, session: SessionDep, issuer: IssuerDep) -> TokenAnswer:
    person = await identity.accept_invitation(session, code=body.code, password=body.password)
    return await token_for(session, issuer, person)


@router.post(
    "/token",
    response_model=TokenAnswer,
    summary="Exchange an API key (header X-API-Key) for a short-lived token",
    responses=responses(401, 429),
)
async def api_key_token(request: Request, session: SessionDep, issuer: IssuerDep) -> TokenAnswer:
    key = request.headers.get("x-api-key", "")
    api_key = await identity.find_api_key(session, key) if key else None
    if api_key is None:
        raise Problem(401, "Send a valid, unrevoked API key in the X-API-Key header.")
    token = issuer.issue(
        subject=api_key.id,
        council_id=api_key.council_id,
        council_name=await identity.council_name(session, api_key.council_id),
        roles=api_key.roles,
        name=api_key.name,
        kind="api_key",
    )
    return TokenAnswer(
        access_token=token,
        expires_in=issuer.ttl_seconds,
        person=PersonPublic(
            id=api_key.id,
            email="",
            name=api_key.name,
            council_id=api_key.council_id,
            roles=api_key.roles,
            active=api_key.revoked_at is None,
            created_at=api_key.created_at,
        ),
    )


@router.get("/me", response_model=PersonPublic, summary="Who am I", responses=responses(401, 404))
async def me(principal: CurrentPrincipal, session: SessionDep) -> PersonPublic:
    if principal.kind == "api_key":
        raise Problem(404, "An API key is not a person; see GET /api/api-keys.")
    person = await identity.get_person(session, principal.person_id)
    return PersonPublic.model_validate(person, from_attributes=True)
