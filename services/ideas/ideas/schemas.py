"""API schemas of the ideas service: what clients send (unknown fields refused) and what they get back.

Inputs never carry author, council, status, version or moderation fields: those come from the token
and from the actions organisers take, so a body that tries to set them is a 422 naming the field.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from datetime import date as calendar_date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from ideas import vocabulary as v
from platform_core.pages import Page
from platform_core.schemas import Input, Text, examples


def as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; every one we store is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]

_SPACES = re.compile(r"\s+")
_TAG_JUNK = re.compile(r"[^\w-]+", re.UNICODE)


def normalise_tag(raw: str) -> str:
    """'  Council Tax!! ' -> 'council-tax': lower case, words joined by hyphens, punctuation dropped."""
    words = _TAG_JUNK.sub(" ", raw.lower()).split()
    return "-".join(words).strip("-_")[: v.TAG_MAX]


def _one_line(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


# Text rules (platform_core.schemas.Text), published as patterns so that the OpenAPI document says
# exactly what is accepted (a schema-driven fuzzer checks it), and checked with the same patterns so
# that a person gets a plain message rather than a regular expression. No text may hold NUL, which
# PostgreSQL cannot store; required text needs characters that are not spaces (surrounding spaces are
# stripped first).
TAG_PATTERN = r"^[^\x00]*[^\W_][^\x00]*$"  # at least one letter or digit


# ---- hack days -------------------------------------------------------------------------------------

Theme = Annotated[str, Text(v.THEME_MAX, at_least=1)]
HackDayName = Annotated[str, Text(v.HACK_DAY_NAME_MAX, at_least=3)]


def _date_as_text(value: object) -> object:
    # JSON has no date type: take only "YYYY-MM-DD", not the numbers lax parsing would turn into dates.
    if not isinstance(value, (str, calendar_date)):
        raise PydanticCustomError("date_type", "must be a date written YYYY-MM-DD")
    return value


Day = Annotated[calendar_date, BeforeValidator(_date_as_text)]


def _number_not_text(value: object) -> object:
    # Lax parsing would take "3" or true for a number; the API documents numbers, so only numbers.
    if isinstance(value, (str, bool)):
        raise PydanticCustomError("int_type", "must be a whole number")
    return value


WholeNumber = Annotated[int, BeforeValidator(_number_not_text)]


class HackDayCreate(Input):
    model_config = examples(
        {"name": "Spring hack day 2027", "date": "2027-04-01", "themes": ["Cut the wait for a council tax answer"]}
    )

    name: HackDayName = Field(examples=["Spring hack day 2027"])
    date: Day
    themes: list[Theme] = Field(
        default_factory=list,
        max_length=v.THEMES_MAX,
        description="Theme or challenge statements, e.g. 'Cut the wait for a council tax answer'.",
    )


class HackDayUpdate(Input):
    """Only the fields sent change; none can be cleared, so none is nullable in the document."""

    model_config = examples({"date": "2027-04-08"})

    name: HackDayName = None  # type: ignore[assignment]  # default "not sent", never a value
    date: Day = None  # type: ignore[assignment]
    themes: list[Theme] = Field(default=None, max_length=v.THEMES_MAX)  # type: ignore[arg-type]


class PhaseChange(Input):
    model_config = examples({"phase": "open"})

    phase: v.Phase = Field(description="The next phase: draft -> open -> voting -> closed, one step at a time.")


class HackDayPublic(BaseModel):
    id: uuid.UUID
    council_id: uuid.UUID
    council_name: str
    name: str
    date: calendar_date
    phase: v.Phase
    themes: list[str]
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


HackDayPage = Page[HackDayPublic]


# ---- ideas -----------------------------------------------------------------------------------------

Tag = Annotated[str, Text(v.TAG_MAX, pattern=TAG_PATTERN, message="must contain a letter or a digit", min_length=1)]
Partner = Annotated[str, Text(v.PARTNER_MAX, at_least=1)]
Title = Annotated[str, Text(v.TITLE_MAX, at_least=3)]
LongText = Annotated[str, Text(v.TEXT_MAX, at_least=1)]


def _each_once(value: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(value)) != len(value):
        raise ValueError("each idea may be named once")
    return value


# Ideas a request names (a shortlist, a ballot's candidates): each at most once.
IdeaIds = Annotated[list[uuid.UUID], AfterValidator(_each_once)]
# Filters of a list: any text without NUL.
TagFilter = Annotated[str, Text(v.TAG_MAX)]
SearchWords = Annotated[str, Text(200)]
PublicSummary = Annotated[str, Text(v.PUBLIC_SUMMARY_MAX, at_least=1)]
PUBLIC_SUMMARY_DOC = (
    "Optional, up to 500 characters: one or two sentences the authors write to be shared with every "
    "other council, e.g. what changes and for whom. Other councils see the title, service area and "
    "this summary while the idea is unpublished (never the problem or proposal), and their "
    "similar-idea search matches this idea on those alone, so a good summary is what lets another "
    "council find it and learn from it. Leave out names of residents or colleagues."
)
PUBLIC_SUMMARY_EXAMPLE = "A text message five days before each council tax instalment, with a link to pay online."


class ExpectedBenefit(Input):
    amount: float = Field(ge=0, le=v.BENEFIT_AMOUNT_MAX, strict=True, description="How much, in `unit`, per year.")
    unit: v.BenefitUnit
    beneficiaries: v.Beneficiaries = Field(description="Who gains: staff, residents or both.")
    note: Annotated[str, Text(v.BENEFIT_NOTE_MAX)] | None = Field(default=None, description="How it was estimated.")


def _clean_tags(tags: list[str] | None) -> list[str] | None:
    if tags is None:
        return None
    out: list[str] = []
    for raw in tags:
        tag = normalise_tag(raw)
        if not tag:
            raise ValueError(f"tag {raw!r} has no letters or digits")
        if tag not in out:
            out.append(tag)
    return out


def _clean_partners(partners: list[str] | None) -> list[str] | None:
    if partners is None:
        return None
    out: list[str] = []
    for raw in partners:
        partner = _one_line(raw)
        if partner and partner.lower() not in (p.lower() for p in out):
            out.append(partner)
    return out


class _IdeaText(Input):
    @field_validator("title", check_fields=False)
    @classmethod
    def _title_one_line(cls, value: str | None) -> str | None:
        return None if value is None else _one_line(value)

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return _clean_tags(value)

    @field_validator("partners", check_fields=False)
    @classmethod
    def _partners(cls, value: list[str] | None) -> list[str] | None:
        return _clean_partners(value)


class IdeaCreate(_IdeaText):
    model_config = examples(
        {
            "hack_day_id": "3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c",
            "title": "SMS reminders before council tax is due",
            "problem": "About 4,000 households a year miss an instalment and are sent a reminder notice by post.",
            "proposal": "Send a text message five days before each instalment, with a link to pay online.",
            "public_summary": "A text message five days before each council tax instalment, with a link to pay.",
            "expected_benefit": {"amount": 300, "unit": "hours", "beneficiaries": "both"},
            "service_area": "revenues_and_benefits",
            "tags": ["sms", "council tax"],
            "partners": ["GOV.UK Notify"],
        }
    )

    hack_day_id: uuid.UUID
    title: Title = Field(examples=["SMS reminders before council tax is due"])
    problem: LongText = Field(description="The problem today: which process, who suffers, how often.")
    proposal: LongText = Field(description="The change proposed.")
    public_summary: PublicSummary | None = Field(
        default=None, description=PUBLIC_SUMMARY_DOC, examples=[PUBLIC_SUMMARY_EXAMPLE]
    )
    expected_benefit: ExpectedBenefit | None = None
    service_area: v.ServiceArea
    tags: list[Tag] = Field(default_factory=list, max_length=v.TAGS_MAX)
    partners: list[Partner] = Field(
        default_factory=list,
        max_length=v.PARTNERS_MAX,
        description="Organisations outside the council it would involve (bus operators, pharmacists...).",
    )


class IdeaUpdate(_IdeaText):
    """Only the fields sent change. Send `expected_benefit: null` or `public_summary: null` to clear it."""

    model_config = examples({"title": "SMS and email reminders before council tax is due", "expected_benefit": None})

    # Not sent means unchanged; only expected_benefit and public_summary may be cleared with null.
    title: Title = None  # type: ignore[assignment]
    problem: LongText = None  # type: ignore[assignment]
    proposal: LongText = None  # type: ignore[assignment]
    public_summary: PublicSummary | None = Field(
        default=None, description=PUBLIC_SUMMARY_DOC, examples=[PUBLIC_SUMMARY_EXAMPLE]
    )
    expected_benefit: ExpectedBenefit | None = None
    service_area: v.ServiceArea = None  # type: ignore[assignment]
    tags: list[Tag] = Field(default=None, max_length=v.TAGS_MAX)  # type: ignore[arg-type]
    partners: list[Partner] = Field(default=None, max_length=v.PARTNERS_MAX)  # type: ignore[arg-type]


class Author(BaseModel):
    person_id: uuid.UUID
    name: str
    role: Literal["author", "co_author"]


class Selection(BaseModel):
    round_id: uuid.UUID
    rank: int
    selected_at: UtcDateTime


class Outcome(BaseModel):
    verdict: v.Verdict
    trial_id: uuid.UUID
    published_at: UtcDateTime


class Moderation(BaseModel):
    """Shown only to the idea's authors and its council's organisers."""

    hidden_reason: str | None = None
    hidden_at: UtcDateTime | None = None
    invited_co_author_ids: list[uuid.UUID] = Field(default_factory=list)


class IdeaPublic(BaseModel):
    """An idea in full: for its own council, and for everyone once its outcome is published."""

    view: Literal["full"] = "full"
    id: uuid.UUID
    hack_day_id: uuid.UUID
    council_id: uuid.UUID
    council_name: str
    title: str
    problem: str
    proposal: str
    public_summary: str | None = Field(description="Written to be shared: what other councils read before publication.")
    expected_benefit: ExpectedBenefit | None
    service_area: v.ServiceArea
    tags: list[str]
    partners: list[str]
    status: v.IdeaStatus
    author_ids: list[uuid.UUID] = Field(description="The lead author first, then co-authors who joined.")
    authors: list[Author]
    duplicate_of_id: uuid.UUID | None
    selection: Selection | None
    outcome: Outcome | None
    moderation: Moderation | None = Field(
        default=None, description="Present only for the idea's authors and its council's organisers."
    )
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class Licence(BaseModel):
    name: str = Field(examples=["Open Government Licence v3.0"])
    url: str


class ImportedSource(BaseModel):
    """Where an imported verdict came from, to be shown with it: it is always attributed."""

    platform: str = Field(description="The other platform, as this platform's admins named it when subscribing.")
    entry_url: str = Field(description="The published record on its own platform.")
    licence: Licence


class FailedTrial(BaseModel):
    """A published trial of a similar idea that did not deliver: on this platform, or on another one whose
    library this platform imports (federation)."""

    idea_id: uuid.UUID = Field(description="The idea's id (on its own platform, for an imported verdict).")
    title: str
    council_name: str
    verdict: v.Verdict
    trial_id: uuid.UUID | None = Field(description="The trial here; null for a trial on another platform.")
    score: float = Field(description="How similar it is to the shortlisted idea, 0 to 1.")
    library_entry_id: uuid.UUID | None = Field(
        default=None,
        description="For a verdict imported from another platform: its copy in this platform's library "
        "(/api/followup/library/{id}); null for this platform's own.",
    )
    source: ImportedSource | None = Field(
        default=None,
        description="For a verdict imported from another platform: that platform, the record there and its "
        "licence (always shown with it); null for this platform's own.",
    )


class ShortlistAnswer(IdeaPublic):
    """The shortlisted idea, and whether it repeats a trial that failed (so the organiser is told)."""

    warning: bool = Field(
        description="True when a similar idea's published trial did not work, made no change or was stopped."
    )
    warning_reason: str | None = Field(
        default=None,
        description="Why, in words a page can show, e.g. \"Like 'SMS reminders' (Anytown Council), "
        'whose trial did not work." (a trial on another platform names it: "(Anytown Council, on '
        "Northshire's platform)\"). Null when `warning` is false.",
    )
    failed_trials: list[FailedTrial] = Field(
        default_factory=list,
        description="Similar ideas whose published trial failed, most similar first (as found by "
        "similar-idea search; outcomes this service has been told of, this platform's own and those "
        "imported from other platforms).",
    )


SHORTLIST_MAX = 200  # a hack day's whole queue in one call: the largest hack days have a few hundred ideas


EXAMPLE_IDEA_IDS = ["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c", "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]


class HackDayIdeas(Input):
    """Some of a hack day's ideas, for a bulk action on them."""

    idea_ids: IdeaIds = Field(
        min_length=1,
        max_length=SHORTLIST_MAX,
        description=f"Ideas of this hack day, each at most once (1 to {SHORTLIST_MAX}).",
        examples=[EXAMPLE_IDEA_IDS],
    )


class ShortlistMany(HackDayIdeas):
    model_config = examples({"idea_ids": EXAMPLE_IDEA_IDS})


class IdeaRefusal(BaseModel):
    """An idea of a bulk request left as it was: the status and detail it would have been answered alone."""

    idea_id: uuid.UUID
    status: int = Field(
        description="404: not an idea of this hack day; 409: not in a status the action takes (shortlisting a "
        "hidden or withdrawn idea, marking a withdrawn idea or the earlier idea itself a duplicate...)."
    )
    detail: str


class ShortlistManyAnswer(BaseModel):
    """What a bulk shortlist did: every named idea is in exactly one of the two lists."""

    shortlisted: list[ShortlistAnswer] = Field(
        description="Ideas now on the shortlist (those that already were included), in the order asked, each "
        "with its 'tried before and failed' warning."
    )
    refused: list[IdeaRefusal] = Field(description="Ideas left as they were, each with why.")


class IdeaSummary(BaseModel):
    """What another council sees of an idea whose outcome is not published."""

    view: Literal["summary"] = "summary"
    id: uuid.UUID
    title: str
    public_summary: str | None = Field(description="What the authors wrote to be shared with other councils.")
    service_area: v.ServiceArea
    council_id: uuid.UUID
    council_name: str


class ImportedOutcome(BaseModel):
    verdict: str
    published_at: UtcDateTime | None


class ImportedIdea(BaseModel):
    """A verdict another platform published, imported into this platform's library (federation): the
    idea it tried, found beside this platform's own published outcomes and read in full by everyone."""

    view: Literal["imported"] = "imported"
    id: uuid.UUID = Field(description="The idea's id on its own platform (follow-up's library is asked by it).")
    library_entry_id: uuid.UUID = Field(description="Its copy in this platform's library: /api/followup/library/{id}.")
    title: str
    hypothesis: str = Field(description="What the trial set out to show.")
    summary: str = Field(description="The verdict's summary, as published.")
    service_area: str
    council_id: uuid.UUID = Field(description="The council on the other platform that tried it.")
    council_name: str
    outcome: ImportedOutcome
    source: ImportedSource


IdeaView = Annotated[IdeaPublic | IdeaSummary, Field(discriminator="view")]
# What "similar ideas" finds: this platform's ideas, and verdicts imported from other platforms.
SimilarView = Annotated[IdeaPublic | IdeaSummary | ImportedIdea, Field(discriminator="view")]


IdeaPage = Page[IdeaPublic]


class IdeaCounts(BaseModel):
    """How many ideas the list would total, without listing any: in play, and for each status."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "in_play": 42,
                    "submitted": 30,
                    "shortlisted": 8,
                    "selected": 3,
                    "withdrawn": 5,
                    "hidden": 0,
                    "duplicate": 1,
                }
            ]
        }
    )

    in_play: int = Field(description="Every idea but the withdrawn and hidden: the list's `total` with no `status`.")
    submitted: int
    shortlisted: int
    selected: int = Field(description="Selected by a vote.")
    withdrawn: int
    hidden: int = Field(
        description="0 unless you are an organiser (or an admin): hidden ideas are listed to no one else."
    )
    duplicate: int


class CoAuthorInvite(Input):
    model_config = examples({"person_id": "5b9e0c2a-1d3f-4e6a-9b8c-7d0e1f2a3b4c"})

    person_id: uuid.UUID = Field(description="A person of the idea's council; they join by accepting.")


# ---- moderation ------------------------------------------------------------------------------------


class HideRequest(Input):
    model_config = examples({"reason": "Names a resident"})

    reason: Annotated[str, Text(v.REASON_MAX, at_least=3)] = Field(examples=["Names a resident"])


class DuplicateRequest(Input):
    model_config = examples({"duplicate_of_id": "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"})

    duplicate_of_id: uuid.UUID = Field(description="The earlier idea this one repeats (same council).")


class HideMany(HackDayIdeas):
    model_config = examples({"idea_ids": EXAMPLE_IDEA_IDS, "reason": "Off topic"})

    reason: Annotated[str, Text(v.REASON_MAX, at_least=3)] = Field(
        description="One reason for every idea hidden, kept for the record; their authors see it.",
        examples=["Off topic"],
    )


class DuplicateMany(HackDayIdeas):
    model_config = examples({"idea_ids": EXAMPLE_IDEA_IDS, "duplicate_of_id": "5c9e7a10-2b3d-4f6a-9e8b-1c2d3e4f5a6b"})

    duplicate_of_id: uuid.UUID = Field(description="The earlier idea they repeat (same council, visible).")


class ModeratedMany(BaseModel):
    """What a bulk hide or bulk duplicate did: every named idea is in exactly one of the two lists."""

    moderated: list[IdeaPublic] = Field(
        description="Ideas now as asked (hidden, or duplicates of the earlier idea), those that already were "
        "included unchanged, in the order asked."
    )
    refused: list[IdeaRefusal] = Field(description="Ideas left as they were, each with why.")


# ---- comments --------------------------------------------------------------------------------------


class CommentCreate(Input):
    model_config = examples({"body": "Revenues tried texting in 2019; ask Priya how it went."})

    body: Annotated[str, Text(v.COMMENT_MAX, at_least=1)]


class CommentPublic(BaseModel):
    id: uuid.UUID
    idea_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    body: str | None = Field(description="Null for a hidden comment (organisers see it in `hidden_body`).")
    created_at: UtcDateTime
    hidden: bool
    hidden_reason: str | None = None
    hidden_body: str | None = None


CommentPage = Page[CommentPublic]


# ---- similar ideas ---------------------------------------------------------------------------------


class SimilarQuery(Input):
    model_config = examples(
        {"title": "Text reminders for council tax", "problem": "People miss instalments.", "limit": 5}
    )

    title: Annotated[str, Text(v.TITLE_MAX, at_least=1)]
    problem: Annotated[str, Text(v.TEXT_MAX)] | None = None
    proposal: Annotated[str, Text(v.TEXT_MAX)] | None = None
    limit: WholeNumber = Field(default=10, ge=1, le=50)
    exclude_idea_id: uuid.UUID | None = Field(default=None, description="Leave this idea out (the one being edited).")


class SimilarIdea(BaseModel):
    score: float = Field(ge=0, le=1)
    idea: SimilarView


class SimilarAnswer(BaseModel):
    items: list[SimilarIdea]


class SimilarToIdeasQuery(Input):
    model_config = examples(
        {"idea_ids": ["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c", "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"], "limit": 3}
    )

    idea_ids: IdeaIds = Field(
        min_length=1,
        max_length=50,
        description="Ideas you may read (a shortlist, a ballot's candidates), each at most once.",
        examples=[["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c"]],
    )
    limit: WholeNumber = Field(default=3, ge=1, le=10, description="Similar ideas per idea.")


class SimilarToIdea(BaseModel):
    idea_id: uuid.UUID
    items: list[SimilarIdea] = Field(description="The other ideas most like it, best first.")


class SimilarToIdeasAnswer(BaseModel):
    items: list[SimilarToIdea] = Field(description="One per idea asked for, in the order asked.")


# ---- vocabulary ------------------------------------------------------------------------------------


class Term(BaseModel):
    code: str
    label: str


class Vocabulary(BaseModel):
    service_areas: list[Term]
    benefit_units: list[Term]
    beneficiaries: list[str]
    phases: list[str]
    statuses: list[str]


# ---- internal events -------------------------------------------------------------------------------


class _Event(BaseModel):
    """An event from another service, as the platform's outbox relay posts it.

    Unlike people's inputs, unknown fields are ignored rather than refused: the sender is a trusted
    service (role "service" only), its envelope carries more than we use (`topic`, `occurred_at`,
    `idea_id`...), and refusing would make the relay retry an event for ever.
    """

    model_config = ConfigDict(extra="ignore")

    event_id: uuid.UUID = Field(description="Unique per event; a repeat is a no-op.")
    topic: str | None = Field(default=None, max_length=100)
    occurred_at: UtcDateTime | None = None


class IdeaSelected(_Event):
    round_id: uuid.UUID
    rank: WholeNumber = Field(ge=1, le=10_000)


class OutcomePublished(_Event):
    verdict: v.Verdict
    trial_id: uuid.UUID


class ImportedRecord(BaseModel):
    """What "tried before?" needs of an imported library record (follow-up sends the rest nowhere)."""

    model_config = ConfigDict(extra="ignore")

    idea_id: uuid.UUID
    council_id: uuid.UUID
    council_name: str = Field(max_length=200)
    title: str = Field(min_length=1, max_length=300)
    hypothesis: str = Field(default="", max_length=20_000)
    summary: str = Field(default="", max_length=20_000)
    service_area: str = Field(default="", max_length=120)
    outcome: str = Field(max_length=20)
    published_at: UtcDateTime | None = None
    platform: str = Field(max_length=200)
    entry_url: str = Field(max_length=500)
    licence: Licence


class ImportedVerdictChanged(_Event):
    """A library entry imported from another platform is new, corrected, or withdrawn at its origin."""

    version: WholeNumber = Field(ge=1, description="The library entry's version here; an older one is ignored.")
    record: ImportedRecord | None = Field(description="Null when the entry was withdrawn.")


class ImportedVerdictKept(BaseModel):
    id: uuid.UUID
    changed: bool = Field(description="False for a repeated or out-of-date event, which changes nothing.")
