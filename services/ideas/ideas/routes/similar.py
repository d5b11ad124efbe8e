"""Similar ideas across every council, shaped by what the caller may read; fast enough for typing."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from ideas import submissions
from ideas.models import Idea
from ideas.routes.http import IndexDep
from ideas.schemas import IdeaPublic, SimilarAnswer, SimilarIdea, SimilarQuery
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
    responses=responses(401, 422),
)
async def similar_ideas(
    body: SimilarQuery, session: SessionDep, principal: CurrentPrincipal, index: IndexDep
) -> SimilarAnswer:
    # Ask for a few more than wanted: some hits may be ideas this caller may not see at all.
    matches = index.search(idea_text(body.title, body.problem or "", body.proposal or ""), body.limit + 5)
    by_text = {i: s for i, s in matches.by_text if i != body.exclude_idea_id}
    by_title = {i: s for i, s in matches.by_title if i != body.exclude_idea_id}
    ids = list(by_text.keys() | by_title.keys())
    text_rank = {i: n for n, i in enumerate(by_text)}
    title_rank = {i: n for n, i in enumerate(by_title)}
    if not ids:
        return SimilarAnswer(items=[])
    rows = {i.id: i for i in (await session.exec(select(Idea).where(Idea.id.in_(ids)))).all()}
    teams = await submissions.teams_of(session, list(rows))
    found: list[tuple[float, int, SimilarIdea]] = []
    for idea_id, idea in rows.items():
        # The index of another replica may lag by a few seconds: trust the database, not the index.
        if idea.status in ("hidden", "withdrawn"):
            continue
        view = idea_view(principal, idea, teams[idea_id])
        if view is None:
            continue
        # Scored on what the caller may read: everyone reads the title; the whole text only those
        # who may read the idea whole (see search.py: a score must not reveal hidden text).
        readable = [by_title.get(idea_id), by_text.get(idea_id) if isinstance(view, IdeaPublic) else None]
        scores = [s for s in readable if s is not None]
        if scores:
            score = round(min(max(max(scores), 0.0), 1.0), 4)
            # Equal scores keep the engine's order (the older idea first).
            order = min(rank[idea_id] for rank in (text_rank, title_rank) if idea_id in rank)
            found.append((-score, order, SimilarIdea(score=score, idea=view)))
    found.sort(key=lambda item: item[:2])
    return SimilarAnswer(items=[item for _, _, item in found[: body.limit]])
