"""The verdict: concludes an evaluating trial (or stops one early) and freezes its gain and evidence."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.evidence import evidence_level
from followup.domain.gain import compute_gain
from followup.domain.measurements import measurements_of
from followup.domain.metrics import metrics_of
from followup.domain.rules import invalid, require_status, touch
from followup.models import LibraryEntry, Trial, Verdict
from followup.schemas import VerdictCreate
from followup.vocabulary import GAIN_OUTCOMES, Outcome, TrialStatus
from platform_core.auth import Principal
from platform_core.clock import utcnow


async def verdict_of(session: AsyncSession, trial: Trial) -> Verdict | None:
    """The trial's verdict, if it has one."""
    return (await session.exec(select(Verdict).where(Verdict.trial_id == trial.id))).one_or_none()


async def _check_replications(session: AsyncSession, trial: Trial, ids: list[uuid.UUID]) -> None:
    for entry_id in ids:
        entry = await session.get(LibraryEntry, entry_id)
        if entry is None:
            raise invalid("replications", f"{entry_id} is not a published library entry")
        if entry.council_id == trial.council_id:
            raise invalid("replications", f"{entry_id} is from your own council, not a replication")
        if entry.outcome not in GAIN_OUTCOMES:
            raise invalid("replications", f"{entry_id} did not show a gain ({entry.outcome})")


async def check_verdict(session: AsyncSession, trial: Trial, body: VerdictCreate) -> tuple[dict, int]:
    """Every rule of a verdict, nothing saved: the gain it would freeze and its evidence level."""
    if body.outcome == Outcome.stopped:
        require_status(trial, TrialStatus.planned, TrialStatus.running, TrialStatus.evaluating, doing="stop it")
    else:
        require_status(trial, TrialStatus.evaluating, doing="give a verdict (other than stopped)")
    if body.outcome != Outcome.worked and not body.reasons:
        raise invalid("reasons", "give at least one reason from the taxonomy unless the trial worked")
    if not any(body.lessons.model_dump().values()):
        raise invalid("lessons", "write at least one lesson for the councils that come after you")
    if len({r.code for r in body.reasons}) != len(body.reasons):
        raise invalid("reasons", "name each reason once")
    gain = compute_gain(
        await metrics_of(session, trial.id), await measurements_of(session, trial.id), trial.trial_cost_pounds
    )
    if body.outcome in GAIN_OUTCOMES and not gain["has_data"]:
        raise invalid(
            "outcome",
            "a verdict claiming a gain needs a metric with a baseline and at least one measurement",
            detail=f"outcome: '{body.outcome}' claims a gain, but no metric has both a baseline and a "
            "measurement; record one, or choose no_change, did_not_work or inconclusive.",
        )
    await _check_replications(session, trial, body.replications)
    level = evidence_level(
        has_data=gain["has_data"],
        design=body.design,
        independent=bool(body.verified_by and body.verified_by.independent),
        replicated=bool(body.replications),
    )
    return gain, level


async def give_verdict(session: AsyncSession, trial: Trial, body: VerdictCreate, principal: Principal) -> Verdict:
    """Conclude (from evaluating) or stop (from planned, running or evaluating) with a verdict."""
    gain, level = await check_verdict(session, trial, body)
    verification = body.verified_by.model_dump() if body.verified_by else None
    verdict = Verdict(
        trial_id=trial.id,
        outcome=body.outcome,
        summary=body.summary,
        reasons=[r.model_dump() for r in body.reasons],
        lessons=body.lessons.model_dump(),
        design=body.design,
        verification=verification,
        replications=[str(i) for i in body.replications],
        evidence_level=level,
        gain=gain,
        decided_by=principal.person_id,
        decided_at=utcnow(),
    )
    session.add(verdict)
    trial.status = TrialStatus.stopped if body.outcome == Outcome.stopped else TrialStatus.concluded
    trial.ended_at = verdict.decided_at
    touch(trial)
    await session.flush()
    return verdict
