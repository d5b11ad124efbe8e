"""Submitting an idea, with "tried before?" (a Check button without JavaScript, as you type with it),
an idea's page, and my ideas. Editing, withdrawing, co-authors and comments are in `my_idea.py`."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError, PersonApi
from web.deps import FormDep, SignedInDep, StateDep
from web.rendering import render

router = APIRouter(include_in_schema=False)

# The API's field names -> the form's.
IDEA_FIELDS = {
    "title": "title",
    "problem": "problem",
    "proposal": "proposal",
    "service_area": "service_area",
    "tags": "tags",
    "partners": "partners",
    "expected_benefit.amount": "benefit_amount",
    "expected_benefit.unit": "benefit_unit",
    "expected_benefit.beneficiaries": "beneficiaries",
    "expected_benefit.note": "benefit_note",
    "expected_benefit": "benefit_amount",
}


async def vocabulary(state, api: PersonApi) -> dict[str, Any]:
    if state.vocabulary is None:
        state.vocabulary = await api.vocabulary()
    return state.vocabulary


def idea_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's idea from the form, and the errors a person can fix before anything is sent."""
    errors: dict[str, str] = {}
    title, problem, proposal = forms.text(form, "title"), forms.text(form, "problem"), forms.text(form, "proposal")
    if len(title) < 3:
        errors["title"] = "Enter a title of 3 characters or more" if title else "Enter a title for your idea"
    elif len(title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    if not problem:
        errors["problem"] = "Describe the problem today"
    if not proposal:
        errors["proposal"] = "Describe the change you propose"
    service_area = forms.text(form, "service_area")
    if not service_area:
        errors["service_area"] = "Choose the service area the idea is about"
    tags = [t.strip() for t in forms.text(form, "tags").split(",") if t.strip()]
    if len(tags) > 10:
        errors["tags"] = "Give 10 tags or fewer"
    partners = [p.strip() for p in forms.text(form, "partners").splitlines() if p.strip()]
    if len(partners) > 10:
        errors["partners"] = "Name 10 partners or fewer"
    body: dict[str, Any] = {
        "title": title,
        "problem": problem,
        "proposal": proposal,
        "service_area": service_area,
        "tags": tags,
        "partners": partners,
    }
    amount = forms.text(form, "benefit_amount").replace(",", "").removeprefix("£")
    if amount:
        try:
            value = float(amount)
            if value < 0:
                raise ValueError
        except ValueError:
            errors["benefit_amount"] = "Enter the expected benefit as a number, like 120"
            value = 0.0
        unit, beneficiaries = forms.text(form, "benefit_unit"), forms.text(form, "beneficiaries")
        if not unit:
            errors["benefit_unit"] = "Choose what the benefit is counted in"
        if not beneficiaries:
            errors["beneficiaries"] = "Choose who would gain"
        body["expected_benefit"] = {
            "amount": value,
            "unit": unit,
            "beneficiaries": beneficiaries,
            "note": forms.text(form, "benefit_note") or None,
        }
    return body, errors


async def tried_before(api: PersonApi, form: FormData) -> dict[str, Any] | None:
    """Similar ideas from every council with what became of each; None if there is too little to search."""
    title = forms.text(form, "title")
    if len(title) < 3:
        return None
    draft = {
        "title": title[:200],
        "problem": forms.text(form, "problem")[:5000] or None,
        "proposal": forms.text(form, "proposal")[:5000] or None,
        "limit": 5,
    }
    try:
        return await api.tried_before(draft)
    except ApiError as exc:
        if exc.status in (401, 403):
            raise
        return {
            "items": [],
            "outcomes_available": False,
            "notice": "The similar-idea search is not available just now.",
        }


async def _form_page(
    request: Request,
    state,
    who,
    day: dict[str, Any],
    *,
    values: dict[str, Any],
    key: str,
    errors: dict[str, str] | None = None,
    similar: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Submit an idea",
        "day": day,
        "values": values,
        "form_key": key,
        "vocabulary": await vocabulary(state, who.api),
        "similar": similar,
        **forms.error_context(errors or {}),
    }
    return render(request, "ideas/new.html", context, status_code=status_code)


@router.get("/hack-days/{hack_day_id}/ideas/new")
async def new_idea(request: Request, hack_day_id: uuid.UUID, who: SignedInDep, state: StateDep) -> Response:
    day = await who.api.hack_day(hack_day_id)
    if day["phase"] != "open":
        return render(request, "ideas/not_open.html", {"title": "Not open for ideas", "day": day}, status_code=409)
    return await _form_page(request, state, who, day, values={}, key=forms.new_form_key())


@router.post("/hack-days/{hack_day_id}/ideas/new")
async def submit_idea(
    request: Request, hack_day_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep
) -> Response:
    day = await who.api.hack_day(hack_day_id)
    values = forms.values(form)
    key = forms.form_key(form) or forms.new_form_key()
    if form.get("action") == "check":
        similar = await tried_before(who.api, form)
        return await _form_page(request, state, who, day, values=values, key=key, similar=similar)
    body, errors = idea_from_form(form)
    if not errors:
        try:
            idea = await who.api.submit_idea({"hack_day_id": str(hack_day_id), **body}, key)
            return RedirectResponse(f"/ideas/{idea['id']}?submitted=1", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, IDEA_FIELDS, "title", exc.detail)
    similar = await tried_before(who.api, form)  # the panel stays as it was while the errors are fixed
    return await _form_page(
        request, state, who, day, values=values, key=key, errors=errors, similar=similar, status_code=400
    )


@router.post("/hack-days/{hack_day_id}/tried-before")
async def tried_before_fragment(request: Request, hack_day_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    """The panel alone, for the page's script to put in place as the person types."""
    return render(request, "ideas/_tried_before.html", {"similar": await tried_before(who.api, form)})


@router.get("/my-ideas")
async def my_ideas(request: Request, who: SignedInDep) -> Response:
    ideas = (await who.api.ideas(mine="true"))["items"]
    context = {
        "title": "My ideas",
        "ideas": ideas,
        "reference": str(who.person.person_id),  # what a lead author needs to invite this person
        "left": request.query_params.get("done") == "left",
    }
    return render(request, "ideas/mine.html", context)
