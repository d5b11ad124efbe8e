"""Sign-in and sessions: passwords, invitation codes, refresh tokens and API keys become short-lived
access tokens; signing out, everywhere too; changing one's password."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.deps import AuthVersionsDep, IssuerDep, SettingsDep, SignInThrottleDep, StateDep
from gateway.domain import accounts, identity
from gateway.domain.tokens import TokenIssuer
from gateway.models import Person
from gateway.schemas import (
    Accepted,
    AcceptInvitation,
    Login,
    MailPreferences,
    PasswordChange,
    PasswordResetComplete,
    PasswordResetRequest,
    PersonPublic,
    RefreshRequest,
    TokenAnswer,
)
from gateway.settings import GatewaySettings
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/auth", tags=["sign-in"])


async def token_for(
    session: AsyncSession,
    issuer: TokenIssuer,
    settings: GatewaySettings,
    person: Person,
    refresh: tuple[str, int] | None = None,
) -> TokenAnswer:
    """An access token for the person, with a refresh token: the given one (a rotation) or a new session."""
    if refresh is None:
        refresh = await accounts.start_session(
            session,
            person=person,
            idle=timedelta(hours=settings.refresh_idle_hours),
            longest=timedelta(hours=settings.session_max_hours),
        )
    token = issuer.issue(
        subject=person.id,
        council_id=person.council_id,
        council_name=await identity.council_name(session, person.council_id),
        roles=person.roles,
        name=person.name,
        auth_version=person.auth_version,
    )
    return TokenAnswer(
        access_token=token,
        expires_in=issuer.ttl_seconds,
        refresh_token=refresh[0],
        refresh_expires_in=refresh[1],
        person=PersonPublic.model_validate(person, from_attributes=True),
    )


@router.post(
    "/login",
    response_model=TokenAnswer,
    summary="Sign in with email and password",
    responses=responses(401, 422, 429),
)
async def login(
    body: Login,
    request: Request,
    session: SessionDep,
    issuer: IssuerDep,
    settings: SettingsDep,
    throttle: SignInThrottleDep,
) -> TokenAnswer:
    """Signs a person in with their email and password and answers a short-lived access token (send it as
    `Authorization: Bearer <token>`) with a refresh token for the next one. Open to anyone. A wrong email or
    password is a 401 that never says which; after repeated failures from one address sign-in slows down with a
    429 and `Retry-After`, the same answer for registered and unknown emails, and the owner is never locked out
    for good."""
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(body.email, address)
    if wait is not None:
        # The same answer for every email, registered or not (the count is kept for both).
        raise Problem(
            429, f"Too many failed sign-ins; try again in {wait} seconds.", headers={"Retry-After": str(wait)}
        )
    try:
        person = await identity.login(session, email=body.email, password=body.password)
    except Problem:
        throttle.failed(body.email, address)
        raise
    throttle.succeeded(body.email, address)
    return await token_for(session, issuer, settings, person)


@router.post(
    "/invitations/accept",
    response_model=TokenAnswer,
    summary="Choose a password with a one-time invitation code, and sign in",
    responses=responses(400, 422, 429),
)
async def accept_invitation(
    body: AcceptInvitation, session: SessionDep, issuer: IssuerDep, settings: SettingsDep
) -> TokenAnswer:
    """Chooses a password with the one-time invitation code an organiser or admin gave you, and signs you in (tokens
    as for a sign-in). Open to anyone holding a code. A code that is unknown, used or expired is a 400; a
    password that is too weak a 422; repeated tries are slowed with a 429."""
    person = await identity.accept_invitation(session, code=body.code, password=body.password)
    return await token_for(session, issuer, settings, person)


@router.post(
    "/refresh",
    response_model=TokenAnswer,
    summary="A new access token for a refresh token (which is used up: the answer holds the next one)",
    responses=responses(401, 422, 429),
)
async def refresh(body: RefreshRequest, session: SessionDep, issuer: IssuerDep, settings: SettingsDep) -> TokenAnswer:
    """Exchanges a refresh token for a new access token and the next refresh token: each refresh token works once. A
    refresh token used a second time ends its whole session (it was copied), and is a 401, as is one that
    expired, was signed out or belongs to a deactivated person. Open to anyone holding one."""
    try:
        person, token, seconds = await accounts.rotate(
            session, token=body.refresh_token, idle=timedelta(hours=settings.refresh_idle_hours)
        )
    except accounts.RefreshReused:
        await session.commit()  # the family's revocation must be kept, though the answer is an error
        raise
    return await token_for(session, issuer, settings, person, refresh=(token, seconds))


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: end the session of this refresh token (its access token lapses within minutes)",
    responses=responses(422, 429),
)
async def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """Signs out: ends the session this refresh token belongs to, so it can no longer be refreshed; the access token
    in hand lapses within minutes. An unknown token is answered the same (204), so signing out twice is safe.
    Open to anyone holding one."""
    await accounts.sign_out(session, token=body.refresh_token)
    return Response(status_code=204)


@router.post(
    "/sign-out-everywhere",
    status_code=204,
    summary="End every session of yours; every access token you hold is refused from the next request",
    responses=responses(401, 403),
)
async def sign_out_everywhere(principal: CurrentPrincipal, session: SessionDep, versions: AuthVersionsDep) -> Response:
    """Ends every session of yours, on every device: every refresh token stops working and every access token you
    hold is refused from the next request. For a person signed in as themselves; an API key is refused (403)."""
    person = await _the_person(principal, session)
    await accounts.end_all_sessions(session, versions, person=person, by=person.id, kind="signed_out_everywhere")
    return Response(status_code=204)


@router.put(
    "/password",
    response_model=TokenAnswer,
    summary="Change your password; your other sessions end, and this one goes on with the tokens answered",
    responses=responses(400, 401, 403, 422, 429),
)
async def change_password(
    body: PasswordChange,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    issuer: IssuerDep,
    settings: SettingsDep,
    versions: AuthVersionsDep,
    throttle: SignInThrottleDep,
) -> TokenAnswer:
    """Changes your password, given the current one: your other sessions end, and this one goes on with the tokens
    answered. A wrong current password is a 400 and counts towards the sign-in slow-down (429); a new password
    that is too weak is a 422. For a person signed in as themselves; an API key is refused (403)."""
    person = await _the_person(principal, session)
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(person.email, address)
    if wait is not None:
        raise Problem(
            429, f"Too many wrong passwords; try again in {wait} seconds.", headers={"Retry-After": str(wait)}
        )
    try:
        await accounts.change_password(
            session, versions, person=person, current=body.current_password, new=body.new_password
        )
    except Problem:
        throttle.failed(person.email, address)
        raise
    return await token_for(session, issuer, settings, person)


RESET_ASKED = "If this email is registered, a message with a link to choose a new password is on its way."


@router.post(
    "/password-reset",
    response_model=Accepted,
    status_code=202,
    summary="Ask for an email with a one-time link to choose a new password (the same answer for any email)",
    responses=responses(422, 429),
)
async def ask_password_reset(body: PasswordResetRequest, session: SessionDep, state: StateDep) -> Accepted:
    """Asks for an email with a one-time link to choose a new password. The answer is the same (202) whether or not
    the email is registered, so it tells nobody which emails exist; repeated asks are slowed with a 429. Open to
    anyone."""
    if state.mailer is not None:
        found = await accounts.request_password_reset(
            session, email=body.email, minutes=state.settings.password_reset_minutes
        )
        if found is not None:
            person, code = found
            state.mailer.password_reset(
                session, to=person.email, name=person.name, code=code, minutes=state.settings.password_reset_minutes
            )
    return Accepted(detail=RESET_ASKED)


@router.post(
    "/password-reset/complete",
    response_model=TokenAnswer,
    summary="Choose a new password with the emailed code, and sign in (every other session ends)",
    responses=responses(400, 422, 429),
)
async def complete_password_reset(
    body: PasswordResetComplete,
    session: SessionDep,
    issuer: IssuerDep,
    settings: SettingsDep,
    versions: AuthVersionsDep,
) -> TokenAnswer:
    """Chooses a new password with the code from the reset email, once and within its time, and signs you in; every
    other session of yours ends and any other reset code sent to you stops working. A code that is unknown, used
    or expired is a 400. Open to anyone holding a code."""
    person = await accounts.complete_password_reset(session, versions, code=body.code, password=body.password)
    return await token_for(session, issuer, settings, person)


@router.put(
    "/mail-preferences",
    response_model=PersonPublic,
    summary="Turn hack-day news by email on or off (mail about your own account is always sent)",
    responses=responses(401, 403, 422),
)
async def mail_preferences(body: MailPreferences, principal: CurrentPrincipal, session: SessionDep) -> PersonPublic:
    """Turns hack-day news by email on or off for you; mail about your own account (invitations, password resets) is
    always sent. For a person signed in as themselves; an API key is refused (403)."""
    person = await _the_person(principal, session)
    person.news_mail = body.news_mail
    session.add(person)
    await session.flush()
    return PersonPublic.model_validate(person, from_attributes=True)


async def _the_person(principal: Principal, session: AsyncSession) -> Person:
    if principal.kind != "person":
        raise Problem(403, "This is for people signed in as themselves, not for API keys.")
    return await identity.get_person(session, principal.person_id)


@router.post(
    "/token",
    response_model=TokenAnswer,
    summary="Exchange an API key (header X-API-Key) for a short-lived token",
    responses=responses(401, 429),
)
async def api_key_token(request: Request, session: SessionDep, issuer: IssuerDep) -> TokenAnswer:
    """Exchanges an API key, sent in the `X-API-Key` header, for a short-lived access token holding the key's
    council and roles, for automation that prefers bearer tokens. A missing, unknown or revoked key is a 401, and
    so is a key whose creator no longer holds any of its roles."""
    key = request.headers.get("x-api-key", "")
    found = await identity.find_api_key(session, key) if key else None
    if found is None:
        raise Problem(
            401,
            "Send a valid, unrevoked API key in the X-API-Key header (a key stops working when its "
            "creator no longer holds any of its roles).",
        )
    api_key, roles = found
    token = issuer.issue(
        subject=api_key.id,
        council_id=api_key.council_id,
        council_name=await identity.council_name(session, api_key.council_id),
        roles=roles,
        name=api_key.name,
        kind="api_key",
        auth_version=api_key.auth_version,
        service=identity.service_of(api_key),
    )
    return TokenAnswer(
        access_token=token,
        expires_in=issuer.ttl_seconds,
        person=PersonPublic(
            id=api_key.id,
            email="",
            name=api_key.name,
            council_id=api_key.council_id,
            roles=roles,
            active=api_key.revoked_at is None,
            version=1,  # a key's roles are never set through /api/people, so it has no versions to tell
            created_at=api_key.created_at,
        ),
    )


@router.get("/me", response_model=PersonPublic, summary="Who am I", responses=responses(401, 404))
async def me(principal: CurrentPrincipal, session: SessionDep) -> PersonPublic:
    """The person you are signed in as: name, email, council, roles and whether you are active. An API key is not a
    person (404: see `GET /api/api-keys`)."""
    if principal.kind == "api_key":
        raise Problem(404, "An API key is not a person; see GET /api/api-keys.")
    person = await identity.get_person(session, principal.person_id)
    return PersonPublic.model_validate(person, from_attributes=True)
