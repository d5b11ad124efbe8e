"""API schemas of the voting service: what a client may send, and what it gets back.

Input schemas forbid unknown fields, so a client can never set a round's council, phase, author
or result, nor a ballot's voter.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from platform_core.pages import Page
from platform_core.schemas import Input, Text, examples
from voting.vocabulary import Method, Phase, RankedCount

MAX_CANDIDATES = 500
MAX_LISTED_VOTERS = 5000


Title = Annotated[str, Text(200, at_least=1)]


class RoundRules(Input):
    """Rules of a round. Counting keys that do not belong to the method are refused."""

    dots_per_voter: int | None = Field(None, ge=1, le=100, description="dot voting: dots each voter has")
    max_dots_per_idea: int | None = Field(None, ge=1, le=100, description="dot voting: most dots on one idea")
    max_approvals: int | None = Field(None, ge=1, le=MAX_CANDIDATES, description="approval: most ideas picked")
    count: RankedCount | None = Field(None, description="ranked: Schulze (default) or instant-runoff")
    min_votes: int | None = Field(
        None, ge=1, le=100_000, description="score: ideas scored by fewer ballots are listed after the rest"
    )
    voter_ids: list[uuid.UUID] | None = Field(
        None,
        max_length=MAX_LISTED_VOTERS,
        description="who may vote; null means every person of the council (staff, organisers, managers)",
    )
    exclude_own_ideas: bool = Field(True, description="no voting for an idea you authored or co-authored")
    secret: bool = Field(True, description="secret ballot: nothing links a voter to their choices")
    results_hidden_until_close: bool = Field(True, description="no result is shown while the round is open")


class RulesPublic(BaseModel):
    dots_per_voter: int | None = None
    max_dots_per_idea: int | None = None
    max_approvals: int | None = None
    count: RankedCount | None = None
    min_votes: int | None = None
    eligible: Literal["council", "listed"]
    # Shown to the round's organisers only: a list of colleagues is not everyone's business.
    voter_ids: list[uuid.UUID] | None = None
    exclude_own_ideas: bool
    secret: bool
    results_hidden_until_close: bool


class RoundCreate(Input):
    model_config = examples(
        {
            "hack_day_id": "3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c",
            "title": "Which ideas do we trial this spring?",
            "method": "approval",
            "rules": {"max_approvals": 2, "secret": True},
            "closes_at": "2027-04-01T16:00:00Z",
            "selected_count": 2,
        },
        {
            "hack_day_id": "3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c",
            "title": "Rank the shortlist",
            "method": "ranked",
            "rules": {"count": "schulze"},
            "idea_ids": [
                "0b7e7a52-5d6c-4c1e-9a43-2f4f3c1d9e01",
                "5f0c3b0e-8a0a-4d0b-b7a3-6b1f2c9d4e02",
                "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e03",
            ],
        },
    )

    hack_day_id: uuid.UUID
    title: Title
    method: Method
    rules: RoundRules = Field(default_factory=RoundRules)
    idea_ids: list[uuid.UUID] | None = Field(
        None,
        min_length=2,
        max_length=MAX_CANDIDATES,
        description="the candidates; null means every shortlisted idea of the hack day",
    )
    opens_at: AwareDatetime | None = Field(None, description="no ballot is accepted before this time")
    closes_at: AwareDatetime | None = Field(None, description="the round closes (and is counted) at this time")
    selected_count: int = Field(3, ge=1, le=100, description="how many ideas are selected when published")


class RoundUpdate(Input):
    """Send only what changes. Method, rules and candidates freeze at the first ballot (409)."""

    model_config = examples({"closes_at": "2027-04-01T17:00:00Z", "selected_count": 3})

    title: Title | None = None
    method: Method | None = None
    rules: RoundRules | None = None
    idea_ids: list[uuid.UUID] | None = Field(None, min_length=2, max_length=MAX_CANDIDATES)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    selected_count: int | None = Field(None, ge=1, le=100)


class Candidate(BaseModel):
    idea_id: uuid.UUID
    title: str
    author_ids: list[uuid.UUID]


class RoundPublic(BaseModel):
    id: uuid.UUID
    council_id: uuid.UUID
    hack_day_id: uuid.UUID
    title: str
    method: Method
    rules: RulesPublic
    candidates: list[Candidate]
    phase: Phase
    opens_at: datetime | None
    closes_at: datetime | None
    selected_count: int
    frozen: bool
    voters: int = Field(description="how many people have voted (not who)")
    audit_head: str | None = Field(None, description="the audit chain's head, once the round is closed")
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    version: int


RoundPage = Page[RoundPublic]


class PublishIn(Input):
    model_config = examples({"selected_count": 2})

    selected_count: int | None = Field(None, ge=1, le=100, description="overrides the round's selected_count")


class BallotCreate(Input):
    choices: dict[str, Any] = Field(
        description='dot_voting {"dots": {idea_id: n}}, approval {"approve": [ids]}, '
        'ranked {"ranking": [ids, best first]}, score {"scores": {idea_id: 0..5}}'
    )


class BallotReceipt(BaseModel):
    round_id: uuid.UUID
    receipt: str = Field(
        description="keep it, like a password: its first four groups are the ballot id, published with the "
        "ballot when the round closes; the rest is a secret that proves the ballot is the one you cast"
    )
    ballot_id: str = Field(description="the public half of the receipt")
    status: Literal["counted"]
    replaces: str | None = Field(None, description="the receipt of your previous ballot, which no longer counts")
    choices: dict[str, Any]


class MyBallot(BaseModel):
    round_id: uuid.UUID
    voted: bool
    secret: bool
    # Open (not secret) rounds only: in a secret round only your receipt shows your ballot
    # (POST .../receipts/check).
    receipt: str | None = None
    choices: dict[str, Any] | None = None


class ReceiptCheckIn(Input):
    model_config = examples({"receipt": "NKXW-GQAL-5ABF-BK6L-WBUS-NFQW-LCD5-VSCB"}, {"receipt": "NKXW-GQAL-5ABF-BK6L"})

    receipt: str = Field(min_length=1, max_length=60, description="your receipt, or only its ballot id")


class ReceiptCheck(BaseModel):
    round_id: uuid.UUID
    receipt: str
    status: Literal["counted", "not_counted", "unknown"] = Field(
        description="counted; not_counted (replaced by a later ballot, or not a ballot of this round); unknown "
        "(while the round is open only your own current ballot can be checked)"
    )
    choices: dict[str, Any] | None = Field(None, description="the choices of the ballot, if counted")
    counted_entry: int | None = Field(None, description="the audit entry (seq) that records the counted ballot")
    cast_entry: int | None = Field(
        None, description="with the whole receipt: the audit entry (seq) that committed to this ballot when cast"
    )
    withdrawn: bool = Field(False, description="true if that commitment was later withdrawn (should never be)")


class SelectedIdea(BaseModel):
    idea_id: uuid.UUID
    title: str
    rank: int
    tied: bool


class ResultPublic(BaseModel):
    round_id: uuid.UUID
    phase: Phase
    final: bool = Field(description="false for a live count of an open round whose results are not hidden")
    result: dict[str, Any]
    selected: list[SelectedIdea] | None = None
    audit_head: str | None = None


class ExportCandidate(BaseModel):
    idea_id: uuid.UUID
    title: str


class ExportRound(BaseModel):
    id: uuid.UUID
    title: str
    method: Method
    rules: dict[str, Any]
    candidates: list[ExportCandidate]


class ExportBallot(BaseModel):
    ballot_id: str
    choices: dict[str, Any]


class BallotsExport(BaseModel):
    """The format tools/recount.py reads."""

    round: ExportRound
    ballots: list[ExportBallot]
    result: dict[str, Any]
    audit_head: str


class AuditEntryPublic(BaseModel):
    seq: int
    event: str
    at: datetime | None
    data: dict[str, Any]
    prev_hash: str
    entry_hash: str


class AuditPage(Page[AuditEntryPublic]):
    """A page of the chain (the one page envelope), with the round and its head."""

    round_id: uuid.UUID
    head: str


class BrokenEntry(BaseModel):
    seq: int | None
    event: str | None
    ballot_id: str | None = None
    reason: str


class AuditVerification(BaseModel):
    round_id: uuid.UUID
    ok: bool
    entries_checked: int
    ballots_checked: int
    ballots_pending: int = Field(0, description="ballots of an open round not yet in the chain (a moment's lag)")
    head: str
    first_broken: BrokenEntry | None


class CoAuthorJoined(Input):
    """From the ideas service: a person is joining an idea's team (sent before it is saved there)."""

    council_id: uuid.UUID
    idea_id: uuid.UUID
    person_id: uuid.UUID


class CoAuthorRecorded(BaseModel):
    idea_id: uuid.UUID
    person_id: uuid.UUID
    rounds_updated: int = Field(description="draft or open rounds of the council that now count them as an author")
