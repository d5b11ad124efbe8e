"""HTTP routes of the reports: the vocabulary, the overdue list and the portfolio reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from followup import attention, portfolio, service
from followup.evidence import EVIDENCE_SCALE
from followup.http_common import MAX_OFFSET, MAX_PAGE
from followup.ideas_client import IdeasClient, ideas_client
from followup.schemas import Vocabulary
from followup.vocab import (
    DEFAULT_CHECKPOINTS,
    OGL_NAME,
    OGL_URL,
    REASON_MEANINGS,
    UNIT_MEANINGS,
    Design,
    Direction,
    Outcome,
    TrialStatus,
)
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup", tags=["reports"])


@router.get("/vocabulary", response_model=Vocabulary, summary="Every code the follow-up API takes")
async def vocabulary(request: Request) -> Vocabulary:
    return Vocabulary(
        statuses=[s.value for s in TrialStatus],
        units={u.value: text for u, text in UNIT_MEANINGS.items()},
        directions=[d.value for d in Direction],
        outcomes=[o.value for o in Outcome],
        reasons={r.value: text for r, text in REASON_MEANINGS.items()},
        designs=[d.value for d in Design],
        evidence_levels=EVIDENCE_SCALE,
        default_checkpoints=list(DEFAULT_CHECKPOINTS),
        stale_after_days=request.app.state.settings.stale_after_days,
        licence={"name": OGL_NAME, "url": OGL_URL},
    )


def _council(principal: Principal, council_id: uuid.UUID | None) -> uuid.UUID:
    """Your own council; admins may name any council."""
    if council_id is not None and council_id != principal.council_id and not principal.is_admin:
        raise Problem(
            403,
            "You can see the reports of your own council only.",
            errors=[{"field": "council_id", "message": "not your council"}],
        )
    chosen = council_id or principal.council_id
    if chosen is None:
        raise Problem(
            422,
            "council_id: name the council to report on.",
            errors=[{"field": "council_id", "message": "required for callers without a council"}],
        )
    return chosen


@router.get(
    "/overdue",
    response_model=attention.AttentionList,
    summary="Trials of a council overdue for review or with no measurement for too long",
    responses=responses(401, 403, 422),
)
async def overdue(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    council_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> attention.AttentionList:
    chosen = _council(principal, council_id)
    days, today = request.app.state.settings.stale_after_days, service.today()
    # Which trials need attention is decided per trial (reviews due, last measurement), so the page
    # is cut from the computed list; a council has hundreds of open trials at most.
    items = await attention.attention(session, council_id=chosen, today=today, stale_after_days=days)
    return attention.AttentionList(
        council_id=chosen,
        today=today,
        stale_after_days=days,
        items=items[offset : offset + limit],
        total=len(items),
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < len(items) else None,
    )


@router.get(
    "/portfolio",
    response_model=portfolio.CouncilPortfolio,
    summary="A council's portfolio: funnel, realised gains, time to verdict, honesty, overdue reviews",
    responses=responses(401, 403, 422),
)
async def council_portfolio(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    ideas: Annotated[IdeasClient, Depends(ideas_client)],
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: another council")] = None,
) -> portfolio.CouncilPortfolio:
    chosen = _council(principal, council_id)
    days, today = request.app.state.settings.stale_after_days, service.today()
    items = await attention.attention(session, council_id=chosen, today=today, stale_after_days=days)
    ideas_count = await ideas.count_ideas(principal) if chosen == principal.council_id else None
    return await portfolio.council_portfolio(
        session, council_id=chosen, council_name=principal.council_name, attention=items, ideas=ideas_count
    )


@router.get(
    "/portfolio/sector",
    response_model=portfolio.SectorPortfolio,
    summary="Across councils: aggregate figures per council (never an unpublished trial's content)",
    responses=responses(401),
)
async def sector_portfolio(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> portfolio.SectorPortfolio:
    days, today = request.app.state.settings.stale_after_days, service.today()
    items = await attention.attention(session, council_id=None, today=today, stale_after_days=days)
    return await portfolio.sector_portfolio(session, attention=items)
