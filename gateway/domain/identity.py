"""Identity rules: councils, people, invitations, logins and API keys (no HTTP here)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.domain.auth_versions import AuthVersions, keys_of, raise_versions
from gateway.domain.passwords import (
    hash_password,
    needs_rehash,
    new_secret,
    secret_digest,
    verify_password,
)
from gateway.models import AccountEvent, ApiKey, Council, Invitation, Person
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem

INVITATION_DAYS = 14


async def _hash(password: str) -> str:
    # Argon2 is deliberately slow (tens of ms of CPU): off the event loop, so one sign-in does not
    # stall every other request through the gateway.
    return await asyncio.to_thread(hash_password, password)


async def get_council(session: AsyncSession, council_id: uuid.UUID) -> Council:
    council = await session.get(Council, council_id)
    if council is None:
        raise Problem(404, f"No council with id {council_id}.")
    return council


async def change_council(session: AsyncSession, *, council: Council, changes: dict[str, Any]) -> Council:
    """Apply the fields sent (today the contact address) and raise the council's version."""
    for field, value in changes.items():
        setattr(council, field, value)
    council.version += 1
    session.add(council)
    await session.flush()
    return council


async def create_council(session: AsyncSession, *, name: str, slug: str) -> Council:
    clash = (await session.exec(select(Council).where((Council.slug == slug) | (Council.name == name)))).first()
    if clash is not None:
        field = "slug" if clash.slug == slug else "name"
        raise Problem(
            409, f"A council with this {field} already exists.", errors=[{"field": field, "message": "already taken"}]
        )
    council = Council(name=name, slug=slug)
    session.add(council)
    await session.flush()
    return council


async def get_person(session: AsyncSession, person_id: uuid.UUID) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise Problem(404, f"No person with id {person_id}.")
    return person


async def create_person(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    council_id: uuid.UUID | None,
    roles: list[str],
    password: str | None,
) -> tuple[Person, str | None]:
    """Create a person; without a password they get a one-time invitation code (returned once)."""
    email = email.lower()
    if (await session.exec(select(Person.id).where(Person.email == email))).first() is not None:
        raise Problem(
            409, f"{email} is already registered.", errors=[{"field": "email", "message": "already registered"}]
        )
    if council_id is not None:
        await get_council(session, council_id)
    elif "admin" not in roles:
        raise Problem(
            422,
            "A person who is not an admin must belong to a council.",
            errors=[{"field": "council_id", "message": "required unless the person is an admin"}],
        )
    person = Person(
        email=email,
        name=name,
        council_id=council_id,
        roles=sorted(set(roles)),
        password_hash=await _hash(password) if password else None,
    )
    session.add(person)
    await session.flush()
    code = None if password else await _invite(session, person)
    return person, code


async def _invite(session: AsyncSession, person: Person) -> str:
    code = new_secret("inv")
    session.add(
        Invitation(
            person_id=person.id,
            code_hash=secret_digest(code),
            expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
        )
    )
    return code


async def add_staff_in_bulk(
    session: AsyncSession, *, council_id: uuid.UUID, people: list[tuple[str, str]]
) -> tuple[list[tuple[Person, str]], list[str]]:
    """Register many staff at once (a hack day's few hundred). Emails already registered in this council
    are reported, not failed; one registered in another council is skipped without saying so.

    No password hashing happens here, so 500 people take well under a second: each gets an
    invitation code instead and chooses a password when they first sign in.
    """
    await get_council(session, council_id)
    wanted: dict[str, str] = {}
    for email, name in people:
        wanted.setdefault(email.lower(), name)
    found = (
        await session.exec(select(Person.email, Person.council_id).where(col(Person.email).in_(list(wanted))))
    ).all()
    existing = {email for email, _ in found}
    # Reported only within the council: whether an address is registered in another council is that
    # council's business (an organiser must not be able to probe for it).
    ours = sorted(email for email, council in found if council == council_id)
    created: list[tuple[Person, str]] = []
    for email, name in wanted.items():
        if email in existing:
            continue
        person = Person(email=email, name=name, council_id=council_id, roles=["staff"])
        session.add(person)
        created.append((person, ""))
    await session.flush()
    created = [(p, await _invite(session, p)) for p, _ in created]
    await session.flush()
    return created, ours


async def reissue_invitation(session: AsyncSession, *, person: Person) -> str:
    """A new invitation code for someone who lost theirs; every earlier unused code stops working."""
    if person.password_hash is not None:
        raise Problem(
            409,
            "This person has already chosen a password; they can choose a new one with POST /api/auth/password-reset.",
        )
    if not person.active:
        raise Problem(409, "This person is deactivated; reactivate them first.")
    await session.execute(
        update(Invitation)
        .where(col(Invitation.person_id) == person.id, col(Invitation.used_at).is_(None))
        .values(used_at=utcnow())
    )
    code = await _invite(session, person)
    await session.flush()
    return code


async def accept_invitation(session: AsyncSession, *, code: str, password: str) -> Person:
    invitation = (await session.exec(select(Invitation).where(Invitation.code_hash == secret_digest(code)))).first()
    now = utcnow()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < now:
        raise Problem(
            400,
            "This invitation code is not valid (unknown, used or expired).",
            errors=[{"field": "code", "message": "not valid"}],
        )
    person = await get_person(session, invitation.person_id)
    if not person.active:
        raise Problem(
            400,
            "This invitation code is not valid (unknown, used or expired).",
            errors=[{"field": "code", "message": "not valid"}],
        )
    person.password_hash = await _hash(password)
    invitation.used_at = now
    session.add_all([person, invitation])
    await session.flush()
    return person


async def login(session: AsyncSession, *, email: str, password: str) -> Person:
    """The person with this email and password, or the same 401 whatever was wrong.

    An unknown email costs one Argon2 verification too (against a dummy hash), so neither the answer
    nor its timing tells whether an email is registered. Throttling is the caller's (sign_in_throttle).
    """
    person = (await session.exec(select(Person).where(Person.email == email.lower()))).first()
    ok = await asyncio.to_thread(verify_password, person.password_hash if person else None, password)
    if person is None or not ok or not person.active:
        raise Problem(401, "Email or password is not right.")
    if needs_rehash(person.password_hash or ""):
        person.password_hash = await _hash(password)
        session.add(person)
    return person


async def council_name(session: AsyncSession, council_id: uuid.UUID | None) -> str:
    if council_id is None:
        return ""
    council = await session.get(Council, council_id)
    return council.name if council else ""


async def count_people(session: AsyncSession, council_id: uuid.UUID) -> int:
    return (await session.exec(select(func.count()).where(Person.council_id == council_id))).one()


async def create_api_key(
    session: AsyncSession, *, creator: Principal, name: str, roles: list[str]
) -> tuple[ApiKey, str]:
    """An API key acts for the creator's council with at most the creator's roles."""
    if not creator.is_admin and not set(roles) <= set(creator.roles):
        raise Problem(
            403,
            "An API key cannot hold a role its creator does not have.",
            errors=[{"field": "roles", "message": "exceeds your own roles"}],
        )
    key = new_secret("hk")
    api_key = ApiKey(
        name=name,
        prefix=key[:10],
        key_hash=secret_digest(key),
        council_id=creator.council_id,
        roles=sorted(set(roles)),
        created_by=creator.person_id,
    )
    session.add(api_key)
    await session.flush()
    return api_key, key


SERVICE_NAMES = ("ideas", "voting", "followup")


def service_of(api_key: ApiKey) -> str | None:
    """Which service a service credential belongs to (its name), put in its tokens' `service` claim
    so that each internal route lets in only the services it is meant for; None for other keys."""
    return api_key.name if "service" in api_key.roles else None


async def create_service_key(session: AsyncSession, *, name: str, created_by: uuid.UUID | None = None) -> str:
    """A service's own credential (role `service`, no council) for background work between services;
    named after the service, which its tokens then name."""
    if name not in SERVICE_NAMES:
        raise Problem(
            422,
            f"A service credential is named after its service: one of {', '.join(SERVICE_NAMES)}.",
            errors=[{"field": "name", "message": "not a service of the platform"}],
        )
    key = new_secret("hks")
    session.add(
        ApiKey(
            name=name,
            prefix=key[:10],
            key_hash=secret_digest(key),
            council_id=None,
            roles=["service"],
            created_by=created_by,
        )
    )
    await session.flush()
    return key


async def find_api_key(session: AsyncSession, key: str) -> tuple[ApiKey, list[str]] | None:
    """An unrevoked key and the roles it holds now, or None if it is not usable.

    A key never holds more than its creator holds now: its roles are cut to the creator's current
    ones (all of them for an admin), and a key whose creator left, or who kept none of its roles, is
    not usable. Keys made by command (services') have no creator and keep their roles.
    """
    api_key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == secret_digest(key)))).first()
    if api_key is None or api_key.revoked_at is not None:
        return None
    if api_key.created_by is None:
        return api_key, list(api_key.roles)
    creator = await session.get(Person, api_key.created_by)
    if creator is None or not creator.active:
        return None
    roles = list(api_key.roles) if "admin" in creator.roles else sorted(set(api_key.roles) & set(creator.roles))
    return (api_key, roles) if roles else None


async def set_roles(
    session: AsyncSession, versions: AuthVersions, *, person: Person, roles: list[str], by: uuid.UUID | None
) -> Person:
    """Give a person these roles; their tokens and their keys' tokens are refused once this commits.
    Who changed whose roles, from what to what, is kept in the account's history."""
    roles = sorted(set(roles))
    if roles == sorted(person.roles):
        return person
    session.add(
        AccountEvent(
            person_id=person.id, kind="roles_changed", by=by, detail={"from": sorted(person.roles), "to": roles}
        )
    )
    person.roles = roles
    person.version += 1
    raise_versions(session, versions, [person, *await keys_of(session, person.id)])
    await session.flush()
    return person


async def revoke_api_key(session: AsyncSession, versions: AuthVersions, *, api_key: ApiKey) -> None:
    """Revoke a key; the key and every token exchanged for it are refused once this commits."""
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        raise_versions(session, versions, [api_key])
        await session.flush()
