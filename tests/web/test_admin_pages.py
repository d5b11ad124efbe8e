"""The admin pages in-process, in front of a fake gateway: only admins; every change needs its CSRF token
and a confirmation that says what it does to the person's sessions and keys, and nothing reaches the API
before it is confirmed; a new API key and a new invitation code are shown once, never in an address."""

from __future__ import annotations

import re
import uuid

import httpx
import orjson
import pytest

from tests.web.fake import COUNCIL, FakeGateway, csrf, in_own_loop, pages, sign_in, token

LEAVER = str(uuid.uuid4())
KEY = str(uuid.uuid4())
PERSON = {
    "id": LEAVER,
    "email": "lee.leaver@kirkby.gov.uk",
    "name": "Lee Leaver",
    "council_id": str(COUNCIL),
    "roles": ["staff"],
    "active": True,
    "version": 3,
    "created_at": "2026-01-05T09:00:00Z",
}
COUNCIL_BODY = {
    "id": str(COUNCIL),
    "name": "Kirkby Borough Council",
    "slug": "kirkby",
    "contact_email": None,
    "version": 4,
    "created_at": "2026-01-01T00:00:00Z",
}
API_KEY = {
    "id": KEY,
    "name": "Monthly report",
    "prefix": "hk_abcdefg",
    "council_id": str(COUNCIL),
    "roles": ["manager"],
    "created_at": "2026-02-01T00:00:00Z",
    "revoked_at": None,
}


def page_of(items: list) -> dict:
    return {"items": items, "total": len(items), "limit": 200, "offset": 0, "next_offset": None}


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on("GET", "/api/councils", page_of([COUNCIL_BODY]))
    fake.on("GET", f"/api/councils/{COUNCIL}", COUNCIL_BODY)
    fake.on("GET", f"/api/councils/{COUNCIL}/people", page_of([PERSON]))
    fake.on("GET", f"/api/people/{LEAVER}", PERSON)
    fake.on("GET", f"/api/people/{LEAVER}/history", page_of([]))
    fake.on("POST", f"/api/people/{LEAVER}/deactivate", {**PERSON, "active": False})
    fake.on("PUT", f"/api/people/{LEAVER}/roles", {**PERSON, "roles": ["manager", "staff"]})
    fake.on(
        "POST",
        f"/api/people/{LEAVER}/invitation",
        {"person_id": LEAVER, "emailed": False, "invitation_code": "inv_Secret123456"},
    )
    fake.on("GET", "/api/api-keys", [API_KEY])
    fake.on(
        "POST",
        "/api/api-keys",
        {**API_KEY, "id": str(uuid.uuid4()), "name": "Nightly import", "key": "hk_TheWholeSecretKey"},
        status=201,
    )
    fake.on("DELETE", f"/api/api-keys/{KEY}", lambda _r: httpx.Response(204))
    return fake


def _changes(fake: FakeGateway) -> list[httpx.Request]:
    return [c for c in fake.calls if c.method in ("POST", "PUT", "PATCH", "DELETE")]


@in_own_loop
async def test_only_admins_see_the_admin_pages(fake):
    async with pages(fake) as client:
        answer = await client.get("/admin")
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/admin"
        for roles in (("staff",), ("organiser", "manager")):
            sign_in(client, token(*roles))
            for path in ("/admin", f"/admin/people/{LEAVER}", "/admin/api-keys"):
                assert (await client.get(path)).status_code == 403, (roles, path)
        assert not fake.calls  # a refused page asks the API nothing
        sign_in(client, token("admin"))
        listed = await client.get("/admin")
        assert listed.status_code == 200 and "Kirkby Borough Council" in listed.text
        assert 'href="/admin"' in listed.text and ">Admin<" in listed.text  # in the menu


@in_own_loop
async def test_deactivating_a_leaver_is_confirmed_with_what_it_does_then_sent(fake):
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, f"/admin/people/{LEAVER}")
        assert (await client.post(f"/admin/people/{LEAVER}/deactivate", data={"confirm": "yes"})).status_code == 400
        assert not _changes(fake)  # no CSRF token: nothing sent
        asked = await client.post(f"/admin/people/{LEAVER}/deactivate", data={"csrf_token": form})
        assert asked.status_code == 200
        assert "Deactivate Lee Leaver?" in asked.text
        assert "Every session they have ends now: their next page or API request is refused" in asked.text
        assert "Every API key they made is revoked" in asked.text
        assert not _changes(fake)  # asking is not doing
        done = await client.post(f"/admin/people/{LEAVER}/deactivate", data={"csrf_token": form, "confirm": "yes"})
        assert done.status_code == 303 and done.headers["location"] == f"/admin/people/{LEAVER}?done=deactivate"
        assert [(c.method, c.url.path) for c in _changes(fake)] == [("POST", f"/api/people/{LEAVER}/deactivate")]


@in_own_loop
async def test_a_change_of_roles_says_what_happens_to_sessions_and_keys(fake):
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, f"/admin/people/{LEAVER}")
        # The version the admin saw travels with the form and through the confirmation, as If-Match.
        assert 'name="version" value="3"' in (await client.get(f"/admin/people/{LEAVER}")).text
        asked = await client.post(
            f"/admin/people/{LEAVER}/roles",
            data={"csrf_token": form, "roles": ["staff", "manager", "wizard"], "version": "3"},
        )
        assert 'name="version" value="3"' in asked.text
        assert "From staff to manager, staff." in asked.text
        assert "on these pages they are asked to sign in again" in asked.text
        assert "Their API keys are not revoked, but tokens already exchanged for them are refused" in asked.text
        assert not _changes(fake)
        await client.post(
            f"/admin/people/{LEAVER}/roles",
            data={"csrf_token": form, "roles": ["manager", "staff"], "version": "3", "confirm": "yes"},
        )
        sent = _changes(fake)[-1]
        assert sent.method == "PUT" and orjson.loads(sent.content) == {"roles": ["manager", "staff"]}
        assert sent.headers["If-Match"] == '"3"'
        # Another admin changed them meanwhile: the gateway refuses (412) and the page says so.
        fake.on("PUT", f"/api/people/{LEAVER}/roles", {"status": 412, "detail": "Someone changed this."}, status=412)
        stale = await client.post(
            f"/admin/people/{LEAVER}/roles",
            data={"csrf_token": form, "roles": ["manager", "staff"], "version": "2", "confirm": "yes"},
        )
        assert stale.status_code == 400 and "Someone changed this person since you opened the page" in stale.text
        assert _changes(fake)[-1].headers["If-Match"] == '"2"'
        none = await client.post(f"/admin/people/{LEAVER}/roles", data={"csrf_token": form})
        assert none.status_code == 400 and "Choose at least one role" in none.text


@in_own_loop
async def test_the_apis_refusal_is_shown_on_the_persons_page(fake):
    fake.on(
        "POST",
        f"/api/people/{LEAVER}/invitation",
        {"status": 409, "detail": "This person has already chosen a password."},
        status=409,
    )
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, f"/admin/people/{LEAVER}")
        answer = await client.post(f"/admin/people/{LEAVER}/invitation", data={"csrf_token": form, "confirm": "yes"})
        assert answer.status_code == 400
        assert "This person has already chosen a password." in answer.text
        assert 'href="#invitation"' in answer.text  # the error summary links to the action


@in_own_loop
async def test_a_new_invitation_code_and_a_new_key_are_shown_once_in_the_answer(fake):
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, f"/admin/people/{LEAVER}")
        issued = await client.post(f"/admin/people/{LEAVER}/invitation", data={"csrf_token": form, "confirm": "yes"})
        assert issued.status_code == 200 and "inv_Secret123456" in issued.text
        assert "inv_Secret123456" not in (await client.get(f"/admin/people/{LEAVER}")).text
        made = await client.post(
            "/admin/api-keys", data={"csrf_token": form, "name": "Nightly import", "roles": "manager"}
        )
        assert made.status_code == 200 and "hk_TheWholeSecretKey" in made.text
        assert "it is shown only this once" in made.text
        assert orjson.loads(_changes(fake)[-1].content) == {"name": "Nightly import", "roles": ["manager"]}
        assert "hk_TheWholeSecretKey" not in (await client.get("/admin/api-keys")).text


@in_own_loop
async def test_revoking_a_key_is_confirmed_then_sent(fake):
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, "/admin/api-keys")
        asked = await client.post(f"/admin/api-keys/{KEY}/revoke", data={"csrf_token": form})
        assert "Revoke the API key Monthly report (hk_abcdefg…)?" in asked.text
        assert "any token already exchanged for it is refused on its next request" in asked.text
        assert not _changes(fake)
        done = await client.post(f"/admin/api-keys/{KEY}/revoke", data={"csrf_token": form, "confirm": "yes"})
        assert done.headers["location"] == "/admin/api-keys?done=revoked"
        assert [(c.method, c.url.path) for c in _changes(fake)] == [("DELETE", f"/api/api-keys/{KEY}")]


@in_own_loop
async def test_adding_a_council_names_the_field_the_api_refuses(fake):
    fake.on(
        "POST",
        "/api/councils",
        {"status": 409, "detail": "taken", "errors": [{"field": "slug", "message": "is taken by another council"}]},
        status=409,
    )
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        form = await csrf(client, "/admin")
        empty = await client.post("/admin/councils", data={"csrf_token": form, "name": "K"})
        assert empty.status_code == 400 and "Enter the council&#39;s name" in empty.text
        assert "Enter a short name for addresses" in empty.text
        assert not _changes(fake)
        taken = await client.post("/admin/councils", data={"csrf_token": form, "name": "Kirkby", "slug": "kirkby"})
        assert taken.status_code == 400 and "Is taken by another council" in taken.text
        assert 'value="Kirkby"' in taken.text  # what was typed is kept
        made = {**COUNCIL_BODY, "id": str(uuid.uuid4())}
        fake.on("POST", "/api/councils", made, status=201)
        added = await client.post("/admin/councils", data={"csrf_token": form, "name": "Kirkby", "slug": "Kirkby"})
        assert added.headers["location"] == f"/admin/councils/{made['id']}"
        assert orjson.loads(_changes(fake)[-1].content) == {"name": "Kirkby", "slug": "kirkby"}


@in_own_loop
async def test_a_councils_contact_is_changed_with_the_version_the_admin_saw(fake):
    fake.on("PATCH", f"/api/councils/{COUNCIL}", {**COUNCIL_BODY, "contact_email": "hackday@kirkby.gov.uk"})
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        page = await client.get(f"/admin/councils/{COUNCIL}")
        assert 'name="version" value="4"' in page.text and "Contact for other councils" in page.text
        form = await csrf(client, f"/admin/councils/{COUNCIL}")
        saved = await client.post(
            f"/admin/councils/{COUNCIL}/contact",
            data={"csrf_token": form, "contact_email": " hackday@kirkby.gov.uk ", "version": "4"},
        )
        assert saved.status_code == 303 and saved.headers["location"] == f"/admin/councils/{COUNCIL}?done=contact"
        sent = _changes(fake)[-1]
        assert sent.method == "PATCH" and orjson.loads(sent.content) == {"contact_email": "hackday@kirkby.gov.uk"}
        assert sent.headers["If-Match"] == '"4"'
        # Emptied: the address is removed (null), not set to "".
        await client.post(f"/admin/councils/{COUNCIL}/contact", data={"csrf_token": form, "version": "4"})
        assert orjson.loads(_changes(fake)[-1].content) == {"contact_email": None}
        # Not an address: the API's 422 is said at the field, and what was typed is kept.
        fake.on(
            "PATCH",
            f"/api/councils/{COUNCIL}",
            {"status": 422, "detail": "bad", "errors": [{"field": "contact_email", "message": "not an email"}]},
            status=422,
        )
        bad = await client.post(
            f"/admin/councils/{COUNCIL}/contact", data={"csrf_token": form, "contact_email": "kirkby", "version": "4"}
        )
        assert bad.status_code == 400 and "Enter an email address" in bad.text and 'href="#contact_email"' in bad.text
        assert 'value="kirkby"' in bad.text
        # Another admin saved meanwhile: 412, said with what it is now; the form carries the new version.
        fake.on("PATCH", f"/api/councils/{COUNCIL}", {"status": 412, "detail": "changed"}, status=412)
        fake.on("GET", f"/api/councils/{COUNCIL}", {**COUNCIL_BODY, "contact_email": "it@kirkby.gov.uk", "version": 5})
        stale = await client.post(
            f"/admin/councils/{COUNCIL}/contact",
            data={"csrf_token": form, "contact_email": "me@kirkby.gov.uk", "version": "4"},
        )
        assert stale.status_code == 400
        assert (
            "Someone changed this council since you opened the page: its contact is now it@kirkby.gov.uk" in stale.text
        )
        assert 'name="version" value="5"' in stale.text and 'value="me@kirkby.gov.uk"' in stale.text


@in_own_loop
async def test_adding_a_person_names_each_field_and_shows_their_invitation_code_once(fake):
    newcomer = {**PERSON, "id": str(uuid.uuid4()), "name": "Sam Newcomer", "email": "sam@kirkby.gov.uk"}
    fake.on("POST", "/api/people", {**newcomer, "invitation_code": "inv_Newcomer123456"}, status=201)
    async with pages(fake) as client:
        sign_in(client, token("admin"))
        page = (await client.get(f"/admin/councils/{COUNCIL}")).text
        key = re.search(r'action="/admin/councils/[^"]+/people".*?name="form_key" value="([0-9a-f]+)"', page, re.S)
        form = await csrf(client, f"/admin/councils/{COUNCIL}")
        empty = await client.post(f"/admin/councils/{COUNCIL}/people", data={"csrf_token": form, "email": "x"})
        assert empty.status_code == 400
        for field, words in (("name", "Enter their full name"), ("roles", "Choose at least one role")):
            assert words in empty.text and f'href="#{field}"' in empty.text
        assert 'value="x"' in empty.text and not _changes(fake)
        fake.on(
            "POST",
            "/api/people",
            {"status": 409, "detail": "taken", "errors": [{"field": "email", "message": "already registered"}]},
            status=409,
        )
        taken = await client.post(
            f"/admin/councils/{COUNCIL}/people",
            data={"csrf_token": form, "name": "Sam", "email": "lee.leaver@kirkby.gov.uk", "roles": "staff"},
        )
        assert taken.status_code == 400 and "lee.leaver@kirkby.gov.uk is already registered" in taken.text
        assert 'href="#email"' in taken.text
        fake.on("POST", "/api/people", {**newcomer, "invitation_code": "inv_Newcomer123456"}, status=201)
        added = await client.post(
            f"/admin/councils/{COUNCIL}/people",
            data={
                "csrf_token": form,
                "form_key": key.group(1),
                "name": " Sam Newcomer ",
                "email": "sam@kirkby.gov.uk",
                "roles": ["manager", "staff", "wizard"],
            },
        )
        assert added.status_code == 200 and "inv_Newcomer123456" in added.text
        sent = _changes(fake)[-1]
        assert orjson.loads(sent.content) == {
            "name": "Sam Newcomer",
            "email": "sam@kirkby.gov.uk",
            "council_id": str(COUNCIL),
            "roles": ["manager", "staff"],
        }
        assert sent.headers["Idempotency-Key"] == key.group(1)  # sent twice, added once
        assert "inv_Newcomer123456" not in (await client.get(f"/admin/councils/{COUNCIL}")).text
        # With mail (or a replayed answer) no code is answered: the page says where it went.
        fake.on("POST", "/api/people", {**newcomer, "invitation_code": None}, status=201)
        emailed = await client.post(
            f"/admin/councils/{COUNCIL}/people",
            data={"csrf_token": form, "name": "Sam Newcomer", "email": "sam@kirkby.gov.uk", "roles": "staff"},
        )
        assert "the invitation was emailed to sam@kirkby.gov.uk" in emailed.text
