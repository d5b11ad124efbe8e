"""Follow-up's rules in-process (about a second each): links use the public base URL, conditional
reads of the open library, the platform's If-Match rule. (That the migrated schema equals the models,
and that every part's models import in one process: tests/platform/test_models_match_migrations.py.)"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest

from tests.followup.inprocess import PUBLIC_BASE_URL, Service, make_service

T = "/api/followup/trials"


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    return make_service(tmp_path_factory.mktemp("followup"))


async def _published(client: httpx.AsyncClient, service: Service) -> dict:
    """A trial opened by a vote, stopped with its lessons, and published."""
    manager = service.token("manager", "staff")
    message = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": str(service.council_id),
        "council_name": "Testshire",
        "title": "Texts before bin day",
    }
    trial = (await client.post("/api/followup/internal/trials", json=message, headers=service.token("service"))).json()
    start = (date.today() - timedelta(days=100)).isoformat()
    metric = {
        "name": "Missed bins",
        "unit": "count",
        "direction": "lower_is_better",
        "baseline": {"value": 40, "period_start": start, "period_end": start, "method": "Crew log"},
    }
    assert (await client.post(f"{T}/{trial['id']}/metrics", json=metric, headers=manager)).status_code == 201
    assert (await client.post(f"{T}/{trial['id']}/start", headers=manager)).status_code == 200
    verdict = {
        "outcome": "stopped",
        "summary": "Stopped.",
        "reasons": [{"code": "cost"}],
        "lessons": {"what_did_not": "x"},
    }
    assert (await client.post(f"{T}/{trial['id']}/verdict", json=verdict, headers=manager)).status_code == 200
    published = await client.post(f"{T}/{trial['id']}/publish", headers=manager)
    assert published.status_code == 201, published.text
    return published.json()


def test_published_links_use_the_public_base_url_never_the_internal_gateway(service):
    async def scenario(client: httpx.AsyncClient) -> None:
        record = await _published(client, service)
        assert record["url"].startswith(f"{PUBLIC_BASE_URL}/api/followup/library/")
        for path in ("/export.json", "/feed.json", "/feed.atom", "/schema.json", ""):
            body = (await client.get(f"/api/followup/library{path}")).text
            assert "gateway:8000" not in body, path
        assert (await client.get("/api/followup/library/schema.json")).json()["$id"].startswith(PUBLIC_BASE_URL)

    service.run(scenario)


def test_the_library_is_read_conditionally_without_a_token(service):
    async def scenario(client: httpx.AsyncClient) -> None:
        record = await _published(client, service)
        first = await client.get(f"/api/followup/library/{record['id']}")
        assert first.status_code == 200 and first.headers["etag"]
        again = await client.get(
            f"/api/followup/library/{record['id']}", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304 and again.content == b""
        listed = await client.get("/api/followup/library", headers={"If-None-Match": f'"x", {first.headers["etag"]}'})
        assert listed.status_code == 200  # another answer, another tag

    service.run(scenario)


def test_if_match_is_checked_by_the_platforms_one_rule(service):
    async def scenario(client: httpx.AsyncClient) -> None:
        manager = service.token("manager", "staff")
        message = {
            "event_id": str(uuid.uuid4()),
            "idea_id": str(uuid.uuid4()),
            "council_id": str(service.council_id),
            "council_name": "Testshire",
            "title": "A plan to change",
        }
        trial = (
            await client.post("/api/followup/internal/trials", json=message, headers=service.token("service"))
        ).json()
        url = f"{T}/{trial['id']}"
        missing = await client.patch(url, json={"scope": "x"}, headers=manager)
        malformed = await client.patch(url, json={"scope": "x"}, headers={**manager, "If-Match": "1"})
        stale = await client.patch(url, json={"scope": "x"}, headers={**manager, "If-Match": '"99"'})
        listed = await client.patch(url, json={"scope": "x"}, headers={**manager, "If-Match": '"99", "1"'})
        assert [r.status_code for r in (missing, malformed, stale, listed)] == [428, 400, 412, 200]
        assert listed.headers["etag"] == '"2"'

    service.run(scenario)


async def _concluded(
    client: httpx.AsyncClient,
    service: Service,
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
    manager = service.token("manager", "staff", council_id=council)
    message = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": str(council),
        "council_name": "Handshire",
        "title": f"{area} {kind} {outcome}",
        "service_area": area,
    }
    trial = (await client.post("/api/followup/internal/trials", json=message, headers=service.token("service"))).json()
    url = f"{T}/{trial['id']}"
    plan = {"trial_cost_pounds": cost, **({"kind_of_change": kind} if kind else {})}
    assert (await client.patch(url, json=plan, headers={**manager, "If-Match": "*"})).status_code == 200
    day = (date.today() - timedelta(days=60)).isoformat()
    metric = {
        "name": "Hours per case",
        "unit": "hours_per_case",
        "direction": "lower_is_better",
        "baseline": {"value": 2.0, "period_start": day, "period_end": day, "method": "Case system"},
        "annual_volume": 1000,
        "hourly_cost_pounds": 20,
    }
    metric_id = (await client.post(f"{url}/metrics", json=metric, headers=manager)).json()["id"]
    assert (await client.post(f"{url}/start", headers=manager)).status_code == 200
    if latest is not None:
        today = date.today().isoformat()
        reading = {"metric_id": metric_id, "value": latest, "period_start": today, "period_end": today}
        assert (await client.post(f"{url}/measurements", json=reading, headers=manager)).status_code == 201
    if outcome != "stopped":
        assert (await client.post(f"{url}/evaluate", headers=manager)).status_code == 200
    verdict = {
        "outcome": outcome,
        "summary": "As measured.",
        "reasons": [] if outcome == "worked" else [{"code": "adoption"}],
        "lessons": {"what_worked": "x"},
        "design": design,
    }
    given = await client.post(f"{url}/verdict", json=verdict, headers=manager)
    assert given.status_code == 200, given.text
    published = await client.post(f"{url}/publish", headers=manager)
    assert published.status_code == 201, published.text
    return published.json()


def test_what_works_figures_checked_by_hand(service):
    """Five trials of one council. By service area, housing: worked (2.0 → 1.5 h: 500 h, £10,000, cost
    £2,000, level 2), partly (2.0 → 1.8: 200 h, £4,000, cost £6,000, comparison group: level 3) and
    did not work (2.0 → 2.1, cost £1,000, level 2); waste: stopped (no reading, cost £0, level 1) and no
    change (2.0 → 2.0, cost £500, level 2)."""
    council = uuid.uuid4()

    async def scenario(client: httpx.AsyncClient) -> tuple[dict, dict]:
        for area, kind, cost, latest, outcome, design in (
            ("housing", "automation", 2000, 1.5, "worked", "before_after"),
            ("housing", "automation", 6000, 1.8, "partly", "comparison_group"),
            ("housing", "communication", 1000, 2.1, "did_not_work", "before_after"),
            ("waste_and_recycling", "communication", 0, None, "stopped", None),
            ("waste_and_recycling", None, 500, 2.0, "no_change", "before_after"),
        ):
            await _concluded(
                client, service, council, area=area, kind=kind, cost=cost, latest=latest, outcome=outcome, design=design
            )
        params = {"council_id": str(council)}
        by_area = await client.get("/api/followup/library/what-works", params=params)
        by_kind = await client.get("/api/followup/library/what-works", params={**params, "by": "kind_of_change"})
        assert by_area.status_code == by_kind.status_code == 200, by_area.text
        return by_area.json(), by_kind.json()

    by_area, by_kind = service.run(scenario)
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
