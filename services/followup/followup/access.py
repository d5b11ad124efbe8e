"""Who may see and change a trial: per object (its council), per function (managers), per property.

A trial belongs to one council. People of that council may read it; only its managers may change
it. Another council never learns a trial exists (404) until it is published to the library.
Admins (platform operators, no council) may read every trial but change none: trials are run by
the council's own managers. Pure functions over the caller and the row: `deps.py` loads.
"""

from __future__ import annotations

import uuid

from followup.models import Trial
from platform_core.auth import Principal
from platform_core.problems import Problem


def can_read(principal: Principal, trial: Trial) -> bool:
    return principal.is_admin or principal.in_council(trial.council_id)


def can_change(principal: Principal, trial: Trial) -> bool:
    return principal.in_council(trial.council_id) and principal.has("manager", "admin")


def not_found(trial_id: uuid.UUID) -> Problem:
    return Problem(404, f"There is no trial {trial_id} that you can see.")


def check_reading(principal: Principal, trial: Trial | None, trial_id: uuid.UUID) -> Trial:
    """The trial if the caller may read it; else 404, so another council learns nothing."""
    if trial is None or not can_read(principal, trial):
        raise not_found(trial_id)
    return trial


def check_change(principal: Principal, trial: Trial | None, trial_id: uuid.UUID) -> Trial:
    """The trial if the caller may change it: 404 if they cannot see it, 403 if only see it."""
    trial = check_reading(principal, trial, trial_id)
    if not can_change(principal, trial):
        raise Problem(403, "Only managers of the trial's council can change it.")
    return trial


def report_council(principal: Principal, council_id: uuid.UUID | None, what: str = "reports") -> uuid.UUID:
    """The council a report (or its map of partners) is about: your own; admins may name any council."""
    if council_id is not None and council_id != principal.council_id and not principal.is_admin:
        raise Problem(
            403,
            f"You can see the {what} of your own council only.",
            errors=[{"field": "council_id", "message": "not your council"}],
        )
    chosen = council_id or principal.council_id
    if chosen is None:
        raise Problem(
            422,
            f"council_id: name the council whose {what} you want.",
            errors=[{"field": "council_id", "message": "required for callers without a council"}],
        )
    return chosen
