"""Lists of ideas (filters, text search, pages with a hard maximum) and the organisers' CSV export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.models import HackDay, Idea, IdeaAuthor, IdeaTag
from ideas.schemas import as_utc, normalise_tag
from ideas.vocabulary import OUT_OF_PLAY, STATUSES
from platform_core import csv
from platform_core.auth import Principal
from platform_core.problems import Problem


@dataclass(frozen=True)
class IdeaFilter:
    hack_day_id: uuid.UUID | None = None
    service_area: str | None = None
    tag: str | None = None
    status: str | None = None
    q: str | None = None
    mine: bool = False
    council_id: uuid.UUID | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _visible(principal: Principal, council_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """Whose ideas a list shows this caller, and whether hidden ones: the rule the list and its counts share.

    The caller's council (admins: any council, or the one named); hidden ideas only for organisers.
    """
    where: list[ColumnElement[bool]] = []
    if access.reads_everything(principal):
        if council_id is not None:
            where.append(col(Idea.council_id) == council_id)
    elif principal.council_id is None:
        raise Problem(403, "Ideas are listed per council; your sign-in belongs to none.")
    else:
        if council_id is not None and council_id != principal.council_id:
            raise Problem(
                403,
                "You can list only your own council's ideas; use similar-idea search to find other councils' ideas.",
                errors=[{"field": "council_id", "message": "not your council"}],
            )
        where.append(col(Idea.council_id) == principal.council_id)
    if not (access.reads_everything(principal) or principal.has("organiser")):
        where.append(col(Idea.status) != "hidden")
    return where


async def page(
    session: AsyncSession, principal: Principal, f: IdeaFilter, *, limit: int, offset: int
) -> tuple[list[Idea], int]:
    """Ideas of the caller's council (admins and services: any council), newest first.

    Withdrawn and hidden ideas are left out unless asked for by `status`; hidden ones are listed
    only for organisers.
    """
    query = select(Idea).where(*_visible(principal, f.council_id))
    if f.status is not None:
        query = query.where(Idea.status == f.status)
    else:
        query = query.where(col(Idea.status).not_in(list(OUT_OF_PLAY)))
    if f.hack_day_id is not None:
        query = query.where(Idea.hack_day_id == f.hack_day_id)
    if f.service_area is not None:
        query = query.where(Idea.service_area == f.service_area)
    if f.tag:
        tag = normalise_tag(f.tag)
        query = query.where(col(Idea.id).in_(select(IdeaTag.idea_id).where(IdeaTag.tag == tag)))
    if f.q:
        pattern = _like(f.q.strip())
        query = query.where(
            or_(
                col(Idea.title).ilike(pattern, escape="\\"),
                col(Idea.problem).ilike(pattern, escape="\\"),
                col(Idea.proposal).ilike(pattern, escape="\\"),
            )
        )
    if f.mine:
        query = query.where(
            col(Idea.id).in_(
                select(IdeaAuthor.idea_id).where(
                    IdeaAuthor.person_id == principal.person_id, col(IdeaAuthor.joined_at).is_not(None)
                )
            )
        )
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(Idea.created_at).desc(), col(Idea.id)).offset(offset).limit(limit))
    return list(rows.all()), total


@dataclass(frozen=True)
class Counts:
    in_play: int
    by_status: dict[str, int]


async def counts(session: AsyncSession, principal: Principal, *, council_id: uuid.UUID | None = None) -> Counts:
    """The totals the list would answer with no filter but `status` (and with none), in one query."""
    query = select(Idea.status, func.count()).where(*_visible(principal, council_id)).group_by(col(Idea.status))
    by_status = dict.fromkeys(STATUSES, 0) | {status: n for status, n in (await session.exec(query)).all()}
    return Counts(in_play=sum(n for s, n in by_status.items() if s not in OUT_OF_PLAY), by_status=by_status)


CSV_COLUMNS = [
    "id",
    "title",
    "status",
    "service_area",
    "problem",
    "proposal",
    "benefit_amount",
    "benefit_unit",
    "beneficiaries",
    "benefit_note",
    "tags",
    "partners",
    "authors",
    "duplicate_of_id",
    "hidden_reason",
    "created_at",
    "updated_at",
]


async def export_csv(session: AsyncSession, hack_day: HackDay) -> str:
    """Every idea of the hack day, whatever its status, for the organisers' own records."""
    ideas = list(
        (
            await session.exec(
                select(Idea).where(Idea.hack_day_id == hack_day.id).order_by(col(Idea.created_at), col(Idea.id))
            )
        ).all()
    )
    names: dict[uuid.UUID, list[IdeaAuthor]] = {i.id: [] for i in ideas}
    if ideas:
        for author in (await session.exec(select(IdeaAuthor).where(col(IdeaAuthor.idea_id).in_(list(names))))).all():
            names[author.idea_id].append(author)
    rows: list[list[object]] = []
    for idea in ideas:
        order = access.team_ids(names[idea.id])
        by_id = {a.person_id: a.name for a in names[idea.id]}
        rows.append(
            [
                idea.id,
                idea.title,
                idea.status,
                idea.service_area,
                idea.problem,
                idea.proposal,
                idea.benefit_amount,
                idea.benefit_unit,
                idea.benefit_for,
                idea.benefit_note,
                "; ".join(idea.tags),
                "; ".join(idea.partners),
                "; ".join(by_id[p] for p in order),
                idea.duplicate_of_id,
                idea.hidden_reason,
                as_utc(idea.created_at).isoformat(),
                as_utc(idea.updated_at).isoformat(),
            ]
        )
    return csv.write(CSV_COLUMNS, rows)
