"""Hack days: created and run by a council's organisers, seen by the council's people."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.models import HackDay
from ideas.schemas import HackDayCreate, HackDayUpdate
from ideas.vocabulary import PHASE_ORDER
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem

PHASE_SAYS = {
    "draft": "is still a draft: ideas can be submitted once the organisers open it",
    "voting": "is in voting: submissions are frozen",
    "closed": "is closed: submissions are frozen",
}


def require_open(hack_day: HackDay, *, field: str = "hack_day_id") -> None:
    """Ideas are written and changed only while their hack day is open."""
    if hack_day.phase != "open":
        detail = f"Hack day '{hack_day.name}' {PHASE_SAYS[hack_day.phase]}."
        raise Problem(409, detail, errors=[{"field": field, "message": detail}])


async def get_visible(session: AsyncSession, principal: Principal, hack_day_id: uuid.UUID) -> HackDay:
    """The hack day, if this caller may see it; 404 otherwise (another council's events stay unknown)."""
    hack_day = await session.get(HackDay, hack_day_id)
    if hack_day is None or not access.can_see_hack_day(principal, hack_day):
        raise Problem(404, f"There is no hack day {hack_day_id} in your council.")
    return hack_day


def require_organiser(principal: Principal, hack_day: HackDay) -> None:
    if not access.is_organiser(principal, hack_day.council_id):
        raise Problem(403, f"Only organisers of {hack_day.council_name} can run hack day '{hack_day.name}'.")


async def create(session: AsyncSession, principal: Principal, data: HackDayCreate) -> HackDay:
    if principal.council_id is None or not principal.has("organiser"):
        raise Problem(403, "Only an organiser of a council can create its hack days.")
    hack_day = HackDay(
        council_id=principal.council_id,
        council_name=principal.council_name,
        name=data.name,
        date=data.date,
        themes=data.themes,
        created_by=principal.person_id,
    )
    session.add(hack_day)
    await session.flush()
    return hack_day


async def update(session: AsyncSession, principal: Principal, hack_day: HackDay, data: HackDayUpdate) -> HackDay:
    require_organiser(principal, hack_day)
    if hack_day.phase == "closed":
        raise Problem(409, f"Hack day '{hack_day.name}' is closed and can no longer be changed.")
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "date", "themes"):
        if name in changes and changes[name] is None:
            raise Problem(422, f"{name} cannot be cleared.", errors=[{"field": name, "message": "cannot be null"}])
    for name, value in changes.items():
        setattr(hack_day, name, value)
    _touch(hack_day)
    session.add(hack_day)
    await session.flush()
    return hack_day


async def move_phase(session: AsyncSession, principal: Principal, hack_day: HackDay, phase: str) -> HackDay:
    """One step forward at a time; asking for the phase it is already in changes nothing."""
    require_organiser(principal, hack_day)
    if phase == hack_day.phase:
        return hack_day
    current = PHASE_ORDER.index(hack_day.phase)
    if PHASE_ORDER.index(phase) != current + 1:
        allowed = PHASE_ORDER[current + 1] if current + 1 < len(PHASE_ORDER) else None
        detail = f"Hack day '{hack_day.name}' is {hack_day.phase}; " + (
            f"it can move only to {allowed}." if allowed else "it is closed for good."
        )
        raise Problem(409, detail, errors=[{"field": "phase", "message": detail}])
    hack_day.phase = phase
    _touch(hack_day)
    session.add(hack_day)
    await session.flush()
    return hack_day


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    phase: str | None,
    council_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[HackDay], int]:
    """The caller's council's hack days, newest date first (admins: every council, or the one asked)."""
    query = select(HackDay)
    if access.reads_everything(principal):
        if council_id is not None:
            query = query.where(HackDay.council_id == council_id)
    else:
        if council_id is not None and council_id != principal.council_id:
            raise Problem(
                403,
                "You can list only your own council's hack days.",
                errors=[{"field": "council_id", "message": "not your council"}],
            )
        query = query.where(HackDay.council_id == principal.council_id)
    if phase is not None:
        query = query.where(HackDay.phase == phase)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(HackDay.date).desc(), col(HackDay.created_at).desc(), col(HackDay.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


def _touch(hack_day: HackDay) -> None:
    hack_day.version += 1
    hack_day.updated_at = utcnow()
