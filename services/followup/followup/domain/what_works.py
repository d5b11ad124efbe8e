"""What works: the library's verdicts summed up by service area, kind of change or kind of partner.

In the style of the Education Endowment Foundation's Teaching and Learning Toolkit: for each group,
how many trials, what share worked, partly worked, made no change or failed, the median realised
gain, the spread of evidence levels, the typical cost and time to verdict, and three marks at a
glance (impact, cost, strength of evidence). Computed from published records only (own and
imported), never from an unpublished trial. docs/followup.md, "What works", gives every rule.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from followup.models import LibraryEntry
from followup.schemas import AtAGlance, OutcomeShares, WhatWorks, WhatWorksGroup
from followup.vocabulary import (
    COST_BANDS,
    FAILED_OUTCOMES,
    GAIN_OUTCOMES,
    IMPACT_BANDS,
    NO_PARTNER,
    UNCLASSIFIED,
    Outcome,
)

# How a summary may be grouped, and the keys of an entry in each grouping (a trial with a pharmacy
# and a GP surgery counts under both kinds of partner).
GROUPINGS: dict[str, Callable[[LibraryEntry], list[str]]] = {
    "service_area": lambda e: [e.service_area or UNCLASSIFIED],
    "kind_of_change": lambda e: [e.record.get("kind_of_change") or UNCLASSIFIED],
    "partner_kind": lambda e: list(e.record.get("partner_kinds") or [NO_PARTNER]),
}
# Beyond any real library; a summary reads every matching record.
MAX_ENTRIES = 100_000


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(float(statistics.median(values)), 2) if values else None


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _days(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def _band(value: float | None, bands: Sequence[tuple[float, str]], beyond: str) -> str | None:
    """The label of the first band whose upper limit `value` stays under."""
    if value is None:
        return None
    for limit, label in bands:
        if value < limit:
            return label
    return beyond


def summarise(key: str, entries: Sequence[LibraryEntry]) -> WhatWorksGroup:
    """One group's figures (see the module docstring)."""
    total = len(entries)
    outcomes = [e.outcome for e in entries]
    records = [e.record for e in entries]
    gains = [r["gain"] for r, o in zip(records, outcomes, strict=True) if o in GAIN_OUTCOMES]
    levels = {level: sum(1 for e in entries if e.evidence_level == level) for level in range(1, 6)}
    median_pounds = _median(g["annual_pounds"] for g in gains)
    median_cost = _median(r["gain"]["trial_cost_pounds"] for r in records)
    median_level = _median(e.evidence_level for e in entries)
    worked_or_partly = _share(sum(1 for o in outcomes if o in GAIN_OUTCOMES), total)
    return WhatWorksGroup(
        key=key,
        trials=total,
        own=sum(1 for e in entries if not e.record.get("source")),
        imported=sum(1 for e in entries if e.record.get("source")),
        shares=OutcomeShares(
            worked=_share(outcomes.count(Outcome.worked), total),
            partly=_share(outcomes.count(Outcome.partly), total),
            no_change=_share(outcomes.count(Outcome.no_change), total),
            failed=_share(sum(1 for o in outcomes if o in FAILED_OUTCOMES), total),
            inconclusive=_share(outcomes.count(Outcome.inconclusive), total),
        ),
        median_annual_pounds=median_pounds,
        median_annual_hours=_median(g["annual_hours"] for g in gains),
        median_net_pounds=_median(g["net_pounds"] for g in gains),
        evidence_levels=levels,
        median_trial_cost_pounds=median_cost,
        median_days_to_verdict=_median(
            d for d in (_days(r.get("started_on"), r.get("ended_on")) for r in records) if d is not None
        ),
        median_days_hack_day_to_verdict=_median(
            d for d in (_days(r.get("hack_day_on"), r.get("ended_on")) for r in records) if d is not None
        ),
        at_a_glance=AtAGlance(
            impact=_band(worked_or_partly, IMPACT_BANDS, "high") if total else None,
            cost=_band(median_cost, COST_BANDS, "very high"),
            # Rounded down: strength of evidence is never overstated.
            evidence=math.floor(median_level) if median_level is not None else None,
        ),
    )


def summaries(entries: Sequence[LibraryEntry], by: str) -> list[WhatWorksGroup]:
    """Every group's figures, the groups with most trials first (then by name)."""
    keyed: dict[str, list[LibraryEntry]] = {}
    for entry in entries:
        for key in GROUPINGS[by](entry):
            keyed.setdefault(key, []).append(entry)
    groups = [summarise(key, members) for key, members in keyed.items()]
    return sorted(groups, key=lambda g: (-g.trials, g.key))


async def what_works(session: AsyncSession, query: SelectOfScalar[LibraryEntry], by: str) -> WhatWorks:
    """The summaries of the library entries that match `query` (the library's own filters)."""
    entries: list[Any] = list((await session.exec(query.limit(MAX_ENTRIES))).all())
    return WhatWorks(by=by, trials=len(entries), groups=summaries(entries, by))
