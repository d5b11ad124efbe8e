"""Hack-day news by email: "voting is open" and "the results are published" reach the council's staff
through the voting service's outbox, the gateway's inbox and its mail outbox, read from a real SMTP
server's mailbox; a person who turned news off gets none, while mail about their account still comes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.platform.test_mail import smtp_settings
from tests.support.http import ok
from tests.support.mailboxes import SmtpMailbox, html_of, text_of
from tests.voting.conftest import _idea
from tests.voting.votingkit import cast, new_round, step


@pytest.fixture(scope="module")
def mailbox(platform) -> Iterator[SmtpMailbox]:
    """The platform's own gateway, restarted with mail going to a real SMTP server for this module (the
    voting service tells that gateway its news), then restarted as it was."""
    box = SmtpMailbox().start()
    runner = platform.runner
    kept = dict(runner.extra_env)
    runner.extra_env.update(smtp_settings(box))
    runner.stop("gateway")
    runner.start("gateway")
    try:
        yield box
    finally:
        runner.extra_env.clear()
        runner.extra_env.update(kept)
        runner.stop("gateway")
        runner.start("gateway")
        box.stop()


def turn_news_off_on_the_page(platform, person) -> None:
    """What a person does on the page the news links to: choose No, and save."""
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
        browser.cookies.set("hackday_session", session_cookie(platform, person))
        page = browser.get("/account/mail")
        assert page.status_code == 200 and 'value="yes" checked' in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        saved = browser.post("/account/mail", data={"csrf_token": token, "news_mail": "no"})
        assert saved.status_code == 303
        assert 'value="no" checked' in browser.get(saved.headers["location"]).text


def session_cookie(platform, person) -> str:
    """The cookie signing in would set, for the person's test token (as the browser tests make it)."""
    from starlette.responses import Response

    from web.sessions import SessionCookies
    from web.settings import WebSettings

    cookies = SessionCookies(WebSettings(environment="test", session_keys=platform.runner.session_key()))
    response = Response()
    cookies.write(response, cookies.new(person.token, None))
    return response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


def test_staff_hear_that_voting_is_open_and_the_results_by_email_unless_they_turned_news_off(
    platform, mailbox, new_council, new_person
):
    council = new_council()
    organiser = new_person(council, "organiser", name="Olive Organiser")
    keen, quiet = new_person(council, "staff", name="Kay Keen"), new_person(council, "staff", name="Quinn Quiet")
    turn_news_off_on_the_page(platform, quiet)
    assert ok(keen.put("/api/auth/mail-preferences", json={"news_mail": True}))["news_mail"] is True
    day = ok(organiser.post("/api/ideas/hack-days", json={"name": "Spring day", "date": "2027-04-01"}), 201)
    ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))
    ideas = [_idea(keen, day["id"], f"Idea {n}") for n in (1, 2)]
    for idea in ideas:
        ok(organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))

    def news_to(person) -> list:
        return [m for m in mailbox.to(person.email) if "voting is open" in m["Subject"] or "results" in m["Subject"]]

    def wait_for_news(person, count: int) -> list:
        mailbox.wait_for(person.email, count=count + 1)  # their invitation came first
        return news_to(person)

    rnd = new_round(organiser, day["id"], idea_ids=[i["id"] for i in ideas], selected_count=1, open_it=True)
    opened = wait_for_news(keen, 1)[0]
    assert opened["Subject"] == f"{council.name}: voting is open ({rnd['title']})"
    assert "Hello Kay Keen" in text_of(opened) and "/hack-days" in html_of(opened)
    assert "https://hackday.council.example/account/mail" in text_of(opened)

    ok(cast(quiet, rnd, {"approve": [ideas[1]["id"]]}), 201)
    step(organiser, rnd, "close")
    step(organiser, rnd, "publish", json={"selected_count": 1})
    published = wait_for_news(keen, 2)[1]
    assert published["Subject"] == f"{council.name}: the results are published ({rnd['title']})"
    assert "Idea 2" in text_of(published)
    wait_for_news(organiser, 2)
    # Once each, however often the relays have looked since; no news to the one who turned it off,
    # though mail about their own account (their invitation) still came.
    assert len(news_to(keen)) == 2 and len(news_to(organiser)) == 2
    assert news_to(quiet) == [] and "invited" in mailbox.wait_for(quiet.email)[0]["Subject"]


def test_only_the_voting_service_may_tell_the_gateway_news(new_council, new_person, anonymous):
    council = new_council()
    organiser = new_person(council, "organiser")
    news = {
        "event_id": "7d0f8a52-7c43-4f0e-9a61-2f43a1f3c001",
        "topic": "round.opened",
        "council_id": council.id,
        "round_id": "7d0f8a52-7c43-4f0e-9a61-2f43a1f3c002",
        "title": "A made-up round",
    }
    assert organiser.post("/api/gateway/internal/hack-day-news", json=news).status_code == 403
    assert anonymous.post("/api/gateway/internal/hack-day-news", json=news).status_code == 401
    # Any other spelling of an internal path stays unknown at the public entry.
    assert organiser.post("/api/gateway/Internal/hack-day-news", json=news).status_code == 404
