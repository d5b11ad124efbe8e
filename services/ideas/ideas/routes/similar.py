"""Similar ideas across every council, shaped by what the caller may read; fast enough for typing."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from fastapi import APIRouter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.deps import BuiltIndexDep
from ideas.domain import ideas, search
from ideas.domain.search import public_text, searchable, whole_text
from ideas.models import Idea, ImportedVerdict
from ideas.schemas import (
    SimilarAnswer,
    SimilarIdea,
    SimilarQuery,
    SimilarToIdea,
    SimilarToIdeasAnswer,
    SimilarToIdeasQuery,
    SimilarView,
)
from ideas.similarity import idea_text
from ideas.views import idea_view, imported_view, summary_view
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import READ_ONLY, SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/ideas", tags=["similar ideas"])


@router.post(
    "/similar",
    response_model=SimilarAnswer,
    summary="The existing ideas most like a draft, best first, from every council",
    responses=responses(401, 422, 503),
)
async def similar_ideas(
    body: SimilarQuery, session: SessionDep, principal: CurrentPrincipal, index: BuiltIndexDep
) -> SimilarAnswer:
    # Ask for a few more than wanted: the database is the judge of what is still searchable.
    """The existing ideas most like a draft (its title, problem and proposal), best first, from every council, so an
    author can see what was tried before and join or build on it. Anyone signed in may ask. Each idea is scored
    only on the text you may read of it and shown as you may read it: in full for your own council, a summary
    (title, area, council) for other councils until their outcome is published; hidden and withdrawn ideas never
    appear. A 503 means the search is still starting: try again after `Retry-After`."""
    await session.connection(execution_options=READ_ONLY)
    hits = index.search(
        idea_text(body.title, body.problem or "", body.proposal or ""),
        body.limit + 5,
        council_id=principal.council_id,
        reads_everything=access.reads_everything(principal),
        exclude=(body.exclude_idea_id,) if body.exclude_idea_id else (),
    )
    return SimilarAnswer(
        items=_shape(principal, hits, body.limit, await _read(session, principal, [i for i, _ in hits]))
    )


class _Reads(NamedTuple):
    """What the database says of a set of hits: read once for every search of a request."""

    glances: dict[uuid.UUID, Any]
    rows: dict[uuid.UUID, Idea]
    imported: dict[uuid.UUID, ImportedVerdict]
    teams: dict[uuid.UUID, ideas.Team]


async def _read(session: AsyncSession, principal: Principal, ids: list[uuid.UUID]) -> _Reads:
    """The database's word on these hits; the database judges what is searchable.
    A hit is one of this platform's ideas or a verdict imported from another platform (read by all).
    Most hits are other councils' unpublished ideas, shown as a summary: their glance is all that is read.
    Only ideas the caller may read whole (or whose team decides it) are read whole, with their teams.
    One query each, however many searches the hits came from."""
    if not ids:
        return _Reads({}, {}, {}, {})
    glances = await search.glances(session, ids)
    whole = [i for i, g in glances.items() if access.needs_team(principal, g.council_id) or g.outcome_published_at]
    rows = {i.id: i for i in (await session.exec(select(Idea).where(col(Idea.id).in_(whole)))).all()} if whole else {}
    # Asked only when a hit is not an idea here, so a search among ideas alone costs no more.
    others = [i for i in ids if i not in glances]
    imported = (
        {
            row.id: row
            for row in (
                await session.exec(
                    select(ImportedVerdict).where(
                        col(ImportedVerdict.id).in_(others), col(ImportedVerdict.withdrawn_at).is_(None)
                    )
                )
            ).all()
        }
        if others
        else {}
    )
    return _Reads(glances, rows, imported, await ideas.teams_of(session, list(rows)))


def _shape(principal: Principal, hits: list[tuple[uuid.UUID, float]], limit: int, reads: _Reads) -> list[SimilarIdea]:
    """The hits as this caller may read them, `limit` at most, from what `_read` read of them."""
    glances, rows, imported, teams = reads
    items: list[SimilarIdea] = []
    for idea_id, score in hits:
        glance = glances.get(idea_id)
        view: SimilarView | None
        # The index of another replica may lag by a few seconds: trust the database, not the index.
        if idea_id in imported:
            view = imported_view(imported[idea_id])
        elif glance is None or not searchable(glance.status):
            continue
        elif idea_id in rows:
            view = idea_view(principal, rows[idea_id], teams[idea_id])
        elif access.read_level_elsewhere(glance.status, published=glance.outcome_published_at is not None) == "summary":
            view = summary_view(glance)
        else:
            continue  # not reached: every idea the caller may read whole is in `rows`
        if view is not None:
            items.append(SimilarIdea(score=round(min(max(score, 0.0), 1.0), 4), idea=view))
        if len(items) == limit:
            break
    return items


@router.post(
    "/similar/to-ideas",
    response_model=SimilarToIdeasAnswer,
    summary="For each of a list of ideas (a shortlist, a ballot), the other ideas most like it",
    responses=responses(401, 404, 422, 503),
)
async def similar_to_ideas(
    body: SimilarToIdeasQuery, session: SessionDep, principal: CurrentPrincipal, index: BuiltIndexDep
) -> SimilarToIdeasAnswer:
    """For each idea of a list (a shortlist, a ballot), the other ideas most like it, best first, from every
    council, shown as you may read them. Each listed idea must be one you can see (404 naming it otherwise), and
    is matched on the text you may read of it. A 503 means the search is still starting: try again after
    `Retry-After`."""
    await session.connection(execution_options=READ_ONLY)
    rows = {i.id: i for i in (await session.exec(select(Idea).where(col(Idea.id).in_(body.idea_ids)))).all()}
    teams = await ideas.teams_of(session, list(rows))
    found: list[tuple[uuid.UUID, list[tuple[uuid.UUID, float]]]] = []
    for idea_id in body.idea_ids:
        idea = rows.get(idea_id)
        level = access.read_level(principal, idea, teams[idea_id]) if idea is not None else "none"
        if idea is None or level == "none":
            detail = f"There is no idea {idea_id} that you can see."
            raise Problem(404, detail, errors=[{"field": "idea_ids", "message": detail}])
        # Matched on what this caller may read of it, as a draft of theirs would be.
        text = (
            whole_text(idea.title, idea.problem, idea.proposal, idea.public_summary)
            if level == "full"
            else public_text(idea.title, idea.public_summary)
        )
        hits = index.search(
            text,
            body.limit + 5,
            council_id=principal.council_id,
            reads_everything=access.reads_everything(principal),
            exclude=(idea_id,),
        )
        found.append((idea_id, hits))
    # Every search's hits read together: a query or four for the list, not four per idea.
    reads = await _read(session, principal, list(dict.fromkeys(i for _, hits in found for i, _ in hits)))
    return SimilarToIdeasAnswer(
        items=[SimilarToIdea(idea_id=i, items=_shape(principal, hits, body.limit, reads)) for i, hits in found]
    )
