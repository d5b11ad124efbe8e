"""The public library's pages in-process, in front of a fake gateway: no sign-in, what is asked of the API
for each search, paging, a trial's charts with their tables, the licence and the export links on every
page, and a rate-limited reader's page."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.web.fake import SETTINGS, FakeGateway, in_own_loop, pages

COUNCIL = {"id": str(uuid.uuid4()), "name": "Kirkby Borough Council"}
GAIN = {
    "annual_hours": 720.0,
    "cashable_hours": 0.0,
    "non_cashable_hours": 720.0,
    "annual_pounds": 18000.0,
    "cashable_pounds": 0.0,
    "non_cashable_pounds": 18000.0,
    "trial_cost_pounds": 5000.0,
    "net_pounds": 13000.0,
    "net_cashable_pounds": -5000.0,
}
LESSONS = {
    "what_worked": "Pre-filled forms from the email template.",
    "what_did_not": "Attachments still needed re-keying.",
    "do_differently": "Agree the template first.",
    "conditions_elsewhere": "Structured email.",
}
EVIDENCE = {"level": 2, "label": "Before and after", "design": "before_after", "verified_by": None, "replications": []}


def summary(n: int, outcome: str = "worked") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "url": "",
        "trial_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "title": f"Trial number {n}",
        "council": COUNCIL,
        "council_name": COUNCIL["name"],
        "service_area": "revenues_and_benefits",
        "status": "concluded",
        "outcome": outcome,
        "summary": "It cut the time per case.",
        "reasons": [],
        "lessons": LESSONS,
        "gain": GAIN,
        "evidence": EVIDENCE,
        "evidence_level": 2,
        "published_at": "2026-11-01T10:00:00Z",
    }


def record(entry_id: str) -> dict[str, Any]:
    readings = [
        {
            "value": v,
            "period_start": f"2026-0{m}-01",
            "period_end": f"2026-0{m}-28",
            "method": "Report",
            "source": "CRM",
        }
        for m, v in ((3, 1.9), (4, 1.6), (5, 1.4))
    ]
    return {
        **{k: v for k, v in summary(1, "did_not_work").items() if k not in ("council_name", "evidence_level")},
        "id": entry_id,
        "title": "Pre-fill change-of-address forms",
        "kind_of_change": "process_redesign",
        "partner_kinds": [],
        "hypothesis": "If we pre-fill forms, time per case falls.",
        "scope": "One team.",
        "hack_day_on": "2026-01-10",
        "started_on": "2026-03-01",
        "ended_on": "2026-06-01",
        "reasons": [{"code": "adoption", "note": "Two officers kept re-keying."}],
        "metrics": [
            {
                "name": "Hours per case",
                "unit": "hours_per_case",
                "direction": "lower_is_better",
                "baseline": {"value": 2.0, "period_start": "2025-12-01", "period_end": "2026-02-28", "method": "Q"},
                "target_value": 1.5,
                "latest_value": 1.4,
                "change": -0.6,
                "improvement": 0.6,
                "improvement_percent": 30.0,
                "target_met": True,
                "annual_hours": 720.0,
                "annual_pounds": 18000.0,
                "cashable": False,
                "measurements": readings,
            }
        ],
        "people": [{"name": "Priya Shah", "job_title": "Team leader", "role": "owner"}],
        "unnamed_people": 1,
        "licence": {
            "name": "Open Government Licence v3.0",
            "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        },
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
    }


WHAT_WORKS = {
    "by": "service_area",
    "trials": 45,
    "groups": [
        {
            "key": "revenues_and_benefits",
            "trials": 45,
            "own": 45,
            "imported": 0,
            "shares": {"worked": 0.5, "partly": 0.1, "no_change": 0.2, "failed": 0.2, "inconclusive": 0.0},
            "median_annual_pounds": 18000.0,
            "median_annual_hours": 720.0,
            "median_net_pounds": 13000.0,
            "evidence_levels": {"1": 0, "2": 45, "3": 0, "4": 0, "5": 0},
            "median_trial_cost_pounds": 5000.0,
            "median_days_to_verdict": 92.0,
            "median_days_hack_day_to_verdict": 140.0,
            "at_a_glance": {"impact": "high", "cost": "moderate", "evidence": 2},
        }
    ],
}


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    items = [summary(n, "did_not_work" if n % 3 else "worked") for n in range(1, 46)]

    def search(request: httpx.Request) -> httpx.Response:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = items[offset : offset + limit]
        return httpx.Response(200, json={"items": page, "total": len(items), "limit": limit, "offset": offset})

    fake.on("GET", "/api/followup/library", search)
    fake.on("GET", "/api/followup/library/what-works", WHAT_WORKS)
    fake.on("GET", "/api/followup/library/[0-9a-f-]{36}", lambda r: httpx.Response(200, json=record(r.url.path[-36:])))
    return fake


def _searches(fake: FakeGateway) -> list[dict[str, list[str]]]:
    return [parse_qs(c.url.query.decode()) for c in fake.calls if c.url.path == "/api/followup/library"]


@in_own_loop
async def test_the_library_needs_no_sign_in_and_sends_no_token(fake):
    async with pages(fake) as client:
        answer = await client.get("/library", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 200
    assert "45 trials" in answer.text
    assert re.fullmatch(r"web;dur=[0-9.]+", answer.headers["server-timing"])  # for the pages benchmark
    assert all("authorization" not in c.headers for c in fake.calls)
    # Not behind trusted proxies: no address is passed on, least of all one the browser wrote.
    assert all("x-forwarded-for" not in c.headers for c in fake.calls)


@in_own_loop
async def test_behind_the_gateway_the_readers_address_goes_with_each_read(fake):
    # The address web's server resolved (uvicorn's proxy headers, from the trusted gateway) is passed on,
    # for the gateway's count of reads without sign-in per address.
    async with pages(fake, SETTINGS.model_copy(update={"trusted_proxies": "10.0.0.1"})) as client:
        await client.get("/library", headers={"X-Forwarded-For": "203.0.113.9"})
    assert {c.headers["x-forwarded-for"] for c in fake.calls} == {"127.0.0.1"}


@in_own_loop
async def test_a_search_sends_its_words_and_filters_and_pages_through_the_results(fake):
    async with pages(fake) as client:
        answer = await client.get(
            "/library",
            params={
                "q": "council tax",
                "service_area": "housing",
                "outcome": "did_not_work",
                "evidence": "3",
                "page": "3",
            },  # fmt: skip
        )
        assert answer.status_code == 200
        sent = _searches(fake)[-1]
        assert sent == {
            "q": ["council tax"], "service_area": ["housing"], "outcome": ["did_not_work"],
            "min_evidence_level": ["3"], "limit": ["20"], "offset": ["40"],
        }  # fmt: skip
        assert "Page 3 of 3" in answer.text
        assert '<ol class="govuk-list app-library-results" start="41">' in answer.text
        assert "Trial number 45" in answer.text and "Trial number 40" not in answer.text
        # The previous page keeps the search; the filters stay chosen in the form.
        assert (
            'href="/library?q=council+tax&amp;service_area=housing&amp;outcome=did_not_work&amp;evidence=3&amp;page=2"'
            in answer.text
        )
        assert '<option value="did_not_work" selected>' in answer.text
        assert 'value="council tax"' in answer.text
        # Filters the API would refuse are left out rather than failing the page.
        odd = await client.get("/library", params={"outcome": "great", "evidence": "9", "page": "x"})
        assert odd.status_code == 200
        assert _searches(fake)[-1] == {"limit": ["20"], "offset": ["0"]}


@in_own_loop
async def test_every_library_page_states_the_licence_and_links_its_exports(fake):
    entry = str(uuid.uuid4())
    async with pages(fake) as client:
        for path in ("/library?outcome=worked", f"/library/{entry}", "/library/what-works?by=kind_of_change"):
            html = (await client.get(path)).text
            assert (
                'rel="license" href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"'
                in html
            )
            assert "Open Government Licence v3.0" in html
            assert re.search(r'<link rel="alternate" type="application/[a-z+]*json"', html), path
        listed = (await client.get("/library?outcome=worked")).text
    for kind, href in (
        ("application/atom+xml", "/api/followup/library/feed.atom?outcome=worked"),
        ("application/json", "/api/followup/library/export.json?outcome=worked"),
        ("text/csv", "/api/followup/library/export.csv?outcome=worked"),
    ):
        assert f'<link rel="alternate" type="{kind}" href="{href}"' in listed


@in_own_loop
async def test_a_trials_page_shows_its_verdict_lessons_council_and_each_metrics_chart_with_its_table(fake):
    entry = str(uuid.uuid4())
    async with pages(fake) as client:
        answer = await client.get(f"/library/{entry}")
    html = answer.text
    assert answer.status_code == 200
    assert "mailto:" not in html  # a council without a contact address: none shown, the page still answers
    assert "Did not work" in html and "Two officers kept re-keying." in html
    assert "Agree the template first." in html
    assert "Council to contact" in html and "Priya Shah, Team leader" in html
    assert '<svg class="app-chart"' in html and 'aria-labelledby="metric-1-title"' in html
    assert "from a baseline of 2 to 1.4 in the latest, the target of 1.5 was met" in html
    assert '<th scope="row" class="govuk-table__header">1 Mar 2026 to 28 Mar 2026</th>' in html
    assert f'<link rel="alternate" type="application/json" href="/api/followup/library/{entry}"' in html


@in_own_loop
async def test_what_works_is_a_table_per_grouping(fake):
    async with pages(fake) as client:
        answer = await client.get("/library/what-works?by=partner_kind")
        assert answer.status_code == 200
        assert [c.url.params["by"] for c in fake.calls][-1] == "partner_kind"
        assert "High" in answer.text and "50%, 10%, 20%, 20%, 0%" in answer.text
        await client.get("/library/what-works?by=nonsense")
        assert [c.url.params["by"] for c in fake.calls][-1] == "service_area"


@in_own_loop
async def test_too_many_reads_is_a_page_saying_how_long_to_wait(fake):
    fake.on(
        "GET",
        "/api/followup/library",
        lambda _r: httpx.Response(429, json={"status": 429, "detail": "Too many reads"}, headers={"Retry-After": "17"}),
    )
    async with pages(fake) as client:
        answer = await client.get("/library?q=bins")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "17"
    assert "Wait 17 seconds" in answer.text
    assert 'href="/library?q=bins"' in answer.text


@in_own_loop
async def test_an_unknown_trial_is_a_404_page(fake):
    async with pages(fake) as client:
        fake.on("GET", "/api/followup/library/[0-9a-f-]{36}", {"status": 404, "detail": "no"}, status=404)
        assert (await client.get(f"/library/{uuid.uuid4()}")).status_code == 404
        assert (await client.get("/library/not-an-id")).status_code == 404


@in_own_loop
async def test_a_trials_page_gives_its_councils_contact_address_read_without_a_token(fake):
    fake.on(
        "GET",
        f"/api/councils/{COUNCIL['id']}/contact",
        {"id": COUNCIL["id"], "name": COUNCIL["name"], "contact_email": "hackday@kirkby.gov.uk"},
    )
    async with pages(fake) as client:
        html = (await client.get(f"/library/{uuid.uuid4()}")).text
    assert '<a class="govuk-link app-break" href="mailto:hackday@kirkby.gov.uk">hackday@kirkby.gov.uk</a>' in html
    asked = [c for c in fake.calls if c.url.path.endswith("/contact")]
    assert asked and all("authorization" not in c.headers for c in asked)
