"""Similar ideas across every council, shaped by what the caller may read; fast enough for typing."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select

from ideas import access
from ideas.deps import BuiltIndexDep
from ideas.domain import ideas
from ideas.models import Idea
from ideas.schemas import SimilarAnswer, SimilarIdea, SimilarQuery
from ideas.similarity import idea_text
from ideas.views import idea_view
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.problems import responses

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
    hits = index.search(
        idea_text(body.title, body.problem or "", body.proposal or ""),
        body.limit + 5,
        council_id=principal.council_id,
        reads_everything=access.reads_everything(principal),
        exclude=(body.exclude_idea_id,) if body.exclude_idea_id else (),
    )
    if not hits:
        return SimilarAnswer(items=[])
    ids = [i for i, _ in hits]
    rows = {i.id: i for i in (await session.exec(select(Idea).where(col(Idea.id).in_(ids)))).all()}
    teams = await ideas.teams_of(session, list(rows))
    items: list[SimilarIdea] = []
    for idea_id, score in hits:
        idea = rows.get(idea_id)
        # The index of another replica may lag by a few seconds: trust the database, not the index.
        if idea is None or idea.status in ("hidden", "withdrawn"):
            continue
        view = idea_view(principal, idea, teams[idea_id])
        if view is not None:
            items.append(SimilarIdea(score=round(min(max(score, 0.0), 1.0), 4), idea=view))
        if len(items) == body.limit:
            break
    return SimilarAnswer(items=items)
