"""Auth versions: a token stops working on the next request once what it claims stops being true.

Every person and API key has an `auth_version`, and every token carries the version of its subject at
issue (claim `av`). Whatever makes a token's claims untrue raises the version: a change of roles, a
deactivation, "sign out everywhere", a new password, a revoked key, and for a key any of these
happening to its creator. The edge refuses a token whose version is older than its subject's.

Why this shape: the check has to be nearly free, since every request pays for it (issue 11 wants the
gateway's added p50 under 0.5 ms), so it is one dictionary lookup in memory, never a database read.
The dictionary holds only subjects whose version was ever raised. It is kept true in two ways:
- in the replica that made the change, right after the change commits (so that replica enforces it
  on the very next request);
- in every replica, by reading the `auth_changes` feed every `poll_seconds` (1 s by default). This
  works the same on SQLite and PostgreSQL and needs nothing beside the database the gateway already
  has (no Redis, no dedicated LISTEN connection); its price is one indexed query a second per
  replica, and a change made through another replica is enforced within about a second.

The feed is read as "the changes of the last minute", not "after the last id seen": on PostgreSQL a
row with a smaller id can become visible after one with a larger id (concurrent transactions commit
in any order), and re-reading a minute is cheap and applies idempotently (versions only rise).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.models import ApiKey, AuthChange, Person
from platform_core.auth import Principal, TokenVerifier
from platform_core.clock import utcnow
from platform_core.problems import Problem

log = logging.getLogger("gateway.auth")


LOOKBACK = timedelta(seconds=60)
KEEP_FEED = timedelta(days=1)


class AuthVersions:
    """The current auth version of every subject whose version was ever raised (others are at 0)."""

    def __init__(self) -> None:
        self._current: dict[uuid.UUID, int] = {}

    def current(self, subject_id: uuid.UUID) -> int:
        return self._current.get(subject_id, 0)

    def is_current(self, principal: Principal) -> bool:
        return principal.auth_version >= self._current.get(principal.person_id, 0)

    def check(self, principal: Principal) -> Principal:
        if principal.auth_version < self._current.get(principal.person_id, 0):
            raise Problem(
                401,
                "This token is no longer valid: the roles or standing behind it changed, it was signed out, "
                "or its API key was revoked. Sign in again (or refresh).",
                headers={"WWW-Authenticate": 'Bearer realm="council-hackday", error="invalid_token"'},
            )
        return principal

    def apply(self, changes: Iterable[tuple[uuid.UUID, int]]) -> None:
        for subject_id, version in changes:
            if version > self._current.get(subject_id, 0):
                self._current[subject_id] = version

    async def load(self, session: AsyncSession) -> None:
        """Everything raised so far, from the tables themselves (at start-up)."""
        for model in (Person, ApiKey):
            rows = await session.exec(select(model.id, model.auth_version).where(model.auth_version > 0))
            self.apply(rows.all())

    async def read_feed(self, session: AsyncSession) -> None:
        since = utcnow() - LOOKBACK
        rows = await session.exec(
            select(AuthChange.subject_id, AuthChange.auth_version).where(AuthChange.changed_at > since)
        )
        self.apply(rows.all())

    async def follow(self, sessionmaker, poll_seconds: float) -> None:
        """Read the feed every `poll_seconds` until cancelled; forget feed rows older than a day."""
        next_prune = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(poll_seconds)
            try:
                async with sessionmaker() as session:
                    await self.read_feed(session)
                    if loop.time() >= next_prune:
                        await session.execute(
                            delete(AuthChange).where(col(AuthChange.changed_at) < utcnow() - KEEP_FEED)
                        )
                        await session.commit()
                        next_prune = loop.time() + 3600
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a while; keep the last known versions
                log.warning("could not read the auth changes feed", exc_info=True)


class CheckedTokenVerifier(TokenVerifier):
    """The token check of the gateway: the signature and claims (cached), then the auth version."""

    def __init__(self, *args, versions: AuthVersions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.versions = versions

    def verify(self, token: str) -> Principal:
        return self.versions.check(super().verify(token))


def raise_versions(session: AsyncSession, versions: AuthVersions, subjects: Iterable[Person | ApiKey]) -> None:
    """Raise the auth version of each subject, so its existing tokens are refused once this commits."""
    changes: list[tuple[uuid.UUID, int]] = []
    for subject in subjects:
        subject.auth_version += 1
        session.add(subject)
        session.add(AuthChange(subject_id=subject.id, auth_version=subject.auth_version))
        changes.append((subject.id, subject.auth_version))
    if changes:
        # Applied here only once saved: a rolled-back change must not refuse tokens the database
        # still considers current.
        event.listen(session.sync_session, "after_commit", lambda _s: versions.apply(changes), once=True)


async def keys_of(session: AsyncSession, person_id: uuid.UUID) -> list[ApiKey]:
    """The unrevoked API keys a person made (they follow their creator)."""
    rows = await session.exec(select(ApiKey).where(ApiKey.created_by == person_id, col(ApiKey.revoked_at).is_(None)))
    return list(rows.all())
