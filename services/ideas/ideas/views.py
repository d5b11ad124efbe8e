"""Shapes tables into what a given caller may read (per-property authorisation lives here)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from ideas import access
from ideas.models import Comment, HackDay, Idea, IdeaAuthor, ImportedVerdict
from ideas.schemas import (
    Author,
    CommentPublic,
    ExpectedBenefit,
    FailedTrial,
    HackDayPublic,
    IdeaPublic,
    IdeaSummary,
    ImportedIdea,
    ImportedOutcome,
    ImportedSource,
    Licence,
    Moderation,
    Outcome,
    Selection,
    ShortlistAnswer,
)
from ideas.vocabulary import FAILED_VERDICTS
from platform_core.auth import Principal


def hack_day_view(hack_day: HackDay) -> HackDayPublic:
    return HackDayPublic.model_validate(hack_day, from_attributes=True)


def _benefit(idea: Idea) -> ExpectedBenefit | None:
    if idea.benefit_unit is None or idea.benefit_amount is None or idea.benefit_for is None:
        return None
    return ExpectedBenefit(
        amount=idea.benefit_amount,
        unit=idea.benefit_unit,
        beneficiaries=idea.benefit_for,
        note=idea.benefit_note,
    )


def full_view(idea: Idea, team: Sequence[IdeaAuthor], *, with_moderation: bool) -> IdeaPublic:
    order = access.team_ids(team)
    by_id = {a.person_id: a for a in team}
    moderation = None
    if with_moderation:
        moderation = Moderation(
            hidden_reason=idea.hidden_reason,
            hidden_at=idea.hidden_at,
            invited_co_author_ids=[a.person_id for a in team if a.joined_at is None],
        )
    return IdeaPublic(
        id=idea.id,
        hack_day_id=idea.hack_day_id,
        council_id=idea.council_id,
        council_name=idea.council_name,
        title=idea.title,
        problem=idea.problem,
        proposal=idea.proposal,
        public_summary=idea.public_summary,
        expected_benefit=_benefit(idea),
        service_area=idea.service_area,
        tags=list(idea.tags),
        partners=list(idea.partners),
        status=idea.status,
        author_ids=order,
        authors=[Author(person_id=p, name=by_id[p].name, role=by_id[p].role) for p in order],
        duplicate_of_id=idea.duplicate_of_id,
        selection=(
            Selection(round_id=idea.selected_round_id, rank=idea.selected_rank, selected_at=idea.selected_at)
            if idea.selected_round_id and idea.selected_rank is not None and idea.selected_at
            else None
        ),
        outcome=(
            Outcome(
                verdict=idea.outcome_verdict,
                trial_id=idea.outcome_trial_id,
                published_at=idea.outcome_published_at,
            )
            if idea.outcome_published_at and idea.outcome_verdict and idea.outcome_trial_id
            else None
        ),
        moderation=moderation,
        version=idea.version,
        created_at=idea.created_at,
        updated_at=idea.updated_at,
    )


class Summarised(Protocol):
    """What the summary view reads: an idea, or the glance of it that "similar ideas" reads
    (domain/search.py GLANCE)."""

    id: uuid.UUID
    title: str
    public_summary: str | None
    service_area: str
    council_id: uuid.UUID
    council_name: str


def summary_view(idea: Summarised) -> IdeaSummary:
    return IdeaSummary(
        id=idea.id,
        title=idea.title,
        public_summary=idea.public_summary,
        service_area=idea.service_area,
        council_id=idea.council_id,
        council_name=idea.council_name,
    )


def idea_view(principal: Principal, idea: Idea, team: Sequence[IdeaAuthor]) -> IdeaPublic | IdeaSummary | None:
    """The idea as this caller may read it, or None if they may not know it exists."""
    level = access.read_level(principal, idea, team)
    if level == "none":
        return None
    if level == "summary":
        return summary_view(idea)
    return full_view(idea, team, with_moderation=access.sees_moderation(principal, idea, team))


def comment_view(principal: Principal, idea: Idea, comment: Comment) -> CommentPublic:
    """A comment as this caller may read it: a hidden one's text only for organisers."""
    hidden = comment.hidden_at is not None
    organiser = access.is_organiser(principal, idea.council_id)
    return CommentPublic(
        id=comment.id,
        idea_id=comment.idea_id,
        author_id=comment.author_id,
        author_name=comment.author_name,
        body=None if hidden else comment.body,
        created_at=comment.created_at,
        hidden=hidden,
        hidden_reason=comment.hidden_reason if organiser else None,
        hidden_body=comment.body if hidden and organiser else None,
    )


def _failed_trial(other: Idea | ImportedVerdict, score: float) -> FailedTrial:
    score = round(min(max(score, 0.0), 1.0), 4)
    if isinstance(other, ImportedVerdict):
        return FailedTrial(
            idea_id=other.idea_id,
            title=other.title,
            council_name=other.council_name,
            verdict=other.outcome,
            trial_id=None,
            score=score,
            library_entry_id=other.id,
            source=_imported_source(other),
        )
    return FailedTrial(
        idea_id=other.id,
        title=other.title,
        council_name=other.council_name,
        verdict=other.outcome_verdict,
        trial_id=other.outcome_trial_id,
        score=score,
    )


def shortlist_view(idea_view: IdeaPublic, failed: Sequence[tuple[Idea | ImportedVerdict, float]]) -> ShortlistAnswer:
    """A shortlisted idea with the failed trials it resembles (here or on other platforms), and the warning
    they make."""
    trials = [_failed_trial(other, score) for other, score in failed]
    reason = None
    if trials:
        first = trials[0]
        where = first.council_name + (f", on {first.source.platform}" if first.source else "")
        reason = f"Like '{first.title}' ({where}), whose trial {FAILED_VERDICTS[first.verdict]}" + (
            f", and {len(trials) - 1} more that failed." if len(trials) > 1 else "."
        )
    return ShortlistAnswer(**idea_view.model_dump(), warning=bool(trials), warning_reason=reason, failed_trials=trials)


def _imported_source(row: ImportedVerdict) -> ImportedSource:
    return ImportedSource(
        platform=row.platform,
        entry_url=row.entry_url,
        licence=Licence(name=row.licence_name, url=row.licence_url),
    )


def imported_view(row: ImportedVerdict) -> ImportedIdea:
    """A verdict imported from another platform, attributed to its platform and council, with its licence."""
    return ImportedIdea(
        id=row.idea_id,
        library_entry_id=row.id,
        title=row.title,
        hypothesis=row.hypothesis,
        summary=row.summary,
        service_area=row.service_area,
        council_id=row.council_id,
        council_name=row.council_name,
        outcome=ImportedOutcome(verdict=row.outcome, published_at=row.published_at),
        source=_imported_source(row),
    )
