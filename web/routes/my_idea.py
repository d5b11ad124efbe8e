"""An idea's page and what is done on it: its team edits it (a 412 becomes "someone changed this, here
is what changed"), withdraws it and invites co-authors; an invited colleague joins or declines; staff
of the council comment. Every action is one call to the API, which decides who may do what: the page
offers only what the API would allow this person now."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError, PersonApi
from web.deps import FormDep, SignedIn, SignedInDep, StateDep
from web.rendering import render
from web.routes import trial_opening
from web.routes.ideas import IDEA_FIELDS, idea_from_form, vocabulary

router = APIRouter(include_in_schema=False)

COMMENT_MAX = 2000  # the API's limit (ideas.vocabulary.COMMENT_MAX), told before sending
EDITABLE = ("submitted", "shortlisted")  # statuses the API lets a team edit or withdraw (and the day's phase)
# What the conflict page compares, in the form's words.
COMPARED = {
    "title": "Title",
    "problem": "The problem today",
    "proposal": "The change you propose",
    "service_area": "Service area",
    "tags": "Tags",
    "partners": "Partners outside the council",
    "benefit": "Expected benefit",
}
DONE = {
    "edited": "Your changes are saved.",
    "withdrawn": "The idea is withdrawn. It stays on record but takes no part in votes.",
    "invited": "The invitation is made. Send your colleague the address below so they can join.",
    "cancelled": "The invitation is cancelled.",
    "removed": "The co-author is removed from the team.",
    "joined": "You are on the team: you can edit the idea (and may not vote for it).",
    "declined": "You declined the invitation.",
    "left": "You left the team.",
    "commented": "Your comment is added.",
}


async def _full_idea(api: PersonApi, idea_id: uuid.UUID) -> dict[str, Any]:
    idea = await api.idea(idea_id)
    if idea.get("view") != "full":
        raise ApiError(404, "Not found")  # another council's idea has no page here
    return idea


def _role(who: SignedIn, idea: dict[str, Any]) -> str | None:
    """ "author" (lead), "co_author", or None for someone not on the team."""
    me = str(who.person.person_id)
    return next((a["role"] for a in idea.get("authors", []) if str(a["person_id"]) == me), None)


def form_values(idea: dict[str, Any]) -> dict[str, Any]:
    """An idea as the edit form's fields."""
    b = idea.get("expected_benefit") or {}
    amount = b.get("amount")
    return {
        "title": idea["title"],
        "problem": idea["problem"],
        "proposal": idea["proposal"],
        "service_area": idea["service_area"],
        "tags": ", ".join(idea.get("tags") or []),
        "partners": "\n".join(idea.get("partners") or []),
        "benefit_amount": "" if amount is None else (f"{amount:g}" if isinstance(amount, float) else str(amount)),
        "benefit_unit": b.get("unit") or "",
        "beneficiaries": b.get("beneficiaries") or "",
        "benefit_note": b.get("note") or "",
    }


def _comparable(values: dict[str, Any]) -> dict[str, str]:
    """Form values reduced to what a person would call "the same" (spaces, tag order aside)."""

    def items(text: str, sep: str) -> str:
        return ", ".join(sorted({i.strip() for i in str(text or "").split(sep) if i.strip()}, key=str.lower))

    benefit = ""
    if str(values.get("benefit_amount") or "").strip():
        benefit = " ".join(
            str(values.get(k) or "").strip()
            for k in ("benefit_amount", "benefit_unit", "beneficiaries", "benefit_note")
        )
    return {
        "title": " ".join(str(values.get("title") or "").split()),
        "problem": str(values.get("problem") or "").strip(),
        "proposal": str(values.get("proposal") or "").strip(),
        "service_area": str(values.get("service_area") or ""),
        "tags": items(values.get("tags") or "", ","),
        "partners": items(values.get("partners") or "", "\n"),
        "benefit": benefit,
    }


def what_changed(was: dict[str, Any], saved: dict[str, Any], yours: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields where the saved idea now differs from this person's edit: what it was when they
    opened the form, what someone saved since, and what they wrote."""
    w, s, y = _comparable(was), _comparable(saved), _comparable(yours)
    return [
        {"name": name, "label": label, "was": w[name], "saved": s[name], "yours": y[name], "theirs": s[name] != w[name]}
        for name, label in COMPARED.items()
        if s[name] != y[name]
    ]


def _was(form: FormData) -> dict[str, Any]:
    """The idea as it was when the form was opened (sent back in hidden fields `was_<field>`)."""
    return {k.removeprefix("was_"): v for k, v in forms.values(form).items() if k.startswith("was_")}


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """The edit sent in full: an emptied expected benefit is cleared (null), as the API allows."""
    return {**body, "expected_benefit": body.get("expected_benefit")}


def _join_address(request: Request, state, idea_id: uuid.UUID) -> str:
    base = state.settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/ideas/{idea_id}/join"


async def _comments(api: PersonApi, idea_id: uuid.UUID) -> list[dict[str, Any]] | None:
    try:
        return await api.comments(idea_id)
    except ApiError as exc:
        if exc.status in (401, 403):
            raise
        return None  # the idea is still worth showing without them


async def _colleague(api: PersonApi, person_id: Any) -> dict[str, Any]:
    try:
        return await api.person(uuid.UUID(str(person_id)))
    except ApiError:
        return {"id": person_id, "name": "A colleague"}


async def _page(
    request: Request, who: SignedIn, idea_id: uuid.UUID, *, errors: dict[str, str] | None = None, typed=None
) -> Response:
    """The idea's page; with `errors` (by field) and what was `typed`, the answer to a refused form."""
    # The idea first (a 404 ends here), then what the page adds to it, asked together.
    idea = await _full_idea(who.api, idea_id)
    role = _role(who, idea)
    pending = (idea.get("moderation") or {}).get("invited_co_author_ids") or []
    day, comments, invited = await asyncio.gather(
        who.api.hack_day(uuid.UUID(str(idea["hack_day_id"]))),
        _comments(who.api, idea_id),
        asyncio.gather(*(_colleague(who.api, p) for p in pending)),
    )
    context = {
        "title": idea["title"],
        "idea": idea,
        "day": day,
        "role": role,
        "me": str(who.person.person_id),
        "editable": role is not None and idea["status"] in EDITABLE and day["phase"] == "open",
        "withdrawable": role is not None and idea["status"] in EDITABLE and day["phase"] in ("open", "voting"),
        "invited": invited,
        "comments": comments,
        "commentable": idea["status"] not in ("withdrawn", "hidden"),
        "open_trial": trial_opening.offered(who, idea),
        "join_address": _join_address(request, request.app.state.web, idea_id),
        "submitted": bool(request.query_params.get("submitted")),
        "done": DONE.get(request.query_params.get("done") or ""),
        "form_key": forms.new_form_key(),
        "values": typed or {},
        **forms.error_context(errors or {}),
    }
    return render(request, "ideas/idea.html", context, status_code=400 if errors else 200)


@router.get("/ideas/{idea_id}")
async def idea_page(request: Request, idea_id: uuid.UUID, who: SignedInDep) -> Response:
    return await _page(request, who, idea_id)


# ---- edit, with "someone changed this" ------------------------------------------------------------
async def _edit_page(request: Request, state, who, idea, *, values, was, errors=None, changed=None, status=200):
    context = {
        "title": f"Edit {idea['title']}",
        "idea": idea,
        "values": values,
        "was": was,
        "version": idea["version"],
        "vocabulary": await vocabulary(state, who.api),
        "changed": changed,
        **forms.error_context(errors or {}),
    }
    return render(request, "ideas/edit.html", context, status_code=status)


@router.get("/ideas/{idea_id}/edit")
async def edit_form(request: Request, idea_id: uuid.UUID, who: SignedInDep, state: StateDep) -> Response:
    idea = await _full_idea(who.api, idea_id)
    day = await who.api.hack_day(uuid.UUID(str(idea["hack_day_id"])))
    if _role(who, idea) is None or idea["status"] not in EDITABLE or day["phase"] != "open":
        # The API would refuse the save: say so now rather than after the person has typed.
        detail = (
            f"Only the team of “{idea['title']}” can edit it."
            if _role(who, idea) is None
            else f"“{idea['title']}” can be edited only while it is in play and {day['name']} is open for ideas."
        )
        return render(request, "errors/refused.html", {"title": "Cannot be edited", "detail": detail}, status_code=409)
    values = form_values(idea)
    return await _edit_page(request, state, who, idea, values=values, was=values)


@router.post("/ideas/{idea_id}/edit")
async def edit(request: Request, idea_id: uuid.UUID, who: SignedInDep, state: StateDep, form: FormDep) -> Response:
    values, was = forms.values(form), _was(form)
    values = {k: v for k, v in values.items() if not k.startswith("was_")}
    body, errors = idea_from_form(form)
    try:
        version = int(forms.text(form, "version"))
    except ValueError:
        version = -1  # a form without its version is checked against none: the API answers 412
    if not errors:
        try:
            await who.api.edit_idea(idea_id, _changes(body), version)
            return RedirectResponse(f"/ideas/{idea_id}?done=edited", status_code=303)
        except ApiError as exc:
            if exc.status == 412:
                # Someone saved the idea since this form was opened: nothing was overwritten. Show what
                # changed, keep every word typed, and let the person save again over the new version.
                saved = await _full_idea(who.api, idea_id)
                changed = what_changed(was, form_values(saved), values)
                return await _edit_page(
                    request, state, who, saved, values=values, was=form_values(saved), changed=changed, status=409
                )
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, IDEA_FIELDS, "title", exc.detail)
    idea = await _full_idea(who.api, idea_id)
    idea = {**idea, "version": version}  # still editing the version the form was opened on
    return await _edit_page(request, state, who, idea, values=values, was=was, errors=errors, status=400)


# ---- withdraw ------------------------------------------------------------------------------------
@router.get("/ideas/{idea_id}/withdraw")
async def withdraw_form(request: Request, idea_id: uuid.UUID, who: SignedInDep) -> Response:
    idea = await _full_idea(who.api, idea_id)
    return render(request, "ideas/withdraw.html", {"title": f"Withdraw {idea['title']}", "idea": idea})


@router.post("/ideas/{idea_id}/withdraw")
async def withdraw(request: Request, idea_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    await who.api.withdraw_idea(idea_id)  # withdrawing twice is no change (the API answers the same)
    return RedirectResponse(f"/ideas/{idea_id}?done=withdrawn", status_code=303)


# ---- co-authors ----------------------------------------------------------------------------------
@router.post("/ideas/{idea_id}/co-authors")
async def invite(request: Request, idea_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    """The lead author invites a colleague by their reference (the API knows people by id only; each
    person finds theirs on My ideas). They join by opening the idea's join page."""
    reference = forms.text(form, "colleague")
    error = None
    try:
        colleague = uuid.UUID(reference)
    except ValueError:
        error = (
            "Enter your colleague's reference, like 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
            if reference
            else "Enter your colleague's reference: they find it on their My ideas page"
        )
    if error is None:
        try:
            await who.api.person(colleague)  # someone of this council (others' people are 404)
            await who.api.invite_co_author(idea_id, colleague)
            return RedirectResponse(f"/ideas/{idea_id}?done=invited#team", status_code=303)
        except ApiError as exc:
            if exc.status == 404:
                error = "Nobody in your council has this reference: check it with your colleague"
            elif exc.status in (409, 422):
                error = exc.errors[0]["message"] if exc.errors else exc.detail
            else:
                raise
    return await _page(request, who, idea_id, errors={"colleague": error}, typed={"colleague": reference})


@router.post("/ideas/{idea_id}/co-authors/{person_id}/remove")
async def remove(
    request: Request, idea_id: uuid.UUID, person_id: uuid.UUID, who: SignedInDep, form: FormDep
) -> Response:
    """The lead author removes a co-author or cancels an invitation; a co-author leaves."""
    idea = await _full_idea(who.api, idea_id)
    joined = any(str(a["person_id"]) == str(person_id) for a in idea.get("authors", []))
    await who.api.remove_co_author(idea_id, person_id)
    if person_id == who.person.person_id:
        return RedirectResponse("/my-ideas?done=left", status_code=303)
    return RedirectResponse(f"/ideas/{idea_id}?done={'removed' if joined else 'cancelled'}#team", status_code=303)


@router.get("/ideas/{idea_id}/join")
async def join_form(request: Request, idea_id: uuid.UUID, who: SignedInDep) -> Response:
    """Where the lead author sends an invited colleague: join the team, or decline."""
    idea = await _full_idea(who.api, idea_id)
    if _role(who, idea) is not None:
        return RedirectResponse(f"/ideas/{idea_id}", status_code=303)
    return render(request, "ideas/join.html", {"title": f"Join the team of {idea['title']}", "idea": idea})


@router.post("/ideas/{idea_id}/join")
async def join(request: Request, idea_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    if form.get("answer") == "decline":
        try:
            await who.api.remove_co_author(idea_id, who.person.person_id)
        except ApiError as exc:
            if exc.status != 404:  # not (or no longer) invited: declining is already done
                raise
        return RedirectResponse(f"/ideas/{idea_id}?done=declined", status_code=303)
    try:
        await who.api.accept_co_authorship(idea_id)
    except ApiError as exc:
        if exc.status != 403:
            raise
        idea = await _full_idea(who.api, idea_id)
        context = {"title": f"Join the team of {idea['title']}", "idea": idea, "refused": exc.detail}
        return render(request, "ideas/join.html", context, status_code=403)
    return RedirectResponse(f"/ideas/{idea_id}?done=joined#team", status_code=303)


# ---- comments ------------------------------------------------------------------------------------
@router.post("/ideas/{idea_id}/comments")
async def comment(request: Request, idea_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    text = forms.text(form, "comment")
    error = None
    if not text:
        error = "Write your comment"
    elif len(text) > COMMENT_MAX:
        error = f"Your comment must be {COMMENT_MAX:,} characters or fewer (it has {len(text):,})"
    if error is None:
        try:
            await who.api.add_comment(idea_id, text, forms.form_key(form))
            return RedirectResponse(f"/ideas/{idea_id}?done=commented#comments", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            error = exc.errors[0]["message"] if exc.errors else exc.detail
    return await _page(request, who, idea_id, errors={"comment": error}, typed={"comment": forms.text(form, "comment")})
