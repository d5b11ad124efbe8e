"""Councils and the people in them: admins create councils and people; organisers add their staff in bulk."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.deps import AuthVersionsDep, StateDep
from gateway.domain import accounts, identity
from gateway.models import AccountEvent, Council, Person
from gateway.schemas import (
    AccountEventPublic,
    CouncilContact,
    CouncilCreate,
    CouncilPublic,
    CouncilUpdate,
    InvitationIssued,
    InvitedPerson,
    PersonCreate,
    PersonPublic,
    RolesUpdate,
    StaffBulkCreate,
    StaffBulkResult,
)
from gateway.state import GatewayState
from platform_core.auth import CurrentPrincipal, Principal, require_roles
from platform_core.db import SessionDep
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.pages import Page, PageDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api", tags=["councils and people"])
AdminOnly = Annotated[Principal, Depends(require_roles("admin"))]


def _may_manage_council_people(principal: Principal, council_id: uuid.UUID) -> bool:
    return principal.is_admin or (principal.has("organiser") and principal.council_id == council_id)


@router.post(
    "/councils",
    response_model=CouncilPublic,
    status_code=201,
    summary="Create a council (admin; honours Idempotency-Key)",
    responses=responses(401, 403, 409, 422),
)
async def create_council(
    body: CouncilCreate, _: AdminOnly, session: SessionDep, idem: IdempotentCreateDep
) -> JSONResponse:
    """Creates a council on the platform, with its name and short slug, so its people can be registered. Only admins
    may (403); a name or slug already taken is a 409 naming it. A retry with the same `Idempotency-Key` gets the
    first answer, never a second council (the same key with another body: 422)."""

    async def make() -> Created:
        council = await identity.create_council(session, name=body.name, slug=body.slug)
        return Created(CouncilPublic.model_validate(council, from_attributes=True))

    return await idem.create(body, make)


@router.get("/councils", response_model=Page[CouncilPublic], summary="List councils", responses=responses(401, 422))
async def list_councils(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
) -> Page[CouncilPublic]:
    """Lists the councils on the platform by name, a page at a time, for choosing a council (the library, the sector
    portfolio). Anyone signed in may read them."""
    total = (await session.exec(select(func.count()).select_from(Council))).one()
    rows = (await session.exec(select(Council).order_by(Council.name).offset(page.offset).limit(page.limit))).all()
    return Page[CouncilPublic].of([CouncilPublic.model_validate(c, from_attributes=True) for c in rows], total, page)


@router.get(
    "/councils/{council_id}",
    response_model=CouncilPublic,
    summary="One council (its version is the ETag, to send as If-Match with a change)",
    responses=responses(401, 404, 422),
)
async def get_council(council_id: uuid.UUID, _: CurrentPrincipal, session: SessionDep, response: Response) -> Council:
    """One council: its id, name, slug, contact address and version (also its ETag). Anyone signed in may
    read it; an unknown council is a 404."""
    council = await identity.get_council(session, council_id)
    set_etag(response, council.version)
    return council


@router.patch(
    "/councils/{council_id}",
    response_model=CouncilPublic,
    summary="Change a council's contact address (admin; If-Match required: the ETag of the council you read)",
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
async def change_council(
    council_id: uuid.UUID,
    body: CouncilUpdate,
    _: AdminOnly,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Council:
    """Set or remove (null) the council's contact address, whom other councils write to about its
    published trials. Needs If-Match with the council's ETag: 428 without, 412 when another admin changed
    it since; only the fields sent change."""
    council = await identity.get_council(session, council_id)
    # Two admins editing one council: the second, still holding the old version, is told so (412).
    check_if_match(if_match, council.version)
    council = await identity.change_council(session, council=council, changes=body.model_dump(exclude_unset=True))
    set_etag(response, council.version)
    return council


@router.get(
    "/councils/{council_id}/contact",
    response_model=CouncilContact,
    summary="Whom to ask about a council's published trials (no sign-in needed, as the open library)",
    responses=responses(404, 422, 429),
)
async def council_contact(council_id: uuid.UUID, session: SessionDep) -> CouncilContact:
    """Open data, like the library it is shown beside: the council's name and contact address (null when
    it has none). Reads without sign-in are counted per address in the library's budget."""
    council = await identity.get_council(session, council_id)
    return CouncilContact(id=council.id, name=council.name, contact_email=council.contact_email)


@router.post(
    "/people",
    response_model=InvitedPerson,
    status_code=201,
    summary="Register a person (admin; honours Idempotency-Key). Without a password they get a one-time "
    "invitation code.",
    responses=responses(401, 403, 404, 409, 422),
)
async def create_person(
    body: PersonCreate, _: AdminOnly, session: SessionDep, state: StateDep, idem: IdempotentCreateDep
) -> JSONResponse:
    """Registers a person, in a council with their roles (an admin may be of no council). Without a password they
    get a one-time invitation code to choose one: emailed to them when the platform sends mail, else answered
    once here to hand on. Only admins may (403); an email already registered is a 409, an unknown council a 404.
    A retry with the same `Idempotency-Key` gets the same person back, never a second one, with the invitation
    code null: the code is never stored in clear."""

    async def make() -> Created:
        person, code = await identity.create_person(
            session,
            email=body.email,
            name=body.name,
            council_id=body.council_id,
            roles=list(body.roles),
            password=body.password,
        )
        code = await _send_or_show(session, state, person, code)
        answer = InvitedPerson(
            **PersonPublic.model_validate(person, from_attributes=True).model_dump(), invitation_code=code
        )
        return Created(answer, kept=_without_codes(answer))

    return await idem.create(body, make)


def _without_codes(answer: InvitedPerson) -> InvitedPerson:
    """What a retry is answered: the same person, but no invitation code, which is a password in all
    but name and so is never stored in clear (not even for the retry window)."""
    return answer.model_copy(update={"invitation_code": None})


async def _send_or_show(session: AsyncSession, state: GatewayState, person: Person, code: str | None) -> str | None:
    """With mail, the invitation goes to the person and nobody else sees the code; without, the code is
    answered to whoever registered them, to hand on."""
    if code is None or state.mailer is None:
        return code
    state.mailer.invitation(
        session,
        to=person.email,
        name=person.name,
        council=await identity.council_name(session, person.council_id),
        code=code,
        days=identity.INVITATION_DAYS,
    )
    return None


@router.post(
    "/councils/{council_id}/staff",
    response_model=StaffBulkResult,
    status_code=201,
    summary="Add many staff to a council at once (its organisers, or an admin; honours Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422),
)
async def add_staff(
    council_id: uuid.UUID,
    body: StaffBulkCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    state: StateDep,
    idem: IdempotentCreateDep,
) -> JSONResponse:
    """Registers many staff of a council at once (a hack day's few hundred), each with the staff role and a one-time
    invitation code (emailed, or answered once to hand on). Emails already registered in this council are listed
    in `already_registered`, not failed; an email of another council is skipped without saying so. Only the
    council's organisers (and admins) may (403). A retry with the same `Idempotency-Key` gets the first answer
    with the codes null, never a second registration."""
    if not _may_manage_council_people(principal, council_id):
        raise Problem(403, "Only organisers of this council (or an admin) can add its staff.")

    async def make() -> Created:
        created, existing = await identity.add_staff_in_bulk(
            session, council_id=council_id, people=[(p.email, p.name) for p in body.people]
        )
        answer = StaffBulkResult(
            created=[
                InvitedPerson(
                    **PersonPublic.model_validate(p, from_attributes=True).model_dump(),
                    invitation_code=await _send_or_show(session, state, p, code),
                )
                for p, code in created
            ],
            already_registered=existing,
        )
        kept = answer.model_copy(update={"created": [_without_codes(p) for p in answer.created]})
        return Created(answer, kept=kept)

    return await idem.create(body, make)


@router.get(
    "/councils/{council_id}/people",
    response_model=Page[PersonPublic],
    summary="People of a council (its organisers and managers, or an admin)",
    responses=responses(401, 403, 404, 422),
)
async def list_people(
    council_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
) -> Page[PersonPublic]:
    """Lists the people of a council by email, with their roles and whether they are active, a page at a time. Only
    the council's organisers and managers (and admins) may (403); an unknown council is a 404."""
    if not (principal.is_admin or (principal.has("organiser", "manager") and principal.council_id == council_id)):
        raise Problem(403, "Only organisers and managers of this council (or an admin) can list its people.")
    await identity.get_council(session, council_id)
    total = await identity.count_people(session, council_id)
    rows = (
        await session.exec(
            select(Person)
            .where(Person.council_id == council_id)
            .order_by(Person.email)
            .offset(page.offset)
            .limit(page.limit)
        )
    ).all()
    return Page[PersonPublic].of([PersonPublic.model_validate(p, from_attributes=True) for p in rows], total, page)


@router.get(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="One person (ETag: their version, for If-Match on a change of roles)",
    responses=responses(401, 403, 404, 422),
)
async def get_person(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> Person:
    """One person: name, email, council, roles and whether they are active. Its ETag carries the version that a
    change of roles sends back in If-Match. You may read yourself and the people of your council (admins:
    anyone); anyone else is a 404, as if they did not exist."""
    person = await identity.get_person(session, person_id)
    if person.id != principal.person_id and not (
        principal.is_admin or (person.council_id is not None and principal.council_id == person.council_id)
    ):
        raise Problem(404, f"No person with id {person_id}.")
    set_etag(response, person.version)
    return person


@router.put(
    "/people/{person_id}/roles",
    response_model=PersonPublic,
    summary="Set a person's roles (admin; If-Match required: the ETag of the person you read)",
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
async def set_roles(
    person_id: uuid.UUID,
    body: RolesUpdate,
    admin: AdminOnly,
    session: SessionDep,
    versions: AuthVersionsDep,
    response: Response,
    if_match: IfMatch = None,
) -> Person:
    """Sets a person's roles, replacing the ones they had; from the next request every token and API key of theirs
    holds only the new ones. Only admins may (403). Send the ETag you read as If-Match, so that two admins never
    silently undo each other: 428 without it, 400 if it is not an ETag, 412 if the person changed since. A person
    of no council must keep the admin role (422)."""
    person = await identity.get_person(session, person_id)
    # Two admins changing one person's roles: the second, still holding the old version, is told so
    # (412) rather than silently undoing the first.
    check_if_match(if_match, person.version)
    if person.council_id is None and "admin" not in body.roles:
        raise Problem(
            422,
            "A person of no council must keep the admin role.",
            errors=[{"field": "roles", "message": "must include admin for a person of no council"}],
        )
    person = await identity.set_roles(session, versions, person=person, roles=list(body.roles), by=admin.person_id)
    set_etag(response, person.version)
    return person


async def _manageable_person(person_id: uuid.UUID, principal: Principal, session: AsyncSession) -> Person:
    """A person whose account the caller may switch off and on: an admin anyone, an organiser the
    people of their own council who are not admins. Others' people are not even seen (404)."""
    person = await identity.get_person(session, person_id)
    if not (principal.is_admin or (person.council_id is not None and principal.council_id == person.council_id)):
        raise Problem(404, f"No person with id {person_id}.")
    if principal.kind != "person" or not (
        principal.is_admin or (principal.has("organiser") and "admin" not in person.roles)
    ):
        raise Problem(403, "Only organisers of this council (or an admin) can deactivate or reactivate its people.")
    return person


@router.post(
    "/people/{person_id}/invitation",
    response_model=InvitationIssued,
    summary="Send a new invitation to someone who lost theirs (earlier codes stop working)",
    responses=responses(401, 403, 404, 409, 422),
)
async def reissue_invitation(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, state: StateDep
) -> InvitationIssued:
    """Sends a new invitation code to someone who lost theirs; every earlier code stops working. Emailed when the
    platform sends mail, else answered once to hand on. The council's organisers (for people who are not admins)
    and admins may (403 otherwise; people of another council are a 404). Someone who has chosen a password
    already (they reset it instead), or is deactivated, is a 409."""
    person = await _manageable_person(person_id, principal, session)
    code = await identity.reissue_invitation(session, person=person)
    shown = await _send_or_show(session, state, person, code)
    return InvitationIssued(person_id=person.id, emailed=shown is None, invitation_code=shown)


@router.post(
    "/people/{person_id}/deactivate",
    response_model=PersonPublic,
    summary="Deactivate a leaver: their sessions, tokens and API keys stop on the next request",
    responses=responses(400, 401, 403, 404, 412, 422),
)
async def deactivate(
    person_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    versions: AuthVersionsDep,
    response: Response,
    if_match: IfMatch = None,
) -> Person:
    """Deactivates a leaver: from the next request they cannot sign in, and their sessions, tokens and API keys stop
    working; what they wrote stays. The council's organisers (for people who are not admins) and admins may (403
    otherwise; people of another council are a 404); nobody may deactivate themselves (422). Deactivating twice
    changes nothing. An If-Match, if sent, must match the person's version (412)."""
    person = await _manageable_person(person_id, principal, session)
    check_if_match(if_match, person.version, required=False)
    person = await accounts.deactivate(session, versions, person=person, by=principal.person_id)
    set_etag(response, person.version)
    return person


@router.post(
    "/people/{person_id}/reactivate",
    response_model=PersonPublic,
    summary="Reactivate someone who came back (they sign in again; old sessions and keys stay ended)",
    responses=responses(400, 401, 403, 404, 412, 422),
)
async def reactivate(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, response: Response, if_match: IfMatch = None
) -> Person:
    """Reactivates someone who came back: they may sign in again, while their old sessions and API keys stay ended.
    The council's organisers (for people who are not admins) and admins may (403 otherwise; people of another
    council are a 404). An If-Match, if sent, must match the person's version (412)."""
    person = await _manageable_person(person_id, principal, session)
    check_if_match(if_match, person.version, required=False)
    person = await accounts.reactivate(session, person=person, by=principal.person_id)
    set_etag(response, person.version)
    return person


@router.get(
    "/people/{person_id}/history",
    response_model=Page[AccountEventPublic],
    summary="Who changed this person's roles or standing, and when (newest first)",
    responses=responses(401, 403, 404, 422),
)
async def history(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> Page[AccountEventPublic]:
    """Who changed this person's roles or standing (deactivated, reactivated, signed out everywhere, password
    changed), and when, newest first, a page at a time. The person themselves, the organisers and managers of
    their council, and admins may read it (403 for others of the council; people of another council are a 404)."""
    person = await identity.get_person(session, person_id)
    own = person.id == principal.person_id
    if not (own or principal.is_admin or (person.council_id is not None and principal.council_id == person.council_id)):
        raise Problem(404, f"No person with id {person_id}.")
    if not (own or principal.is_admin or principal.has("organiser", "manager")):
        raise Problem(403, "Only the person, organisers and managers of their council (or an admin) can read this.")
    total = (
        await session.exec(select(func.count()).select_from(AccountEvent).where(AccountEvent.person_id == person.id))
    ).one()
    rows = await accounts.history(session, person_id=person.id, limit=page.limit, offset=page.offset)
    return Page[AccountEventPublic].of(
        [AccountEventPublic.model_validate(e, from_attributes=True) for e in rows], total, page
    )
