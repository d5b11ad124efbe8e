"""Portfolio reports: how a council's (or the sector's) ideas fared once they left the hack day.

- funnel: ideas (from the ideas service, when it can be asked) → selected (trials opened) →
  trialled (started) → concluded (a verdict, stopped ones included) → worked (and partly).
- realised gains: the frozen gains of verdicts that say worked or partly, added up.
- median days from the hack day to the verdict, over trials whose hack day date is known.
- honesty: of the verdicts that say no_change, did_not_work or stopped, how many were published.
- attention: trials overdue for review and trials with no recent measurement.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.attention import NeedsAttention
from followup.models import LibraryEntry, Trial, Verdict
from followup.schemas import (
    Attention,
    CouncilFigures,
    CouncilPortfolio,
    Figures,
    Funnel,
    Honesty,
    RealisedGains,
    SectorPortfolio,
)
from followup.vocabulary import GAIN_OUTCOMES, NOT_WORKED_OUTCOMES


class TrialFacts(NamedTuple):
    """What the figures read of a trial: its row's columns, not the row (no ORM object per trial)."""

    id: uuid.UUID
    council_id: uuid.UUID
    council_name: str
    hack_day_on: date | None
    started_at: datetime | None


class VerdictFacts(NamedTuple):
    """What the figures read of a verdict."""

    trial_id: uuid.UUID
    outcome: str
    gain: dict
    decided_at: datetime | None


def _figures(
    trials: Sequence[TrialFacts],
    verdicts: dict[uuid.UUID, VerdictFacts],
    published: set[uuid.UUID],
    attention: Sequence[NeedsAttention],
    ideas: int | None,
    selected: int | None = None,
) -> Figures:
    started = [t for t in trials if t.started_at is not None]
    ended = [t for t in trials if t.id in verdicts]
    outcomes: dict[str, int] = {}
    for v in (verdicts[t.id] for t in ended):
        outcomes[v.outcome] = outcomes.get(v.outcome, 0) + 1
    gains = [verdicts[t.id].gain for t in ended if verdicts[t.id].outcome in GAIN_OUTCOMES]
    keys = (
        "annual_hours",
        "cashable_hours",
        "non_cashable_hours",
        "annual_pounds",
        "cashable_pounds",
        "non_cashable_pounds",
        "trial_cost_pounds",
        "net_pounds",
    )
    realised = {k: round(sum(g[k] for g in gains), 2) for k in keys}
    days = []
    for t in ended:
        decided = verdicts[t.id].decided_at
        if t.hack_day_on is not None and decided is not None:
            days.append((decided.date() - t.hack_day_on).days)
    failed = [t for t in ended if verdicts[t.id].outcome in NOT_WORKED_OUTCOMES]
    failed_published = sum(1 for t in failed if t.id in published)
    return Figures(
        funnel=Funnel(
            ideas=ideas,
            selected=selected,
            opened=len(trials),
            trialled=len(started),
            concluded=len(ended),
            worked=outcomes.get("worked", 0),
            partly=outcomes.get("partly", 0),
        ),
        outcomes=outcomes,
        realised_gains=RealisedGains(trials=len(gains), **realised),
        median_days_hack_day_to_verdict=float(statistics.median(days)) if days else None,
        honesty=Honesty(
            not_worked=len(failed),
            not_worked_published=failed_published,
            share_published=round(failed_published / len(failed), 4) if failed else None,
        ),
        attention=Attention(
            overdue_reviews=sum(1 for a in attention if a.overdue_checkpoints or a.review_overdue),
            stale_trials=sum(1 for a in attention if a.stale),
        ),
    )


async def _load(
    session: AsyncSession, council_id: uuid.UUID | None
) -> tuple[list[TrialFacts], dict[uuid.UUID, VerdictFacts], set[uuid.UUID]]:
    # Only the columns the figures read, as plain rows: loading a council's trials whole as ORM objects
    # (plans, notes, JSON) was most of the report's cost at 200 trials (benchmarks/README.md, pages).
    query = select(*(getattr(Trial, c) for c in TrialFacts._fields))
    if council_id is not None:
        query = query.where(col(Trial.council_id) == council_id)
    trials = [TrialFacts(*row) for row in (await session.exec(query)).all()]
    ids = [t.id for t in trials]
    verdicts: dict[uuid.UUID, VerdictFacts] = {}
    published: set[uuid.UUID] = set()
    if ids:
        chosen = select(*(getattr(Verdict, c) for c in VerdictFacts._fields)).where(col(Verdict.trial_id).in_(ids))
        for row in (await session.exec(chosen)).all():
            verdict = VerdictFacts(*row)
            verdicts[verdict.trial_id] = verdict
        published = {
            t
            for t in (
                await session.exec(select(LibraryEntry.trial_id).where(col(LibraryEntry.trial_id).in_(ids)))
            ).all()
            if t is not None
        }
    return trials, verdicts, published


async def council_portfolio(
    session: AsyncSession,
    *,
    council_id: uuid.UUID,
    council_name: str,
    attention: Sequence[NeedsAttention],
    ideas: int | None,
    selected: int | None,
) -> CouncilPortfolio:
    """One council's figures; `ideas` and `selected` as the ideas service counts them (None: unknown)."""
    trials, verdicts, published = await _load(session, council_id)
    figures = _figures(trials, verdicts, published, attention, ideas, selected)
    name = trials[0].council_name if trials else council_name
    return CouncilPortfolio(council_id=council_id, council_name=name, **figures.model_dump())


async def sector_portfolio(session: AsyncSession, *, attention: Sequence[NeedsAttention]) -> SectorPortfolio:
    """Across councils: aggregate figures only, never the content of an unpublished trial."""
    trials, verdicts, published = await _load(session, None)
    councils: dict[uuid.UUID, list[TrialFacts]] = {}
    for t in trials:
        councils.setdefault(t.council_id, []).append(t)
    rows = []
    for council_id, own in sorted(councils.items(), key=lambda kv: kv[1][0].council_name.lower()):
        own_attention = [a for a in attention if a.council_id == council_id]
        figures = _figures(own, verdicts, published, own_attention, None)
        rows.append(CouncilFigures(council_id=council_id, council_name=own[0].council_name, **figures.model_dump()))
    total = _figures(trials, verdicts, published, attention, None)
    return SectorPortfolio(councils=rows, **total.model_dump())
