"""Comment routes: staff of the council write feedback; see ideas/domain/comments.py for who reads what."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ideas.deps import IdeaDep
from ideas.domain import comments
from ideas.schemas import CommentCreate, CommentPage, CommentPublic, HideRequest
from ideas.views import comment_view
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.pages import PageDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/ideas/ideas/{idea_id}/comments", tags=["comments"])


@router.post(
    "",
    response_model=CommentPublic,
    status_code=201,
    summary="Comment on an idea of your council (honours Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422),
)
async def add_comment(
    found: IdeaDep, body: CommentCreate, session: SessionDep, principal: CurrentPrincipal, idem: IdempotentCreateDep
) -> Response:
    """Adds a comment to an idea, as feedback to its team. Only people of the idea's council may comment (403), and
    not on an idea that is withdrawn or hidden (409). A retry with the same `Idempotency-Key` gets the first
    answer, never a second comment (the same key with another body: 422)."""
    idea, _ = found

    async def make() -> Created:
        comment = await comments.add(session, principal, idea, body.body)
        return Created(comment_view(principal, idea, comment))

    return await idem.create(body, make)


@router.get(
    "",
    response_model=CommentPage,
    summary="Comments on an idea that you may read, oldest first",
    responses=responses(401, 403, 404, 422),
)
async def list_comments(found: IdeaDep, page: PageDep, session: SessionDep, principal: CurrentPrincipal) -> CommentPage:
    """Lists the comments on an idea that you may read, oldest first, a page at a time. Only people of the idea's
    council may read them (403). Organisers read every comment, hidden ones included; the idea's team reads every
    comment not hidden; anyone else reads only their own."""
    idea, team = found
    rows, total = await comments.page(session, principal, idea, team, limit=page.limit, offset=page.offset)
    return CommentPage.of([comment_view(principal, idea, c) for c in rows], total, page)


@router.post(
    "/{comment_id}/hide",
    response_model=CommentPublic,
    summary="Hide a comment, with a reason (organisers)",
    responses=responses(401, 403, 404, 422),
)
async def hide_comment(
    found: IdeaDep,
    comment_id: uuid.UUID,
    body: HideRequest,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommentPublic:
    """Hides a comment, with a reason kept for the record; it is kept, not deleted, and its author and the team no
    longer see it. Only the council's organisers (and admins) may (403). Hiding a hidden comment again changes
    nothing."""
    idea, _ = found
    comment = await comments.hide(session, principal, idea, comment_id, body.reason)
    return comment_view(principal, idea, comment)
