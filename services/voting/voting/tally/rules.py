"""The counting rules of each method: which keys a round's rules must carry, and their limits.

A round's rules may hold more than counting needs (window, eligibility, secrecy); counting reads
only the keys below and ignores the rest, and a result echoes only these keys.
"""

from __future__ import annotations

METHODS = ("dot_voting", "approval", "ranked", "score")
RANKED_COUNTS = ("schulze", "instant_runoff")
SCORE_MIN, SCORE_MAX = 0, 5

# method -> the rule keys counting uses
COUNTING_KEYS = {
    "dot_voting": ("dots_per_voter", "max_dots_per_idea"),
    "approval": ("max_approvals",),
    "ranked": ("count",),
    "score": ("min_votes",),
}


def is_whole_number(value: object) -> bool:
    """True for an int that is not a bool (JSON true must not pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rules(method: str, rules: object) -> list[dict]:
    """[] if `rules` are valid counting rules for `method`, else [{"field", "message"}, ...]."""
    if method not in METHODS:
        return [{"field": "method", "message": f"must be one of {', '.join(METHODS)}"}]
    if not isinstance(rules, dict):
        return [{"field": "rules", "message": "must be an object"}]

    errors: list[dict] = []

    def whole(name: str, minimum: int) -> int | None:
        value = rules.get(name)
        if value is None:
            errors.append({"field": f"rules.{name}", "message": f"is required for {method} rounds"})
        elif not is_whole_number(value) or value < minimum:
            errors.append({"field": f"rules.{name}", "message": f"must be a whole number of at least {minimum}"})
        else:
            return value
        return None

    if method == "dot_voting":
        per_voter = whole("dots_per_voter", 1)
        per_idea = whole("max_dots_per_idea", 1)
        if per_voter is not None and per_idea is not None and per_idea > per_voter:
            errors.append(
                {
                    "field": "rules.max_dots_per_idea",
                    "message": f"must not exceed dots_per_voter ({per_voter})",
                }
            )
    elif method == "approval":
        whole("max_approvals", 1)
    elif method == "ranked":
        if rules.get("count") not in RANKED_COUNTS:
            errors.append({"field": "rules.count", "message": f"must be one of {', '.join(RANKED_COUNTS)}"})
    else:
        whole("min_votes", 1)
    return errors


def counting_rules(method: str, rules: dict) -> dict:
    """The rules a count used, echoed in its result. Raises ValueError if they are not valid."""
    errors = validate_rules(method, rules)
    if errors:
        raise ValueError("; ".join(f"{e['field']} {e['message']}" for e in errors))
    return {name: rules[name] for name in COUNTING_KEYS[method]}
