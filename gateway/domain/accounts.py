"""Sessions and account life: rotating refresh tokens, signing out (everywhere), new passwords,
deactivating a leaver and reactivating them. No HTTP here.

A session is a family of refresh tokens. Each refresh token is used once: using it marks it used and
issues the next of its family. Presenting a used one again means someone holds a copy (the person or
a thief, no way to tell), so the whole family is revoked and both must sign in again (OAuth 2.0
Security BCP, refresh token rotation). Tokens are stored as SHA-256 digests of 256 random bits.

Whatever must end a person's access *now* (deactivation, sign out everywhere, a new password) revokes
their refresh tokens and raises their auth version, so their access tokens are refused on the next
request too (auth_versions.py); deactivation also revokes the API keys they made.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, CursorResult, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.domain.auth_versions import AuthVersions, keys_of, raise_versions
from gateway.domain.passwords import hash_password, new_secret, secret_digest, verify_password
from gateway.models import AccountEvent, PasswordReset, Person, RefreshToken
from platform_core.clock import utcnow
from platform_core.problems import Problem

NOT_VALID = "The refresh token is not valid (unknown, expired, signed out or already used); sign in again."


def record(session: AsyncSession, *, person: Person, kind: str, by: uuid.UUID | None, **detail: object) -> None:
    session.add(AccountEvent(person_id=person.id, kind=kind, by=by, detail=detail))


async def start_session(
    session: AsyncSession, *, person: Person, idle: timedelta, longest: timedelta
) -> tuple[str, int]:
    """A new session for a person who just proved who they are: its first refresh token, and its life in s."""
    now = utcnow()
    return _issue(session, person_id=person.id, family_id=uuid.uuid4(), now=now, idle=idle, ends=now + longest)


def _issue(
    session: AsyncSession, *, person_id: uuid.UUID, family_id: uuid.UUID, now: datetime, idle: timedelta, ends: datetime
) -> tuple[str, int]:
    token = new_secret("hr")
    expires = min(now + idle, ends)
    session.add(
        RefreshToken(
            family_id=family_id,
            person_id=person_id,
            token_hash=secret_digest(token),
            expires_at=expires,
            session_ends_at=ends,
            created_at=now,
        )
    )
    return token, int((expires - now).total_seconds())


class RefreshReused(Problem):
    """A used refresh token came back: its family was revoked (the caller commits that, then answers)."""

    def __init__(self) -> None:
        super().__init__(401, NOT_VALID)


async def rotate(session: AsyncSession, *, token: str, idle: timedelta) -> tuple[Person, str, int]:
    """Use a refresh token once: the person it signs in, and the next token of its family."""
    row = (await session.exec(select(RefreshToken).where(RefreshToken.token_hash == secret_digest(token)))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or row.session_ends_at <= now:
        raise Problem(401, NOT_VALID)
    # Marked used only if nobody else did first: of two uses of one token, exactly one rotates.
    marked = await session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
    )
    if cast(CursorResult, marked).rowcount != 1:
        await _revoke(session, col(RefreshToken.family_id) == row.family_id, now)
        raise RefreshReused()
    person = await session.get(Person, row.person_id)
    if person is None or not person.active:
        raise Problem(401, NOT_VALID)
    next_token, seconds = _issue(
        session, person_id=person.id, family_id=row.family_id, now=now, idle=idle, ends=row.session_ends_at
    )
    return person, next_token, seconds


async def _revoke(session: AsyncSession, where: ColumnElement[bool], now: datetime) -> None:
    await session.execute(
        update(RefreshToken).where(where, col(RefreshToken.revoked_at).is_(None)).values(revoked_at=now)
    )


async def sign_out(session: AsyncSession, *, token: str) -> None:
    """End the session this refresh token belongs to (nothing happens for an unknown token)."""
    row = (await session.exec(select(RefreshToken).where(RefreshToken.token_hash == secret_digest(token)))).first()
    if row is not None:
        await _revoke(session, col(RefreshToken.family_id) == row.family_id, utcnow())


async def end_all_sessions(
    session: AsyncSession, versions: AuthVersions, *, person: Person, by: uuid.UUID | None, kind: str
) -> None:
    """Every session of the person ends, and every access token they hold is refused on the next request."""
    await _revoke(session, col(RefreshToken.person_id) == person.id, utcnow())
    raise_versions(session, versions, [person])
    record(session, person=person, kind=kind, by=by)
    await session.flush()


async def change_password(
    session: AsyncSession, versions: AuthVersions, *, person: Person, current: str, new: str
) -> Person:
    """A new password, given the current one; every other session of the person ends."""
    if not await asyncio.to_thread(verify_password, person.password_hash, current):
        raise Problem(
            400,
            "The current password is not right.",
            errors=[{"field": "current_password", "message": "not right"}],
        )
    person.password_hash = await asyncio.to_thread(hash_password, new)
    await end_all_sessions(session, versions, person=person, by=person.id, kind="password_changed")
    return person


async def deactivate(session: AsyncSession, versions: AuthVersions, *, person: Person, by: uuid.UUID) -> Person:
    """A leaver: no sign-in, no session, no token and none of their API keys work from the next request."""
    if by == person.id:
        raise Problem(422, "You cannot deactivate yourself.", errors=[{"field": "person_id", "message": "is yourself"}])
    if not person.active:
        return person
    person.active = False
    person.version += 1
    now = utcnow()
    for key in await keys_of(session, person.id):
        key.revoked_at = now
        raise_versions(session, versions, [key])
    await end_all_sessions(session, versions, person=person, by=by, kind="deactivated")
    return person


async def reactivate(session: AsyncSession, *, person: Person, by: uuid.UUID) -> Person:
    """Someone who came back: they sign in again (their old sessions and keys stay ended)."""
    if person.active:
        return person
    person.active = True
    person.version += 1
    session.add(person)
    record(session, person=person, kind="reactivated", by=by)
    await session.flush()
    return person


async def history(session: AsyncSession, *, person_id: uuid.UUID, limit: int, offset: int) -> list[AccountEvent]:
    rows = await session.exec(
        select(AccountEvent)
        .where(AccountEvent.person_id == person_id)
        .order_by(col(AccountEvent.at).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all())


RESET_AT_MOST_EVERY = timedelta(minutes=2)


async def request_password_reset(session: AsyncSession, *, email: str, minutes: int) -> tuple[Person, str] | None:
    """A reset code for the active person with this email, or None (unknown, deactivated, or one was sent
    less than two minutes ago: nobody's mailbox can be flooded through this)."""
    person = (await session.exec(select(Person).where(Person.email == email.lower()))).first()
    if person is None or not person.active:
        return None
    now = utcnow()
    recent = await session.exec(
        select(PasswordReset.id).where(
            PasswordReset.person_id == person.id, col(PasswordReset.created_at) > now - RESET_AT_MOST_EVERY
        )
    )
    if recent.first() is not None:
        return None
    code = new_secret("pwr")
    session.add(
        PasswordReset(
            person_id=person.id,
            code_hash=secret_digest(code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    await session.flush()
    return person, code


async def complete_password_reset(session: AsyncSession, versions: AuthVersions, *, code: str, password: str) -> Person:
    """A new password with a reset code (once, in time); every session of the person ends."""
    refused = Problem(
        400,
        "This reset code is not valid (unknown, used or expired).",
        errors=[{"field": "code", "message": "not valid"}],
    )
    row = (await session.exec(select(PasswordReset).where(PasswordReset.code_hash == secret_digest(code)))).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise refused
    # Used by exactly one request, however many arrive together.
    marked = await session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.id) == row.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    person = await session.get(Person, row.person_id)
    if cast(CursorResult, marked).rowcount != 1 or person is None or not person.active:
        raise refused
    # Any other code sent to them stops working too.
    await session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.person_id) == person.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    person.password_hash = await asyncio.to_thread(hash_password, password)
    await end_all_sessions(session, versions, person=person, by=person.id, kind="password_reset")
    return person
