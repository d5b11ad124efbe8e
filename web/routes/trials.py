"""A manager's trials: the list (filters, overdue first), a trial's page (the plan, frozen once started;
readings one at a time or from a CSV with a preview; corrections beside the originals; a chart per
metric; checkpoints and what is overdue), and the plan's form. The verdict and publishing are in
verdicts.py. Anyone of the council may read these pages; the API refuses changes to all but managers."""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from web import forms, measurements_csv
from web.charts import Chart, readings_chart
from web.clients.gateway import ApiError, PersonApi
from web.deps import FormDep, SignedIn, SignedInDep, StateDep
from web.rendering import render
from web.routes.ideas import vocabulary as ideas_vocabulary
from web.trial_words import WORDS

router = APIRouter(include_in_schema=False)

MEASUREMENT_FIELDS = {f: f for f in ("metric_id", "value", "period_start", "period_end", "method", "source", "note")}
PLAN_FIELDS = {
    f: f for f in ("hypothesis", "scope", "planned_start", "planned_end", "review_date", "trial_cost_pounds")
}
METRIC_FIELDS = {
    "name": "metric_name",
    "unit": "unit",
    "direction": "direction",
    "baseline.value": "baseline_value",
    "baseline.period_start": "baseline_start",
    "baseline.period_end": "baseline_end",
    "baseline.method": "baseline_method",
    "baseline": "baseline_value",
    "target_value": "target_value",
    "annual_volume": "annual_volume",
    "hourly_cost_pounds": "hourly_cost_pounds",
}


async def followup_vocabulary(state, api: PersonApi) -> dict[str, Any]:
    if state.followup_vocabulary is None:
        state.followup_vocabulary = await api.followup_vocabulary()
    return state.followup_vocabulary


def is_manager(who: SignedIn) -> bool:
    return who.person.has("manager")


# ---- the list -----------------------------------------------------------------------------------------


def needs_attention(item: dict[str, Any]) -> list[str]:
    """What is overdue about a trial, in words (from the overdue list)."""
    said = [f"{c['label']} review {c['days_overdue']} days overdue" for c in item.get("overdue_checkpoints", [])]
    if item.get("review_overdue"):
        said.append("review date passed")
    if item.get("stale"):
        said.append(f"no reading for {item.get('days_without_measurement')} days")
    return said


async def _nothing() -> list[dict[str, Any]]:
    return []


@router.get("/trials")
async def trial_list(request: Request, who: SignedInDep, state: StateDep) -> Response:
    status = request.query_params.get("status", "")
    area = request.query_params.get("service_area", "")
    overdue_first = request.query_params.get("order", "overdue") == "overdue"
    # The trials and what is overdue about them, together (admins, of no council, have no overdue list).
    found, overdue = await asyncio.gather(
        who.api.trials(status or None), who.api.overdue() if who.person.council_id else _nothing()
    )
    attention = {a["trial_id"]: needs_attention(a) for a in overdue}
    if area:
        found = [t for t in found if t["idea"]["service_area"] == area]
    if overdue_first:
        found.sort(key=lambda t: (not attention.get(t["id"]), t["review_date"] or "9999"))
    vocab = await ideas_vocabulary(state, who.api)
    context = {
        "title": "Trials",
        "trials": found,
        "attention": attention,
        "filters": {"status": status, "service_area": area, "order": "overdue" if overdue_first else "review"},
        "statuses": (await followup_vocabulary(state, who.api))["statuses"],
        "service_areas": vocab["service_areas"],
        "area_names": {a["code"]: a["label"] for a in vocab["service_areas"]},
        **WORDS,
    }
    return render(request, "trials/list.html", context)


# ---- a trial's page -------------------------------------------------------------------------------------


def history(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each original reading with its corrections beside it (all kept on record), oldest period first."""
    by_id = {e["id"]: e for e in entries}

    def root(entry: dict[str, Any]) -> str:
        seen = set()
        while entry.get("corrects_id") and entry["corrects_id"] in by_id and entry["id"] not in seen:
            seen.add(entry["id"])
            entry = by_id[entry["corrects_id"]]
        return entry["id"]

    chains: dict[str, dict[str, Any]] = {}
    for entry in sorted(entries, key=lambda e: e["sequence"]):
        chain = chains.setdefault(root(entry), {"original": None, "corrections": [], "current": None})
        if entry.get("corrects_id") is None:
            chain["original"] = entry
        else:
            chain["corrections"].append(entry)
        if entry["effective"]:
            chain["current"] = entry
    rows = [c for c in chains.values() if c["original"] is not None]
    return sorted(rows, key=lambda c: (c["current"] or c["original"])["period_end"])


def metric_chart(metric: dict[str, Any], gain: dict[str, Any]) -> Chart:
    """The metric's effective readings charted as the library charts a published one."""
    figures: dict[str, Any] = next((g for g in gain.get("metrics", []) if g["metric_id"] == metric["id"]), {})
    shaped = {**metric, "measurements": metric.get("readings", []), "target_met": figures.get("target_met")}
    return readings_chart(shaped, f"chart-{metric['id']}")


async def trial_page(request: Request, who: SignedIn, trial_id: uuid.UUID, **extra: Any) -> Response:
    trial, entries = await who.api.trial_with_measurements(trial_id)
    metrics = [
        {
            **m,
            "chart": metric_chart(m, trial["gain"]),
            "history": history([e for e in entries if e["metric_id"] == m["id"]]),
        }
        for m in trial["metrics"]
    ]
    today = date.today().isoformat()
    context = {
        "title": trial["idea"]["title"],
        "trial": trial,
        "metrics": metrics,
        "manager": is_manager(who),
        "recording": trial["status"] in ("running", "evaluating"),
        "due_checkpoints": [c["id"] for c in trial["checkpoints"] if not c["reviewed_at"] and c["due_on"] <= today],
        "form_key": forms.new_form_key(),
        "values": {},
        "done": request.query_params.get("done"),
        "count": request.query_params.get("count"),
        **WORDS,
        **extra,
    }
    return render(request, "trials/trial.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/trials/{trial_id}")
async def show_trial(request: Request, trial_id: uuid.UUID, who: SignedInDep) -> Response:
    return await trial_page(request, who, trial_id)


def measurement_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body: dict[str, Any] = {f: forms.text(form, f) for f in MEASUREMENT_FIELDS}
    if not body["metric_id"]:
        errors["metric_id"] = "Choose the metric this reading is of"
    value = measurements_csv._number(body["value"]) if body["value"] else None
    if value is None:
        errors["value"] = "Enter the reading as a number, like 1.5"
    body["value"] = value
    for name, words in (("period_start", "the start"), ("period_end", "the end")):
        if not body[name]:
            errors[name] = f"Enter {words} of the period the reading covers, like 2026-01-31"
    return body, errors


@router.post("/trials/{trial_id}/measurements")
async def record_measurement(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    body, errors = measurement_from_form(form)
    key = forms.form_key(form) or forms.new_form_key()
    if not errors:
        try:
            await who.api.record_measurement(trial_id, body, key)
            return RedirectResponse(f"/trials/{trial_id}?done=recorded#readings", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, MEASUREMENT_FIELDS, "value", exc.detail)
    return await trial_page(
        request, who, trial_id, values=forms.values(form), form_key=key, **forms.error_context(errors)
    )


@router.post("/trials/{trial_id}/start")
async def start(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    """Start the trial: the API freezes the plan and sets the checkpoints."""
    return await trial_action(request, trial_id, "start", who, form)


@router.post("/trials/{trial_id}/evaluate")
async def evaluate(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    """End the running phase: the verdict comes next."""
    return await trial_action(request, trial_id, "evaluate", who, form)


async def trial_action(request: Request, trial_id: uuid.UUID, action: str, who: SignedIn, form: FormData) -> Response:
    body = {}
    started_on = forms.text(form, "started_on")
    if action == "start" and started_on:
        body["started_on"] = started_on
    try:
        await who.api.trial_action(trial_id, action, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        field = "started_on" if action == "start" else "action"
        if exc.errors and exc.errors[0].get("field") == "metrics":
            field = "metrics"
        return await trial_page(request, who, trial_id, **forms.error_context({field: exc.detail}))
    return RedirectResponse(f"/trials/{trial_id}?done={action}", status_code=303)


@router.post("/trials/{trial_id}/checkpoints/{checkpoint_id}/review")
async def review(
    request: Request, trial_id: uuid.UUID, checkpoint_id: uuid.UUID, who: SignedInDep, form: FormDep
) -> Response:
    await who.api.review_checkpoint(trial_id, checkpoint_id, forms.text(form, "note"))
    return RedirectResponse(f"/trials/{trial_id}?done=reviewed#checkpoints", status_code=303)


# ---- a correction --------------------------------------------------------------------------------------


async def _entry(who: SignedIn, trial_id: uuid.UUID, measurement_id: uuid.UUID) -> tuple[dict, dict, dict]:
    trial, entries = await who.api.trial_with_measurements(trial_id)
    entry = next((e for e in entries if e["id"] == str(measurement_id)), None)
    if entry is None:
        raise ApiError(404, "Not found")
    metric = next(m for m in trial["metrics"] if m["id"] == entry["metric_id"])
    return trial, entry, metric


@router.get("/trials/{trial_id}/measurements/{measurement_id}/correct")
async def correction_form(
    request: Request, trial_id: uuid.UUID, measurement_id: uuid.UUID, who: SignedInDep
) -> Response:
    trial, entry, metric = await _entry(who, trial_id, measurement_id)
    values = {k: entry[k] for k in ("value", "period_start", "period_end", "method", "source")}
    context = {"title": "Correct a reading", "trial": trial, "entry": entry, "metric": metric, "values": values}
    return render(request, "trials/correct.html", {**context, "form_key": forms.new_form_key(), **WORDS})


@router.post("/trials/{trial_id}/measurements/{measurement_id}/correct")
async def correct(
    request: Request, trial_id: uuid.UUID, measurement_id: uuid.UUID, who: SignedInDep, form: FormDep
) -> Response:
    trial, entry, metric = await _entry(who, trial_id, measurement_id)
    body, errors = measurement_from_form(form)
    body.update(metric_id=entry["metric_id"], corrects=entry["id"])
    errors.pop("metric_id", None)
    if not forms.text(form, "note"):
        errors["note"] = "Say why the reading is corrected (kept on record, never published)"
    key = forms.form_key(form) or forms.new_form_key()
    if not errors:
        try:
            await who.api.record_measurement(trial_id, body, key)
            return RedirectResponse(f"/trials/{trial_id}?done=corrected#readings", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, MEASUREMENT_FIELDS, "value", exc.detail)
    context: dict[str, Any] = {"title": "Correct a reading", "trial": trial, "entry": entry, "metric": metric}
    context |= {"values": forms.values(form), "form_key": key, **forms.error_context(errors), **WORDS}
    return render(request, "trials/correct.html", context, status_code=400)


# ---- readings from a CSV file ---------------------------------------------------------------------------


@router.get("/trials/{trial_id}/measurements.csv")
async def csv_template(trial_id: uuid.UUID, who: SignedInDep) -> Response:
    trial = await who.api.trial(trial_id)
    content = measurements_csv.template([m["name"] for m in trial["metrics"]])
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="readings.csv"', "Cache-Control": "no-store"},
    )


def _upload_page(request: Request, trial: dict, upload: measurements_csv.Upload | None, **extra: Any) -> Response:
    errors: dict[str, str] = {}
    if upload is not None and upload.problem:
        errors["file"] = upload.problem
    if upload is not None:
        for row, column, message in upload.errors:
            errors[f"line-{row.line}-{column}"] = f"Line {row.line}, {measurements_csv.WORDS[column]}: {message}"
    error_list = [{"text": m, "href": "#file" if k == "file" else "#" + k.rsplit("-", 1)[0]} for k, m in errors.items()]
    context = {
        "title": "Upload readings" if upload is None else "Check the readings before they are recorded",
        "trial": trial,
        "upload": upload,
        "columns": measurements_csv.COLUMNS,
        "words": measurements_csv.WORDS,
        "errors": errors,
        "error_list": error_list,
        "form_key": forms.new_form_key(),
        **extra,
    }
    return render(request, "trials/upload.html", context, status_code=400 if errors else 200)


@router.get("/trials/{trial_id}/measurements/upload")
async def upload_form(request: Request, trial_id: uuid.UUID, who: SignedInDep) -> Response:
    return _upload_page(request, await who.api.trial(trial_id), None)


@router.post("/trials/{trial_id}/measurements/upload")
async def upload(request: Request, trial_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    """Without `confirm`: the file read and every row checked, shown as a preview. With it: the rows
    (carried in the preview's form, so nothing is kept between the two) sent to the API in one call,
    all or none, with the form's key: a second press records nothing twice."""
    trial = await who.api.trial(trial_id)
    metrics = {m["name"]: m["id"] for m in trial["metrics"]}
    file = form.get("file")
    if isinstance(file, UploadFile):
        raw = await file.read(measurements_csv.MAX_BYTES + 1)
    else:
        try:
            raw = base64.b64decode(forms.text(form, "rows"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if not raw:
        return _upload_page(request, trial, measurements_csv.Upload([], "Choose a CSV file of readings"))
    parsed = measurements_csv.parse(raw, metrics)
    carried = base64.b64encode(raw).decode()
    if form.get("confirm") != "yes" or not parsed.good:
        return _upload_page(request, trial, parsed, rows=carried)
    key = forms.form_key(form) or forms.new_form_key()
    try:
        done = await who.api.record_measurements(trial_id, [r.body for r in parsed.rows if r.body], key)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        if not measurements_csv.place_api_errors(parsed, exc.errors):
            parsed.problem = exc.detail
        return _upload_page(request, trial, parsed, rows=carried, form_key=key)
    return RedirectResponse(f"/trials/{trial_id}?done=uploaded&count={done['recorded']}#readings", status_code=303)


# ---- the plan -------------------------------------------------------------------------------------------


def who_and_what_values(trial: dict[str, Any]) -> dict[str, Any]:
    """The sponsor (changeable until the verdict), kind of change and partners (until the start) as the plan
    form shows them."""
    sponsor = trial.get("sponsor") or {}
    return {
        "sponsor_name": sponsor.get("name", ""),
        "sponsor_job_title": sponsor.get("job_title", ""),
        "sponsor_consents": "yes" if sponsor.get("consents_to_be_named") else "",
        "kind_of_change": trial.get("kind_of_change") or "",
        "partner_ids": [p["id"] for p in trial.get("partners") or []],
    }


async def _partner_map(who: SignedIn) -> list[dict[str, Any]]:
    try:
        return await who.api.partner_map()
    except ApiError as exc:
        if exc.status != 403:  # someone of no council (an admin) has no map of their own
            raise
        return []


async def plan_page(request: Request, who: SignedIn, state, trial_id: uuid.UUID, **extra: Any) -> Response:
    trial, partner_map = await asyncio.gather(who.api.trial(trial_id), _partner_map(who))
    plan = {k: trial[k] if trial[k] is not None else "" for k in PLAN_FIELDS} | who_and_what_values(trial)
    if "values" in extra and not isinstance(extra["values"].get("partner_ids", []), list):
        extra["values"]["partner_ids"] = [extra["values"]["partner_ids"]]  # one ticked box comes as one value
    context = {
        "title": f"Plan: {trial['idea']['title']}",
        "trial": trial,
        "partner_map": partner_map,
        "values": plan,
        "metric_values": {"direction": "lower_is_better"},
        "vocabulary": await followup_vocabulary(state, who.api),
        "form_key": forms.new_form_key(),
        "done": request.query_params.get("done"),
        **WORDS,
        **extra,
    }
    return render(request, "trials/plan.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/trials/{trial_id}/plan")
async def show_plan(request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep) -> Response:
    return await plan_page(request, who, state, trial_id)


@router.post("/trials/{trial_id}/plan")
async def change_plan(
    request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep
) -> Response:
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for name in PLAN_FIELDS:
        if name not in form:
            continue  # frozen fields are shown, not sent
        value: Any = forms.text(form, name)
        if name == "trial_cost_pounds":
            value = measurements_csv._number(value) if value else 0.0
            if value is None:
                errors[name] = "Enter what the trial costs in pounds, like 5000"
        elif name in ("planned_start", "planned_end", "review_date"):
            value = value or None
        changes[name] = value
    changes.update(_who_and_what(form))
    if not errors:
        try:
            await who.api.change_plan(trial_id, changes, forms.text(form, "version"))
            return RedirectResponse(f"/trials/{trial_id}/plan?done=plan", status_code=303)
        except ApiError as exc:
            if exc.status == 412:
                errors["hypothesis"] = (
                    "Someone changed this plan after you opened it: it is shown as it is now, with your "
                    "changes below it lost; make them again"
                )
                return await plan_page(request, who, state, trial_id, **forms.error_context(errors))
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, PLAN_FIELDS | PLAN_PEOPLE_FIELDS, "hypothesis", exc.detail)
    return await plan_page(request, who, state, trial_id, values=forms.values(form), **forms.error_context(errors))


# The API's fields of the sponsor, kind of change and partners -> the plan form's.
PLAN_PEOPLE_FIELDS = {
    "sponsor": "sponsor_name",
    "sponsor.name": "sponsor_name",
    "sponsor.job_title": "sponsor_job_title",
    "kind_of_change": "kind_of_change",
    "partner_ids": "partner_ids",
}


def _who_and_what(form: FormData) -> dict[str, Any]:
    """What the form showed of the sponsor (none when the name is emptied; it may change until the verdict, as a
    sponsor who leaves or changes job is replaced), the kind of change (left as it is when none is chosen: the
    API keeps one once chosen) and the ticked partners. Once started, the kind and partners are frozen: shown,
    not sent, as the hypothesis is."""
    changes: dict[str, Any] = {}
    if "sponsor_name" in form:
        name = forms.text(form, "sponsor_name")
        sponsor = {
            "name": name,
            "job_title": forms.text(form, "sponsor_job_title"),
            "consents_to_be_named": form.get("sponsor_consents") == "yes",
        }
        changes["sponsor"] = sponsor if name else None
    if form.get("partners_shown") == "yes":  # not when the council's map is empty: the trial's are kept
        changes["partner_ids"] = [p for p in form.getlist("partner_ids") if isinstance(p, str)]
    if kind := forms.text(form, "kind_of_change"):
        changes["kind_of_change"] = kind
    return changes


def metric_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body: dict[str, Any] = {
        "name": forms.text(form, "metric_name"),
        "unit": forms.text(form, "unit"),
        "direction": forms.text(form, "direction"),
        "cashable": form.get("cashable") == "yes",
    }
    if not body["name"]:
        errors["metric_name"] = "Enter what is measured, like “Hours per claim”"
    if not body["unit"]:
        errors["unit"] = "Choose the unit it is measured in"
    for name, field, words in (
        ("target_value", "target_value", "the target"),
        ("annual_volume", "annual_volume", "the cases a year"),
        ("hourly_cost_pounds", "hourly_cost_pounds", "the cost of an hour"),
    ):
        raw = forms.text(form, field)
        number = measurements_csv._number(raw) if raw else None
        if raw and number is None:
            errors[field] = f"Enter {words} as a number"
        body[name] = number
    raw = forms.text(form, "baseline_value")
    if raw:
        value = measurements_csv._number(raw)
        if value is None:
            errors["baseline_value"] = "Enter the baseline as a number, like 2.5"
        baseline = {
            "value": value,
            "period_start": forms.text(form, "baseline_start"),
            "period_end": forms.text(form, "baseline_end"),
            "method": forms.text(form, "baseline_method"),
        }
        if not baseline["period_start"]:
            errors["baseline_start"] = "Enter when the baseline period started"
        if not baseline["period_end"]:
            errors["baseline_end"] = "Enter when the baseline period ended"
        if not baseline["method"]:
            errors["baseline_method"] = "Say how the baseline was measured, like “Case system report”"
        body["baseline"] = baseline
    return {k: v for k, v in body.items() if v is not None}, errors


@router.post("/trials/{trial_id}/metrics")
async def add_metric(
    request: Request, trial_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep
) -> Response:
    body, errors = metric_from_form(form)
    if not errors:
        try:
            await who.api.add_metric(trial_id, body)
            return RedirectResponse(f"/trials/{trial_id}/plan?done=metric#metrics", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, METRIC_FIELDS, "metric_name", exc.detail)
    return await plan_page(
        request, who, state, trial_id, metric_values=forms.values(form), **forms.error_context(errors)
    )
