"""The follow-up service's fixed vocabulary: statuses, metric units, outcomes, reasons, designs.

Each list is documented in docs/followup.md and served at GET /api/followup/vocabulary, so a
client never has to guess a code. Adding a code is a migration-free change; removing one is not.
"""

from __future__ import annotations

from enum import StrEnum


class TrialStatus(StrEnum):
    planned = "planned"
    running = "running"
    evaluating = "evaluating"
    concluded = "concluded"
    stopped = "stopped"


# A trial's metrics and hypothesis may change only while it is planned; after that they are frozen.
OPEN_STATUSES = (TrialStatus.planned, TrialStatus.running, TrialStatus.evaluating)
ENDED_STATUSES = (TrialStatus.concluded, TrialStatus.stopped)


class Direction(StrEnum):
    lower_is_better = "lower_is_better"
    higher_is_better = "higher_is_better"


class Unit(StrEnum):
    hours_per_case = "hours_per_case"
    minutes_per_case = "minutes_per_case"
    hours_per_week = "hours_per_week"
    days_waiting = "days_waiting"
    cases_per_week = "cases_per_week"
    error_rate = "error_rate"
    percent = "percent"
    cost_pounds_per_case = "cost_pounds_per_case"
    cost_pounds_per_year = "cost_pounds_per_year"
    count = "count"  # type: ignore[assignment]  # a unit that shares its name with str.count
    score = "score"


UNIT_MEANINGS: dict[Unit, str] = {
    Unit.hours_per_case: "staff hours spent on one case; annualised as hours × annual_volume",
    Unit.minutes_per_case: "staff minutes spent on one case; annualised as minutes ÷ 60 × annual_volume",
    Unit.hours_per_week: "staff hours spent per week on the process; annualised as hours × 52",
    Unit.days_waiting: "calendar days a resident or case waits; an outcome, not converted to hours or money",
    Unit.cases_per_week: "cases completed per week; an outcome, not converted to hours or money",
    Unit.error_rate: "share of cases with an error, from 0 to 1; an outcome",
    Unit.percent: "a percentage from 0 to 100 (e.g. first-contact resolution); an outcome",
    Unit.cost_pounds_per_case: "money spent on one case; annualised as pounds × annual_volume",
    Unit.cost_pounds_per_year: "money spent per year; already annual",
    Unit.count: "a count in the measurement period (complaints, failure demand); an outcome",
    Unit.score: "a survey or satisfaction score; an outcome",
}

# Units whose change turns into staff hours, and the factor from one unit of change to hours a year
# (None: multiply by the metric's annual_volume instead of a fixed factor).
HOUR_UNITS: dict[Unit, tuple[float, bool]] = {
    # unit: (hours per unit, needs annual_volume)
    Unit.hours_per_case: (1.0, True),
    Unit.minutes_per_case: (1.0 / 60.0, True),
    Unit.hours_per_week: (52.0, False),
}
MONEY_UNITS: dict[Unit, tuple[float, bool]] = {
    Unit.cost_pounds_per_case: (1.0, True),
    Unit.cost_pounds_per_year: (1.0, False),
}
WEEKS_PER_YEAR = 52

# The values a reading in each unit can take (None: no bound). A rate above 1 or a negative wait
# is a typing slip, caught when it is entered rather than in next year's report.
UNIT_RANGES: dict[Unit, tuple[float | None, float | None]] = {
    **{unit: (0.0, None) for unit in Unit},
    Unit.error_rate: (0.0, 1.0),
    Unit.percent: (0.0, 100.0),
    Unit.score: (None, None),
}


class Outcome(StrEnum):
    worked = "worked"
    partly = "partly"
    no_change = "no_change"
    did_not_work = "did_not_work"
    stopped = "stopped"
    inconclusive = "inconclusive"


# Outcomes that claim a gain need a baseline and a measurement behind them.
GAIN_OUTCOMES = (Outcome.worked, Outcome.partly)
# Outcomes counted as "did not work" in the portfolio's honesty figure.
NOT_WORKED_OUTCOMES = (Outcome.no_change, Outcome.did_not_work, Outcome.stopped)
# Outcomes counted as "failed" in what works (no_change and inconclusive have shares of their own).
FAILED_OUTCOMES = (Outcome.did_not_work, Outcome.stopped)


class Reason(StrEnum):
    adoption = "adoption"
    data = "data"
    technology = "technology"
    procurement = "procurement"
    information_governance = "information_governance"
    staffing = "staffing"
    cost = "cost"
    wrong_problem = "wrong_problem"
    external_change = "external_change"


REASON_MEANINGS: dict[Reason, str] = {
    Reason.adoption: "staff or residents did not take up the new way of working (or did, and it helped)",
    Reason.data: "the data needed was missing, poor, late or could not be joined up",
    Reason.technology: "the software or hardware did not do what was needed, or integration failed",
    Reason.procurement: "buying the product or service took too long or was not possible",
    Reason.information_governance: "data protection, sharing agreements or a DPIA blocked or slowed it",
    Reason.staffing: "people left, were redeployed or had no time for the trial",
    Reason.cost: "running or scaling it costs more than it saves",
    Reason.wrong_problem: "the trial solved a problem that was not the real cause",
    Reason.external_change: "something outside the trial changed (legislation, demand, a partner)",
}


class Design(StrEnum):
    """How the gain was measured: the basis of the evidence level."""

    before_after = "before_after"
    comparison_group = "comparison_group"
    randomised = "randomised"


class PersonRole(StrEnum):
    owner = "owner"
    sponsor = "sponsor"
    team = "team"


# Default review checkpoints after the start: 6 weeks, 3, 6 and 12 months.
DEFAULT_CHECKPOINTS = ("6w", "3m", "6m", "12m")

OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# A review interval after the start: "6w" is six weeks, "3m" three months.
INTERVAL_PATTERN = r"^([1-9][0-9]?)([wm])$"

# The evidence levels (domain/evidence.py says how a trial earns each).
EVIDENCE_SCALE: dict[int, str] = {
    1: "Described: a hypothesis and metrics, but no change measured against a baseline",
    2: "Before and after: a change measured against a baseline, causality not shown",
    3: "Comparison group or randomised: a change shown to be caused by the trial",
    4: "Independently verified: level 3 confirmed by someone outside the trial team",
    5: "Replicated: level 4 and a gain reproduced by another council",
}


class KindOfChange(StrEnum):
    """What kind of change a trial tried: the what-works taxonomy, chosen by the trial's managers."""

    automation = "automation"
    digital_self_service = "digital_self_service"
    process_redesign = "process_redesign"
    communication = "communication"
    data_and_information = "data_and_information"
    partnership = "partnership"
    workforce = "workforce"
    other = "other"


KIND_OF_CHANGE_MEANINGS: dict[KindOfChange, str] = {
    KindOfChange.automation: "software or a robot does a step that people did (RPA, rules engines, bots)",
    KindOfChange.digital_self_service: "residents or businesses do it themselves online (forms, portals, apps)",
    KindOfChange.process_redesign: "steps removed, merged, reordered or moved earlier (lean, triage, one visit)",
    KindOfChange.communication: "what residents are told and when (reminders, letters, texts, nudges)",
    KindOfChange.data_and_information: "data joined up, shared, cleaned or used to target work",
    KindOfChange.partnership: "work shared with or moved to a partner organisation",
    KindOfChange.workforce: "roles, skills, rotas, training or where staff work",
    KindOfChange.other: "none of the above",
}
# The group of entries that name no service area or kind of change.
UNCLASSIFIED = "unclassified"

# What works, at a glance (docs/followup.md, "What works"). Impact: the share of trials that worked
# or partly worked, below each limit. Cost: the median trial cost in pounds, below each limit.
IMPACT_BANDS: tuple[tuple[float, str], ...] = ((0.25, "low"), (0.5, "moderate"))
COST_BANDS: tuple[tuple[float, str], ...] = (
    (1_000, "very low"),
    (5_000, "low"),
    (20_000, "moderate"),
    (50_000, "high"),
)


class PartnerKind(StrEnum):
    """The kinds of organisation a council works with on a trial (its map of partners)."""

    bus_operator = "bus_operator"
    pharmacy = "pharmacy"
    gp_surgery = "gp_surgery"
    nhs_trust = "nhs_trust"
    housing_association = "housing_association"
    waste_contractor = "waste_contractor"
    charity = "charity"
    community_group = "community_group"
    school = "school"
    police = "police"
    fire_service = "fire_service"
    business = "business"
    other_council = "other_council"
    other = "other"


# The group of what-works entries whose trial named no partner.
NO_PARTNER = "no_partner"
