"""Presentation, pure: rows and loaded bundles into the API's answers (schemas.py), CSV and feeds.

Nothing here queries the database or imports `domain/`: the routes load, the domain decides, this
shapes. (The one thing taken from the domain is its loaded bundle, `TrialDetail`, by duck type.)
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from followup.models import Checkpoint, LibraryEntry, LibrarySubscription, Measurement, Metric, Partner, Trial, Verdict
from followup.schemas import (
    Baseline,
    CheckpointPublic,
    Evidence,
    Gain,
    IdeaRef,
    ImportCounts,
    LibraryExport,
    LibrarySummary,
    MeasurementPublic,
    MetricPublic,
    MetricReading,
    OverdueCheckpoint,
    PartnerPublic,
    SubscriptionPublic,
    TrialAttention,
    TrialPublic,
    TrialSummary,
    VerdictPublic,
    schema_url,
)
from followup.vocabulary import EVIDENCE_SCALE, OGL_NAME, OGL_URL, OPEN_STATUSES, TrialStatus
from platform_core import csv
from platform_core.clock import utcnow


def partner_public(p: Partner) -> PartnerPublic:
    return PartnerPublic(id=p.id, council_id=p.council_id, name=p.name, kind=p.kind, note=p.note, version=p.version)


def idea_ref(trial: Trial) -> IdeaRef:
    return IdeaRef(
        id=trial.idea_id,
        title=trial.idea_title,
        council_id=trial.council_id,
        council_name=trial.council_name,
        service_area=trial.service_area,
        hack_day_id=trial.hack_day_id,
        hack_day_on=trial.hack_day_on,
    )


def metric_public(m: Metric, readings: Sequence[Measurement] = ()) -> MetricPublic:
    baseline = None
    if m.baseline_value is not None and m.baseline_period_start and m.baseline_period_end:
        baseline = Baseline.model_construct(
            value=m.baseline_value,
            period_start=m.baseline_period_start,
            period_end=m.baseline_period_end,
            method=m.baseline_method,
        )
    return MetricPublic(
        id=m.id,
        name=m.name,
        unit=m.unit,
        direction=m.direction,
        baseline=baseline,
        target_value=m.target_value,
        annual_volume=m.annual_volume,
        hourly_cost_pounds=m.hourly_cost_pounds,
        cashable=m.cashable,
        version=m.version,
        readings=[
            MetricReading(
                id=r.id,
                value=r.value,
                period_start=r.period_start,
                period_end=r.period_end,
                method=r.method,
                source=r.source,
            )
            for r in readings
        ],
    )


def measurement_list(entries: Sequence[Measurement]) -> list[MeasurementPublic]:
    latest: dict = {}
    for e in entries:
        if e.original_id not in latest or e.sequence > latest[e.original_id].sequence:
            latest[e.original_id] = e
    effective = {e.id for e in latest.values()}
    return [
        MeasurementPublic(
            id=e.id,
            metric_id=e.metric_id,
            sequence=e.sequence,
            value=e.value,
            period_start=e.period_start,
            period_end=e.period_end,
            method=e.method,
            source=e.source,
            note=e.note,
            corrects_id=e.corrects_id,
            effective=e.id in effective,
            recorded_by=e.recorded_by,
            recorded_at=e.recorded_at,
        )
        for e in entries
    ]


def checkpoint_public(c: Checkpoint, trial: Trial, today: date) -> CheckpointPublic:
    overdue = c.reviewed_at is None and c.due_on < today and trial.status in OPEN_STATUSES
    return CheckpointPublic(
        id=c.id, label=c.label, due_on=c.due_on, reviewed_at=c.reviewed_at, note=c.note, overdue=overdue
    )


def evidence_public(v: Verdict) -> Evidence:
    return Evidence(
        level=v.evidence_level,
        label=EVIDENCE_SCALE[v.evidence_level],
        design=v.design,
        verified_by=v.verification,
        replications=v.replications,
    )


def verdict_public(v: Verdict) -> VerdictPublic:
    return VerdictPublic(
        outcome=v.outcome,
        summary=v.summary,
        reasons=v.reasons,
        lessons=v.lessons,
        evidence=evidence_public(v),
        gain=Gain.model_validate(v.gain),
        decided_by=v.decided_by,
        decided_at=v.decided_at,
    )


class Loaded(Protocol):
    """What `domain.trials.detail` loads for one trial (so that this module never queries)."""

    @property
    def trial(self) -> Trial: ...

    @property
    def metrics(self) -> Sequence[Metric]: ...

    @property
    def checkpoints(self) -> Sequence[Checkpoint]: ...

    @property
    def verdict(self) -> Verdict | None: ...

    @property
    def entry(self) -> LibraryEntry | None: ...

    @property
    def gain(self) -> dict[str, Any]: ...

    @property
    def evidence_level(self) -> int: ...

    @property
    def today(self) -> date: ...

    @property
    def readings(self) -> dict[uuid.UUID, list[Measurement]]: ...


def trial_public(loaded: Loaded) -> TrialPublic:
    """The trial in full, for its own council: plan, metrics, reviews, live gain, verdict."""
    trial, verdict = loaded.trial, loaded.verdict
    return TrialPublic(
        id=trial.id,
        idea=idea_ref(trial),
        origin=trial.origin,
        round_id=trial.round_id,
        round_rank=trial.round_rank,
        owner=trial.owner,
        sponsor=trial.sponsor,
        team=trial.team,
        hypothesis=trial.hypothesis,
        scope=trial.scope,
        planned_start=trial.planned_start,
        planned_end=trial.planned_end,
        review_date=trial.review_date,
        checkpoint_schedule=trial.checkpoint_schedule,
        trial_cost_pounds=trial.trial_cost_pounds,
        internal_notes=trial.internal_notes,
        kind_of_change=trial.kind_of_change or None,
        partners=trial.partners,
        status=trial.status,
        frozen=trial.status != TrialStatus.planned,
        version=trial.version,
        created_at=trial.created_at,
        updated_at=trial.updated_at,
        started_at=trial.started_at,
        evaluating_at=trial.evaluating_at,
        ended_at=trial.ended_at,
        metrics=[metric_public(m, loaded.readings.get(m.id, [])) for m in loaded.metrics],
        checkpoints=[checkpoint_public(c, trial, loaded.today) for c in loaded.checkpoints],
        gain=Gain.model_validate(loaded.gain),
        evidence_level=loaded.evidence_level,
        verdict=verdict_public(verdict) if verdict else None,
        library_entry_id=loaded.entry.id if loaded.entry else None,
    )


def trial_summary(trial: Trial, outcome: str | None, entry_id: uuid.UUID | None) -> TrialSummary:
    return TrialSummary(
        id=trial.id,
        idea=idea_ref(trial),
        status=trial.status,
        review_date=trial.review_date,
        version=trial.version,
        created_at=trial.created_at,
        outcome=outcome,
        library_entry_id=entry_id,
    )


def attention_public(item: Any) -> TrialAttention:
    """One trial needing attention (a `domain.attention.NeedsAttention`), as the overdue list shows it."""
    trial, today = item.trial, item.today
    return TrialAttention(
        trial_id=trial.id,
        idea=idea_ref(trial),
        status=trial.status,
        review_date=trial.review_date,
        review_overdue=item.review_overdue,
        overdue_checkpoints=[
            OverdueCheckpoint(id=c.id, label=c.label, due_on=c.due_on, days_overdue=(today - c.due_on).days)
            for c in item.overdue_checkpoints
        ],
        last_measured_on=item.last_measured_on,
        days_without_measurement=item.days_without_measurement,
        stale=item.stale,
    )


# ---- the shared library ----------------------------------------------------------------------------


def library_summary(entry: LibraryEntry) -> LibrarySummary:
    """A search result: what became of an idea, without the metrics and people."""
    r = entry.record
    return LibrarySummary(
        id=entry.id,
        url=r["url"],
        trial_id=r["trial_id"],
        idea_id=entry.idea_id,
        title=entry.title,
        council=r["council"],
        council_name=entry.council_name,
        service_area=entry.service_area,
        status=r["status"],
        outcome=entry.outcome,
        summary=r["summary"],
        reasons=r["reasons"],
        lessons=r["lessons"],
        gain=r["gain"],
        evidence=r["evidence"],
        evidence_level=entry.evidence_level,
        published_at=entry.published_at,
        source=r.get("source"),
    )


def subscription_public(s: LibrarySubscription, entries: int) -> SubscriptionPublic:
    return SubscriptionPublic(
        id=s.id,
        name=s.name,
        feed_url=s.feed_url,
        active=s.active,
        created_at=s.created_at,
        entries=entries,
        last_attempt_at=s.last_attempt_at,
        last_success_at=s.last_success_at,
        last_error=s.last_error or None,
        last_counts=ImportCounts.model_validate(s.last_counts) if s.last_counts else None,
    )


def federated_entry(entry: LibraryEntry) -> dict[str, Any]:
    """One entry of the federation feed: the record, or only the withdrawal once withdrawn."""
    return {
        "id": str(entry.id),
        "version": entry.version,
        "updated_at": (entry.updated_at or entry.published_at or utcnow()).isoformat(),
        "withdrawn_at": entry.withdrawn_at.isoformat() if entry.withdrawn_at else None,
        "withdrawn_reason": entry.withdrawn_reason,
        "record": None if entry.withdrawn_at else entry.record,
    }


def json_schema(base_url: str) -> dict[str, Any]:
    """The published JSON Schema (2020-12) of the export; records are its `$defs/LibraryRecord`."""
    schema = LibraryExport.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(base_url),
        "description": f"The shared library of council trial verdicts, published under the {OGL_NAME} ({OGL_URL}).",
        **schema,
    }


CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "council",
    "service_area",
    "outcome",
    "evidence_level",
    "summary",
    "reasons",
    "annual_hours",
    "cashable_pounds",
    "non_cashable_pounds",
    "trial_cost_pounds",
    "net_pounds",
    "started_on",
    "ended_on",
    "published_at",
    "what_worked",
    "what_did_not",
    "do_differently",
    "conditions_elsewhere",
    "licence",
)


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    """The CSV export: one row per record, through the platform's one CSV writer."""
    rows = []
    for r in records:
        g, lessons = r["gain"], r["lessons"]
        row = [
            r["id"],
            r["url"],
            r["title"],
            r["council"]["name"],
            r["service_area"],
            r["outcome"],
            r["evidence"]["level"],
            r["summary"],
            ";".join(x["code"] for x in r["reasons"]),
            g["annual_hours"],
            g["cashable_pounds"],
            g["non_cashable_pounds"],
            g["trial_cost_pounds"],
            g["net_pounds"],
            r["started_on"],
            r["ended_on"],
            r["published_at"],
            lessons["what_worked"],
            lessons["what_did_not"],
            lessons["do_differently"],
            lessons["conditions_elsewhere"],
            r["licence"]["name"],
        ]
        rows.append(row)
    return csv.write(CSV_COLUMNS, rows)


def json_feed(entries: Sequence[LibraryEntry], base_url: str) -> dict[str, Any]:
    """A JSON Feed 1.1 of the newest entries, for subscribers (https://jsonfeed.org/version/1.1)."""
    base = base_url.rstrip("/")
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Council trials: published verdicts",
        "home_page_url": f"{base}/api/followup/library",
        "feed_url": f"{base}/api/followup/library/feed.json",
        "description": f"Verdicts of council trials, failures included, shared under the {OGL_NAME}.",
        "language": "en-GB",
        "items": [
            {
                "id": str(e.id),
                "url": e.record["url"],
                "title": f"{e.title} ({e.council_name}): {e.outcome.replace('_', ' ')}",
                "content_text": e.record["summary"],
                "date_published": e.record["published_at"],
                "tags": [e.service_area, e.outcome, f"evidence-level-{e.evidence_level}"],
                "_council": {"id": str(e.council_id), "name": e.council_name},
            }
            for e in entries
        ],
    }


ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks):
# a summary typed with one must not make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def atom_feed(entries: Sequence[LibraryEntry], base_url: str) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of the newest entries, for ordinary feed readers."""
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            child.text = _NOT_XML.sub("", text)
        return child

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en-GB"})
    add(feed, "id", f"{base}/api/followup/library/feed.atom")
    add(feed, "title", "Council trials: published verdicts")
    add(feed, "subtitle", f"Verdicts of council trials, failures included, shared under the {OGL_NAME}.")
    newest = max((e.record["published_at"] for e in entries), default="1970-01-01T00:00:00+00:00")
    add(feed, "updated", newest)
    add(feed, "link", rel="self", href=f"{base}/api/followup/library/feed.atom", type="application/atom+xml")
    add(feed, "link", rel="alternate", href=f"{base}/api/followup/library", type="application/json")
    add(feed, "link", rel="license", href=OGL_URL)
    add(feed, "rights", f"Published under the {OGL_NAME}: {OGL_URL}")
    author = add(feed, "author")
    add(author, "name", "Councils using the hack-day platform")
    for e in entries:
        r = e.record
        item = add(feed, "entry")
        add(item, "id", f"urn:uuid:{e.id}")
        add(item, "title", f"{e.title} ({e.council_name}): {e.outcome.replace('_', ' ')}")
        add(item, "updated", r["published_at"])
        add(item, "published", r["published_at"])
        add(item, "link", rel="alternate", href=r["url"], type="application/json")
        who = add(item, "author")
        add(who, "name", e.council_name)
        add(item, "summary", r["summary"])
        for term in (e.service_area, e.outcome, f"evidence-level-{e.evidence_level}"):
            if term:
                add(item, "category", term=term)
        add(item, "rights", r["attribution"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
