"""Who may do what: the authorisation rules of the ideas service, as plain functions.

Everything belongs to one council. People of that council see its hack days and ideas; organisers of
that council run its hack days and moderate; an idea's team (lead author and co-authors who joined)
edits it. Another council sees only an idea's title, service area and council, unless the idea's
outcome was published. Admins (platform support) read everything; they also pass every organiser
check, but cannot submit (they belong to no council). A service's own credential belongs to no
council: it reads an idea as another council would, and only on the routes meant for it
(routes/__init__.py, SERVICE_READS).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from ideas.models import HackDay, Idea, IdeaAuthor
from ideas.vocabulary import OUT_OF_PLAY
from platform_core.auth import Principal

ReadLevel = Literal["full", "summary", "none"]


def is_member(principal: Principal, council_id: uuid.UUID) -> bool:
    """A person (or automation key) of this council, whatever their roles."""
    return principal.in_council(council_id)


def is_organiser(principal: Principal, council_id: uuid.UUID) -> bool:
    return principal.is_admin or (principal.has("organiser") and principal.in_council(council_id))


def reads_everything(principal: Principal) -> bool:
    return principal.is_admin


def can_see_hack_day(principal: Principal, hack_day: HackDay) -> bool:
    # A service reaches only the one hack-day route it is let in on (SERVICE_READS), for the date.
    return reads_everything(principal) or principal.is_service or is_member(principal, hack_day.council_id)


def team_ids(team: Sequence[IdeaAuthor]) -> list[uuid.UUID]:
    """Lead author first, then co-authors in the order they joined; pending invitations left out."""
    joined = [a for a in team if a.joined_at is not None]
    joined.sort(key=lambda a: (a.role != "author", a.joined_at))
    return [a.person_id for a in joined]


def is_on_team(principal: Principal, team: Sequence[IdeaAuthor]) -> bool:
    return principal.person_id in team_ids(team)


def is_lead_author(principal: Principal, team: Sequence[IdeaAuthor]) -> bool:
    return any(a.person_id == principal.person_id and a.role == "author" for a in team)


def read_level(principal: Principal, idea: Idea, team: Sequence[IdeaAuthor]) -> ReadLevel:
    """How much of an idea this caller may read."""
    if reads_everything(principal):
        return "full"
    if is_member(principal, idea.council_id):
        if idea.status == "hidden" and not (is_organiser(principal, idea.council_id) or is_on_team(principal, team)):
            return "none"
        return "full"
    return read_level_elsewhere(idea.status, published=idea.outcome_published_at is not None)


def needs_team(principal: Principal, council_id: uuid.UUID) -> bool:
    """Whether what this caller may read of an idea of `council_id` can depend on its team (so the
    idea and its team are read whole); otherwise `read_level_elsewhere` says it."""
    return reads_everything(principal) or is_member(principal, council_id)


def read_level_elsewhere(status: str, *, published: bool) -> ReadLevel:
    """How much a person of another council may read of an idea (its team makes no difference)."""
    if status in OUT_OF_PLAY:
        return "none"
    return "full" if published else "summary"


def sees_moderation(principal: Principal, idea: Idea, team: Sequence[IdeaAuthor]) -> bool:
    """Hide reasons and pending invitations: for the team and the council's organisers only."""
    return is_organiser(principal, idea.council_id) or is_on_team(principal, team)
