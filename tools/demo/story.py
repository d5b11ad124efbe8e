"""The shape of the story: ideas, metrics, trials, votes, councils, and what the demo made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.demo.client import Person

# ==== what a council's hack day holds (the story; all fictional) ==================================


@dataclass(frozen=True)
class Idea:
    key: str  # the demo's own handle, to refer to this idea below
    area: str  # a service area code of the ideas service
    title: str
    problem: str
    proposal: str
    benefit: tuple[float, str, str, str] | None = None  # amount a year, unit, who gains, how estimated
    tags: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    co_authors: int = 0
    comments: tuple[str, ...] = ()
    # What other councils read before the outcome is published; by default the proposal's first sentence.
    public_summary: str = ""

    def shared_summary(self) -> str:
        """The public summary its authors write: their own, or the gist of what they propose."""
        if self.public_summary:
            return self.public_summary
        first = self.proposal.split(". ")[0].rstrip(".")
        return f"{first}."[:500]


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    direction: str
    baseline: float
    baseline_method: str
    target: float
    series: tuple[float, ...]  # one measurement a month from the start, oldest first
    source: str
    annual_volume: float | None = None
    hourly_cost: float | None = None
    cashable: bool = False


@dataclass(frozen=True)
class TrialStory:
    hypothesis: str
    scope: str
    owner: tuple[str, str]  # name, job title (both agreed to be named)
    sponsor: tuple[str, str]
    cost: float
    started_days_ago: int
    metrics: tuple[Metric, ...]
    ending: str  # "concluded", "stopped" or "running"
    verdict: dict[str, Any] | None = None
    publish: bool = False
    review_first_checkpoint: bool = False
    internal_notes: str = ""


@dataclass(frozen=True)
class Vote:
    method: str
    rules: dict[str, Any]
    shortlist: tuple[str, ...]  # idea keys, the favourites first (in the order the staff prefer)
    selected: int


@dataclass(frozen=True)
class CouncilStory:
    name: str
    slug: str
    nation: str
    organiser: tuple[str, str]  # name, email local part
    manager: tuple[str, str] | None
    staff: dict[str, int]  # size -> how many staff are registered
    voters: dict[str, int]  # size -> how many of them sign in to vote (authors sign in anyway)
    authors: dict[str, int]  # size -> how many staff write the ideas between them
    hack_day: str
    held_days_ago: int
    themes: tuple[str, ...]
    ideas: tuple[Idea, ...]
    duplicate: tuple[str, str] | None = None  # (the duplicate, the earlier idea)
    hidden: tuple[str, str] | None = None  # (the idea, the reason)
    withdrawn: str | None = None
    vote: Vote | None = None
    trials: dict[str, TrialStory] = field(default_factory=dict)


@dataclass
class Made:
    """What the demo made, for the summary (and --summary-json)."""

    set_number: int = 1
    councils: dict[str, dict[str, Any]] = field(default_factory=dict)
    staff_registered: int = 0
    signed_in: int = 0
    ideas: int = 0
    comments: int = 0
    ballots: int = 0
    rounds: list[dict[str, Any]] = field(default_factory=list)
    trials: list[dict[str, Any]] = field(default_factory=list)
    trials_made_by_platform: int = 0
    library_entries: list[dict[str, Any]] = field(default_factory=list)
    tried_before: dict[str, Any] | None = None
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0


def council_name(story: CouncilStory, set_number: int) -> str:
    return f"{story.name} (Example)" if set_number == 1 else f"{story.name} (Example set {set_number})"


def council_slug(story: CouncilStory, set_number: int) -> str:
    return f"{story.slug}-example" if set_number == 1 else f"{story.slug}-example-{set_number}"


@dataclass
class Team:
    """One council as the demo builds it: its people, and what they made."""

    story: CouncilStory
    council: dict[str, Any]
    domain: str
    organiser: Person
    manager: Person | None = None
    acting: list[Person] = field(default_factory=list)  # the staff who signed in to act
    ideas: dict[str, dict[str, Any]] = field(default_factory=dict)  # idea key -> the idea as answered
    written_by: dict[str, Person] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # idea key -> ids of its team
    selected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (idea key, selected idea)

    @property
    def name(self) -> str:
        return self.council["name"]
