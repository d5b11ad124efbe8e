"""Who may see and change a trial: per object (its council), per function (managers), per property.

A trial belongs to one council. People of that council may read it; only its managers may change
it. Another council never learns a trial exists (404) until it is published to the library.
Admins (platform operators, no council) may read every trial but change none: trials are run by
the council's own managers.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.models import Trial
from platform_core.auth import Principal
from platform_core.problems import Problem


def can_read(principal: Principal, trial: Trial) -> bool:
    return principal.is_admin or principal.in_council(trial.council_id)


def can_change(principal: Principal, trial: Trial) -> bool:
    return principal.in_council(trial.council_id) and principal.has("manager", "admin")


def not_found(trial_id: uuid.UUID) -> Problem:
    return Problem(404, f"There is no trial {trial_id} that you can see.")


async def trial_for_reading(session: AsyncSession, trial_id: uuid.UUID, principal: Principal) -> Trial:
    trial = await session.get(Trial, trial_id)
    if trial is None or not can_read(principal, trial):
        raise not_found(trial_id)
    return trial


async def trial_for_change(session: AsyncSession, trial_id: uuid.UUID, principal: Principal) -> Trial:
    """Load and lock the trial (PostgreSQL row lock; SQLite writers are serialised already)."""
    trial = (await session.exec(select(Trial).where(Trial.id == trial_id).with_for_update())).one_or_none()
    if trial is None or not can_read(principal, trial):
        raise not_found(trial_id)
    if not can_change(principal, trial):
        raise Problem(403, "Only managers of the trial's council can change it.")
    return trial


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
