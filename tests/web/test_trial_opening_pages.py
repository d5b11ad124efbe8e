"""Opening a trial from an idea's page, in-process in front of a fake gateway: offered to managers only,
for ideas still in play; one call to the follow-up API with the form's key; the trial's page after it;
the API's refusal said on a page of its own."""

from __future__ import annotations

import re
import uuid

import httpx
import orjson
import pytest

from tests.web.fake import FakeGateway, csrf, in_own_loop, pages, sign_in, token
from tests.web.test_idea_pages import IDEA_ID, idea
from tests.web.test_pages import HACK_DAY

TRIAL_ID = str(uuid.uuid4())


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on("GET", f"/api/ideas/hack-days/{HACK_DAY['id']}", HACK_DAY)
    fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}", idea(status="shortlisted"))
    fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}/comments", {"items": [], "total": 0, "limit": 200, "offset": 0})
    fake.on("POST", "/api/followup/trials", {"id": TRIAL_ID, "idea": {"id": IDEA_ID}}, status=201)
    return fake


def _opened(fake: FakeGateway) -> list[httpx.Request]:
    return [c for c in fake.calls if c.method == "POST" and c.url.path == "/api/followup/trials"]


@in_own_loop
async def test_only_a_manager_is_offered_a_trial_and_only_of_an_idea_still_in_play(fake):
    async with pages(fake) as client:
        sign_in(client, token("staff"))
        assert "Open a trial" not in (await client.get(f"/ideas/{IDEA_ID}")).text
        sign_in(client, token("staff", "manager"))
        assert "Open a trial" in (await client.get(f"/ideas/{IDEA_ID}")).text
        for status in ("withdrawn", "hidden", "duplicate"):
            fake.on("GET", f"/api/ideas/ideas/{IDEA_ID}", idea(status=status))
            assert "Open a trial" not in (await client.get(f"/ideas/{IDEA_ID}")).text, status


@in_own_loop
async def test_pressing_open_a_trial_asks_the_api_once_and_shows_the_trial(fake):
    async with pages(fake) as client:
        sign_in(client, token("staff", "manager"))
        html = (await client.get(f"/ideas/{IDEA_ID}")).text
        key = re.search(r'action="/ideas/[^"]+/trial".*?name="form_key" value="([0-9a-f]+)"', html, re.S).group(1)
        form = await csrf(client, f"/ideas/{IDEA_ID}")
        assert (await client.post(f"/ideas/{IDEA_ID}/trial", data={"form_key": key})).status_code == 400
        assert not _opened(fake)  # without its CSRF token nothing is sent
        answer = await client.post(f"/ideas/{IDEA_ID}/trial", data={"csrf_token": form, "form_key": key})
        assert answer.status_code == 303 and answer.headers["location"] == f"/trials/{TRIAL_ID}?done=opened"
        [sent] = _opened(fake)
        assert orjson.loads(sent.content) == {"idea_id": IDEA_ID}
        assert sent.headers["Idempotency-Key"] == key  # a double click is one trial


@in_own_loop
async def test_the_apis_refusal_is_said_and_nothing_is_opened(fake):
    fake.on(
        "POST",
        "/api/followup/trials",
        {
            "status": 422,
            "detail": "invalid",
            "errors": [{"field": "idea_id", "message": "the idea is withdrawn; a trial needs an idea still in play"}],
        },
        status=422,
    )
    async with pages(fake) as client:
        sign_in(client, token("staff", "manager"))
        form = await csrf(client, f"/ideas/{IDEA_ID}")
        answer = await client.post(f"/ideas/{IDEA_ID}/trial", data={"csrf_token": form})
    assert answer.status_code == 400
    assert "The trial was not opened" in answer.text
    assert "The idea is withdrawn; a trial needs an idea still in play." in answer.text
    assert 'href="#reason"' in answer.text  # the error summary links to the reason
