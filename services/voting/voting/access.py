"""Who may see and do what with a round: pure functions over the caller and the round.

A round of another council answers 404 to everyone but admins (its existence is not another
council's business); inside the council, an action the caller's role does not allow answers 403;
an action the round's phase does not allow answers 409.
"""

from __future__ import annotations

from platform_core.auth import Principal
from platform_core.problems import Problem
from voting.models import Round


def not_found() -> Problem:
    return Problem(404, "There is no round with this id in your council.")


def sees_round(principal: Principal, rnd: Round) -> bool:
    return principal.is_admin or principal.in_council(rnd.council_id)


def organises(principal: Principal, rnd: Round) -> bool:
    return principal.is_admin or (principal.has("organiser") and principal.in_council(rnd.council_id))


def result_is_final_for(principal: Principal, rnd: Round) -> bool:
    """True: the stored result may be shown; False: a live count may be shown; else 409."""
    hidden = rnd.rules["results_hidden_until_close"]
    if rnd.phase == "published":
        return True
    if rnd.phase == "closed":
        if organises(principal, rnd) or not hidden:
            return True
        raise Problem(409, "The result is shown to everyone once the organisers publish it.")
    if rnd.phase == "open" and not hidden:
        return False
    if rnd.phase == "open":
        raise Problem(409, "Results are hidden until the round closes.")
    raise Problem(409, "The round has not opened yet, so there is no result.")


def check_after_close(principal: Principal, rnd: Round, what: str) -> None:
    """Ballots and the audit log: organisers once closed (audit: any time), everyone once published."""
    if rnd.phase == "published":
        return
    if organises(principal, rnd) and (rnd.phase == "closed" or what == "audit"):
        return
    raise Problem(409, f"The {what} is shown to the council once the result is published.")
