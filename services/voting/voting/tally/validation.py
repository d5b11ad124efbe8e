"""Checks one ballot's choices against its round's method, rules and candidates.

Each problem is reported as {"field", "message"} with the field path inside the ballot body
(e.g. ``choices.dots.<idea id>``), ready for a problem+json 422. "No voting for your own idea" is
a rule about the voter, checked by the ballot API, not here.
"""

from __future__ import annotations

from typing import cast

from voting.tally.rules import SCORE_MAX, SCORE_MIN, counting_rules, is_whole_number

# method -> the one key a ballot's choices hold, and what it is called in messages
BALLOT_KEY = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}
METHOD_NAME = {"dot_voting": "dot voting", "approval": "approval", "ranked": "ranked", "score": "score"}


def validate_choices(method: str, candidates: list[str], rules: dict, choices: object) -> list[dict]:
    """[] if `choices` is a valid ballot for the round, else a list of {"field", "message"}.

    Raises ValueError if the method or rules themselves are invalid (the round is broken, not the ballot).
    """
    rules = counting_rules(method, rules)
    if not isinstance(choices, dict):
        return [{"field": "choices", "message": "must be an object"}]
    key = BALLOT_KEY[method]
    errors = [
        {
            "field": f"choices.{other}",
            "message": f"is not part of a {METHOD_NAME[method]} ballot (use '{key}')",
        }
        for other in choices
        if other != key
    ]
    if key not in choices:
        errors.append({"field": f"choices.{key}", "message": f"is required for a {METHOD_NAME[method]} ballot"})
        return errors
    check = {"dot_voting": _dots, "approval": _approvals, "ranked": _ranking, "score": _scores}[method]
    return errors + check(set(candidates), rules, choices[key], f"choices.{key}")


def _dots(candidates: set[str], rules: dict, dots: object, field: str) -> list[dict]:
    if not isinstance(dots, dict):
        return [{"field": field, "message": "must be an object mapping idea ids to numbers of dots"}]
    if not dots:
        return [{"field": field, "message": "must give at least one dot to an idea"}]
    per_idea, per_voter = rules["max_dots_per_idea"], rules["dots_per_voter"]
    errors = _unknown(candidates, dots, field)
    for idea, given in dots.items():
        if not is_whole_number(given) or given < 1:
            errors.append({"field": f"{field}.{idea}", "message": "must be a whole number of dots, at least 1"})
        elif given > per_idea:
            errors.append(
                {
                    "field": f"{field}.{idea}",
                    "message": f"gives {given} dots; at most {per_idea} may go on one idea",
                }
            )
    total = sum(given for given in dots.values() if is_whole_number(given))
    if total > per_voter:
        errors.append({"field": field, "message": f"gives {total} dots in all; each voter has {per_voter}"})
    return errors


def _approvals(candidates: set[str], rules: dict, approve: object, field: str) -> list[dict]:
    errors = _idea_list(candidates, approve, field, "approve at least one idea")
    approved = len(cast(list, approve)) if not errors else 0  # a list, once _idea_list found no error
    if approved > rules["max_approvals"]:
        errors.append(
            {
                "field": field,
                "message": f"approves {approved} ideas; at most {rules['max_approvals']} may be approved",
            }
        )
    return errors


def _ranking(candidates: set[str], rules: dict, ranking: object, field: str) -> list[dict]:
    return _idea_list(candidates, ranking, field, "rank at least one idea")


def _scores(candidates: set[str], rules: dict, scores: object, field: str) -> list[dict]:
    if not isinstance(scores, dict):
        return [{"field": field, "message": "must be an object mapping idea ids to scores"}]
    if not scores:
        return [{"field": field, "message": "must score at least one idea"}]
    errors = _unknown(candidates, scores, field)
    for idea, score in scores.items():
        if not is_whole_number(score) or not SCORE_MIN <= score <= SCORE_MAX:
            errors.append(
                {
                    "field": f"{field}.{idea}",
                    "message": f"must be a whole number from {SCORE_MIN} to {SCORE_MAX}",
                }
            )
    return errors


def _unknown(candidates: set[str], by_idea: dict, field: str) -> list[dict]:
    return [
        {"field": f"{field}.{idea}", "message": "is not a candidate in this round"}
        for idea in by_idea
        if idea not in candidates
    ]


def _idea_list(candidates: set[str], ideas: object, field: str, at_least: str) -> list[dict]:
    """A non-empty list of distinct candidate idea ids (approval and ranked ballots)."""
    if not isinstance(ideas, list):
        return [{"field": field, "message": "must be a list of idea ids"}]
    if not ideas:
        return [{"field": field, "message": f"must {at_least}"}]
    errors, seen = [], set()
    for position, idea in enumerate(ideas):
        where = f"{field}[{position}]"
        if not isinstance(idea, str):
            errors.append({"field": where, "message": "must be an idea id (a string)"})
        elif idea not in candidates:
            errors.append({"field": where, "message": "is not a candidate in this round"})
        elif idea in seen:
            errors.append({"field": where, "message": "lists an idea that is already listed"})
        else:
            seen.add(idea)
    return errors
