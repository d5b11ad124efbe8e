"""Changing what a trial's plan already holds: its people (owner and team, while it is planned, running
or being evaluated) and its metrics (changed or removed only while it is planned: the start freezes
them). The API decides; these pages offer only what it allows, and each form carries the version it
was opened on as If-Match. When someone saved since, the API's 412 becomes a page that says so: nothing
is overwritten, a table shows each field where what is saved now differs from what this person wrote
(and whether someone else changed it), everything typed stays in the form, and the form now carries
the new version, so "Save my version" saves over what they have seen (as an idea's edit does)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError
from web.deps import FormDep, SignedIn, SignedInDep, StateDep
from web.rendering import render
from web.routes.trials import METRIC_FIELDS, followup_vocabulary, metric_from_form
from web.trial_words import WORDS

router = APIRouter(include_in_schema=False)

PEOPLE_CHANGEABLE = ("planned", "running", "evaluating")  # the API's rule for a plan's people
MORE_ROWS = 2  # empty team rows offered beside those named (the API takes 50 at most)
MOST_TEAM = 50


def _refused(request: Request, detail: str) -> Response:
    """Said before anyone types: the API would refuse the save."""
    return render(request, "errors/refused.html", {"title": "Cannot be changed", "detail": detail}, status_code=409)


# ---- the people: owner and team ---------------------------------------------------------------------------


def people_values(trial: dict[str, Any]) -> dict[str, Any]:
    """A trial's owner and team as the form's fields."""
    owner = trial.get("owner") or {}
    values: dict[str, Any] = {
        "owner_name": owner.get("name", ""),
        "owner_job_title": owner.get("job_title", ""),
        "owner_consents": "yes" if owner.get("consents_to_be_named") else "",
    }
    for n, member in enumerate(trial.get("team") or []):
        values[f"team-{n}-name"] = member["name"]
        values[f"team-{n}-job_title"] = member.get("job_title", "")
        values[f"team-{n}-consents"] = "yes" if member.get("consents_to_be_named") else ""
    return values


def _rows(values: dict[str, Any]) -> int:
    return sum(1 for k in values if k.startswith("team-") and k.endswith("-name"))


def _person(values: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    name = " ".join(str(values.get(f"{prefix}name") or "").split())
    if not name:
        return None
    return {
        "name": name,
        "job_title": str(values.get(f"{prefix}job_title") or "").strip(),
        "consents_to_be_named": values.get(f"{prefix}consents") == "yes",
    }


def people_from_form(values: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The change sent: the owner (null when their name is emptied) and the team (a row whose name is
    emptied is taken off), with the form's row of each team member sent, to put the API's refusals of
    `team.<n>` on the row they are about."""
    team, rows = [], []
    for n in range(min(_rows(values), MOST_TEAM + MORE_ROWS)):
        member = _person(values, f"team-{n}-")
        if member is not None:
            team.append(member)
            rows.append(n)
    return {"owner": _person(values, "owner_"), "team": team}, rows


def _said(person: dict[str, Any] | None) -> str:
    if not person:
        return ""
    said = person["name"] + (f", {person['job_title']}" if person.get("job_title") else "")
    return said + (" (agreed to be named)" if person.get("consents_to_be_named") else "")


def _comparable_people(values: dict[str, Any]) -> dict[str, str]:
    body, _ = people_from_form(values)
    return {"owner": _said(body["owner"]), "team": "; ".join(_said(m) for m in body["team"])}


def what_changed(
    compared: dict[str, str], was: dict[str, str], saved: dict[str, str], yours: dict[str, str]
) -> list[dict[str, Any]]:
    """Each field where what is saved now differs from what this person wrote, and whether someone else
    changed it since the form was opened."""
    return [
        {"label": label, "saved": saved[name], "yours": yours[name], "theirs": saved[name] != was[name]}
        for name, label in compared.items()
        if saved[name] != yours[name]
    ]


PEOPLE_COMPARED = {"owner": "Owner", "team": "Team"}


def _was(form: FormData) -> dict[str, Any]:
    """What the form showed when it was opened (hidden `was_<field>` fields)."""
    return {k.removeprefix("was_"): v for k, v in forms.values(form).items() if k.startswith("was_")}


async def _people_page(request: Request, trial: dict[str, Any], *, values, was, status=200, **extra) -> Response:
    context = {
        "title": f"People: {trial['idea']['title']}",
        "trial": trial,
        "values": values,
        "was": was,
        "rows": min(_rows(values) + MORE_ROWS, MOST_TEAM),
        **extra,
    }
    return render(request, "trials/people.html", context, status_code=status)


@router.get("/trials/{trial_id}/people")
async def people_form(request: Request, trial_id: uuid.UUID, who: SignedInDep) -> Response:
    trial = await who.api.trial(trial_id)
    if not who.person.has("manager") or trial["status"] not in PEOPLE_CHANGEABLE:
        return _refused(request, "Only the council's managers change a trial's people, until its verdict.")
    values = people_values(trial)
    return await _people_page(request, trial, values=values, was=values)


@router.post("/trials/{trial_id}/people")
async def change_people(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    values = {k: v for k, v in forms.values(form).items() if not k.startswith("was_")}
    was = _was(form)
    body, rows = people_from_form(values)
    version = forms.text(form, "version")
    errors: dict[str, str] = {}
    if len(body["team"]) > MOST_TEAM:
        errors[f"team-{rows[MOST_TEAM]}-name"] = f"A trial names {MOST_TEAM} people in its team at most"
    if not errors:
        try:
            await who.api.change_plan(trial_id, body, version)
            return RedirectResponse(f"/trials/{trial_id}?done=people", status_code=303)
        except ApiError as exc:
            if exc.status == 412:
                saved = await who.api.trial(trial_id)
                changed = what_changed(
                    PEOPLE_COMPARED,
                    _comparable_people(was),
                    _comparable_people(people_values(saved)),
                    _comparable_people(values),
                )
                return await _people_page(
                    request, saved, values=values, was=people_values(saved), changed=changed, status=409
                )
            if exc.status not in (409, 422):
                raise
            fields = {"owner.name": "owner_name", "owner.job_title": "owner_job_title", "owner": "owner_name"}
            fields |= {f"team.{i}": f"team-{row}-name" for i, row in enumerate(rows)}
            errors = forms.api_errors(exc.errors, fields, "owner_name", exc.detail)
    trial = await who.api.trial(trial_id)
    trial = {**trial, "version": version}  # still changing the version the form was opened on
    return await _people_page(request, trial, values=values, was=was, status=400, **forms.error_context(errors))


# ---- a metric: changed or removed while the trial is planned ----------------------------------------------

METRIC_COMPARED = {
    "metric_name": "What is measured",
    "unit": "Unit",
    "direction": "Which way is better",
    "baseline": "Baseline",
    "target_value": "Target",
    "annual_volume": "Cases a year",
    "hourly_cost_pounds": "Cost of one staff hour",
    "cashable": "Cashable",
}
NUMBERS = ("target_value", "annual_volume", "hourly_cost_pounds")


def _figure(value: Any) -> str:
    if value is None or value == "":
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def metric_values(metric: dict[str, Any]) -> dict[str, Any]:
    """A metric as the form's fields."""
    baseline = metric.get("baseline") or {}
    return {
        "metric_name": metric["name"],
        "unit": metric["unit"],
        "direction": metric["direction"],
        "baseline_value": _figure(baseline.get("value")),
        "baseline_start": baseline.get("period_start") or "",
        "baseline_end": baseline.get("period_end") or "",
        "baseline_method": baseline.get("method") or "",
        **{name: _figure(metric.get(name)) for name in NUMBERS},
        "cashable": "yes" if metric.get("cashable") else "",
    }


def _comparable_metric(values: dict[str, Any]) -> dict[str, str]:
    def v(name: str) -> str:
        return " ".join(str(values.get(name) or "").split())

    baseline = ""
    if v("baseline_value"):
        baseline = f"{v('baseline_value')} ({v('baseline_start')} to {v('baseline_end')}; {v('baseline_method')})"
    said = {name: v(name) for name in ("metric_name", "unit", "direction", *NUMBERS)}
    return {**said, "baseline": baseline, "cashable": "yes" if values.get("cashable") == "yes" else "no"}


def _metric_of(trial: dict[str, Any], metric_id: uuid.UUID) -> dict[str, Any]:
    found = next((m for m in trial["metrics"] if m["id"] == str(metric_id)), None)
    if found is None:
        raise ApiError(404, "Not found")
    return found


async def _metric_page(
    request: Request, state, who: SignedIn, trial, metric, *, values, was, status=200, **extra
) -> Response:
    context = {
        "title": f"Change {metric['name']}",
        "trial": trial,
        "metric": metric,
        "metric_values": values,
        "was": was,
        "vocabulary": await followup_vocabulary(state, who.api),
        **WORDS,
        **extra,
    }
    return render(request, "trials/metric.html", context, status_code=status)


def _frozen(request: Request, trial: dict[str, Any]) -> Response | None:
    if trial["status"] != "planned":
        return _refused(
            request, "The trial has started, so its metrics are frozen: it is judged against what was planned."
        )
    return None


@router.get("/trials/{trial_id}/metrics/{metric_id}")
async def metric_form(
    request: Request, trial_id: uuid.UUID, metric_id: uuid.UUID, who: SignedInDep, state: StateDep
) -> Response:
    trial = await who.api.trial(trial_id)
    metric = _metric_of(trial, metric_id)
    if (refused := _frozen(request, trial)) is not None:
        return refused
    values = metric_values(metric)
    return await _metric_page(request, state, who, trial, metric, values=values, was=values)


@router.post("/trials/{trial_id}/metrics/{metric_id}")
async def change_metric(
    request: Request, trial_id: uuid.UUID, metric_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep
) -> Response:
    values = {k: v for k, v in forms.values(form).items() if not k.startswith("was_")}
    was = _was(form)
    body, errors = metric_from_form(form)
    # Emptied figures and baseline are cleared (null), as the API allows; the rest is sent whole.
    body = {**{name: None for name in (*NUMBERS, "baseline")}, **body}
    version = forms.text(form, "version")
    if not errors:
        try:
            await who.api.change_metric(trial_id, metric_id, body, version)
            return RedirectResponse(f"/trials/{trial_id}/plan?done=metric-changed#metrics", status_code=303)
        except ApiError as exc:
            if exc.status == 412:
                trial = await who.api.trial(trial_id)
                saved = _metric_of(trial, metric_id)
                changed = what_changed(
                    METRIC_COMPARED,
                    _comparable_metric(was),
                    _comparable_metric(metric_values(saved)),
                    _comparable_metric(values),
                )
                return await _metric_page(
                    request,
                    state,
                    who,
                    trial,
                    saved,
                    values=values,
                    was=metric_values(saved),
                    changed=changed,
                    status=409,
                )
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, METRIC_FIELDS, "metric_name", exc.detail)
    trial = await who.api.trial(trial_id)
    metric = {**_metric_of(trial, metric_id), "version": version}
    return await _metric_page(
        request, state, who, trial, metric, values=values, was=was, status=400, **forms.error_context(errors)
    )


@router.get("/trials/{trial_id}/metrics/{metric_id}/remove")
async def remove_metric_form(request: Request, trial_id: uuid.UUID, metric_id: uuid.UUID, who: SignedInDep) -> Response:
    trial = await who.api.trial(trial_id)
    metric = _metric_of(trial, metric_id)
    if (refused := _frozen(request, trial)) is not None:
        return refused
    context = {"title": f"Remove {metric['name']}?", "trial": trial, "metric": metric, **WORDS}
    return render(request, "trials/remove_metric.html", context)


@router.post("/trials/{trial_id}/metrics/{metric_id}/remove")
async def remove_metric(
    request: Request, trial_id: uuid.UUID, metric_id: uuid.UUID, who: SignedInDep, form: FormDep
) -> Response:
    try:
        await who.api.remove_metric(trial_id, metric_id, forms.text(form, "version"))
    except ApiError as exc:
        if exc.status == 404:
            # Removed already (by a colleague, or this form sent twice): what was asked is done.
            return RedirectResponse(f"/trials/{trial_id}/plan?done=metric-removed#metrics", status_code=303)
        if exc.status not in (409, 412):
            raise
        trial = await who.api.trial(trial_id)
        metric = _metric_of(trial, metric_id)
        stale = (
            "Someone changed this metric after you opened this page: it is shown as it is now. "
            "Remove it if you still wish to"
            if exc.status == 412
            else exc.detail
        )
        context = {"title": f"Remove {metric['name']}?", "trial": trial, "metric": metric, **WORDS}
        context |= forms.error_context({"remove": stale})
        return render(request, "trials/remove_metric.html", context, status_code=409)
    return RedirectResponse(f"/trials/{trial_id}/plan?done=metric-removed#metrics", status_code=303)
