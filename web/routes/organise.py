"""Organiser pages: the list of hack days to run, a hack day's dashboard (phases with confirmation,
the ideas queue with bulk actions, rounds: create, open, close, publish) and the projector view."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import segno
from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import JSONResponse, RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError
from web.deps import FormDep, OrganiserDep, StateDep
from web.labels import METHOD_EXPLAINED
from web.rendering import render

router = APIRouter(include_in_schema=False)
NEXT_PHASE = {"draft": "open", "open": "voting", "voting": "closed"}
PHASE_EFFECT = {
    "open": "Staff can submit ideas.",
    "voting": "No more ideas can be submitted or edited; votes can open.",
    "closed": "The hack day ends: nothing more can be submitted or voted on.",
}


@router.get("/organise")
async def organise(request: Request, who: OrganiserDep) -> Response:
    days = await who.api.hack_days()
    context = {"title": "Organise", "hack_days": days, "values": {}, "form_key": forms.new_form_key()}
    return render(request, "organise/index.html", context)


@router.post("/organise")
async def create_hack_day(request: Request, who: OrganiserDep, form: FormDep) -> Response:
    name, day = forms.text(form, "name"), forms.text(form, "date")
    themes = [t.strip() for t in forms.text(form, "themes").splitlines() if t.strip()]
    errors: dict[str, str] = {}
    if len(name) < 3:
        errors["name"] = "Enter a name of 3 characters or more"
    if not day:
        errors["date"] = "Enter the date of the hack day, like 2027-03-14"
    key = forms.form_key(form) or forms.new_form_key()
    if not errors:
        try:
            created = await who.api.create_hack_day({"name": name, "date": day, "themes": themes}, key)
            return RedirectResponse(f"/organise/hack-days/{created['id']}", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(
                exc.errors, {"name": "name", "date": "date", "themes": "themes"}, "name", exc.detail
            )
    days = await who.api.hack_days()
    context = {"title": "Organise", "hack_days": days, "values": forms.values(form), "form_key": key}
    return render(request, "organise/index.html", {**context, **forms.error_context(errors)}, status_code=400)


async def evidence(who, ideas: list[dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    """Each queued idea's "tried before?" evidence by idea id (the API takes 50 a call), and a notice
    when it cannot be shown: the queue is still worth showing without it."""
    in_play = [str(i["id"]) for i in ideas if i["status"] in ("submitted", "shortlisted")]
    found: dict[str, Any] = {}
    notice = None
    try:
        for start in range(0, len(in_play), 50):
            answer = await who.api.evidence(in_play[start : start + 50])
            found.update({str(e["idea_id"]): e for e in answer["items"]})
            notice = notice or answer.get("notice")
    except ApiError as exc:
        if exc.status in (401, 403):
            raise
        notice = "Similar ideas cannot be shown just now."
    return found, notice


async def _dashboard(request: Request, who, hack_day_id: uuid.UUID, **extra: Any) -> Response:
    # Asked together (the gateway answers them side by side); the evidence needs the ideas first.
    day, listed, rounds = await asyncio.gather(
        who.api.hack_day(hack_day_id), who.api.ideas(hack_day_id=hack_day_id), who.api.rounds(hack_day_id)
    )
    ideas = listed["items"]
    tried, tried_notice = await evidence(who, ideas)
    if refused := extra.get("refused"):
        extra.update(forms.error_context(_refusals(ideas, refused, extra["action"])))
    context = {
        "tried": tried,
        "tried_notice": tried_notice,
        "title": f"Organise {day['name']}",
        "day": day,
        "ideas": ideas,
        "rounds": rounds,
        "next_phase": NEXT_PHASE.get(day["phase"]),
        "phase_effect": PHASE_EFFECT,
        "methods": METHOD_EXPLAINED,
        "form_key": forms.new_form_key(),
        "queue_key": forms.new_form_key(),  # the queue's own: a key is one request's, and the page has two forms
        "values": {},
        **extra,
    }
    return render(request, "organise/hack_day.html", context, status_code=400 if extra.get("errors") else 200)


def _refusals(ideas: list[dict[str, Any]], refused: dict[str, str], action: str) -> dict[str, str]:
    """Each idea the API left as it was, as an error on its own checkbox (the first's id is `ideas`)."""
    titles = {str(i["id"]): i["title"] for i in ideas}
    boxes = {idea: "ideas" if n == 0 else f"idea-{idea}" for n, idea in enumerate(titles)}
    errors: dict[str, str] = {}
    for idea, detail in refused.items():
        name = f"“{titles[idea]}”" if idea in titles else "An idea"
        errors.setdefault(boxes.get(idea, "ideas"), f"{name} was not {MODERATED[action]}: {detail}")
    return errors


@router.get("/organise/hack-days/{hack_day_id}")
async def dashboard(request: Request, hack_day_id: uuid.UUID, who: OrganiserDep) -> Response:
    return await _dashboard(request, who, hack_day_id, done=request.query_params.get("done"))


@router.post("/organise/hack-days/{hack_day_id}/phase")
async def move_phase(request: Request, hack_day_id: uuid.UUID, who: OrganiserDep, form: FormDep) -> Response:
    phase = forms.text(form, "phase")
    if form.get("confirm") != "yes":
        day = await who.api.hack_day(hack_day_id)
        context = {"title": "Confirm the next phase", "day": day, "phase": phase, "effect": PHASE_EFFECT.get(phase, "")}
        return render(request, "organise/confirm_phase.html", context)
    await who.api.move_phase(hack_day_id, phase)
    return RedirectResponse(f"/organise/hack-days/{hack_day_id}?done=phase", status_code=303)


# What each bulk action does to an idea, in words ("was not ..."), and the API's list of the ideas it did.
MODERATED = {"shortlist": "shortlisted", "hide": "hidden", "duplicate": "marked a duplicate"}


@router.post("/organise/hack-days/{hack_day_id}/ideas")
async def moderate(request: Request, hack_day_id: uuid.UUID, who: OrganiserDep, form: FormDep) -> Response:
    """Bulk actions on the ticked ideas, each one call to the API's bulk form: shortlist, hide (with one
    reason), or mark duplicates of one earlier idea."""
    chosen = [i for i in form.getlist("idea") if isinstance(i, str)]
    action = forms.text(form, "action")
    errors: dict[str, str] = {}
    if not chosen:
        errors["ideas"] = "Tick at least one idea"
    body: dict[str, Any] = {}
    if action == "hide":
        reason = forms.text(form, "reason")
        if len(reason) < 3:
            errors["reason"] = "Give the reason for hiding, 3 characters or more (the authors see it)"
        body = {"reason": reason}
    elif action == "duplicate":
        original = forms.text(form, "duplicate_of")
        if not original:
            errors["duplicate_of"] = "Choose the earlier idea these repeat"
        body = {"duplicate_of_id": original}
    elif action != "shortlist":
        errors["ideas"] = "Choose what to do with the ticked ideas"
    if not errors:
        try:
            refused, done = await _moderate_many(who, hack_day_id, action, chosen, body, forms.form_key(form))
        except ApiError as exc:
            if exc.status not in (404, 409, 422):
                raise
            errors = _whole_refusal(exc)
        else:
            if not refused:
                return RedirectResponse(f"/organise/hack-days/{hack_day_id}?done={action}", status_code=303)
            return await _dashboard(request, who, hack_day_id, refused=refused, moderated=done, action=action)
    # Nothing changed: the ticks, the action, the reason and the earlier idea are kept for another try.
    return await _dashboard(request, who, hack_day_id, values=forms.values(form), **forms.error_context(errors))


def _whole_refusal(exc: ApiError) -> dict[str, str]:
    """The API refused the whole request: by the field it names (the earlier idea gone, the reason), or on the
    ideas (the hack day closed, a form sent before with other choices)."""
    if any(e.get("field") == "Idempotency-Key" for e in exc.errors):
        return {"ideas": "This form was sent before with other choices: check the ideas below, then apply again"}
    return forms.api_errors(exc.errors, {"reason": "reason", "duplicate_of_id": "duplicate_of"}, "ideas", exc.detail)


async def _moderate_many(
    who, hack_day_id: uuid.UUID, action: str, chosen: list[str], body: dict[str, Any], key: str | None
) -> tuple[dict[str, str], int]:
    """The ticked ideas changed in one call (the API's bulk form, which goes ahead with every idea it can):
    each idea left as it was, by id, with the API's reason, and how many are now as asked. A refusal of the
    whole request (the earlier idea gone, the hack day closed) is raised as the API's ApiError."""
    ids: list[str] = []
    refused: dict[str, str] = {}
    for idea in dict.fromkeys(chosen):  # each once, as the API asks
        try:
            ids.append(str(uuid.UUID(idea)))
        except ValueError:
            refused[idea] = "is not an idea of this hack day"
    if not ids:
        return refused, 0
    answer = await who.api.moderate_many(hack_day_id, action, {"idea_ids": ids, **body}, key)
    refused.update({str(r["idea_id"]): r["detail"] for r in answer["refused"]})
    return refused, len(answer["shortlisted" if action == "shortlist" else "moderated"])


@router.post("/organise/hack-days/{hack_day_id}/rounds")
async def create_round(request: Request, hack_day_id: uuid.UUID, who: OrganiserDep, form: FormDep) -> Response:
    title, method = forms.text(form, "title"), forms.text(form, "method")
    errors: dict[str, str] = {}
    if not title:
        errors["round_title"] = "Enter a title for the vote"
    if method not in METHOD_EXPLAINED:
        errors["method"] = "Choose how people vote"
    rules: dict[str, Any] = {}

    def number(name: str, field: str, message: str) -> int | None:
        raw = forms.text(form, name)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            errors[field] = message
            return None

    if method == "dot_voting":
        rules["dots_per_voter"] = number("dots_per_voter", "dots_per_voter", "Enter the dots each person has, like 5")
        rules["max_dots_per_idea"] = number("max_dots_per_idea", "max_dots_per_idea", "Enter a whole number, like 3")
    elif method == "approval":
        rules["max_approvals"] = number("max_approvals", "max_approvals", "Enter a whole number, like 3")
    rules = {k: v for k, v in rules.items() if v is not None}
    rules["exclude_own_ideas"] = form.get("exclude_own_ideas") == "yes"
    selected = number("selected_count", "selected_count", "Enter how many ideas are selected, like 3") or 3
    key = forms.form_key(form) or forms.new_form_key()
    if not errors:
        body = {
            "hack_day_id": str(hack_day_id),
            "title": title,
            "method": method,
            "rules": rules,
            "selected_count": selected,
        }
        try:
            await who.api.create_round(body, key)
            return RedirectResponse(f"/organise/hack-days/{hack_day_id}?done=round", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            fields = {
                "title": "round_title",
                "method": "method",
                "selected_count": "selected_count",
                "idea_ids": "method",
            }
            fields.update({f"rules.{k}": k for k in ("dots_per_voter", "max_dots_per_idea", "max_approvals")})
            errors = forms.api_errors(exc.errors, fields, "round_title", exc.detail)
    return await _dashboard(request, who, hack_day_id, values=forms.values(form), **forms.error_context(errors))


@router.post("/organise/rounds/{round_id}/{action}")
async def round_action(
    request: Request, round_id: uuid.UUID, action: str, who: OrganiserDep, form: FormDep
) -> Response:
    if action not in ("open", "close", "publish"):
        raise ApiError(404, "Not found")
    round_ = await who.api.round(round_id)
    await who.api.round_action(round_id, action)
    return RedirectResponse(f"/organise/hack-days/{round_['hack_day_id']}?done={action}", status_code=303)


@router.get("/organise/rounds/{round_id}/turnout")
async def turnout(round_id: uuid.UUID, who: OrganiserDep) -> Response:
    """How many have voted (never what), for the dashboard's and projector's script to show live."""
    round_ = await who.api.round(round_id)
    return JSONResponse({"voters": round_["voters"], "phase": round_["phase"]}, headers={"Cache-Control": "no-store"})


# The API's CSV exports, fetched with the organiser's token (a browser's link carries only the cookie).
EXPORTS = {
    "ideas.csv": "/api/ideas/hack-days/{id}/ideas.csv",
    "result.csv": "/api/voting/rounds/{id}/export/result.csv",
    "ballots.csv": "/api/voting/rounds/{id}/export/ballots.csv",
}


@router.get("/organise/hack-days/{object_id}/ideas.csv")
@router.get("/organise/rounds/{object_id}/result.csv")
@router.get("/organise/rounds/{object_id}/ballots.csv")
async def export(request: Request, object_id: uuid.UUID, who: OrganiserDep) -> Response:
    name = request.url.path.rsplit("/", 1)[1]
    answer = await who.api.download(EXPORTS[name].format(id=object_id))
    headers = {"Cache-Control": "no-store"}
    if "content-disposition" in answer.headers:
        headers["Content-Disposition"] = answer.headers["content-disposition"]
    return Response(answer.content, media_type=answer.headers.get("content-type", "text/csv"), headers=headers)


@router.get("/organise/rounds/{round_id}/projector")
async def projector(request: Request, round_id: uuid.UUID, who: OrganiserDep, state: StateDep) -> Response:
    """For the screen at the front of the room: large type, how many have voted (never what), and a QR
    code that opens the vote page."""
    round_ = await who.api.round(round_id)
    base = state.settings.public_url or str(request.base_url).rstrip("/")
    address = f"{base.rstrip('/')}/rounds/{round_id}"
    svg = io.BytesIO()
    segno.make(address, error="m").save(
        svg, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title="", svgclass="app-projector__qr"
    )
    qr = Markup(
        svg.getvalue().decode().replace("<svg ", '<svg role="img" aria-label="QR code that opens the vote page" ', 1)
    )
    return render(
        request, "organise/projector.html", {"title": round_["title"], "round": round_, "qr": qr, "address": address}
    )
