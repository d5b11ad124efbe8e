"""Dependencies declared once: the session, the typed state, the caller, and load-and-check of a trial.

`ReadableTrial` / `ChangeableTrial` load the trial named in the path and check the caller against it
(access.py), so every route that takes a `trial_id` says the same thing to the same caller.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from sqlmodel import select

from followup import access
from followup.clients.ideas import IdeasClient
from followup.models import Trial
from followup.settings import Settings
from followup.state import FollowupState
from platform_core.auth import CurrentPrincipal, Principal, require_roles
from platform_core.db import SessionDep
from platform_core.problems import Problem

__all__ = ["Caller", "ChangeableTrial", "IdeasDep", "Manager", "ReadableTrial", "SessionDep", "SettingsDep", "StateDep"]

MAX_PAGE = 200
# Far beyond any real list; keeps a silly offset from overflowing the database integer.
MAX_OFFSET = 1_000_000


def _state(request: Request) -> FollowupState:
    return request.app.state.followup


StateDep = Annotated[FollowupState, Depends(_state)]


def _settings(state: StateDep) -> Settings:
    return state.settings


def _ideas(state: StateDep) -> IdeasClient:
    return state.ideas


SettingsDep = Annotated[Settings, Depends(_settings)]
IdeasDep = Annotated[IdeasClient, Depends(_ideas)]
Caller = CurrentPrincipal
Manager = Annotated[Principal, Depends(require_roles("manager"))]


async def _service_only(principal: CurrentPrincipal) -> Principal:
    # Not even admins: this is a machine-to-machine door, opened only by the service credential.
    if not principal.is_service:
        raise Problem(403, "Only the platform's own services may call this endpoint.")
    return principal


ServiceCaller = Annotated[Principal, Depends(_service_only)]

TrialId = Annotated[uuid.UUID, Path(description="The trial's id")]


async def valid_trial_id(trial_id: TrialId, session: SessionDep, principal: CurrentPrincipal) -> Trial:
    """The trial, if the caller may read it (404 otherwise)."""
    return access.check_reading(principal, await session.get(Trial, trial_id), trial_id)


async def changeable_trial_id(trial_id: TrialId, session: SessionDep, principal: Manager) -> Trial:
    """The trial, locked for the change (PostgreSQL row lock; SQLite writers are serialised already),
    if the caller may change it (404 if they cannot see it, 403 if they may only read it)."""
    trial = (await session.exec(select(Trial).where(Trial.id == trial_id).with_for_update())).one_or_none()
    return access.check_change(principal, trial, trial_id)


ReadableTrial = Annotated[Trial, Depends(valid_trial_id)]
ChangeableTrial = Annotated[Trial, Depends(changeable_trial_id)]

IfMatch = Annotated[str | None, Header(description="The ETag you last read (its version).")]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Repeat a create safely: a retry replays.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def check_version(current: int, if_match: str | None, *, required: bool) -> None:
    """ETag / If-Match: 428 when required and missing, 412 when stale."""
    if if_match is None:
        if required:
            raise Problem(
                428,
                "Send If-Match with the ETag you last read, so nobody's change is silently overwritten.",
                errors=[{"field": "If-Match", "message": "required"}],
            )
        return
    wanted = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" not in wanted and str(current) not in wanted:
        raise Problem(
            412,
            f"This was changed since you read it (now version {current}); reload and try again.",
            errors=[{"field": "If-Match", "message": f"stale; current version is {current}"}],
        )
