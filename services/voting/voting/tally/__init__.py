"""Counting the ballots of a round: dot voting, approval, ranked (Schulze or instant runoff) and score.

Pure functions, no I/O. The ballot API calls `validate_choices` when a ballot is cast and `count`
when the round closes; `tools/recount.py` is an independent second implementation that must agree.
How each method is counted, with worked examples: docs/voting-methods.md.
"""

from __future__ import annotations

from voting.tally.approval import count_approvals
from voting.tally.dots import count_dots
from voting.tally.inputs import candidate_index, choices_of
from voting.tally.irv import count_instant_runoff
from voting.tally.ranked import read_rankings
from voting.tally.rules import METHODS, RANKED_COUNTS, counting_rules, validate_rules
from voting.tally.schulze import count_schulze
from voting.tally.score import count_scores
from voting.tally.standings import TIE_BREAK, tie_order
from voting.tally.validation import validate_choices

__all__ = [
    "METHODS",
    "RANKED_COUNTS",
    "TIE_BREAK",
    "count",
    "tie_order",
    "validate_choices",
    "validate_rules",
]


def count(method: str, candidates: list[str], ballots: list[dict], rules: dict, tie_seed: str) -> dict:
    """Count a round's ballots: a JSON-serialisable result with every candidate ranked.

    `ballots` are the ballots' choices (or dicts holding them under "choices"), already checked by
    `validate_choices`; `tie_seed` (the round id) fixes the display order inside ties.
    Raises ValueError for invalid rules, no candidates, or a ballot naming a non-candidate.
    """
    used = counting_rules(method, rules)
    if not candidates:
        raise ValueError("a round needs at least one candidate to count")
    index = candidate_index(candidates)
    choices = choices_of(method, ballots)

    if method == "dot_voting":
        ranking, ties, detail = count_dots(candidates, index, choices, tie_seed)
    elif method == "approval":
        ranking, ties, detail = count_approvals(candidates, index, choices, tie_seed)
    elif method == "score":
        ranking, ties, detail = count_scores(candidates, index, choices, used["min_votes"], tie_seed)
    elif used["count"] == "schulze":
        ranking, ties, detail = count_schulze(candidates, read_rankings(index, choices), tie_seed)
    else:
        ranking, ties, detail = count_instant_runoff(candidates, read_rankings(index, choices), tie_seed)

    return {
        "method": method,
        "rules": used,
        "tie_seed": tie_seed,
        "ballots_counted": len(choices),
        "ranking": ranking,
        "ties": ties,
        "tie_break": TIE_BREAK,
        "detail": detail,
    }
