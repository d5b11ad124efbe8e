"""Organiser pages in-process, in front of a fake gateway: the roster upload (preview, each row's
problem, batches, the codes as a file), each queued idea's "tried before?" evidence, the CSV exports
and the live turnout's answer."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

import httpx
import pytest

from tests.web.fake import COUNCIL, FakeGateway, csrf, in_own_loop, pages, sign_in, token
from tests.web.test_pages import HACK_DAY

DAY = HACK_DAY["id"]
ROUND = str(uuid.uuid4())
ROSTER = (
    "\ufeffFull name;Email address;Department\r\n"
    "Priya Patel;priya.patel@kirkby.gov.uk;Revenues\r\n"
    "Tom Jones;tom.jones at kirkby;Waste\r\n"
    ";nameless@kirkby.gov.uk;HR\r\n"
    "Priya P.;Priya.Patel@kirkby.gov.uk;Revenues\r\n"
    "=HYPERLINK(1);formula@kirkby.gov.uk;IT\r\n"
    ";;\r\n"
)


def _empty(items=()) -> dict:
    return {"items": list(items), "total": len(items), "limit": 200, "offset": 0, "next_offset": None}


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on("GET", f"/api/ideas/hack-days/{DAY}", HACK_DAY)
    fake.on("GET", "/api/ideas/hack-days", _empty([HACK_DAY]))
    fake.on("GET", "/api/voting/rounds", _empty())
    fake.on("GET", "/api/ideas/ideas", _empty())
    return fake


def _hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


@in_own_loop
async def test_a_roster_is_previewed_row_by_row_then_added_and_its_codes_downloaded(fake):
    def add_staff(request):
        people = json.loads(request.content)["people"]
        created = [{"id": str(uuid.uuid4()), **p, "invitation_code": f"CODE-{i}"} for i, p in enumerate(people)]
        return __import__("httpx").Response(201, json={"created": created, "already_registered": []})

    fake.on("POST", f"/api/councils/{COUNCIL}/staff", add_staff)
    async with pages(fake) as client:
        sign_in(client, token("organiser", "staff"))
        form = await csrf(client, "/organise/staff")
        nothing = await client.post("/organise/staff", data={"csrf_token": form})
        assert nothing.status_code == 400 and "Choose the CSV file exported from HR" in nothing.text
        wrong = await client.post(
            "/organise/staff", data={"csrf_token": form}, files={"roster": ("staff.csv", b"id,dept\n1,HR\n")}
        )
        assert "The first row must name the columns" in wrong.text

        preview = await client.post(
            "/organise/staff", data={"csrf_token": form}, files={"roster": ("staff.csv", ROSTER.encode())}
        )
        assert preview.status_code == 200
        rows = re.findall(r'<tr class="govuk-table__row[^"]*">\s*<td[^>]*>(\d+)</td>.*?</tr>', preview.text, re.S)
        assert rows == ["2", "3", "4", "5", "6"]  # the blank line left out, rows numbered as in a spreadsheet
        problems = re.findall(r"Not added</strong> ([^<]*)</td>", preview.text)
        assert problems == [
            "“tom.jones at kirkby” is not an email address",
            "No name",
            "The same email as row 2",
        ]
        assert "<strong>2</strong> people are ready to add" in preview.text
        assert not [c for c in fake.calls if c.method == "POST"]  # nobody added by a preview

        names, emails = _hidden(preview.text, "name"), _hidden(preview.text, "email")
        assert emails == ["priya.patel@kirkby.gov.uk", "formula@kirkby.gov.uk"]
        added = await client.post(
            "/organise/staff", data={"csrf_token": form, "action": "add", "name": names, "email": emails}
        )
        assert "2 people added" in added.text
        # Each code in two halves that never break inside, so that on a phone it breaks only at its middle.
        assert 'data-label="Invitation code"><span>COD</span><wbr><span>E-1</span></td>' in added.text
        (sent,) = [c for c in fake.calls if c.method == "POST"]
        assert json.loads(sent.content)["people"][0] == {"name": "Priya Patel", "email": "priya.patel@kirkby.gov.uk"}

        data = {k: _hidden(added.text, k) for k in ("name", "email", "code")}
        codes = await client.post("/organise/staff/invitation-codes.csv", data={"csrf_token": form, **data})
        assert codes.headers["content-disposition"] == 'attachment; filename="invitation-codes.csv"'
        assert codes.headers["cache-control"] == "no-store"
        lines = codes.text.splitlines()
        assert lines[0] == "name,email,invitation code" and lines[1].endswith("CODE-0")
        assert lines[2].startswith("'=HYPERLINK(1)")  # a spreadsheet shows it, never runs it


@in_own_loop
async def test_staff_cannot_upload_a_roster(fake):
    async with pages(fake) as client:
        sign_in(client, token("staff"))
        assert (await client.get("/organise/staff")).status_code == 403


@in_own_loop
async def test_each_queued_idea_shows_what_became_of_similar_ideas(fake):
    mine = {
        "id": str(uuid.uuid4()),
        "title": "Text reminders for bin day",
        "status": "submitted",
        "service_area": "housing",
        "authors": [{"name": "Sam"}],
    }
    fake.on("GET", "/api/ideas/ideas", _empty([mine]))
    failed = {
        "score": 0.8,
        "idea": {"id": str(uuid.uuid4()), "title": "Bin day texts", "council_name": "Leeds City Council"},
        "outcome": {
            "source": "library",
            "verdict": "did_not_work",
            "evidence_level": 3,
            "lessons": {"what_did_not": "Few opted in"},
        },
        "warning": True,
        "warning_reason": "Leeds City Council trialled a similar idea: it did not work.",
    }
    evidence = {
        "items": [
            {"idea_id": mine["id"], "items": [failed], "warning": True, "warning_reason": failed["warning_reason"]}
        ],
        "outcomes_available": True,
        "notice": None,
    }
    fake.on("POST", "/api/journeys/tried-before/ideas", evidence)
    async with pages(fake) as client:
        sign_in(client, token("organiser", "staff"))
        page = (await client.get(f"/organise/hack-days/{DAY}")).text
        assert "Tried before: 1 similar, one failed" in page
        assert "Leeds City Council trialled a similar idea: it did not work." in page and "Few opted in" in page
        (asked,) = [c for c in fake.calls if c.url.path == "/api/journeys/tried-before/ideas"]
        assert json.loads(asked.content)["idea_ids"] == [mine["id"]]
        assert f'href="/organise/hack-days/{DAY}/ideas.csv"' in page

        fake.on("POST", "/api/journeys/tried-before/ideas", {"status": 503, "detail": "down"}, status=503)
        still = await client.get(f"/organise/hack-days/{DAY}")
        assert still.status_code == 200 and "Similar ideas cannot be shown just now." in still.text


@in_own_loop
async def test_exports_come_from_the_api_and_turnout_is_counts_only(fake):
    import httpx

    fake.on(
        "GET",
        f"/api/voting/rounds/{ROUND}/export/result.csv",
        lambda r: httpx.Response(
            200,
            text="rank,title\n1,Bins\n",
            headers={"content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="r.csv"'},
        ),
    )
    fake.on("GET", f"/api/voting/rounds/{ROUND}", {"id": ROUND, "voters": 7, "phase": "open", "title": "Vote"})
    async with pages(fake) as client:
        sign_in(client, token("organiser", "staff"))
        csv = await client.get(f"/organise/rounds/{ROUND}/result.csv")
        assert (
            csv.text == "rank,title\n1,Bins\n" and csv.headers["content-disposition"] == 'attachment; filename="r.csv"'
        )
        sent = [c for c in fake.calls if c.url.path.endswith("result.csv")][0]
        assert sent.headers["authorization"].startswith("Bearer ")  # the organiser's own token
        assert (await client.get(f"/organise/rounds/{ROUND}/turnout")).json() == {"voters": 7, "phase": "open"}
        sign_in(client, token("staff"))
        assert (await client.get(f"/organise/rounds/{ROUND}/turnout")).status_code == 403
        assert (await client.get(f"/organise/rounds/{ROUND}/ballots.csv")).status_code == 403


@in_own_loop
async def test_ticked_ideas_are_shortlisted_in_one_call_and_each_refusal_is_shown_by_its_idea(fake):
    queue = [
        {"id": str(uuid.uuid4()), "title": title, "status": status, "service_area": "housing", "authors": []}
        for title, status in (("Bin day texts", "submitted"), ("Pool cars", "submitted"), ("Old idea", "hidden"))
    ]
    fake.on("GET", "/api/ideas/ideas", _empty(queue))
    fake.on("POST", "/api/journeys/tried-before/ideas", {"items": [], "outcomes_available": True, "notice": None})
    hidden = queue[2]["id"]

    def shortlist(request):
        asked = json.loads(request.content)["idea_ids"]
        return httpx.Response(
            200,
            json={
                "shortlisted": [{"id": i} for i in asked if i != hidden],
                "refused": [{"idea_id": hidden, "status": 409, "detail": "Only a submitted idea can be shortlisted."}]
                if hidden in asked
                else [],
            },
        )

    fake.on("POST", f"/api/ideas/hack-days/{DAY}/shortlist", shortlist)
    async with pages(fake) as client:
        sign_in(client, token("organiser", "staff"))
        form = {"csrf_token": await csrf(client, f"/organise/hack-days/{DAY}"), "action": "shortlist"}
        ticked = [i["id"] for i in queue]
        answer = await client.post(f"/organise/hack-days/{DAY}/ideas", data={**form, "idea": ticked})
        (sent,) = [c for c in fake.calls if "shortlist" in c.url.path]  # one call for every ticked idea
        assert json.loads(sent.content) == {"idea_ids": [i["id"] for i in queue]}
        assert answer.status_code == 400
        assert "2 ideas are now shortlisted; 1 was not" in answer.text
        message = "“Old idea” was not shortlisted: Only a submitted idea can be shortlisted."
        assert f'<p class="govuk-error-message govuk-checkboxes__hint" id="idea-{hidden}-error">' in answer.text
        assert f'href="#idea-{hidden}">{message}' in answer.text  # in the error summary too

        fake.calls.clear()
        done = await client.post(f"/organise/hack-days/{DAY}/ideas", data={**form, "idea": ticked[:2]})
        assert done.status_code == 303 and done.headers["location"].endswith("?done=shortlist")
        assert len([c for c in fake.calls if "shortlist" in c.url.path]) == 1


@in_own_loop
async def test_ticked_ideas_are_hidden_or_marked_duplicates_in_one_call_with_the_forms_key(fake):
    queue = [
        {"id": str(uuid.uuid4()), "title": title, "status": "submitted", "service_area": "housing", "authors": []}
        for title in ("Bin day texts", "Bin day reminders", "Texts about bins")
    ]
    fake.on("GET", "/api/ideas/ideas", _empty(queue))
    fake.on("POST", "/api/journeys/tried-before/ideas", {"items": [], "outcomes_available": True, "notice": None})
    first, *later = (i["id"] for i in queue)

    def moderated(request):
        asked = json.loads(request.content)["idea_ids"]
        refused = [{"idea_id": first, "status": 409, "detail": "An idea cannot be a duplicate of itself."}]
        return httpx.Response(
            200,
            json={
                "moderated": [{"id": i} for i in asked if i != first],
                "refused": refused if first in asked and "duplicate_of_id" in json.loads(request.content) else [],
            },
        )

    fake.on("POST", f"/api/ideas/hack-days/{DAY}/hide", moderated)
    fake.on("POST", f"/api/ideas/hack-days/{DAY}/duplicate", moderated)
    async with pages(fake) as client:
        sign_in(client, token("organiser", "staff"))
        page = await client.get(f"/organise/hack-days/{DAY}")
        queue_form = page.text.split(f'action="/organise/hack-days/{DAY}/ideas"')[1].split("</form>")[0]
        (key,) = re.findall(r'name="form_key" value="([^"]+)"', queue_form)
        form = {"csrf_token": await csrf(client, f"/organise/hack-days/{DAY}"), "form_key": key}
        ticked = [i["id"] for i in queue]

        hidden = await client.post(
            f"/organise/hack-days/{DAY}/ideas", data={**form, "action": "hide", "reason": "Off topic", "idea": ticked}
        )
        assert hidden.status_code == 303 and hidden.headers["location"].endswith("?done=hide")
        (sent,) = [c for c in fake.calls if c.url.path.endswith("/hide")]  # one call for every ticked idea
        assert json.loads(sent.content) == {"idea_ids": ticked, "reason": "Off topic"}
        assert sent.headers["idempotency-key"] == key  # sent twice (a reload), the API answers it once

        body = {**form, "action": "duplicate", "duplicate_of": first, "idea": ticked}
        marked = await client.post(f"/organise/hack-days/{DAY}/ideas", data=body)
        assert len([c for c in fake.calls if c.url.path.endswith("/duplicate")]) == 1
        assert marked.status_code == 400 and "2 ideas are now marked duplicates; 1 was not" in marked.text
        message = "“Bin day texts” was not marked a duplicate: An idea cannot be a duplicate of itself."
        assert f'href="#ideas">{message}' in marked.text

        # The earlier idea gone meanwhile: the whole request refused, said by its field, the choices kept.
        why = "There is no visible idea with this id in the same council."
        gone = {"status": 404, "detail": why, "errors": [{"field": "duplicate_of_id", "message": why}]}
        fake.on("POST", f"/api/ideas/hack-days/{DAY}/duplicate", gone, status=404)
        refused = await client.post(f"/organise/hack-days/{DAY}/ideas", data={**body, "idea": later})
        assert refused.status_code == 400
        assert 'href="#duplicate_of">There is no visible idea' in refused.text
        assert all(f'value="{i}" checked' in refused.text for i in later)
        assert f'value="{first}" checked' not in refused.text
        assert f'<option value="{first}" selected>' in refused.text


@in_own_loop
async def test_a_long_roster_shows_each_batch_as_it_is_added_and_where_it_stopped(fake):
    """The answer to "Add N people" is sent in parts: each batch's line reaches the browser before the
    next batch is asked for (so the organiser sees it working, without JavaScript), then the codes; a
    batch the API refuses ends it with what was added so far and what to do."""
    from urllib.parse import urlencode

    from tests.web.fake import SETTINGS
    from web.clients.gateway import Gateway
    from web.main import create_app

    people = [(f"Person {n}", f"person.{n}@kirkby.gov.uk") for n in range(1200)]
    sent: list[bytes] = []  # the page's body as the browser has it so far
    seen_before_each_batch: list[str] = []

    async def add_staff(request):
        await asyncio.sleep(0.05)  # the API at work: the event loop sends what is ready meanwhile
        seen_before_each_batch.append(b"".join(sent).decode())
        batch = json.loads(request.content)["people"]
        if batch[0]["email"] == "person.1000@kirkby.gov.uk" and refuse_last:
            return httpx.Response(422, json={"status": 422, "detail": "No more people may be added today."})
        created = [{"id": str(uuid.uuid4()), **p, "invitation_code": f"CODE-{p['email']}"} for p in batch]
        return httpx.Response(201, json={"created": created, "already_registered": []})

    fake.on("POST", f"/api/councils/{COUNCIL}/staff", add_staff)
    app = create_app(SETTINGS, gateway=Gateway(SETTINGS, transport=httpx.MockTransport(fake)))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pages.test") as client:
            sign_in(client, token("organiser", "staff"))
            form = await csrf(client, "/organise/staff")
            cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())

        async def add() -> tuple[int, str]:
            sent.clear()
            seen_before_each_batch.clear()
            fields = [("csrf_token", form), ("action", "add")]
            for name, email in people:
                fields += [("name", name), ("email", email)]
            body = urlencode(fields).encode()
            headers = [
                (b"host", b"pages.test"),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
                (b"cookie", cookies.encode()),
            ]
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/organise/staff",
                "raw_path": b"/organise/staff",
                "query_string": b"",
                "root_path": "",
                "headers": headers,
                "client": ("127.0.0.1", 50000),
                "server": ("pages.test", 80),
            }
            delivered, never = False, asyncio.Event()
            status = []

            async def receive():
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await never.wait()  # the browser stays connected

            async def send(message):
                if message["type"] == "http.response.start":
                    status.append(message["status"])
                elif message["type"] == "http.response.body":
                    sent.append(message.get("body", b""))

            await app(scope, receive, send)
            return status[0], b"".join(sent).decode()

        refuse_last = False
        status, page = await add()
        assert status == 200
        assert len(seen_before_each_batch) == 3  # 500 a call
        assert "Adding 1,200 people" in seen_before_each_batch[0]
        assert "Batch 1 of 3 done: 500 of 1,200 checked and added." in seen_before_each_batch[1]
        assert "Batch 2 of 3 done: 1,000 of 1,200" in seen_before_each_batch[2]
        assert "people added" not in seen_before_each_batch[2]  # the result comes after the last batch
        assert "Batch 3 of 3 done: 1,200 of 1,200" in page and "1,200 people added" in page
        assert page.rstrip().endswith("</html>")
        assert len(_hidden(page, "code")) == 1200  # every code, for the download

        refuse_last = True
        status, page = await add()
        assert "1,000 of 1,200 added before the platform refused the rest: No more people may be added today." in page
        assert "Batch 3 of 3" not in page and "1,000 people added" in page
        assert len(_hidden(page, "code")) == 1000  # the codes of those added are still shown, once
