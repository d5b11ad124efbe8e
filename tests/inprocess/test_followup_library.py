"""Follow-up's library in-process (tests/support/inprocess.py): links use the public base URL, conditional
reads of the open library, the platform's If-Match rule, what-works figures checked by hand. (That the
migrated schema equals the models, and that every part's models import in one process:
tests/platform/test_models_match_migrations.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.support.inprocess import InProcessPart

T = "/api/followup/trials"
PUBLIC_BASE_URL = "https://hackday.example.gov.uk"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    """Follow-up with a public base URL, and compose's internal gateway address, which must never reach
    a published record; the ideas service is not running."""
    part = InProcessPart.start(
        "followup",
        tmp_path_factory.mktemp("followup-library"),
        public_base_url=PUBLIC_BASE_URL,
        gateway_url="http://gateway:8000",
        ideas_url="http://127.0.0.1:9",
    )
    try:
        yield part
    finally:
        part.stop()


def _opened(service: InProcessPart, message: dict) -> dict:
    """A trial opened as the voting service opens it: the internal message, with its own credential."""
    answer = service.person(service="voting").post("/api/followup/internal/trials", json=message)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _published(service: InProcessPart) -> dict:
    """A trial opened by a vote, stopped with its lessons, and published."""
    council = str(uuid.uuid4())
    manager = service.person(roles=["manager", "staff"], council_id=council)
    message = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": council,
        "council_name": "Testshire",
        "title": "Texts before bin day",
    }
    trial = _opened(service, message)
    start = (date.today() - timedelta(days=100)).isoformat()
    metric = {
        "name": "Missed bins",
        "unit": "count",
        "direction": "lower_is_better",
        "baseline": {"value": 40, "period_start": start, "period_end": start, "method": "Crew log"},
    }
    assert manager.post(f"{T}/{trial['id']}/metrics", json=metric).status_code == 201
    assert manager.post(f"{T}/{trial['id']}/start").status_code == 200
    verdict = {
        "outcome": "stopped",
        "summary": "Stopped.",
        "reasons": [{"code": "cost"}],
        "lessons": {"what_did_not": "x"},
    }
    assert manager.post(f"{T}/{trial['id']}/verdict", json=verdict).status_code == 200
    published = manager.post(f"{T}/{trial['id']}/publish")
    assert published.status_code == 201, published.text
    return published.json()


def test_published_links_use_the_public_base_url_never_the_internal_gateway(service):
    record = _published(service)
    assert record["url"].startswith(f"{PUBLIC_BASE_URL}/api/followup/library/")
    for path in ("/export.json", "/feed.json", "/feed.atom", "/schema.json", ""):
        body = service.anonymous.get(f"/api/followup/library{path}").text
        assert "gateway:8000" not in body, path
    assert service.anonymous.get("/api/followup/library/schema.json").json()["$id"].startswith(PUBLIC_BASE_URL)


def test_the_library_is_read_conditionally_without_a_token(service):
    record = _published(service)
    first = service.anonymous.get(f"/api/followup/library/{record['id']}")
    assert first.status_code == 200 and first.headers["etag"]
    again = service.anonymous.get(
        f"/api/followup/library/{record['id']}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    listed = service.anonymous.get("/api/followup/library", headers={"If-None-Match": f'"x", {first.headers["etag"]}'})
    assert listed.status_code == 200  # another answer, another tag


def test_if_match_is_checked_by_the_platforms_one_rule(service):
    council = str(uuid.uuid4())
    manager = service.person(roles=["manager", "staff"], council_id=council)
    message = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": council,
        "council_name": "Testshire",
        "title": "A plan to change",
    }
    url = f"{T}/{_opened(service, message)['id']}"
    missing = manager.patch(url, json={"scope": "x"})
    malformed = manager.patch(url, json={"scope": "x"}, headers={"If-Match": "1"})
    stale = manager.patch(url, json={"scope": "x"}, headers={"If-Match": '"99"'})
    listed = manager.patch(url, json={"scope": "x"}, headers={"If-Match": '"99", "1"'})
    assert [r.status_code for r in (missing, malformed, stale, listed)] == [428, 400, 412, 200]
    assert listed.headers["etag"] == '"2"'


def _concluded(
    service: InProcessPart,
    council: uuid.UUID,
    *,
    area: str,
    kind: str | None,
    cost: float,
    latest: float | None,
    outcome: str,
    design: str | None = "before_after",
) -> dict:
    """A published trial of `council`: hours per case 2.0 → `latest`, 1,000 cases a year at £20 an hour."""
    manager = service.person(roles=["manager", "staff"], council_id=str(council))
    message = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": str(council),
        "council_name": "Handshire",
        "title": f"{area} {kind} {outcome}",
        "service_area": area,
    }
    url = f"{T}/{_opened(service, message)['id']}"
    plan = {"trial_cost_pounds": cost, **({"kind_of_change": kind} if kind else {})}
    assert manager.patch(url, json=plan, headers={"If-Match": "*"}).status_code == 200
    day = (date.today() - timedelta(days=60)).isoformat()
    metric = {
        "name": "Hours per case",
        "unit": "hours_per_case",
        "direction": "lower_is_better",
        "baseline": {"value": 2.0, "period_start": day, "period_end": day, "method": "Case system"},
        "annual_volume": 1000,
        "hourly_cost_pounds": 20,
    }
    metric_id = manager.post(f"{url}/metrics", json=metric).json()["id"]
    assert manager.post(f"{url}/start").status_code == 200
    if latest is not None:
        today = date.today().isoformat()
        reading = {"metric_id": metric_id, "value": latest, "period_start": today, "period_end": today}
        assert manager.post(f"{url}/measurements", json=reading).status_code == 201
    if outcome != "stopped":
        assert manager.post(f"{url}/evaluate").status_code == 200
    verdict = {
        "outcome": outcome,
        "summary": "As measured.",
        "reasons": [] if outcome == "worked" else [{"code": "adoption"}],
        "lessons": {"what_worked": "x"},
        "design": design,
    }
    given = manager.post(f"{url}/verdict", json=verdict)
    assert given.status_code == 200, given.text
    published = manager.post(f"{url}/publish")
    assert published.status_code == 201, published.text
    return published.json()


def test_what_works_figures_checked_by_hand(service):
    """Five trials of one council. By service area, housing: worked (2.0 → 1.5 h: 500 h, £10,000, cost
    £2,000, level 2), partly (2.0 → 1.8: 200 h, £4,000, cost £6,000, comparison group: level 3) and
    did not work (2.0 → 2.1, cost £1,000, level 2); waste: stopped (no reading, cost £0, level 1) and no
    change (2.0 → 2.0, cost £500, level 2)."""
    council = uuid.uuid4()

    for area, kind, cost, latest, outcome, design in (
        ("housing", "automation", 2000, 1.5, "worked", "before_after"),
        ("housing", "automation", 6000, 1.8, "partly", "comparison_group"),
        ("housing", "communication", 1000, 2.1, "did_not_work", "before_after"),
        ("waste_and_recycling", "communication", 0, None, "stopped", None),
        ("waste_and_recycling", None, 500, 2.0, "no_change", "before_after"),
    ):
        _concluded(service, council, area=area, kind=kind, cost=cost, latest=latest, outcome=outcome, design=design)
    params = {"council_id": str(council)}
    by_area_answer = service.anonymous.get("/api/followup/library/what-works", params=params)
    by_kind_answer = service.anonymous.get(
        "/api/followup/library/what-works", params={**params, "by": "kind_of_change"}
    )
    assert by_area_answer.status_code == by_kind_answer.status_code == 200, by_area_answer.text
    by_area, by_kind = by_area_answer.json(), by_kind_answer.json()
    assert by_area["trials"] == 5 and [g["key"] for g in by_area["groups"]] == ["housing", "waste_and_recycling"]
    housing, waste = by_area["groups"]
    assert housing["trials"] == 3 and housing["own"] == 3 and housing["imported"] == 0
    assert housing["shares"] == {
        "worked": 0.3333,
        "partly": 0.3333,
        "no_change": 0.0,
        "failed": 0.3333,
        "inconclusive": 0.0,
    }
    # Gains over the two that worked or partly worked: £10,000 and £4,000; 500 and 200 hours;
    # net £8,000 and −£2,000.
    assert (housing["median_annual_pounds"], housing["median_annual_hours"], housing["median_net_pounds"]) == (
        7000.0,
        350.0,
        3000.0,
    )
    assert housing["evidence_levels"] == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}
    assert housing["median_trial_cost_pounds"] == 2000.0 and housing["median_days_to_verdict"] == 0.0
    assert housing["at_a_glance"] == {"impact": "high", "cost": "low", "evidence": 2}
    assert waste["shares"]["no_change"] == 0.5 and waste["shares"]["failed"] == 0.5
    assert waste["median_annual_pounds"] is None and waste["median_trial_cost_pounds"] == 250.0
    # Levels 1 and 2: median 1.5, rounded down (never overstated).
    assert waste["at_a_glance"] == {"impact": "low", "cost": "very low", "evidence": 1}

    assert [(g["key"], g["trials"]) for g in by_kind["groups"]] == [
        ("automation", 2),
        ("communication", 2),
        ("unclassified", 1),
    ]
    automation, communication, _ = by_kind["groups"]
    assert automation["shares"]["worked"] == 0.5 and automation["shares"]["partly"] == 0.5
    assert automation["median_annual_pounds"] == 7000.0 and automation["median_trial_cost_pounds"] == 4000.0
    assert automation["at_a_glance"] == {"impact": "high", "cost": "low", "evidence": 2}
    assert communication["shares"]["failed"] == 1.0 and communication["at_a_glance"]["impact"] == "low"
