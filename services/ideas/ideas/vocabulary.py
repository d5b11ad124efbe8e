"""The fixed words of the ideas service: service areas, benefit units, phases, statuses and limits.

Kept in one place so the API schemas, the database checks and docs/ideas.md say the same thing.
"""

from __future__ import annotations

from typing import Literal

# Service areas of a UK council (district, county or unitary), in the words staff use. The code is what
# the API takes; the label is what a page shows. "other" exists so that nobody is blocked from
# submitting an idea that fits nowhere; organisers can see and regroup those.
SERVICE_AREAS: dict[str, str] = {
    "adult_social_care": "Adult social care",
    "childrens_services": "Children's services and education",
    "revenues_and_benefits": "Revenues and benefits (council tax, business rates, benefits)",
    "housing": "Housing and homelessness",
    "waste_and_recycling": "Waste, recycling and street cleaning",
    "highways_and_transport": "Highways, transport and parking",
    "planning": "Planning and building control",
    "environmental_health": "Environmental health, trading standards and licensing",
    "public_health": "Public health",
    "customer_services": "Customer services and contact centre",
    "libraries_and_culture": "Libraries, culture, leisure and parks",
    "community_safety": "Community safety and emergency planning",
    "economic_development": "Economic development and regeneration",
    "climate_and_environment": "Climate and environment",
    "registrars_and_bereavement": "Registrars and bereavement services",
    "democratic_and_legal": "Democratic, electoral and legal services",
    "hr": "HR and workforce",
    "it_and_digital": "IT and digital",
    "finance_and_procurement": "Finance and procurement",
    "property_and_facilities": "Property, assets and facilities",
    "communications": "Communications and engagement",
    "other": "Other or cross-cutting",
}
ServiceArea = Literal[
    "adult_social_care",
    "childrens_services",
    "revenues_and_benefits",
    "housing",
    "waste_and_recycling",
    "highways_and_transport",
    "planning",
    "environmental_health",
    "public_health",
    "customer_services",
    "libraries_and_culture",
    "community_safety",
    "economic_development",
    "climate_and_environment",
    "registrars_and_bereavement",
    "democratic_and_legal",
    "hr",
    "it_and_digital",
    "finance_and_procurement",
    "property_and_facilities",
    "communications",
    "other",
]

# What an expected benefit is counted in, and who gains from it.
BenefitUnit = Literal["hours", "pounds", "days_waiting", "errors_avoided"]
BENEFIT_UNITS: dict[str, str] = {
    "hours": "Staff hours saved",
    "pounds": "Pounds saved or earned",
    "days_waiting": "Days of waiting avoided",
    "errors_avoided": "Errors avoided",
}
Beneficiaries = Literal["staff", "residents", "both"]

# A hack day moves forward one step at a time, only by its council's organisers.
Phase = Literal["draft", "open", "voting", "closed"]
PHASE_ORDER: tuple[str, ...] = ("draft", "open", "voting", "closed")

# An idea's status. See docs/ideas.md for what moves an idea between them.
IdeaStatus = Literal["submitted", "shortlisted", "selected", "withdrawn", "hidden", "duplicate"]
STATUSES: tuple[str, ...] = ("submitted", "shortlisted", "selected", "withdrawn", "hidden", "duplicate")
# Statuses that ordinary lists leave out unless asked for by name.
OUT_OF_PLAY: frozenset[str] = frozenset({"withdrawn", "hidden"})

# Verdicts that mean a trial did not deliver: an idea like one of these is shortlisted with a warning.
FAILED_VERDICTS: dict[str, str] = {
    "did_not_work": "did not work",
    "no_change": "made no change",
    "stopped": "was stopped",
}

# Verdicts a trial can end with (followup's words); recorded when an outcome is published.
Verdict = Literal["worked", "partly", "no_change", "did_not_work", "stopped", "inconclusive"]

# Length limits: generous for plain words typed on a phone, small enough that a page stays readable.
TITLE_MAX = 200
TEXT_MAX = 5000  # problem, proposal
PUBLIC_SUMMARY_MAX = 500
BENEFIT_NOTE_MAX = 1000
TAG_MAX = 40
TAGS_MAX = 10
PARTNER_MAX = 100
PARTNERS_MAX = 10
THEME_MAX = 300
THEMES_MAX = 10
HACK_DAY_NAME_MAX = 200
COMMENT_MAX = 2000
REASON_MAX = 500
CO_AUTHORS_MAX = 10
BENEFIT_AMOUNT_MAX = 1_000_000_000
