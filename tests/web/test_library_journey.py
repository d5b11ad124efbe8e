"""A reader of the public library without an account, in a real browser through the gateway: searching,
filtering to the failures, opening a trial, reading its chart's table, the licence and the export links;
axe-core on every page and state, and 320 px without horizontal scrolling."""

from __future__ import annotations

import uuid

import pytest

from tests.followup.kit import (
    TRIALS,
    add_metric,
    baseline,
    measure,
    ok,
    open_hack_day,
    open_trial,
    submit_idea,
    verdict_body,
)
from tests.web.conftest import no_horizontal_scroll


def _publish(town: dict, title: str, outcome: str, readings: list[float]) -> dict:
    manager = town["manager"]
    idea = submit_idea(town["staff"], town["hack_day"]["id"], title)
    trial = open_trial(manager, idea["id"], kind_of_change="process_redesign")
    metric = add_metric(
        manager, trial["id"], baseline=baseline(2.0), target_value=1.5, annual_volume=1200, hourly_cost_pounds=25
    )
    ok(manager.post(f"{TRIALS}/{trial['id']}/start", json={"started_on": baseline(0)["period_end"]}))
    for n, value in enumerate(readings):
        measure(manager, trial["id"], metric["id"], value, end_days_ago=1 + 28 * (len(readings) - 1 - n))
    ok(manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    ok(manager.post(f"{TRIALS}/{trial['id']}/verdict", json=verdict_body(outcome, design="before_after")))
    return ok(manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)


@pytest.fixture
def library(sqlite_platform, new_council, new_person) -> dict:
    """A council that published a trial that worked and one that did not, under a word of their own."""
    council = new_council()
    organiser = new_person(council, "organiser", "staff")
    town = {
        "council": council,
        "manager": new_person(council, "manager", "staff"),
        "staff": new_person(council, "staff"),
        "hack_day": open_hack_day(organiser),
    }
    word = f"zq{uuid.uuid4().hex[:6]}"
    worked = _publish(town, f"Pre-fill {word} forms from email", "worked", [1.9, 1.6, 1.4])
    failed = _publish(town, f"Chatbot for {word} enquiries", "did_not_work", [2.1, 2.0])
    return {"word": word, "council": council, "worked": worked, "failed": failed}


def test_a_reader_without_an_account_searches_filters_and_reads_a_trial(pages, axe, library):
    page = pages.open(width=320)
    page.goto("/library")
    assert "Sign in" not in page.title()
    axe(page, "the library")
    no_horizontal_scroll(page)

    page.get_by_label("Search", exact=True).fill(library["word"])
    page.get_by_role("button", name="Search").click()
    results = page.locator(".app-library-result")
    assert results.count() == 2
    assert "2 trials found" in page.locator("#results").inner_text()
    axe(page, "a search")

    page.get_by_label("Verdict").select_option("did_not_work")
    page.get_by_role("button", name="Search").click()
    assert results.count() == 1
    assert "Did not work" in results.first.inner_text()
    assert "outcome=did_not_work" in page.url and library["word"] in page.url
    axe(page, "a search filtered to failures")
    no_horizontal_scroll(page)
    # The page's machine-readable forms carry the same search.
    atom = page.locator('link[rel=alternate][type="application/atom+xml"]').get_attribute("href")
    assert atom.startswith("/api/followup/library/feed.atom?") and "outcome=did_not_work" in atom
    feed = page.request.get(atom)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert library["word"] in feed.text() and f"Pre-fill {library['word']}" not in feed.text()

    page.get_by_role("link", name=f"Chatbot for {library['word']} enquiries").click()
    assert page.url.endswith(f"/library/{library['failed']['id']}")
    assert library["council"].name in page.locator(".govuk-summary-list").first.inner_text()
    assert "Two officers kept re-keying." in page.content()  # the reason it did not work
    chart = page.locator("figure", has=page.locator("svg.app-chart"))
    assert chart.count() == 1
    assert "readings over time" in page.locator("svg.app-chart title").text_content()
    table = page.get_by_role("table", name="The figures in the chart")
    assert table.get_by_role("row").count() == 3  # the header and two readings
    assert "2.1" in table.inner_text()
    licence = page.get_by_role("link", name="Open Government Licence v3.0")
    assert licence.get_attribute("rel") == "license"
    assert "open-government-licence/version/3" in licence.get_attribute("href")
    record = page.locator('link[rel=alternate][type="application/json"]').first.get_attribute("href")
    answer = page.request.get(record)
    assert answer.ok and answer.json()["outcome"] == "did_not_work"
    axe(page, "a trial that did not work")
    no_horizontal_scroll(page)

    page.goto("/library/what-works?by=kind_of_change")
    assert "Process redesign" in page.get_by_role("table").inner_text()
    axe(page, "what works")
    no_horizontal_scroll(page)


def test_the_page_a_reader_gets_over_the_rate_limit_is_accessible(pages, axe):
    """The 429 page as web makes it (in-process, in front of a gateway answering 429), shown in the
    browser with the platform's styles, then checked like every other state."""
    import httpx

    from tests.web.fake import FakeGateway, in_own_loop
    from tests.web.fake import pages as in_process

    fake = FakeGateway()
    limited = {"status": 429, "detail": "Too many reads"}
    fake.on(
        "GET", "/api/followup/library.*", lambda _r: httpx.Response(429, json=limited, headers={"Retry-After": "30"})
    )
    answer: list[httpx.Response] = []

    @in_own_loop
    async def fetch() -> None:
        async with in_process(fake) as client:
            answer.append(await client.get("/library?q=bins"))

    fetch()
    assert answer[0].status_code == 429 and answer[0].headers["retry-after"] == "30"
    page = pages.open(width=320)
    page.route(
        "**/library?q=bins", lambda route: route.fulfill(status=429, body=answer[0].text, content_type="text/html")
    )
    page.goto("/library?q=bins")
    assert "Wait 30 seconds" in page.locator("main").inner_text()
    axe(page, "too many reads")
    no_horizontal_scroll(page)
