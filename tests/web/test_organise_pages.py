"""Organiser pages in-process, in front of a fake gateway: the roster upload (preview, each row's
problem, batches, the codes as a file), each queued idea's "tried before?" evidence, the CSV exports
and the live turnout's answer."""

from __future__ import annotations

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
        assert "2 people added" in added.text and "CODE-1" in added.text
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
