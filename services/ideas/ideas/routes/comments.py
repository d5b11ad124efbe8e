"""Comment routes: staff of the council write feedback; see ideas/comments.py for who reads what."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from ideas import comments, submissions
from ideas.routes.http import IdempotencyKey, Page, begin_idempotent, finish_idempotent
from ideas.schemas import CommentCreate, CommentPage, CommentPublic, HideRequest
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
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
    idea_id: uuid.UUID,
    body: CommentCreate,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
):
    idea, _ = await submissions.get_readable(session, principal, idea_id)
    idem, replay = await begin_idempotent(request, session, principal, body)
    if replay is not None:
        return replay
    comment = await comments.add(session, principal, idea, body.body)
    answer = comments.comment_view(principal, idea, comment)
    await finish_idempotent(idem, 201, answer)
    return answer


@router.get(
    "",
    response_model=CommentPage,
    summary="Comments on an idea that you may read, oldest first",
    responses=responses(401, 403, 404, 422),
)
async def list_comments(
    idea_id: uuid.UUID, page: Page, session: SessionDep, principal: CurrentPrincipal
) -> CommentPage:
    idea, team = await submissions.get_readable(session, principal, idea_id)
    rows, total = await comments.page(session, principal, idea, team, limit=page.limit, offset=page.offset)
    return CommentPage(
        items=[comments.comment_view(principal, idea, c) for c in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset(total),
    )


@router.post(
    "/{comment_id}/hide",
    response_model=CommentPublic,
    summary="Hide a comment, with a reason (organisers)",
    responses=responses(401, 403, 404, 422),
)
async def hide_comment(
    idea_id: uuid.UUID,
    comment_id: uuid.UUID,
    body: HideRequest,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommentPublic:
    idea, _ = await submissions.get_readable(session, principal, idea_id)
    comment = await comments.hide(session, principal, idea, comment_id, body.reason)
    return comments.comment_view(principal, idea, comment)
