"""The fixed lists of voting: methods, phases, and the rules each method's count reads."""

from typing import Any, Literal

Method = Literal["dot_voting", "approval", "ranked", "score"]
Phase = Literal["draft", "open", "closed", "published"]
RankedCount = Literal["schulze", "instant_runoff"]

# Rule keys each method's count reads; the rest of a round's rules are about who votes and secrecy.
COUNTING_KEYS: dict[str, tuple[str, ...]] = {
    "dot_voting": ("dots_per_voter", "max_dots_per_idea"),
    "approval": ("max_approvals",),
    "ranked": ("count",),
    "score": ("min_votes",),
}
COUNTING_DEFAULTS: dict[str, Any] = {
    "dots_per_voter": 5,
    "max_dots_per_idea": 3,
    "max_approvals": 3,
    "count": "schulze",
    "min_votes": 1,
}
