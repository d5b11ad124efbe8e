"""Ideas and their teams: submit, edit, withdraw, invite and accept co-authors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.domain import hack_days
from ideas.models import HackDay, Idea, IdeaAuthor, IdeaTag
from ideas.schemas import IdeaCreate, IdeaUpdate
from ideas.vocabulary import CO_AUTHORS_MAX
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem

Team = list[IdeaAuthor]


async def team_of(session: AsyncSession, idea_id: uuid.UUID) -> Team:
    rows = await session.exec(select(IdeaAuthor).where(IdeaAuthor.idea_id == idea_id))
    return list(rows.all())


async def teams_of(session: AsyncSession, idea_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Team]:
    teams: dict[uuid.UUID, Team] = {i: [] for i in idea_ids}
    if idea_ids:
        rows = await session.exec(select(IdeaAuthor).where(col(IdeaAuthor.idea_id).in_(list(idea_ids))))
        for author in rows.all():
            teams[author.idea_id].append(author)
    return teams


async def get_readable(
    session: AsyncSession, principal: Principal, idea_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Idea, Team]:
    """The idea and its team, if this caller may at least know it exists; 404 otherwise."""
    query = select(Idea).where(Idea.id == idea_id)
    if for_update:
        # Two co-authors saving at once queue here on PostgreSQL, so the version check is exact.
        query = query.with_for_update()
    idea = (await session.exec(query)).first()
    if idea is not None:
        team = await team_of(session, idea.id)
        if access.read_level(principal, idea, team) != "none":
            return idea, team
    raise Problem(404, f"There is no idea {idea_id} that you can see.")


def require_team(principal: Principal, idea: Idea, team: Team, action: str) -> None:
    if not access.is_on_team(principal, team):
        raise Problem(403, f"Only the authors of '{idea.title}' can {action} it.")


async def create(session: AsyncSession, principal: Principal, data: IdeaCreate) -> tuple[Idea, Team]:
    hack_day = await session.get(HackDay, data.hack_day_id)
    if hack_day is None or not access.is_member(principal, hack_day.council_id):
        detail = "There is no hack day with this id in your council."
        raise Problem(404, detail, errors=[{"field": "hack_day_id", "message": detail}])
    hack_days.require_open(hack_day)
    idea = Idea(
        hack_day_id=hack_day.id,
        council_id=hack_day.council_id,
        council_name=hack_day.council_name,
        created_by=principal.person_id,
        **_text_fields(data.model_dump(exclude={"hack_day_id"})),
    )
    session.add(idea)
    await session.flush()
    now = utcnow()
    lead = IdeaAuthor(
        idea_id=idea.id,
        person_id=principal.person_id,
        role="author",
        name=principal.name,
        invited_at=now,
        joined_at=now,
    )
    session.add(lead)
    await _set_tags(session, idea)
    await session.flush()
    return idea, [lead]


async def update(session: AsyncSession, principal: Principal, idea: Idea, team: Team, data: IdeaUpdate) -> Idea:
    require_team(principal, idea, team, "edit")
    await _require_editable(session, idea, action="edited")
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "problem", "proposal", "service_area", "tags", "partners"):
        if name in changes and changes[name] is None:
            raise Problem(422, f"{name} cannot be cleared.", errors=[{"field": name, "message": "cannot be null"}])
    for name, value in _text_fields(changes).items():
        setattr(idea, name, value)
    touch(idea)
    session.add(idea)
    if "tags" in changes:
        await _set_tags(session, idea)
    await session.flush()
    return idea


async def withdraw(session: AsyncSession, principal: Principal, idea: Idea, team: Team) -> Idea:
    """Authors take their idea out of play while the day is open or voting; it is kept, not deleted."""
    require_team(principal, idea, team, "withdraw")
    if idea.status == "withdrawn":
        return idea
    if idea.status not in ("submitted", "shortlisted"):
        raise Problem(409, f"'{idea.title}' is {idea.status} and can no longer be withdrawn.")
    hack_day = await session.get(HackDay, idea.hack_day_id)
    assert hack_day is not None  # an idea's hack day is held by a foreign key
    if hack_day.phase not in ("open", "voting"):
        raise Problem(409, f"Hack day '{hack_day.name}' is {hack_day.phase}: ideas can no longer be withdrawn.")
    idea.status = "withdrawn"
    idea.withdrawn_at = utcnow()
    touch(idea)
    session.add(idea)
    await session.flush()
    return idea


async def invite_co_author(
    session: AsyncSession, principal: Principal, idea: Idea, team: Team, person_id: uuid.UUID
) -> Team:
    """The lead author invites a colleague by person id; they join by accepting (see `accept`).

    The ideas service holds no directory of people, so the invitee's own sign-in is what proves
    they belong to the idea's council, and nobody is put on a team without agreeing.
    """
    if not access.is_lead_author(principal, team):
        raise Problem(403, f"Only the lead author of '{idea.title}' can invite co-authors.")
    await _require_editable(session, idea, action="given new co-authors")
    if any(a.person_id == person_id for a in team):
        return team
    if len(team) - 1 >= CO_AUTHORS_MAX:
        detail = f"An idea can have at most {CO_AUTHORS_MAX} co-authors."
        raise Problem(409, detail, errors=[{"field": "person_id", "message": detail}])
    invited = IdeaAuthor(idea_id=idea.id, person_id=person_id, role="co_author", invited_at=utcnow())
    session.add(invited)
    touch(idea)
    session.add(idea)
    await session.flush()
    return [*team, invited]


async def accept(session: AsyncSession, principal: Principal, idea: Idea, team: Team) -> Team:
    mine = next((a for a in team if a.person_id == principal.person_id), None)
    if mine is None:
        raise Problem(403, f"You have not been invited to join '{idea.title}'.")
    if not access.is_member(principal, idea.council_id):
        raise Problem(403, f"Only people of {idea.council_name} can join the team of '{idea.title}'.")
    if mine.joined_at is not None:
        return team
    await _require_editable(session, idea, action="joined")
    mine.joined_at = utcnow()
    mine.name = principal.name
    session.add(mine)
    touch(idea)
    session.add(idea)
    await session.flush()
    return team


async def remove_co_author(
    session: AsyncSession, principal: Principal, idea: Idea, team: Team, person_id: uuid.UUID
) -> Team:
    """The lead author removes a co-author (or withdraws an invitation); anyone may leave a team."""
    member = next((a for a in team if a.person_id == person_id), None)
    leaving = person_id == principal.person_id
    if not (access.is_lead_author(principal, team) or (leaving and member is not None)):
        raise Problem(403, f"Only the lead author of '{idea.title}' can remove co-authors.")
    if member is None:
        raise Problem(404, f"{person_id} is not on the team of '{idea.title}'.")
    if member.role == "author":
        raise Problem(409, "The lead author cannot leave their own idea; withdraw the idea instead.")
    await session.delete(member)
    touch(idea)
    session.add(idea)
    await session.flush()
    return [a for a in team if a.person_id != person_id]


def touch(idea: Idea) -> None:
    idea.version += 1
    idea.updated_at = utcnow()


async def _require_editable(session: AsyncSession, idea: Idea, *, action: str) -> None:
    if idea.status not in ("submitted", "shortlisted"):
        raise Problem(409, f"'{idea.title}' is {idea.status} and can no longer be {action}.")
    hack_day = await session.get(HackDay, idea.hack_day_id)
    assert hack_day is not None  # an idea's hack day is held by a foreign key
    hack_days.require_open(hack_day, field="hack_day")


def _text_fields(data: dict[str, Any]) -> dict[str, Any]:
    """API fields -> columns (the expected benefit is stored flat)."""
    out = {k: v for k, v in data.items() if k != "expected_benefit"}
    if "expected_benefit" in data:
        benefit = data["expected_benefit"] or {}
        out["benefit_amount"] = benefit.get("amount")
        out["benefit_unit"] = benefit.get("unit")
        out["benefit_for"] = benefit.get("beneficiaries")
        out["benefit_note"] = benefit.get("note")
    return out


async def _set_tags(session: AsyncSession, idea: Idea) -> None:
    await session.exec(delete(IdeaTag).where(col(IdeaTag.idea_id) == idea.id))
    for tag in idea.tags:
        session.add(IdeaTag(idea_id=idea.id, tag=tag))
