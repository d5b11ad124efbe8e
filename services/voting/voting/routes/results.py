"""Result routes: the round's result, its counted ballots for a recount, and CSV exports (HTTP only)."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Response

from platform_core.csv import csv_response
from platform_core.problems import Problem, responses
from voting import views
from voting.access import check_after_close, result_is_final_for
from voting.deps import Caller, OrganisedRoundDep, RoundDep, SessionDep, StateDep
from voting.domain import rounds
from voting.schemas import BallotsExport, ResultPublic, SelectedIdea
from voting.vocabulary import Phase

router = APIRouter(prefix="/api/voting", tags=["voting"])
_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}, "description": "CSV file"}}


@router.get(
    "/rounds/{round_id}/result",
    response_model=ResultPublic,
    summary="The round's result",
    responses=responses(401, 404, 409, 422),
)
async def get_result(rnd: RoundDep, session: SessionDep, principal: Caller, state: StateDep) -> ResultPublic:
    """The round's result, with the ideas' titles. While it is open, a live count if the round shows results before
    closing (409 if they are hidden until it closes); once closed, the counted result for its organisers, and for
    everyone when the rules do not hide it; once published, the final result and the ideas selected for everyone
    in the council (409 before that). A round of another council is a 404."""
    if result_is_final_for(principal, rnd):
        selected = (
            [SelectedIdea(**s) for s in rounds.selected_ideas(rnd, rnd.selected_count)]
            if rnd.phase == "published"
            else None
        )
        return ResultPublic(
            round_id=rnd.id,
            phase=cast(Phase, rnd.phase),
            final=True,
            result=views.with_titles(rnd, rnd.result or {}),
            selected=selected,
            audit_head=rnd.audit_head,
        )
    return ResultPublic(
        round_id=rnd.id,
        phase=cast(Phase, rnd.phase),
        final=False,
        result=views.with_titles(rnd, await rounds.tally(session, rnd, state.settings.ballot_secret)),
    )


@router.get(
    "/rounds/{round_id}/ballots",
    response_model=BallotsExport,
    summary="The counted ballots (ballot id and choices, no voter) with the result: recount them",
    responses=responses(401, 404, 409, 422),
)
async def ballots_export(rnd: RoundDep, session: SessionDep, principal: Caller) -> dict:
    """The counted ballots of a round (each ballot's id and choices, never the voter) with its result, so that
    anyone entitled can recount it. Its organisers may read them once it is closed, everyone of the council once
    it is published (409 before); a round of another council is a 404."""
    check_after_close(principal, rnd, "ballots")
    return views.ballots_export(rnd, await rounds.counted_ballots(session, rnd))


@router.get(
    "/rounds/{round_id}/export/result.csv",
    response_class=Response,
    summary="The result as CSV",
    responses={**_CSV, **responses(401, 403, 404, 409, 422)},
)
async def result_csv(rnd: OrganisedRoundDep) -> Response:
    """The round's result as a CSV file for a spreadsheet, once the round is closed (409 before). Only organisers of
    the round's council (and admins) may download it (403)."""
    if rnd.phase not in ("closed", "published"):
        raise Problem(409, "There is a result to export once the round is closed.")
    return csv_response(views.result_csv(rnd), f"round-{rnd.id}-result.csv")


@router.get(
    "/rounds/{round_id}/export/ballots.csv",
    response_class=Response,
    summary="The ballots as CSV",
    responses={**_CSV, **responses(401, 403, 404, 409, 422)},
)
async def ballots_csv(rnd: OrganisedRoundDep, session: SessionDep) -> Response:
    """The counted ballots (ballot id and choices, no voter) as a CSV file, once the round is closed (409 before).
    Only organisers of the round's council (and admins) may download them (403)."""
    if rnd.phase not in ("closed", "published"):
        raise Problem(409, "Ballots can be exported once the round is closed.")
    return csv_response(
        views.ballots_csv(rnd, await rounds.counted_ballots(session, rnd)), f"round-{rnd.id}-ballots.csv"
    )
