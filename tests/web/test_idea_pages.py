"""An idea's own pages in-process, in front of a fake gateway: editing (and the page a 412 becomes),
withdrawing, co-authors joining and leaving, comments; each form works without JavaScript."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

from tests.web.fake import COUNCIL, FakeGateway, csrf, in_own_loop, pages, sign_in, token
from tests.web.test_pages import HACK_DAY, VOCABULARY

ME = uuid.uuid4()
COLLEAGUE = uuid.uuid4()
IDEA_ID = str(uuid.uuid4())


def idea(version: int = 3, **changes) -> dict:
    return {
        "view": "full",
        "id": IDEA_ID,
        "hack_day_id": HACK_DAY["id"],
        "council_id": str(COUNCIL),
        "council_name": "Kirkby Borough Council",
        "title": "Pool cars for social workers",
        "problem": "Mileage claims for own cars.",
        "proposal": "Book pool cars by the hour.",
        "public_summary": None,
        "expected_benefit": None,
        "service_area": "housing",
        "tags": ["cars"],
        "partners": [],
        "status": "submitted",
        "author_ids": [str(ME)],
        "authors": [{"person_id": str(ME), "name": "Sam Staff", "role": "author"}],
        "duplicate_of_id": None,
        "selection": None,
        "outcome": None,
        "moderation": {"hidden_reason": None, "hidden_at": None, "invited_co_author_ids": []},
        "version": version,
        "created_at": "2027-01-01T00:00:00Z",
        "updated_at": "2027-01-01T00:00:00Z",
        **changes,
    }


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on("GET", f"/api/ideas/hack-days/{HACK_DAY['id']}", HACK_DAY)
    fake.on("GET", "/api/ideas/vocabulary", VOCABULARY)
    fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}", idea())
    fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}/comments", {"items": [], "total": 0, "limit": 200, "offset": 0})
    return fake


def _sent(fake: FakeGateway, method: str, path: str) -> list[httpx.Request]:
    return [c for c in fake.calls if c.method == method and c.url.path == path]


def _edit_form(html: str) -> dict[str, str]:
    """The edit form's fields as a browser would send them (hidden ones included)."""
    fields = dict(re.findall(r'<input[^>]*type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields.update(dict(re.findall(r'name="(title|tags|benefit_amount)" type="text"[^>]* value="([^"]*)"', html)))
    for name in ("problem", "proposal", "partners", "benefit_note"):
        found = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', html)
        fields[name] = found.group(1) if found else ""
    fields["service_area"] = "housing"
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


@in_own_loop
async def test_an_edit_is_sent_with_the_version_it_was_opened_on(fake):
    fake.on("PATCH", f"/api/ideas/ideas/{IDEA_ID}", idea(version=4, title="Pool cars by the hour"))
    async with pages(fake) as client:
        sign_in(client, token(person=ME))
        page = await client.get(f"/ideas/{IDEA_ID}")
        assert f'href="/ideas/{IDEA_ID}/edit"' in page.text and "Withdraw the idea" in page.text
        form = _edit_form((await client.get(f"/ideas/{IDEA_ID}/edit")).text)
        assert form["version"] == "3" and form["title"] == "Pool cars for social workers"
        answer = await client.post(f"/ideas/{IDEA_ID}/edit", data={**form, "title": "Pool cars by the hour"})
        assert answer.status_code == 303 and answer.headers["location"] == f"/ideas/{IDEA_ID}?done=edited"
        (patch,) = _sent(fake, "PATCH", f"/api/ideas/ideas/{IDEA_ID}")
        assert patch.headers["if-match"] == '"3"'
        body = json.loads(patch.content)
        assert body["title"] == "Pool cars by the hour" and body["expected_benefit"] is None


@in_own_loop
async def test_a_412_shows_what_someone_else_changed_and_keeps_every_word_typed(fake):
    refused = {"status": 412, "detail": "The idea changed since you read it."}
    fake.on("PATCH", f"/api/ideas/ideas/{IDEA_ID}", refused, status=412)
    async with pages(fake) as client:
        sign_in(client, token(person=ME))
        form = _edit_form((await client.get(f"/ideas/{IDEA_ID}/edit")).text)
        # Meanwhile a co-author saves a new problem statement.
        fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}", idea(version=4, problem="Staff wait weeks for mileage."))
        answer = await client.post(f"/ideas/{IDEA_ID}/edit", data={**form, "title": "Pool cars by the hour"})
        assert answer.status_code == 409
        html = answer.text
        assert "Someone else changed this idea" in html and "Nothing has been overwritten" in html
        rows = re.findall(r'<tr class="govuk-table__row">\s*<th scope="row"[^>]*>(.*?)</th>', html, re.S)
        assert [re.sub(r"<.*", "", r, flags=re.S) for r in rows] == ["Title", "The problem today"]
        assert "changed by someone else" in rows[1] and "changed by someone else" not in rows[0]
        assert "Staff wait weeks for mileage." in html  # the saved version, beside theirs
        again = _edit_form(html)
        assert again["title"] == "Pool cars by the hour"  # what they typed, kept
        assert again["problem"] == "Mileage claims for own cars."
        assert again["version"] == "4"  # saving again is knowingly over the version they have now seen
        fake.on("PATCH", f"/api/ideas/ideas/{IDEA_ID}", idea(version=5))
        saved = await client.post(f"/ideas/{IDEA_ID}/edit", data=again)
        assert saved.status_code == 303
        assert _sent(fake, "PATCH", f"/api/ideas/ideas/{IDEA_ID}")[-1].headers["if-match"] == '"4"'


@in_own_loop
async def test_someone_not_on_the_team_is_offered_no_edit_and_withdrawing_asks_first(fake):
    fake.on("POST", f"/api/ideas/ideas/{IDEA_ID}/withdraw", idea(version=4, status="withdrawn"))
    async with pages(fake) as client:
        sign_in(client, token())  # someone else of the council
        page = (await client.get(f"/ideas/{IDEA_ID}")).text
        assert "/edit" not in page and "Withdraw" not in page and 'id="team"' not in page
        refused = await client.get(f"/ideas/{IDEA_ID}/edit")
        assert refused.status_code == 409 and "Only the team of" in refused.text
        sign_in(client, token(person=ME))
        confirm = await client.get(f"/ideas/{IDEA_ID}/withdraw")
        assert "Withdraw this idea?" in confirm.text and not _sent(fake, "POST", f"/api/ideas/ideas/{IDEA_ID}/withdraw")
        form = await csrf(client, f"/ideas/{IDEA_ID}/withdraw")
        done = await client.post(f"/ideas/{IDEA_ID}/withdraw", data={"csrf_token": form})
        assert done.headers["location"] == f"/ideas/{IDEA_ID}?done=withdrawn"
        assert len(_sent(fake, "POST", f"/api/ideas/ideas/{IDEA_ID}/withdraw")) == 1


@in_own_loop
async def test_the_lead_author_invites_by_reference_and_the_colleague_joins_or_declines(fake):
    fake.on("GET", "/api/people/.*", {"status": 404, "detail": "No person."}, status=404)
    fake.on("GET", f"/api/people/{COLLEAGUE}", {"id": str(COLLEAGUE), "name": "Ola Colleague"})
    fake.on("POST", f"/api/ideas/ideas/{IDEA_ID}/co-authors", idea(version=4))
    async with pages(fake) as client:
        sign_in(client, token(person=ME))
        form = await csrf(client, f"/ideas/{IDEA_ID}")
        wrong = await client.post(f"/ideas/{IDEA_ID}/co-authors", data={"csrf_token": form, "colleague": "Ola"})
        assert wrong.status_code == 400 and 'id="colleague-error"' in wrong.text and 'value="Ola"' in wrong.text
        stranger = await client.post(
            f"/ideas/{IDEA_ID}/co-authors", data={"csrf_token": form, "colleague": str(uuid.uuid4())}
        )
        assert "Nobody in your council has this reference" in stranger.text
        assert not _sent(fake, "POST", f"/api/ideas/ideas/{IDEA_ID}/co-authors")
        invited = await client.post(
            f"/ideas/{IDEA_ID}/co-authors", data={"csrf_token": form, "colleague": str(COLLEAGUE)}
        )
        assert invited.status_code == 303
        (sent,) = _sent(fake, "POST", f"/api/ideas/ideas/{IDEA_ID}/co-authors")
        assert json.loads(sent.content) == {"person_id": str(COLLEAGUE)}

        fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}", idea(moderation={"invited_co_author_ids": [str(COLLEAGUE)]}))
        page = (await client.get(f"/ideas/{IDEA_ID}")).text
        assert "Ola Colleague (invited, not joined yet)" in page and f"/ideas/{IDEA_ID}/join" in page

        # The colleague opens the join address.
        fake.on("POST", f"/api/ideas/ideas/{IDEA_ID}/invitation/accept", idea(version=5))
        fake.on("DELETE", f"/api/ideas/ideas/{IDEA_ID}/co-authors/{COLLEAGUE}", idea(version=5))
        sign_in(client, token(person=COLLEAGUE))
        form = await csrf(client, f"/ideas/{IDEA_ID}/join")
        joined = await client.post(f"/ideas/{IDEA_ID}/join", data={"csrf_token": form, "answer": "accept"})
        assert joined.headers["location"] == f"/ideas/{IDEA_ID}?done=joined#team"
        declined = await client.post(f"/ideas/{IDEA_ID}/join", data={"csrf_token": form, "answer": "decline"})
        assert declined.headers["location"] == f"/ideas/{IDEA_ID}?done=declined"
        assert len(_sent(fake, "DELETE", f"/api/ideas/ideas/{IDEA_ID}/co-authors/{COLLEAGUE}")) == 1

        refused = {"status": 403, "detail": "You have not been invited to join 'Pool cars'."}
        fake.on("POST", f"/api/ideas/ideas/{IDEA_ID}/invitation/accept", refused, status=403)
        page = await client.post(f"/ideas/{IDEA_ID}/join", data={"csrf_token": form, "answer": "accept"})
        assert page.status_code == 403 and "You have not been invited" in page.text

        fake.on("GET", "/api/ideas/ideas", {"items": [], "total": 0, "limit": 200, "offset": 0, "next_offset": None})
        mine = await client.get("/my-ideas")
        assert str(COLLEAGUE) in mine.text  # the reference to give a lead author


@in_own_loop
async def test_a_comment_needs_words_and_is_sent_once_with_its_form_key(fake):
    created = {"id": str(uuid.uuid4()), "idea_id": IDEA_ID, "body": "Good", "hidden": False}
    fake.on("POST", f"/api/ideas/ideas/{IDEA_ID}/comments", created, status=201)
    async with pages(fake) as client:
        sign_in(client, token())
        html = (await client.get(f"/ideas/{IDEA_ID}")).text
        form = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        key = re.search(r'name="form_key" value="([^"]+)"', html).group(1)
        empty = await client.post(
            f"/ideas/{IDEA_ID}/comments", data={"csrf_token": form, "form_key": key, "comment": " "}
        )
        assert empty.status_code == 400 and "Write your comment" in empty.text
        for _ in range(2):  # a double click
            sent = await client.post(
                f"/ideas/{IDEA_ID}/comments", data={"csrf_token": form, "form_key": key, "comment": "Ask fleet first"}
            )
            assert sent.headers["location"] == f"/ideas/{IDEA_ID}?done=commented#comments"
        calls = _sent(fake, "POST", f"/api/ideas/ideas/{IDEA_ID}/comments")
        assert {c.headers["idempotency-key"] for c in calls} == {key}
        assert json.loads(calls[0].content) == {"body": "Ask fleet first"}
