"""API schemas of the followup service: what clients send (unknown fields refused) and get back.

Inputs never carry a council, a status, a gain or an evidence level: those come from the token,
from the actions managers take, and from the computations in gain.py and evidence.py. A body that
tries to set them is a 422 naming the field.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from followup.vocabulary import (
    DEFAULT_CHECKPOINTS,
    INTERVAL_PATTERN,
    OGL_NAME,
    OGL_URL,
    Design,
    Direction,
    KindOfChange,
    Outcome,
    PartnerKind,
    PersonRole,
    Reason,
    TrialStatus,
    Unit,
)
from platform_core.pages import PAGE_MAX, Page
from platform_core.schemas import Input, Text, examples

__all__ = ["Input", "Page"]


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; every one we store is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Interval = Annotated[str, Field(pattern=INTERVAL_PATTERN, examples=["6w", "3m"])]
Money = Annotated[float, Field(ge=0, le=1_000_000_000)]
Reading = Annotated[float, Field(ge=-1_000_000_000, le=1_000_000_000)]


def _check_period(start: date | None, end: date | None, field: str) -> None:
    if start and end and end < start:
        raise ValueError(f"{field}: the end is before the start")


# ---- people ----------------------------------------------------------------------------------------


class NamedPerson(Input):
    """Someone named on a trial. Their name reaches the shared library only if they agreed."""

    name: Annotated[str, Text(200, at_least=1)]
    job_title: str = Field(default="", max_length=200)
    consents_to_be_named: bool = Field(
        default=False, description="True only if this person agreed to be named in the shared library."
    )


# ---- trials ----------------------------------------------------------------------------------------


class TrialPlan(Input):
    owner: NamedPerson | None = None
    sponsor: NamedPerson | None = None
    team: list[NamedPerson] = Field(default_factory=list, max_length=50)
    hypothesis: LongText = Field(
        default="", examples=["If we send SMS reminders, then late council tax payments will fall by 20%"]
    )
    scope: LongText = Field(default="", description="Which team or area, and what is left out.")
    planned_start: date | None = None
    planned_end: date | None = None
    review_date: date | None = None
    checkpoint_schedule: list[Interval] = Field(
        default_factory=lambda: list(DEFAULT_CHECKPOINTS),
        max_length=12,
        description="Reviews after the start: '6w' is six weeks, '3m' three months.",
    )
    trial_cost_pounds: Money = Field(default=0.0, description="What the trial itself costs, in pounds.")
    internal_notes: str = Field(default="", max_length=10000, description="Never published.")
    kind_of_change: KindOfChange | None = Field(
        default=None, description="What kind of change it tries (the what-works taxonomy; see the vocabulary)."
    )
    partner_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Partners from your council's map who take part."
    )

    @model_validator(mode="after")
    def _periods(self) -> TrialPlan:
        _check_period(self.planned_start, self.planned_end, "planned_end")
        return self


class TrialCreate(TrialPlan):
    model_config = examples(
        {
            "idea_id": "3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c",
            "owner": {"name": "Priya Shah", "job_title": "Revenues team leader", "consents_to_be_named": True},
            "hypothesis": "If we send SMS reminders five days before each instalment, late payments will fall by 20%",
            "scope": "Council tax payers who pay by instalment and gave a mobile number; not direct debit payers.",
            "planned_start": "2027-05-01",
            "planned_end": "2027-10-31",
            "review_date": "2027-11-15",
            "checkpoint_schedule": ["6w", "3m"],
            "trial_cost_pounds": 1200,
            "kind_of_change": "communication",
        }
    )

    idea_id: uuid.UUID


class TrialUpdate(Input):
    """Only the fields sent change. Hypothesis, review date and checkpoints freeze at the start."""

    model_config = examples({"review_date": "2027-11-30", "partner_ids": ["2e4c6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a"]})

    owner: NamedPerson | None = None
    sponsor: NamedPerson | None = None
    team: list[NamedPerson] | None = Field(default=None, max_length=50)
    hypothesis: LongText | None = None
    scope: LongText | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    review_date: date | None = None
    checkpoint_schedule: list[Interval] | None = Field(default=None, max_length=12)
    trial_cost_pounds: Money | None = None
    internal_notes: str | None = Field(default=None, max_length=10000)
    kind_of_change: KindOfChange | None = None
    partner_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)


class InternalTrialCreate(Input):
    """The vote-to-trial message: a selected idea becomes a planned trial exactly once."""

    event_id: str = Field(min_length=1, max_length=200)
    idea_id: uuid.UUID
    hack_day_id: uuid.UUID | None = None
    hack_day_on: date | None = None
    council_id: uuid.UUID
    council_name: str = Field(default="", max_length=200)
    title: str = Field(min_length=1, max_length=300)
    service_area: str = Field(default="", max_length=120)
    status: str = Field(default="selected", max_length=40)
    round_id: uuid.UUID | None = None
    rank: int | None = Field(default=None, ge=1, le=10000)
    partners: list[ShortText] = Field(
        default_factory=list,
        max_length=50,
        description="The organisations the idea names, as its authors wrote them; those on the council's map "
        "become the trial's partners.",
    )


# ---- metrics and measurements ----------------------------------------------------------------------


class Baseline(Input):
    value: Reading
    period_start: date
    period_end: date
    method: Annotated[str, Text(2000, at_least=1), Field(description="How the baseline was measured.")]

    @model_validator(mode="after")
    def _period(self) -> Baseline:
        _check_period(self.period_start, self.period_end, "period_end")
        return self


class MetricCreate(Input):
    model_config = examples(
        {
            "name": "Late council tax instalments per month",
            "unit": "count",
            "direction": "lower_is_better",
            "baseline": {
                "value": 410,
                "period_start": "2026-11-01",
                "period_end": "2027-04-30",
                "method": "Monthly average of instalments paid after the due date, from the revenues system.",
            },
            "target_value": 330,
        },
        {
            "name": "Time to process a change of address",
            "unit": "minutes_per_case",
            "direction": "lower_is_better",
            "baseline": {
                "value": 25,
                "period_start": "2027-01-01",
                "period_end": "2027-03-31",
                "method": "Timed sample of 40 cases.",
            },
            "target_value": 15,
            "annual_volume": 9000,
            "hourly_cost_pounds": 32.5,
            "cashable": False,
        },
    )

    name: ShortText = Field(min_length=1, examples=["Time to process a change of address"])
    unit: Unit
    direction: Direction
    baseline: Baseline | None = None
    target_value: Reading | None = None
    annual_volume: Money | None = Field(
        default=None, description="Cases a year the per-case value applies to (for per-case units)."
    )
    hourly_cost_pounds: Money | None = Field(
        default=None, description="Cost of one staff hour, on-costs included (for time units)."
    )
    cashable: bool = Field(default=False, description="True if the saving can leave the budget.")


class MetricUpdate(Input):
    model_config = examples({"target_value": 320})

    name: ShortText | None = Field(default=None, min_length=1)
    unit: Unit | None = None
    direction: Direction | None = None
    baseline: Baseline | None = None
    target_value: Reading | None = None
    annual_volume: Money | None = None
    hourly_cost_pounds: Money | None = None
    cashable: bool | None = None


class MeasurementCreate(Input):
    model_config = examples(
        {
            "metric_id": "6d2f1e0a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
            "value": 352,
            "period_start": "2027-06-01",
            "period_end": "2027-06-30",
            "method": "Instalments paid after the due date, from the revenues system.",
            "source": "Revenues system report R12",
        }
    )

    metric_id: uuid.UUID
    value: Reading
    period_start: date
    period_end: date
    method: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=4000, description="Internal: never published.")
    corrects: uuid.UUID | None = Field(
        default=None, description="The id of the measurement this entry corrects (it stays on record)."
    )

    @model_validator(mode="after")
    def _period(self) -> MeasurementCreate:
        _check_period(self.period_start, self.period_end, "period_end")
        return self


class MeasurementBatch(Input):
    """Many readings at once (a year of monthly readings for three metrics is 36): all or none."""

    model_config = examples(
        {
            "measurements": [
                {
                    "metric_id": "6d2f1e0a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
                    "value": 371,
                    "period_start": "2027-05-01",
                    "period_end": "2027-05-31",
                },
                {
                    "metric_id": "6d2f1e0a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
                    "value": 352,
                    "period_start": "2027-06-01",
                    "period_end": "2027-06-30",
                },
            ]
        }
    )

    measurements: list[MeasurementCreate] = Field(min_length=1, max_length=1000)


TRIALS_OF_IDEAS_MAX = 200  # the similar ideas of a hack day's whole queue (50 ideas, 3 each) fit in one call


def _each_once(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(ids)) != len(ids):
        raise ValueError("names an idea more than once")
    return ids


class TrialsOfIdeas(Input):
    """Ideas whose trials to read in one call (a "tried before?" panel's similar ideas)."""

    model_config = examples(
        {"idea_ids": ["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c", "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]}
    )

    idea_ids: Annotated[list[uuid.UUID], AfterValidator(_each_once)] = Field(
        min_length=1,
        max_length=TRIALS_OF_IDEAS_MAX,
        description=f"Ideas, each at most once (1 to {TRIALS_OF_IDEAS_MAX}), of any council.",
        examples=[["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c", "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]],
    )


class CheckpointReview(Input):
    model_config = examples({"note": "On track: late payments down 14% after six weeks; carry on."})

    note: str = Field(default="", max_length=4000)


# ---- verdicts --------------------------------------------------------------------------------------


class ReasonNote(Input):
    code: Reason
    note: str = Field(default="", max_length=2000)


class Lessons(Input):
    what_worked: str = Field(default="", max_length=4000)
    what_did_not: str = Field(default="", max_length=4000)
    do_differently: str = Field(default="", max_length=4000)
    conditions_elsewhere: str = Field(
        default="", max_length=4000, description="Under which conditions it might work in another council."
    )


class Verification(Input):
    name: Annotated[str, Text(200, at_least=1)]
    organisation: str = Field(default="", max_length=200)
    independent: bool = Field(description="True if the verifier is outside the trial team.")
    consents_to_be_named: bool = False


class VerdictCreate(Input):
    model_config = examples(
        {
            "outcome": "partly",
            "summary": "Late instalments fell by 14%, short of the 20% hoped for.",
            "reasons": [{"code": "data", "note": "A third of payers had no mobile number on record."}],
            "lessons": {
                "what_worked": "Texts sent at 10am were paid the same day more often.",
                "what_did_not": "Payers with no mobile number were not reached.",
                "do_differently": "Collect mobile numbers at sign-up for instalments.",
                "conditions_elsewhere": "Works where most payers gave a mobile number.",
            },
            "design": "before_after",
            "verified_by": {"name": "Sam Okoro", "organisation": "Internal audit", "independent": True},
        }
    )

    outcome: Outcome
    summary: Annotated[str, Text(4000, at_least=1)]
    reasons: list[ReasonNote] = Field(default_factory=list, max_length=9)
    lessons: Lessons
    design: Design | None = Field(default=None, description="How the gain was measured.")
    verified_by: Verification | None = None
    replications: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Library entries of other councils that reproduced this gain.",
    )


# ---- answers ---------------------------------------------------------------------------------------


class PartnerRef(BaseModel):
    id: uuid.UUID
    name: str
    kind: PartnerKind


class PartnerCreate(Input):
    model_config = examples({"name": "Northgate Pharmacy", "kind": "pharmacy", "note": "Ask for the manager, Jo."})

    name: Annotated[str, Text(200, at_least=1), Field(examples=["Northgate Pharmacy"])]
    kind: PartnerKind
    note: str = Field(default="", max_length=2000, description="Who to talk to, what they can do.")


class PartnerUpdate(Input):
    model_config = examples({"note": "Jo has moved on; ask for Alex."})

    name: Annotated[str, Text(200, at_least=1)] | None = None
    kind: PartnerKind | None = None
    note: str | None = Field(default=None, max_length=2000)


class PartnerPublic(BaseModel):
    id: uuid.UUID
    council_id: uuid.UUID
    name: str
    kind: PartnerKind
    note: str
    version: int


class IdeaRef(BaseModel):
    id: uuid.UUID
    title: str
    council_id: uuid.UUID
    council_name: str
    service_area: str
    hack_day_id: uuid.UUID | None
    hack_day_on: date | None


class MetricReading(BaseModel):
    """One effective reading of a metric (a corrected entry shows its correction's value)."""

    id: uuid.UUID
    value: float
    period_start: date
    period_end: date
    method: str
    source: str


class MetricPublic(BaseModel):
    id: uuid.UUID
    name: str
    unit: Unit
    direction: Direction
    baseline: Baseline | None
    target_value: float | None
    annual_volume: float | None
    hourly_cost_pounds: float | None
    cashable: bool
    version: int
    readings: list[MetricReading] = Field(
        default_factory=list, description="The effective readings, after corrections, oldest period first."
    )


class MeasurementPublic(BaseModel):
    id: uuid.UUID
    metric_id: uuid.UUID
    sequence: int
    value: float
    period_start: date
    period_end: date
    method: str
    source: str
    note: str
    corrects_id: uuid.UUID | None
    effective: bool = Field(description="False once a later correction replaces this entry.")
    recorded_by: uuid.UUID
    recorded_at: UtcDateTime


class MeasurementBatchPublic(BaseModel):
    recorded: int
    items: list[MeasurementPublic]


class CheckpointPublic(BaseModel):
    id: uuid.UUID
    label: str
    due_on: date
    reviewed_at: UtcDateTime | None
    note: str
    overdue: bool


class MetricGain(BaseModel):
    metric_id: uuid.UUID
    name: str
    unit: Unit
    direction: Direction
    baseline_value: float | None
    target_value: float | None
    latest_value: float | None
    measurements: int
    change: float | None
    improvement: float | None
    improvement_percent: float | None
    target_met: bool | None
    annual_hours: float | None
    annual_pounds: float | None
    cashable: bool
    missing: list[str]


class Gain(BaseModel):
    metrics: list[MetricGain]
    has_data: bool
    annual_hours: float
    cashable_hours: float
    non_cashable_hours: float
    annual_pounds: float
    cashable_pounds: float
    non_cashable_pounds: float
    trial_cost_pounds: float
    net_pounds: float
    net_cashable_pounds: float


class Evidence(BaseModel):
    level: int = Field(ge=1, le=5)
    label: str
    design: Design | None
    verified_by: Verification | None
    replications: list[uuid.UUID]


class VerdictPublic(BaseModel):
    outcome: Outcome
    summary: str
    reasons: list[ReasonNote]
    lessons: Lessons
    evidence: Evidence
    gain: Gain
    decided_by: uuid.UUID
    decided_at: UtcDateTime


class VerdictCheck(BaseModel):
    """What a verdict would freeze, before it is given: nothing is saved."""

    outcome: Outcome
    evidence: Evidence
    gain: Gain


class TrialPublic(BaseModel):
    id: uuid.UUID
    idea: IdeaRef
    origin: str
    round_id: uuid.UUID | None
    round_rank: int | None
    owner: NamedPerson | None
    sponsor: NamedPerson | None
    team: list[NamedPerson]
    hypothesis: str
    scope: str
    planned_start: date | None
    planned_end: date | None
    review_date: date | None
    checkpoint_schedule: list[str]
    trial_cost_pounds: float
    internal_notes: str
    kind_of_change: KindOfChange | None
    partners: list[PartnerRef]
    status: TrialStatus
    frozen: bool = Field(
        description="True once started: hypothesis, metrics, review date, checkpoints, kind of change and partners"
        " are fixed (the owner, sponsor and team may still change until the verdict)."
    )
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime
    started_at: UtcDateTime | None
    evaluating_at: UtcDateTime | None
    ended_at: UtcDateTime | None
    metrics: list[MetricPublic]
    checkpoints: list[CheckpointPublic]
    gain: Gain = Field(description="Computed from the metrics and measurements; frozen with the verdict.")
    evidence_level: int = Field(ge=1, le=5, description="Derived; frozen with the verdict.")
    verdict: VerdictPublic | None
    library_entry_id: uuid.UUID | None
    measurements: list[MeasurementPublic] | None = Field(
        default=None,
        description="Only on `GET /api/followup/trials/{trial_id}?measurements=true`: every entry recorded, "
        "corrections included, as `GET /api/followup/trials/{trial_id}/measurements` lists them (a trial's page "
        "shows both); null otherwise.",
    )


class TrialsOfIdeasAnswer(BaseModel):
    items: list[TrialPublic] = Field(
        description="The trial of each idea asked for that has one you may read, in the order asked; an idea "
        "without one (no trial, or another council's) is left out, as it would be a 404 alone."
    )


class TrialSummary(BaseModel):
    id: uuid.UUID
    idea: IdeaRef
    status: TrialStatus
    review_date: date | None
    version: int
    created_at: UtcDateTime
    outcome: Outcome | None
    library_entry_id: uuid.UUID | None


class Vocabulary(BaseModel):
    kinds_of_change: dict[str, str]
    partner_kinds: list[str]
    statuses: list[str]
    units: dict[str, str]
    directions: list[str]
    outcomes: list[str]
    reasons: dict[str, str]
    designs: list[str]
    evidence_levels: dict[int, str]
    default_checkpoints: list[str]
    stale_after_days: int
    licence: dict[str, str]


# ---- the shared library: the published record, the schema other councils' systems read ----------
# Every record is published under the Open Government Licence v3.0. The models refuse unknown
# fields, so the schema says `additionalProperties: false` and an importer can rely on exactly these.

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


class Record(BaseModel):
    # Published records refuse unknown fields in their schema too (additionalProperties: false),
    # so another council's importer can rely on exactly these fields.
    model_config = ConfigDict(extra="forbid")


class Licence(Record):
    name: str = OGL_NAME
    url: str = OGL_URL


class CouncilRef(Record):
    id: uuid.UUID
    name: str


class LibraryPerson(Record):
    name: str
    job_title: str
    role: PersonRole


class LibraryBaseline(Record):
    value: float
    period_start: date
    period_end: date
    method: str


class LibraryMeasurement(Record):
    value: float
    period_start: date
    period_end: date
    method: str
    source: str


class LibraryMetric(Record):
    name: str
    unit: Unit
    direction: Direction
    baseline: LibraryBaseline | None
    target_value: float | None
    latest_value: float | None
    change: float | None
    improvement: float | None
    improvement_percent: float | None
    target_met: bool | None
    annual_hours: float | None
    annual_pounds: float | None
    cashable: bool
    measurements: list[LibraryMeasurement] = Field(description="The effective series, after corrections.")


class LibraryGain(Record):
    annual_hours: float
    cashable_hours: float
    non_cashable_hours: float
    annual_pounds: float
    cashable_pounds: float
    non_cashable_pounds: float
    trial_cost_pounds: float
    net_pounds: float
    net_cashable_pounds: float


class LibraryVerifier(Record):
    name: str | None = Field(description="Present only if the verifier agreed to be named.")
    organisation: str
    independent: bool


class LibraryEvidence(Record):
    level: int = Field(ge=1, le=5)
    label: str
    design: Design | None
    verified_by: LibraryVerifier | None
    replications: list[uuid.UUID]


class LibraryReason(Record):
    code: Reason
    note: str


class LibraryLessons(Record):
    what_worked: str
    what_did_not: str
    do_differently: str
    conditions_elsewhere: str


class LibrarySource(Record):
    """Where an imported record came from: it is shown beside our own, always attributed."""

    platform: str = Field(description="The other platform, as the admin who subscribed to it named it.")
    feed_url: str = Field(description="The federation feed it was imported from.")
    entry_id: uuid.UUID = Field(description="The record's id on its own platform.")
    entry_url: str = Field(description="The record on its own platform.")
    version: int = Field(ge=1, description="The record's version on its own platform when it was imported.")
    imported_at: UtcDateTime
    removed_at: UtcDateTime | None = Field(
        default=None,
        description="Set when this platform's admins removed the subscription it came from: the record is kept "
        "as last imported, and no longer follows corrections or withdrawals on its own platform.",
    )


class LibraryCorrection(Record):
    at: UtcDateTime
    note: str = Field(description="What was corrected and why, in the council's words.")


class LibraryRecord(Record):
    """One published verdict, as every council reads and exports it."""

    id: uuid.UUID
    url: str
    trial_id: uuid.UUID
    idea_id: uuid.UUID
    title: str
    council: CouncilRef
    service_area: str
    kind_of_change: KindOfChange | None = Field(
        default=None, description="What kind of change it tried (absent in records published before it existed)."
    )
    partner_kinds: list[PartnerKind] = Field(
        default_factory=list, description="The kinds of partner organisation that took part."
    )
    hypothesis: str
    scope: str
    hack_day_on: date | None
    started_on: date | None
    ended_on: date | None
    status: str = Field(pattern="^(concluded|stopped)$")
    outcome: Outcome
    summary: str
    reasons: list[LibraryReason]
    lessons: LibraryLessons
    metrics: list[LibraryMetric]
    gain: LibraryGain
    evidence: LibraryEvidence
    people: list[LibraryPerson] = Field(description="Only people who agreed to be named.")
    unnamed_people: int = Field(ge=0, description="People on the trial who are not named.")
    published_at: UtcDateTime
    licence: Licence
    attribution: str
    corrections: list[LibraryCorrection] = Field(
        default_factory=list, description="Corrections made since it was published, oldest first."
    )
    source: LibrarySource | None = Field(
        default=None, description="Null for this platform's own records; for an imported one, where it came from."
    )


class LibrarySummary(BaseModel):
    """A search result: enough to say what became of an idea (outcome, why, lessons, gain, evidence)
    without the metrics and people; the whole record is at `url`."""

    id: uuid.UUID
    url: str
    trial_id: uuid.UUID
    idea_id: uuid.UUID
    title: str
    council: CouncilRef
    council_name: str
    service_area: str
    status: str
    outcome: Outcome
    summary: str
    reasons: list[LibraryReason]
    lessons: LibraryLessons
    gain: LibraryGain
    evidence: LibraryEvidence
    evidence_level: int
    published_at: UtcDateTime
    source: LibrarySource | None = Field(default=None, description="Null for our own; where an imported one came from.")


class LibraryExport(Record):
    """The JSON export: a licence, the schema it follows and the records."""

    schema_url: str = Field(alias="$schema")
    licence: Licence
    attribution: str
    generated_at: UtcDateTime
    total: int
    entries: list[LibraryRecord]

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class LibraryCorrect(Input):
    """A correction of a published record: what changes, and a note saying what and why."""

    note: Annotated[str, Text(2000, at_least=1), Field(description="What was corrected and why (published).")]
    summary: Annotated[str, Text(4000, at_least=1)] | None = None
    lessons: Lessons | None = None

    model_config = examples(
        {"note": "The saving was counted twice; halved.", "summary": "Pre-filling saved half an hour a case."}
    )


class LibraryWithdraw(Input):
    reason: Annotated[str, Text(2000, at_least=1), Field(description="Why it is withdrawn (told to importers).")]

    model_config = examples({"reason": "Published by mistake: the trial had not ended."})


class FederatedEntry(Record):
    """One entry of the federation feed: the record at its current version, or a withdrawal."""

    id: uuid.UUID
    version: int = Field(ge=1)
    updated_at: UtcDateTime
    withdrawn_at: UtcDateTime | None
    withdrawn_reason: str
    record: LibraryRecord | None = Field(description="Null once withdrawn.")


class FederationPage(Record):
    """A page of a platform's own published entries, oldest first, withdrawals included, for other
    platforms to import (a new entry only ever lands on the last page, so earlier pages stay cached)."""

    licence: Licence
    attribution: str
    platform_url: str = Field(description="Where the publishing platform is reached (its public address).")
    offset: int
    limit: int
    next_offset: int | None
    entries: list[FederatedEntry]


FEED_URL_PATTERN = r"^https?://[^\s/?#]+(/[^\s]*)?$"


class SubscriptionCreate(Input):
    name: Annotated[str, Text(200, at_least=1), Field(examples=["Northshire councils' platform"])]
    feed_url: str = Field(
        max_length=500,
        pattern=FEED_URL_PATTERN,
        description="The other platform's federation feed: <its address>/api/followup/library/federation.json",
        examples=["https://hackdays.northshire.gov.uk/api/followup/library/federation.json"],
    )

    model_config = examples(
        {
            "name": "Northshire councils' platform",
            "feed_url": "https://hackdays.northshire.gov.uk/api/followup/library/federation.json",
        }
    )


class SubscriptionUpdate(Input):
    """Pause or resume a subscription (a paused one is not imported, on schedule or on demand), or rename it."""

    name: Annotated[str, Text(200, at_least=1), Field(examples=["Northshire councils' platform"])] | None = None
    active: bool | None = Field(default=None, description="false pauses the imports; true resumes them.")

    model_config = examples({"active": False})


class ImportCounts(BaseModel):
    pages_fetched: int = 0
    pages_unchanged: int = Field(default=0, description="Pages the origin answered 304 Not Modified.")
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    refused: int = Field(default=0, description="Entries that did not match the published schema.")
    refusals: list[str] = Field(default_factory=list, description="Why, for the first few refused.")


class SubscriptionPublic(BaseModel):
    id: uuid.UUID
    name: str
    feed_url: str
    active: bool
    created_at: UtcDateTime
    entries: int = Field(description="Entries imported from it and not withdrawn.")
    last_attempt_at: UtcDateTime | None
    last_success_at: UtcDateTime | None
    last_error: str | None = Field(description="Why the last import failed; null when it worked.")
    last_counts: ImportCounts | None


def entry_url(base_url: str, entry_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/api/followup/library/{entry_id}"


def schema_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/api/followup/library/schema.json"


# ---- reports: the overdue list and the portfolio ---------------------------------------------------


class OverdueCheckpoint(BaseModel):
    id: uuid.UUID
    label: str
    due_on: date
    days_overdue: int


class TrialAttention(BaseModel):
    trial_id: uuid.UUID
    idea: IdeaRef
    status: TrialStatus
    review_date: date | None
    review_overdue: bool
    overdue_checkpoints: list[OverdueCheckpoint]
    last_measured_on: date | None
    days_without_measurement: int | None
    stale: bool


class AttentionList(BaseModel):
    council_id: uuid.UUID | None
    today: date
    stale_after_days: int
    items: list[TrialAttention]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class Funnel(BaseModel):
    ideas: int | None = Field(description="Ideas submitted; null when the ideas service cannot say.")
    selected: int | None = Field(
        description="Ideas selected (by a vote), as the ideas service counts them; null when it cannot say "
        "(and in the sector report)."
    )
    opened: int = Field(description="Trials opened, by a vote or by a manager.")
    trialled: int
    concluded: int
    worked: int
    partly: int


class RealisedGains(BaseModel):
    trials: int
    annual_hours: float
    cashable_hours: float
    non_cashable_hours: float
    annual_pounds: float
    cashable_pounds: float
    non_cashable_pounds: float
    trial_cost_pounds: float
    net_pounds: float


class Honesty(BaseModel):
    not_worked: int
    not_worked_published: int
    share_published: float | None = Field(description="not_worked_published ÷ not_worked, 0 to 1.")


class Attention(BaseModel):
    overdue_reviews: int
    stale_trials: int


class Figures(BaseModel):
    funnel: Funnel
    outcomes: dict[str, int]
    realised_gains: RealisedGains
    median_days_hack_day_to_verdict: float | None
    honesty: Honesty
    attention: Attention


class CouncilFigures(Figures):
    council_id: uuid.UUID
    council_name: str


class CouncilPortfolio(CouncilFigures):
    overdue_trials: list[TrialAttention] | None = Field(
        default=None,
        description="Only when asked for with `overdue_trials=true`: the trials that need attention themselves, "
        f"the first {PAGE_MAX} as `GET /api/followup/overdue` lists them, worked out once with the figures "
        "(a portfolio page shows both); null otherwise.",
    )


class SectorPortfolio(Figures):
    councils: list[CouncilFigures]


# ---- what works --------------------------------------------------------------------------------------


class OutcomeShares(BaseModel):
    """Shares of a group's trials, 0 to 1 (failed = did_not_work or stopped)."""

    worked: float
    partly: float
    no_change: float
    failed: float
    inconclusive: float


class AtAGlance(BaseModel):
    impact: str | None = Field(description="low, moderate or high: the share that worked or partly worked.")
    cost: str | None = Field(description="very low, low, moderate, high or very high: the median trial cost.")
    evidence: int | None = Field(description="1 to 5: the median evidence level, rounded.")


class WhatWorksGroup(BaseModel):
    key: str = Field(
        description="The service area, kind of change or kind of partner ('unclassified' or 'no_partner' when none)"
    )
    trials: int
    own: int = Field(description="Entries published on this platform.")
    imported: int = Field(description="Entries imported from other platforms.")
    shares: OutcomeShares
    median_annual_pounds: float | None = Field(description="Over trials that worked or partly worked.")
    median_annual_hours: float | None = Field(description="Over trials that worked or partly worked.")
    median_net_pounds: float | None = Field(description="Over trials that worked or partly worked.")
    evidence_levels: dict[int, int] = Field(description="How many trials at each evidence level, 1 to 5.")
    median_trial_cost_pounds: float | None
    median_days_to_verdict: float | None = Field(description="From the start of the trial to its verdict.")
    median_days_hack_day_to_verdict: float | None
    at_a_glance: AtAGlance


class WhatWorks(BaseModel):
    by: str
    trials: int
    groups: list[WhatWorksGroup]
