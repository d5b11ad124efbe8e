"""Admin pages: councils, the people of a council (roles, deactivating a leaver, reactivating, a new
invitation) and API keys. Only admins; every change is a form with its CSRF token, and each is confirmed
on a page saying what it does to that person's sessions and keys before it is sent.

What each action does is the gateway's (gateway/domain/accounts.py, identity.py, auth_versions.py): a
token carries its subject's auth version, and raising the version refuses the token on its next request.
The pages call the API on every request with the session's token, so a refused token sends the person
to sign in on their next page.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.admin import AdminApi
from web.clients.gateway import ApiError
from web.deps import Forbidden, FormDep, SignedInDep, StateDep
from web.rendering import render

router = APIRouter(include_in_schema=False)

ROLES = {
    "staff": "Staff: submit ideas and vote",
    "organiser": "Organiser: run hack days and votes, add and deactivate their council's staff",
    "manager": "Manager: run trials, record measurements, give and publish verdicts",
    "champion": "Collaboration champion: keep the council's map of partners",
    "admin": "Admin: councils, people and keys of every council",
}

# What each action does to the person's sessions and keys, as the gateway does it. Shown before the
# action is confirmed, and beside its button.
EFFECTS: dict[str, list[str]] = {
    "roles": [
        "Every sign-in they have now stops working on their next request: on these pages they are asked to "
        "sign in again, and then have the new roles. A program using their refresh token gets a new access "
        "token, with the new roles.",
        "Their API keys are not revoked, but tokens already exchanged for them are refused on their next "
        "request; a program exchanges its key again, and the key then holds only roles they still have (a "
        "key none of whose roles they keep stops working).",
    ],
    "deactivate": [
        "They can no longer sign in. Every session they have ends now: their next page or API request is "
        "refused, and their refresh tokens are revoked.",
        "Every API key they made is revoked and stops working on its next request.",
        "What they did stays: their ideas, votes, trials and verdicts are kept.",
    ],
    "reactivate": [
        "They can sign in again with their password.",
        "Their old sessions stay ended and the API keys revoked when they left stay revoked: they make new "
        "keys if they need them.",
    ],
    "invitation": [
        "A new invitation code, valid for 14 days; every earlier code of theirs stops working.",
        "Only for someone who has not chosen a password yet, so they have no session or key to affect.",
    ],
    "revoke": [
        "The key stops working: any token already exchanged for it is refused on its next request, and it "
        "cannot be exchanged again. This cannot be undone; make a new key instead.",
        "The person who made it is not affected.",
    ],
}
# The same, in one sentence beside each button on the person's page.
IN_SHORT = {
    "roles": "Changing roles ends every sign-in they have on its next request (they sign in again, with the new "
    "roles), and tokens already exchanged for their API keys are refused.",
    "deactivate": "Deactivating a leaver ends every session they have and revokes every API key they made, from "
    "their next request.",
    "invitation": "A new invitation code is for someone who has not chosen a password yet; their earlier codes "
    "stop working.",
    "reactivate": "Reactivating lets them sign in again; their old sessions and the keys revoked when they left "
    "stay ended.",
}
ACTION_WORDS = {
    "deactivate": ("Deactivate {name}?", "Yes, deactivate {name}"),
    "reactivate": ("Reactivate {name}?", "Yes, reactivate {name}"),
    "invitation": ("Send {name} a new invitation?", "Yes, make a new invitation"),
}


def role_items(checked: Any) -> list[dict[str, Any]]:
    """The roles as GOV.UK checkboxes, those held (or ticked) checked."""
    held = {checked} if isinstance(checked, str) else set(checked or [])
    return [{"value": code, "text": words, "checked": code in held} for code, words in ROLES.items()]


async def admin(who: SignedInDep, state: StateDep) -> AdminApi:
    if not who.person.has("admin"):
        raise Forbidden
    return AdminApi(state.gateway, who.session.access_token, correlation_id.get())


AdminDep = Annotated[AdminApi, Depends(admin)]


# ---- councils ------------------------------------------------------------------------------------------


async def _councils(request: Request, api: AdminApi, **extra: Any) -> Response:
    councils = await api.councils()
    context = {"title": "Councils", "councils": councils, "values": {}, **extra}
    return render(request, "admin/councils.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/admin")
async def councils(request: Request, api: AdminDep) -> Response:
    return await _councils(request, api)


@router.post("/admin/councils")
async def create_council(request: Request, api: AdminDep, form: FormDep) -> Response:
    name, slug = forms.text(form, "name"), forms.text(form, "slug").lower()
    errors: dict[str, str] = {}
    if len(name) < 2:
        errors["name"] = "Enter the council's name, like Kirkby Borough Council"
    if len(slug) < 2:
        errors["slug"] = "Enter a short name for addresses, like kirkby (lower-case letters, digits, hyphens)"
    if not errors:
        try:
            created = await api.create_council(name, slug)
            return RedirectResponse(f"/admin/councils/{created['id']}", status_code=303)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(exc.errors, {"name": "name", "slug": "slug"}, "name", exc.detail)
    return await _councils(request, api, values=forms.values(form), **forms.error_context(errors))


async def _council_page(request: Request, api: AdminApi, council_id: uuid.UUID, **extra: Any) -> Response:
    found = await api.council(council_id)
    context = {
        "title": found["name"],
        "council": found,
        "people": await api.people(council_id),
        "values": {"contact_email": found.get("contact_email") or ""},
        "done": request.query_params.get("done"),
        "form_key": forms.new_form_key(),
        **extra,
    }
    context["role_items"] = role_items(extra["ticked"] if "ticked" in extra else ["staff"])
    return render(request, "admin/council.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/admin/councils/{council_id}")
async def council(request: Request, council_id: uuid.UUID, api: AdminDep) -> Response:
    return await _council_page(request, api, council_id)


@router.post("/admin/councils/{council_id}/contact")
async def set_council_contact(request: Request, council_id: uuid.UUID, api: AdminDep, form: FormDep) -> Response:
    email = forms.text(form, "contact_email")
    # The version of the council the admin saw, sent as If-Match: a change made since is not overwritten.
    seen = form.get("version")
    try:
        await api.set_council_contact(council_id, email or None, seen if isinstance(seen, str) else "")
    except ApiError as exc:
        if exc.status in (412, 428):
            now = (await api.council(council_id)).get("contact_email") or "no address"
            stale = (
                f"Someone changed this council since you opened the page: its contact is now {now}. "
                "Check it and save again"
            )
        elif exc.status == 422:
            stale = "Enter an email address, like hackday@kirkby.gov.uk, or leave it empty to remove it"
        else:
            raise
        # The page now carries the council's current version, and the address typed stays in the form.
        return await _council_page(
            request, api, council_id, values={"contact_email": email}, **forms.error_context({"contact_email": stale})
        )
    return RedirectResponse(f"/admin/councils/{council_id}?done=contact", status_code=303)


@router.post("/admin/councils/{council_id}/people")
async def add_person(request: Request, council_id: uuid.UUID, api: AdminDep, form: FormDep) -> Response:
    """A person of this council, invited (the API's POST /api/people, with no password): the invitation
    code, when the platform sends no mail, is in this answer only."""
    name, email = forms.text(form, "name"), forms.text(form, "email")
    roles = sorted({r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES})
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter their full name, like Priya Shah"
    if not email:
        errors["email"] = "Enter their work email address, like priya.shah@kirkby.gov.uk"
    if not roles:
        errors["roles"] = "Choose at least one role"
    if not errors:
        try:
            added = await api.add_person(council_id, name, email, roles, forms.form_key(form))
            return await _council_page(request, api, council_id, added=added)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = forms.api_errors(
                exc.errors, {"name": "name", "email": "email", "roles": "roles"}, "email", exc.detail
            )
            if exc.status == 422 and "email" in errors:
                errors["email"] = "Enter an email address in the right form, like priya.shah@kirkby.gov.uk"
            elif exc.status == 409 and "email" in errors:
                errors["email"] = f"{email} is already registered on the platform: find them in their council's people"
    # What was typed stays; the contact form keeps the council's own address.
    return await _council_page(
        request,
        api,
        council_id,
        person_values={"name": name, "email": email},
        ticked=roles,
        **forms.error_context(errors),
    )


# ---- a person ------------------------------------------------------------------------------------------


async def _person_page(request: Request, api: AdminApi, person_id: uuid.UUID, **extra: Any) -> Response:
    person = await api.person(person_id)
    council = await api.council(uuid.UUID(person["council_id"])) if person["council_id"] else None
    context = {
        "title": person["name"],
        "who": person,
        "council": council,
        "history": await api.history(person_id),
        "role_items": role_items(extra.pop("ticked", None) or person["roles"]),
        "in_short": IN_SHORT,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "admin/person.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/admin/people/{person_id}")
async def person(request: Request, person_id: uuid.UUID, api: AdminDep) -> Response:
    return await _person_page(request, api, person_id)


@router.post("/admin/people/{person_id}/roles")
async def set_roles(request: Request, person_id: uuid.UUID, api: AdminDep, form: FormDep) -> Response:
    roles = sorted({r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES})
    if not roles:
        return await _person_page(request, api, person_id, **forms.error_context({"roles": "Choose at least one role"}))
    # The version of the person the admin saw, carried through the confirmation and sent as If-Match.
    seen = form.get("version")
    version = seen if isinstance(seen, str) else ""
    if form.get("confirm") != "yes":
        person = await api.person(person_id)
        if roles == sorted(person["roles"]):
            return RedirectResponse(f"/admin/people/{person_id}", status_code=303)
        context = {
            "title": f"Change {person['name']}'s roles?",
            "heading": f"Change {person['name']}'s roles?",
            "change": f"From {', '.join(person['roles'])} to {', '.join(roles)}.",
            "effects": EFFECTS["roles"],
            "action": f"/admin/people/{person_id}/roles",
            "fields": [("roles", r) for r in roles] + [("version", version)],
            "button": "Yes, change the roles",
            "back": f"/admin/people/{person_id}",
        }
        return render(request, "admin/confirm.html", context)
    try:
        await api.set_roles(person_id, roles, version)
    except ApiError as exc:
        if exc.status in (412, 428):
            stale = "Someone changed this person since you opened the page: check their roles and choose again"
            return await _person_page(request, api, person_id, **forms.error_context({"roles": stale}))
        if exc.status != 422:
            raise
        return await _person_page(request, api, person_id, **forms.error_context({"roles": exc.detail}))
    return RedirectResponse(f"/admin/people/{person_id}?done=roles", status_code=303)


@router.post("/admin/people/{person_id}/{action}")
async def person_action(request: Request, person_id: uuid.UUID, action: str, api: AdminDep, form: FormDep) -> Response:
    """deactivate, reactivate or invitation: confirmed first, then sent."""
    if action not in ACTION_WORDS:
        raise ApiError(404, "Not found")
    if form.get("confirm") != "yes":
        person = await api.person(person_id)
        heading, button = (w.format(name=person["name"]) for w in ACTION_WORDS[action])
        context = {
            "title": heading,
            "heading": heading,
            "effects": EFFECTS[action],
            "action": f"/admin/people/{person_id}/{action}",
            "fields": [],
            "button": button,
            "warning": action == "deactivate",
            "back": f"/admin/people/{person_id}",
        }
        return render(request, "admin/confirm.html", context)
    try:
        if action == "deactivate":
            await api.deactivate(person_id)
        elif action == "reactivate":
            await api.reactivate(person_id)
        else:
            issued = await api.reissue_invitation(person_id)
            # Shown in this answer only, never put in an address (it lets whoever holds it in).
            return await _person_page(request, api, person_id, issued=issued)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _person_page(request, api, person_id, **forms.error_context({action: exc.detail}))
    return RedirectResponse(f"/admin/people/{person_id}?done={action}", status_code=303)


# ---- API keys ------------------------------------------------------------------------------------------


async def _keys(request: Request, api: AdminApi, **extra: Any) -> Response:
    keys = await api.api_keys()
    context = {
        "title": "API keys",
        "keys": sorted(keys, key=lambda k: (k["revoked_at"] is not None, k["created_at"]), reverse=False),
        "effects": EFFECTS,
        "values": {},
        "done": request.query_params.get("done"),
        **extra,
    }
    context["role_items"] = role_items(context["values"].get("roles"))
    return render(request, "admin/api_keys.html", context, status_code=400 if extra.get("errors") else 200)


@router.get("/admin/api-keys")
async def api_keys(request: Request, api: AdminDep) -> Response:
    return await _keys(request, api)


@router.post("/admin/api-keys")
async def create_api_key(request: Request, api: AdminDep, form: FormDep) -> Response:
    name = forms.text(form, "name")
    roles = sorted({r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES})
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name saying what the key is for, like Monthly trial report"
    if not roles:
        errors["roles"] = "Choose at least one role for the key"
    if not errors:
        try:
            created = await api.create_api_key(name, roles)
            # The key itself is in this answer only: the gateway keeps a digest and never shows it again.
            return await _keys(request, api, created=created)
        except ApiError as exc:
            if exc.status not in (403, 422):
                raise
            errors = forms.api_errors(exc.errors, {"name": "name", "roles": "roles"}, "name", exc.detail)
    return await _keys(request, api, values=forms.values(form), **forms.error_context(errors))


@router.post("/admin/api-keys/{key_id}/revoke")
async def revoke_api_key(request: Request, key_id: uuid.UUID, api: AdminDep, form: FormDep) -> Response:
    if form.get("confirm") != "yes":
        key = next((k for k in await api.api_keys() if k["id"] == str(key_id)), None)
        if key is None:
            raise ApiError(404, "Not found")
        heading = f"Revoke the API key {key['name']} ({key['prefix']}…)?"
        context = {
            "title": heading,
            "heading": heading,
            "effects": EFFECTS["revoke"],
            "action": f"/admin/api-keys/{key_id}/revoke",
            "fields": [],
            "button": "Yes, revoke the key",
            "warning": True,
            "back": "/admin/api-keys",
        }
        return render(request, "admin/confirm.html", context)
    await api.revoke_api_key(key_id)
    return RedirectResponse("/admin/api-keys?done=revoked", status_code=303)
