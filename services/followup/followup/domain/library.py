"""The shared library: publishing a verdict, and searching what was published.

A record is built once, when a manager publishes, and kept frozen: what other councils read is
what was published, even if the trial's own council later edits its internal notes. People are
named only if they agreed; internal notes and measurement notes never leave the council.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from followup.domain.gain import effective_series
from followup.domain.measurements import measurements_of
from followup.domain.metrics import metrics_of
from followup.models import LibraryEntry, Measurement, Metric, Trial, Verdict
from followup.schemas import (
    ATTRIBUTION,
    CouncilRef,
    LibraryCorrect,
    LibraryRecord,
    Licence,
    entry_url,
)
from followup.vocabulary import ENDED_STATUSES, EVIDENCE_SCALE, PersonRole
from platform_core import outbox
from platform_core.clock import utcnow
from platform_core.problems import Problem

OUTCOME_PUBLISHED = "trial.outcome_published"


# ---- publishing ------------------------------------------------------------------------------------


def _people(trial: Trial) -> tuple[list[dict[str, Any]], int]:
    named, unnamed = [], 0
    everyone = [(trial.owner, PersonRole.owner), (trial.sponsor, PersonRole.sponsor)]
    everyone += [(p, PersonRole.team) for p in trial.team]
    for person, role in everyone:
        if not person:
            continue
        if person.get("consents_to_be_named"):
            named.append({"name": person["name"], "job_title": person.get("job_title", ""), "role": role})
        else:
            unnamed += 1
    return named, unnamed


def _metric_record(metric: Metric, figures: dict[str, Any], series: Sequence[Measurement]) -> dict[str, Any]:
    baseline = None
    if metric.baseline_value is not None and metric.baseline_period_start and metric.baseline_period_end:
        baseline = {
            "value": metric.baseline_value,
            "period_start": metric.baseline_period_start,
            "period_end": metric.baseline_period_end,
            "method": metric.baseline_method,
        }
    keep = (
        "target_value",
        "latest_value",
        "change",
        "improvement",
        "improvement_percent",
        "target_met",
        "annual_hours",
        "annual_pounds",
        "cashable",
    )
    return {
        "name": metric.name,
        "unit": metric.unit,
        "direction": metric.direction,
        "baseline": baseline,
        **{k: figures[k] for k in keep},
        "measurements": [
            {
                "value": m.value,
                "period_start": m.period_start,
                "period_end": m.period_end,
                "method": m.method,
                "source": m.source,
            }
            for m in series
        ],
    }


def _verifier(verification: dict[str, Any] | None) -> dict[str, Any] | None:
    if not verification:
        return None
    return {
        "name": verification["name"] if verification.get("consents_to_be_named") else None,
        "organisation": verification.get("organisation", ""),
        "independent": verification["independent"],
    }


async def build_record(
    session: AsyncSession,
    trial: Trial,
    verdict: Verdict,
    entry_id: uuid.UUID,
    base_url: str,
    published_at: Any,
) -> LibraryRecord:
    metrics = await metrics_of(session, trial.id)
    entries = await measurements_of(session, trial.id)
    figures = {row["metric_id"]: row for row in verdict.gain["metrics"]}
    people, unnamed = _people(trial)
    gain = {k: v for k, v in verdict.gain.items() if k not in ("metrics", "has_data")}
    return LibraryRecord(
        id=entry_id,
        url=entry_url(base_url, entry_id),
        trial_id=trial.id,
        idea_id=trial.idea_id,
        title=trial.idea_title,
        council=CouncilRef(id=trial.council_id, name=trial.council_name),
        service_area=trial.service_area,
        kind_of_change=trial.kind_of_change or None,
        partner_kinds=sorted({p["kind"] for p in trial.partners}),
        hypothesis=trial.hypothesis,
        scope=trial.scope,
        hack_day_on=trial.hack_day_on,
        started_on=trial.started_at.date() if trial.started_at else None,
        ended_on=trial.ended_at.date() if trial.ended_at else None,
        status=trial.status,
        outcome=verdict.outcome,
        summary=verdict.summary,
        reasons=verdict.reasons,
        lessons=verdict.lessons,
        metrics=[
            _metric_record(m, figures[str(m.id)], effective_series(e for e in entries if e.metric_id == m.id))
            for m in metrics
            if str(m.id) in figures
        ],
        gain=gain,
        evidence={
            "level": verdict.evidence_level,
            "label": EVIDENCE_SCALE[verdict.evidence_level],
            "design": verdict.design,
            "verified_by": _verifier(verdict.verification),
            "replications": verdict.replications,
        },
        people=people,
        unnamed_people=unnamed,
        published_at=published_at,
        licence=Licence(),
        attribution=f"{ATTRIBUTION} Source: {trial.council_name}.",
    )


def search_text(record: LibraryRecord) -> str:
    """The words the library's search looks in (an imported record: its platform's name too)."""
    parts = [
        record.source.platform if record.source else "",
        record.title,
        record.summary,
        record.hypothesis,
        record.scope,
        record.council.name,
        record.service_area,
        record.outcome,
        *record.lessons.model_dump().values(),
        *(r.code + " " + r.note for r in record.reasons),
        *(m.name for m in record.metrics),
    ]
    return " ".join(p for p in parts if p).lower()


async def preview(session: AsyncSession, trial: Trial, verdict: Verdict | None, base_url: str) -> LibraryRecord:
    """The record publishing would build now, built by the same code; its id (and so its address)
    and its date are set on publishing, so a stand-in id names the preview. Nothing is saved."""
    verdict = _publishable(trial, verdict)
    return await build_record(
        session, trial, verdict, uuid.uuid5(uuid.NAMESPACE_URL, f"preview:{trial.id}"), base_url, utcnow()
    )


def _publishable(trial: Trial, verdict: Verdict | None) -> Verdict:
    if trial.status not in ENDED_STATUSES or verdict is None:
        raise Problem(
            409,
            f"The trial is {trial.status}: only a concluded or stopped trial with a verdict is published.",
            errors=[{"field": "status", "message": "needs a verdict first"}],
        )
    return verdict


async def publish(
    session: AsyncSession, trial: Trial, verdict: Verdict | None, principal_id: uuid.UUID, base_url: str
) -> LibraryEntry:
    """Publish the verdict under the OGL and announce it (outbox) in the same transaction."""
    verdict = _publishable(trial, verdict)
    existing = (await session.exec(select(LibraryEntry).where(LibraryEntry.trial_id == trial.id))).one_or_none()
    if existing is not None:
        state = "was withdrawn from" if existing.withdrawn_at else "is already in"
        raise Problem(
            409,
            f"This trial's verdict {state} the library as entry {existing.id}.",
            errors=[{"field": "trial_id", "message": "already published"}],
        )
    entry_id, now = uuid.uuid4(), utcnow()
    record = await build_record(session, trial, verdict, entry_id, base_url, now)
    entry = LibraryEntry(
        id=entry_id,
        trial_id=trial.id,
        idea_id=trial.idea_id,
        council_id=trial.council_id,
        council_name=trial.council_name,
        title=trial.idea_title,
        service_area=trial.service_area,
        outcome=verdict.outcome,
        evidence_level=verdict.evidence_level,
        search_text=search_text(record),
        record=record.model_dump(mode="json"),
        published_by=principal_id,
        published_at=now,
        updated_at=now,
    )
    session.add(entry)
    # Relayed to the ideas service (platform_core.outbox), which then lets every council read the idea.
    outbox.record(
        session,
        topic=OUTCOME_PUBLISHED,
        destinations=["ideas"],
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"urn:council-hackday:followup:{OUTCOME_PUBLISHED}:{entry_id}"),
        payload={
            "idea_id": str(trial.idea_id),
            "verdict": verdict.outcome,
            "trial_id": str(trial.id),
            "library_entry_id": str(entry_id),
        },
    )
    trial.version += 1
    trial.updated_at = now
    await session.flush()
    return entry


# ---- corrections and withdrawals: importers on other platforms follow both -----------------------


def own_entry(entry: LibraryEntry | None, entry_id: uuid.UUID, council_id: uuid.UUID | None) -> LibraryEntry:
    """The entry, if it is this council's own and still published (404 / 409 otherwise)."""
    if entry is None or entry.withdrawn_at is not None:
        raise Problem(404, f"There is no published library entry {entry_id}.")
    if entry.subscription_id is not None or entry.council_id != council_id:
        raise Problem(
            403,
            "Only the council that published an entry may correct or withdraw it "
            "(an imported one is corrected on its own platform, and the import follows).",
        )
    return entry


def correct(entry: LibraryEntry, body: LibraryCorrect) -> LibraryEntry:
    """A new version of the record, saying what was corrected; earlier versions are not kept."""
    record = LibraryRecord.model_validate(entry.record)
    now = utcnow()
    changes: dict[str, Any] = {}
    if body.summary is not None:
        changes["summary"] = body.summary
    if body.lessons is not None:
        changes["lessons"] = body.lessons.model_dump()
    record = LibraryRecord.model_validate(
        {
            **record.model_dump(mode="json"),
            **changes,
            "corrections": [*record.model_dump(mode="json")["corrections"], {"at": now, "note": body.note}],
        }
    )
    entry.record = record.model_dump(mode="json")
    entry.search_text = search_text(record)
    entry.version += 1
    entry.updated_at = now
    return entry


def withdraw(entry: LibraryEntry, reason: str) -> LibraryEntry:
    """Out of every read and export from now on; the federation feed keeps a tombstone, so importers
    withdraw their copy too."""
    now = utcnow()
    entry.withdrawn_at = now
    entry.withdrawn_reason = reason
    entry.version += 1
    entry.updated_at = now
    return entry


def _own_oldest_first() -> SelectOfScalar[LibraryEntry]:
    return (
        select(LibraryEntry)
        .where(col(LibraryEntry.subscription_id).is_(None))
        .order_by(col(LibraryEntry.published_at), col(LibraryEntry.id))
    )


async def federation_versions(session: AsyncSession, offset: int, limit: int) -> list[tuple[uuid.UUID, int]]:
    """The ids and versions of a federation page's entries (and of the first entry after it, if any):
    all a page's ETag needs, read without the records, so that an unchanged page is a cheap 304."""
    page = _own_oldest_first().limit(limit + 1).offset(offset).subquery()
    rows = (await session.exec(select(page.c.id, page.c.version))).all()
    return [(row[0], row[1]) for row in rows]


async def federation_page(session: AsyncSession, offset: int, limit: int) -> tuple[list[LibraryEntry], bool]:
    """This platform's own entries, oldest first (withdrawn ones included), and whether more follow.

    Oldest first, so that a newly published entry lands on the last page and the pages before it keep
    their ETag: a re-import asks for every page and is answered 304 for all but the changed ones.
    """
    rows = (await session.exec(_own_oldest_first().limit(limit + 1).offset(offset))).all()
    return list(rows[:limit]), len(rows) > limit


# ---- reading ---------------------------------------------------------------------------------------


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_query(
    *,
    q: str | None = None,
    service_area: str | None = None,
    outcome: str | None = None,
    evidence_level: int | None = None,
    min_evidence_level: int | None = None,
    council_id: uuid.UUID | None = None,
    idea_id: Sequence[uuid.UUID] | None = None,
    origin: str | None = None,
) -> SelectOfScalar[LibraryEntry]:
    """The published entries matching every filter given (words must all appear); `origin` is
    "own" (published here) or "imported" (from other platforms); withdrawn entries never match."""
    query = select(LibraryEntry).where(col(LibraryEntry.withdrawn_at).is_(None))
    if origin == "own":
        query = query.where(col(LibraryEntry.subscription_id).is_(None))
    elif origin == "imported":
        query = query.where(col(LibraryEntry.subscription_id).is_not(None))
    for word in (q or "").lower().split()[:10]:
        query = query.where(col(LibraryEntry.search_text).like(_like(word), escape="\\"))
    if service_area:
        query = query.where(LibraryEntry.service_area == service_area)
    if outcome:
        query = query.where(LibraryEntry.outcome == outcome)
    if evidence_level is not None:
        query = query.where(LibraryEntry.evidence_level == evidence_level)
    if min_evidence_level is not None:
        query = query.where(LibraryEntry.evidence_level >= min_evidence_level)
    if council_id is not None:
        query = query.where(LibraryEntry.council_id == council_id)
    if idea_id:
        # What became of these ideas: how the gateway shows outcomes next to similar ideas.
        query = query.where(col(LibraryEntry.idea_id).in_(list(idea_id)))
    return query


async def search(
    session: AsyncSession, query: SelectOfScalar[LibraryEntry], limit: int, offset: int
) -> tuple[list[LibraryEntry], int]:
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(
            query.order_by(col(LibraryEntry.published_at).desc(), col(LibraryEntry.id)).limit(limit).offset(offset)
        )
    ).all()
    return list(rows), total
