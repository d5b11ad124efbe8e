"""The published record of the shared library, and the JSON Schema other councils' systems read.

Every record is published under the Open Government Licence v3.0. The models refuse unknown
fields, so the schema says `additionalProperties: false` and an importer can rely on exactly these.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from followup.schemas import UtcDateTime
from followup.vocab import OGL_NAME, OGL_URL, Design, Direction, Outcome, PersonRole, Reason, Unit

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


class LibraryRecord(Record):
    """One published verdict, as every council reads and exports it."""

    id: uuid.UUID
    url: str
    trial_id: uuid.UUID
    idea_id: uuid.UUID
    title: str
    council: CouncilRef
    service_area: str
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


class LibraryExport(Record):
    """The JSON export: a licence, the schema it follows and the records."""

    schema_url: str = Field(alias="$schema")
    licence: Licence
    attribution: str
    generated_at: UtcDateTime
    total: int
    entries: list[LibraryRecord]

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


def entry_url(base_url: str, entry_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/api/followup/library/{entry_id}"


def schema_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/api/followup/library/schema.json"


def json_schema(base_url: str) -> dict[str, Any]:
    """The published JSON Schema (2020-12) of the export; records are its `$defs/LibraryRecord`."""
    schema = LibraryExport.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(base_url),
        "description": f"The shared library of council trial verdicts, published under the {OGL_NAME} ({OGL_URL}).",
        **schema,
    }
