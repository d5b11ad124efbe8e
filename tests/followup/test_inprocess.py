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
