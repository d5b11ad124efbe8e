"""Reads the ballots handed to a count: each ballot's one list or mapping of choices, by method.

Counting trusts that ballots were checked by `validate_choices` when they were cast; it still
refuses, with ValueError, a ballot without its choices or naming an idea that is not a candidate,
because such a count could only be wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

from voting.tally.validation import BALLOT_KEY


def choices_of(method: str, ballots: list[dict]) -> list:
    """Each ballot's choices for the method (a ballot may be its choices or {"choices": ...})."""
    key = BALLOT_KEY[method]
    found = []
    for number, ballot in enumerate(ballots, start=1):
        choices = ballot.get("choices", ballot)
        try:
            found.append(choices[key])
        except (KeyError, TypeError):
            raise ValueError(f"ballot {number} has no '{key}' for a {method} count") from None
    return found


def candidate_index(candidates: list[str]) -> dict[str, int]:
    """Position of each idea in the candidate list; the list must name each idea once."""
    index = {idea: position for position, idea in enumerate(candidates)}
    if len(index) != len(candidates):
        raise ValueError("the candidate list names an idea more than once")
    return index


def not_a_candidate(named: Iterable[str], candidates: dict[str, int] | set[str]) -> None:
    """Raise ValueError if any named idea is not a candidate."""
    unknown = [idea for idea in named if idea not in candidates]
    if unknown:
        raise ValueError(f"a ballot names {unknown[0]!r}, which is not a candidate in this round")
