"""Comments on ideas: feedback from staff of the council to the idea's team.

Who reads them: the idea's authors and the council's organisers read every comment; any other
person of the council reads only the comments they wrote themselves. Comments are feedback for the
team before a vote, not a public thread: candid criticism should not become canvassing, and a
colleague's remark should not follow the idea around. Organisers hide comments with a reason;
a hidden comment is then shown only to organisers. Other councils never see comments.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.models import Comment, Idea, IdeaAuthor
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem


def _require_council(principal: Principal, idea: Idea) -> None:
    if not (access.is_member(principal, idea.council_id) or access.reads_everything(principal)):
        raise Problem(403, f"Comments on this idea are only for people of {idea.council_name}.")


async def add(session: AsyncSession, principal: Principal, idea: Idea, body: str) -> Comment:
    if not access.is_member(principal, idea.council_id):
        raise Problem(403, f"Only people of {idea.council_name} can comment on its ideas.")
    if idea.status in ("withdrawn", "hidden"):
        raise Problem(409, f"'{idea.title}' is {idea.status}: it takes no more comments.")
    comment = Comment(
        idea_id=idea.id,
        council_id=idea.council_id,
        author_id=principal.person_id,
        author_name=principal.name,
        body=body,
    )
    session.add(comment)
    await session.flush()
    return comment


async def page(
    session: AsyncSession,
    principal: Principal,
    idea: Idea,
    team: list[IdeaAuthor],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Comment], int]:
    _require_council(principal, idea)
    query = select(Comment).where(Comment.idea_id == idea.id)
    if not access.is_organiser(principal, idea.council_id):
        query = query.where(col(Comment.hidden_at).is_(None))
        if not access.is_on_team(principal, team):
            query = query.where(Comment.author_id == principal.person_id)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(Comment.created_at), col(Comment.id)).offset(offset).limit(limit))
    return list(rows.all()), total


async def hide(session: AsyncSession, principal: Principal, idea: Idea, comment_id: uuid.UUID, reason: str) -> Comment:
    if not access.is_organiser(principal, idea.council_id):
        raise Problem(403, f"Only organisers of {idea.council_name} can hide comments.")
    comment = (await session.exec(select(Comment).where(Comment.id == comment_id, Comment.idea_id == idea.id))).first()
    if comment is None:
        raise Problem(404, f"There is no comment {comment_id} on this idea.")
    if comment.hidden_at is None:
        comment.hidden_at = utcnow()
        comment.hidden_by = principal.person_id
        comment.hidden_reason = reason
        session.add(comment)
        await session.flush()
    return comment
