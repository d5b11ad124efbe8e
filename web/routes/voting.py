"""Voting: the ballot page for each method, the receipt and checking it, and the results with a chart."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web import ballots, charts, forms
from web.clients.gateway import ApiError
from web.deps import FormDep, SignedIn, SignedInDep
from web.labels import METHOD_EXPLAINED
from web.rendering import render

router = APIRouter(include_in_schema=False)


def _own(round_: dict[str, Any], who: SignedIn) -> set[str]:
    """Ideas the rules leave out for this person (their own), so the page does not offer them."""
    if not round_["rules"].get("exclude_own_ideas"):
        return set()
    me = str(who.person.person_id)
    return {c["idea_id"] for c in round_["candidates"] if me in c["author_ids"]}


async def _ballot_page(
    request: Request,
    who: SignedIn,
    round_: dict[str, Any],
    *,
    values: dict[str, Any],
    key: str,
    mine: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": round_["title"],
        "round": round_,
        "values": values,
        "form_key": key,
        "mine": mine,
        "own": _own(round_, who),
        "explained": METHOD_EXPLAINED[round_["method"]],
        "field_id": ballots.field_id,
        **forms.error_context(errors or {}),
    }
    return render(request, "voting/ballot.html", context, status_code=status_code)


async def _my_ballot(who: SignedIn, round_id: uuid.UUID) -> dict[str, Any] | ApiError:
    """The person's ballot, or the refusal, which counts only if the round turns out to be open."""
    try:
        return await who.api.my_ballot(round_id)
    except ApiError as exc:
        return exc


@router.get("/rounds/{round_id}")
async def ballot_page(request: Request, round_id: uuid.UUID, who: SignedInDep) -> Response:
    # Both at once (a ballot page is nearly always of an open round); the person's ballot is shown only
    # while the round is open.
    round_, answer = await asyncio.gather(who.api.round(round_id), _my_ballot(who, round_id))
    if round_["phase"] == "published":
        return RedirectResponse(f"/rounds/{round_id}/results", status_code=303)
    if round_["phase"] != "open":
        answer = None  # asked for nothing, as before the round opens (a draft round has no ballot box yet)
    if isinstance(answer, ApiError):
        raise answer
    mine = answer
    values = ballots.form_from_choices(round_["method"], (mine or {}).get("choices"))
    return await _ballot_page(request, who, round_, values=values, key=forms.new_form_key(), mine=mine)


@router.post("/rounds/{round_id}")
async def cast_ballot(request: Request, round_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    round_ = await who.api.round(round_id)
    key = forms.form_key(form) or forms.new_form_key()
    candidates = [c for c in round_["candidates"] if c["idea_id"] not in _own(round_, who)]
    choices, errors = ballots.choices_from_form(round_["method"], candidates, form)
    if not errors:
        try:
            receipt = await who.api.cast_ballot(round_id, choices, key)
            # Shown in this answer, not after a redirect: in a secret ballot nothing but the receipt
            # links a person to their choices, so it is never put in an address (history, logs). Sending
            # the form again (a reload) carries the same Idempotency-Key: the same receipt, one ballot.
            titles = {c["idea_id"]: c["title"] for c in round_["candidates"]}
            context = {"title": "Your vote is counted", "round": round_, "receipt": receipt, "titles": titles}
            return render(request, "voting/voted.html", context)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            titles = {c["idea_id"]: c["title"] for c in round_["candidates"]}
            errors = ballots.api_errors(exc.errors, round_["method"], choices, titles, exc.detail)
    values = forms.values(form)
    if isinstance(values.get("approve"), str):
        values["approve"] = [values["approve"]]
    return await _ballot_page(request, who, round_, values=values, key=key, errors=errors, status_code=400)


@router.get("/rounds/{round_id}/receipt")
async def receipt_page(request: Request, round_id: uuid.UUID, who: SignedInDep) -> Response:
    round_ = await who.api.round(round_id)
    context = {"title": "Check a receipt", "round": round_, "values": {}, "check": None}
    return render(request, "voting/receipt.html", context)


@router.post("/rounds/{round_id}/receipt")
async def check_receipt(request: Request, round_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    round_ = await who.api.round(round_id)
    receipt = forms.text(form, "receipt")
    errors: dict[str, str] = {}
    check = None
    if not receipt:
        errors["receipt"] = "Enter the receipt you were given when you voted"
    elif len(receipt) > 60:
        errors["receipt"] = "A receipt is 60 characters or fewer: check you copied only the receipt"
    else:
        check = await who.api.check_receipt(round_id, receipt)
    context = {
        "title": "Check a receipt",
        "round": round_,
        "values": {"receipt": receipt},
        "check": check,
        "titles": {c["idea_id"]: c["title"] for c in round_["candidates"]},
        **forms.error_context(errors),
    }
    return render(request, "voting/receipt.html", context, status_code=400 if errors else 200)


@router.get("/rounds/{round_id}/results")
async def results(request: Request, round_id: uuid.UUID, who: SignedInDep) -> Response:
    round_ = await who.api.round(round_id)
    if round_["phase"] not in ("closed", "published") and round_["rules"].get("results_hidden_until_close", True):
        return render(request, "voting/not_yet.html", {"title": "Results not yet published", "round": round_})
    answer = await who.api.result(round_id)
    chart = charts.result_chart(round_, answer["result"])
    context = {"title": f"Results: {round_['title']}", "round": round_, "answer": answer, "chart": chart}
    return render(request, "voting/results.html", context)
