"""Dependencies declared once: the session, the typed state, the caller, and load-and-check of a trial.

`ReadableTrial` / `ChangeableTrial` load the trial named in the path and check the caller against it
(access.py), so every route that takes a `trial_id` says the same thing to the same caller.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query
from sqlmodel import select

from followup import access
from followup.clients.ideas import IdeasClient
from followup.federation import Importer
from followup.models import Trial
from followup.settings import Settings
from followup.state import STATE, FollowupState
from platform_core.auth import CurrentPrincipal, Principal, require_roles
from platform_core.db import SessionDep
from platform_core.pages import OFFSET_MAX, PAGE_MAX
from platform_core.service_auth import only_from

__all__ = [
    "Admin",
    "Caller",
    "ImporterDep",
    "ChangeableTrial",
    "IdeasDep",
    "Manager",
    "ReadableTrial",
    "SessionDep",
    "SettingsDep",
    "StateDep",
]


StateDep = Annotated[FollowupState, Depends(STATE.dependency)]


async def _settings(state: StateDep) -> Settings:
    return state.settings


async def _ideas(state: StateDep) -> IdeasClient:
    return state.ideas


async def _importer(state: StateDep) -> Importer:
    return state.importer


SettingsDep = Annotated[Settings, Depends(_settings)]
IdeasDep = Annotated[IdeasClient, Depends(_ideas)]
ImporterDep = Annotated[Importer, Depends(_importer)]
Caller = CurrentPrincipal
Manager = Annotated[Principal, Depends(require_roles("manager"))]
# The platform's admins (no council) keep the list of other platforms it imports from.
Admin = Annotated[Principal, Depends(require_roles("admin"))]


# Internal routes' callers (platform_core.service_auth): the voting service alone opens trials.
FromVoting = Annotated[Principal, Depends(only_from("voting"))]

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

Limit = Annotated[int, Query(ge=1, le=PAGE_MAX)]
Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX)]
