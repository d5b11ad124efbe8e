"""HTTP routes of the reports: the vocabulary, the overdue list and the portfolio reports."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from followup import views
from followup.access import report_council
from followup.deps import Caller, IdeasDep, Limit, Offset, SessionDep, SettingsDep
from followup.domain import attention, portfolio
from followup.domain.rules import today as today_
from followup.schemas import AttentionList, CouncilPortfolio, SectorPortfolio, Vocabulary
from followup.vocabulary import (
    DEFAULT_CHECKPOINTS,
    EVIDENCE_SCALE,
    KIND_OF_CHANGE_MEANINGS,
    OGL_NAME,
    OGL_URL,
    REASON_MEANINGS,
    UNIT_MEANINGS,
    Design,
    Direction,
    Outcome,
    PartnerKind,
    TrialStatus,
)
from platform_core.pages import PAGE_MAX
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["reports"])


@router.get("/vocabulary", response_model=Vocabulary, summary="Every code the follow-up API takes")
async def vocabulary(settings: SettingsDep) -> Vocabulary:
    """Every code the follow-up API takes, with what it means: kinds of change, kinds of partner, trial statuses,
    units, directions, outcomes, reasons, study designs, the evidence scale, the default checkpoints, when a
    trial counts as stale, and the licence of the library. Anyone signed in may read it."""
    return Vocabulary(
        kinds_of_change={k.value: text for k, text in KIND_OF_CHANGE_MEANINGS.items()},
        partner_kinds=[k.value for k in PartnerKind],
        statuses=[s.value for s in TrialStatus],
        units={u.value: text for u, text in UNIT_MEANINGS.items()},
        directions=[d.value for d in Direction],
        outcomes=[o.value for o in Outcome],
        reasons={r.value: text for r, text in REASON_MEANINGS.items()},
        designs=[d.value for d in Design],
        evidence_levels=EVIDENCE_SCALE,
        default_checkpoints=list(DEFAULT_CHECKPOINTS),
        stale_after_days=settings.stale_after_days,
        licence={"name": OGL_NAME, "url": OGL_URL},
    )


@router.get(
    "/overdue",
    response_model=AttentionList,
    summary="Trials of a council overdue for review or with no measurement for too long",
    responses=responses(401, 403, 422),
)
async def overdue(
    settings: SettingsDep,
    session: SessionDep,
    principal: Caller,
    council_id: uuid.UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AttentionList:
    """The trials of a council that need attention: a checkpoint review overdue, or no measurement for longer than
    the stale period, a page at a time. Anyone of the council may read its own list; admins name the council, and
    anyone else naming another council is refused (403)."""
    chosen = report_council(principal, council_id)
    days, today = settings.stale_after_days, today_()
    # Which trials need attention is decided per trial (reviews due, last measurement), so the page
    # is cut from the computed list; a council has hundreds of open trials at most.
    items = await attention.attention(session, council_id=chosen, today=today, stale_after_days=days)
    return AttentionList(
        council_id=chosen,
        today=today,
        stale_after_days=days,
        items=[views.attention_public(a) for a in items[offset : offset + limit]],
        total=len(items),
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < len(items) else None,
    )


@router.get(
    "/portfolio",
    response_model=CouncilPortfolio,
    summary="A council's portfolio: funnel, realised gains, time to verdict, honesty, overdue reviews",
    responses=responses(401, 403, 422),
)
async def council_portfolio(
    settings: SettingsDep,
    session: SessionDep,
    principal: Caller,
    ideas: IdeasDep,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: another council")] = None,
    overdue_trials: Annotated[
        bool,
        Query(
            description=f"Also answer the trials that need attention (`overdue_trials`, the first {PAGE_MAX}), "
            "worked out once with the figures instead of again by `GET /api/followup/overdue`"
        ),
    ] = False,
) -> CouncilPortfolio:
    """A council's portfolio of trials: the funnel from ideas to verdicts, the gains realised, the time from hack
    day to verdict, how honestly verdicts are given (including trials that did not work) and the reviews overdue.
    Anyone of the council may read their own; admins name the council, and anyone else naming another council is
    refused (403). The ideas counts are asked of the ideas service for your own council only. With
    `overdue_trials=true` the answer also lists the trials that need attention, as the overdue list does."""
    chosen = report_council(principal, council_id)
    days, today = settings.stale_after_days, today_()
    # The ideas counts (one call) are asked of the ideas service while the attention list is worked out here.
    asked = asyncio.create_task(ideas.counts(principal)) if chosen == principal.council_id else None
    try:
        items = await attention.attention(session, council_id=chosen, today=today, stale_after_days=days)
    except BaseException:
        if asked is not None:
            asked.cancel()
        raise
    counts = await asked if asked is not None else None
    report = await portfolio.council_portfolio(
        session,
        council_id=chosen,
        council_name=principal.council_name,
        attention=items,
        ideas=counts.in_play if counts is not None else None,
        selected=counts.selected if counts is not None else None,
    )
    if overdue_trials:
        report.overdue_trials = [views.attention_public(a) for a in items[:PAGE_MAX]]
    return report


@router.get(
    "/portfolio/sector",
    response_model=SectorPortfolio,
    summary="Across councils: aggregate figures per council (never an unpublished trial's content)",
    responses=responses(401),
)
async def sector_portfolio(settings: SettingsDep, session: SessionDep, principal: Caller) -> SectorPortfolio:
    """The same figures across every council, one row per council, for comparing and learning: aggregate counts
    only, never an unpublished trial's content. Anyone signed in may read it."""
    days, today = settings.stale_after_days, today_()
    items = await attention.attention(session, council_id=None, today=today, stale_after_days=days)
    return await portfolio.sector_portfolio(session, attention=items)
