"""The verdict, in two steps like GOV.UK's "check your answers": the form (outcome, reasons, lessons, how
it was measured), then a check page showing the gain and the evidence level the platform derives, which
the verdict will freeze, before it is given. Then publishing, with a preview of exactly what other
councils will read (the library's own page, built from the record publishing would write)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

import orjson
from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from web import forms
from web.charts import readings_chart
from web.clients.gateway import ApiError
from web.clients.library import LibraryApi
from web.deps import FormDep, SignedIn, SignedInDep, StateDep
from web.rendering import render
from web.routes.trials import followup_vocabulary
from web.trial_words import LESSONS, WORDS

router = APIRouter(include_in_schema=False)

FIELDS = {
    "outcome": "outcome",
    "summary": "summary",
    "reasons": "reasons",
    "lessons": "what_worked",
    **{f"lessons.{k}": k for k in LESSONS},
    "design": "design",
    "verified_by": "verifier_name",
    "replications": "outcome",
}


def answers_from_form(form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed (to fill the form again, or carry through the check page)."""
    return {
        "outcome": forms.text(form, "outcome"),
        "summary": forms.text(form, "summary"),
        "reasons": [r for r in form.getlist("reasons") if isinstance(r, str)],
        "reason_notes": {k[len("note_") :]: forms.text(form, k) for k in form if k.startswith("note_")},
        **{k: forms.text(form, k) for k in LESSONS},
        "design": forms.text(form, "design"),
        "verifier_name": forms.text(form, "verifier_name"),
        "verifier_organisation": forms.text(form, "verifier_organisation"),
        "verifier_independent": form.get("verifier_independent") == "yes",
        "verifier_consents": form.get("verifier_consents") == "yes",
    }


def verdict_body(answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    if not answers["outcome"]:
        errors["outcome"] = "Choose what the trial showed"
    if not answers["summary"]:
        errors["summary"] = "Write the verdict in a sentence or two, for someone who was not there"
    body: dict[str, Any] = {
        "outcome": answers["outcome"],
        "summary": answers["summary"],
        "reasons": [{"code": c, "note": answers["reason_notes"].get(c, "")} for c in answers["reasons"]],
        "lessons": {k: answers[k] for k in LESSONS},
    }
    if answers["design"]:
        body["design"] = answers["design"]
    if answers["verifier_name"] or answers["verifier_organisation"]:
        body["verified_by"] = {
            "name": answers["verifier_name"],
            "organisation": answers["verifier_organisation"],
            "independent": answers["verifier_independent"],
            "consents_to_be_named": answers["verifier_consents"],
        }
    return body, errors


def _carry(answers: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(answers)).decode()


def _carried(form: FormData) -> dict[str, Any] | None:
    try:
        answers = orjson.loads(base64.urlsafe_b64decode(forms.text(form, "answers")))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return None
    return answers if isinstance(answers, dict) and "outcome" in answers else None


async def verdict_form(request: Request, who: SignedIn, state, trial: dict, answers: dict, **extra: Any) -> Response:
    context = {
        "title": f"Verdict: {trial['idea']['title']}",
        "trial": trial,
        "values": answers,
        "vocabulary": await followup_vocabulary(state, who.api),
        **WORDS,
        **extra,
    }
    return render(request, "trials/verdict.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/trials/{trial_id}/verdict")
async def show_verdict_form(request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep) -> Response:
    trial = await who.api.trial(trial_id)
    if trial["verdict"]:
        return RedirectResponse(f"/trials/{trial_id}", status_code=303)
    answers: dict[str, Any] = {"reasons": [], "reason_notes": {}}
    if trial["status"] != "evaluating":
        answers["outcome"] = "stopped"  # only a stop can be given before the evaluation
    return await verdict_form(request, who, state, trial, answers)


@router.post("/trials/{trial_id}/verdict")
async def verdict(request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep) -> Response:
    """`step`: check (the form sent: show what the verdict would freeze), change (back to the form with
    the answers), give (the verdict given, once: the form's key is the API's Idempotency-Key)."""
    step = forms.text(form, "step") or "check"
    answers = answers_from_form(form) if step == "check" else _carried(form)
    trial = await who.api.trial(trial_id)
    if answers is None:
        return await verdict_form(request, who, state, trial, {"reasons": [], "reason_notes": {}})
    if step == "change":
        return await verdict_form(request, who, state, trial, answers)
    body, errors = verdict_body(answers)
    if errors:
        return await verdict_form(request, who, state, trial, answers, **forms.error_context(errors))
    key = forms.form_key(form) or forms.new_form_key()
    try:
        if step == "give":
            await who.api.give_verdict(trial_id, body, key)
            return RedirectResponse(f"/trials/{trial_id}?done=verdict", status_code=303)
        checked = await who.api.check_verdict(trial_id, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        errors = forms.api_errors(exc.errors, FIELDS, "outcome", exc.detail)
        return await verdict_form(request, who, state, trial, answers, **forms.error_context(errors))
    context = {
        "title": "Check the verdict before you give it",
        "trial": trial,
        "answers": answers,
        "body": body,
        "checked": checked,
        "carried": _carry(answers),
        "form_key": key,
        "vocabulary": await followup_vocabulary(state, who.api),
        **WORDS,
    }
    return render(request, "trials/verdict_check.html", context)


# ---- publishing -------------------------------------------------------------------------------------------


@router.get("/trials/{trial_id}/publish")
async def publish_preview(request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep) -> Response:
    trial = await who.api.trial(trial_id)
    if trial["library_entry_id"]:
        return RedirectResponse(f"/library/{trial['library_entry_id']}", status_code=303)
    record = await who.api.publication_preview(trial_id)
    # The contact address is the council's as it is when read, in the preview as in the library.
    contact = await LibraryApi(state.gateway, None, correlation_id.get()).council_contact(record["council"]["id"])
    context = {
        "title": f"Preview: {record['title']}",
        "trial": trial,
        "record": record,
        "contact_email": (contact or {}).get("contact_email"),
        "charts": [readings_chart(m, f"metric-{n}") for n, m in enumerate(record.get("metrics") or [], start=1)],
        "exports": [],
        "licence": record["licence"],
        "form_key": forms.new_form_key(),
    }
    return render(request, "trials/publish.html", context)


@router.post("/trials/{trial_id}/publish")
async def publish(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    try:
        await who.api.publish(trial_id, forms.form_key(form))
    except ApiError as exc:
        if exc.status != 409:
            raise
        # Published already (by a colleague, or this form sent twice without its key): say so on the trial.
    return RedirectResponse(f"/trials/{trial_id}?done=published", status_code=303)
