"""The shared library: failures published with their lessons, stopped trials, search, the JSON export
validated against its own published JSON Schema, the CSV export and the feed."""

from __future__ import annotations

import csv
import io
import uuid

import jsonschema
import pytest

from tests.followup.kit import (
    LIBRARY,
    TRIALS,
    add_metric,
    baseline,
    measure,
    ok,
    open_trial,
    problem,
    run_to_evaluation,
)

TAG = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def failed(town) -> dict:
    """A trial that did not work, published with its lessons (the honesty the sector needs)."""
    idea = town.idea(f"Robotic process automation for housing benefit {TAG}", service_area="housing")
    trial = open_trial(town.manager, idea["id"], trial_cost_pounds=12000)
    metric = add_metric(town.manager, trial["id"], baseline=baseline(3.0), annual_volume=4000, hourly_cost_pounds=22)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    measure(town.manager, trial["id"], metric["id"], 3.1)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    concluded = ok(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/verdict",
            json={
                "outcome": "did_not_work",
                "summary": "The bot broke each time the benefits system changed a screen.",
                "reasons": [
                    {"code": "technology", "note": "Screen-scraping is brittle."},
                    {"code": "information_governance", "note": "The DPIA took four months."},
                ],
                "lessons": {
                    "what_worked": "Mapping the process found two steps nobody needed.",
                    "what_did_not": "The bot itself.",
                    "do_differently": "Ask the supplier for an API before buying a bot.",
                    "conditions_elsewhere": "Only with a stable system that has an API.",
                },
                "design": "before_after",
            },
        )
    )
    assert concluded["verdict"]["gain"]["net_pounds"] == -20800.0  # −0.1 h × 4000 × £22 − £12,000
    record = ok(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)
    return record


@pytest.fixture(scope="module")
def stopped(town) -> dict:
    idea = town.idea(f"Drone surveys of potholes {TAG}", service_area="highways_and_transport")
    trial = open_trial(town.manager, idea["id"])
    add_metric(town.manager, trial["id"], name="Days to repair", unit="days_waiting", baseline=baseline(28))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    body = ok(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/verdict",
            json={
                "outcome": "stopped",
                "summary": "Stopped after three weeks: flight permissions were refused over the ring road.",
                "reasons": [{"code": "external_change", "note": "CAA rules changed."}],
                "lessons": {"do_differently": "Check airspace permissions before buying kit."},
            },
        )
    )
    assert body["status"] == "stopped" and body["verdict"]["evidence"]["level"] == 1
    return ok(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)


def test_a_failed_trial_is_published_with_its_lessons(town, other_town, failed):
    entry = ok(other_town.staff.get(f"{LIBRARY}/{failed['id']}"))
    assert entry["outcome"] == "did_not_work"
    assert [r["code"] for r in entry["reasons"]] == ["technology", "information_governance"]
    assert entry["lessons"]["do_differently"] == "Ask the supplier for an API before buying a bot."
    assert entry["gain"]["net_pounds"] == -20800.0
    assert entry["metrics"][0]["improvement"] == -0.1
    found = ok(other_town.staff.get(LIBRARY, params={"outcome": "did_not_work", "q": TAG}))
    assert [e["id"] for e in found["items"]] == [failed["id"]]
    # A search result already says why it failed and what to do differently.
    hit = found["items"][0]
    assert [r["code"] for r in hit["reasons"]] == ["technology", "information_governance"]
    assert hit["lessons"] == entry["lessons"] and hit["gain"] == entry["gain"]
    assert hit["evidence"] == entry["evidence"] and hit["status"] == "concluded"


def test_a_stopped_trial_is_published_too(other_town, stopped):
    found = ok(other_town.staff.get(LIBRARY, params={"outcome": "stopped", "q": TAG}))
    assert [e["id"] for e in found["items"]] == [stopped["id"]]
    assert stopped["status"] == "stopped" and stopped["ended_on"]


def test_an_unfinished_trial_cannot_be_published(town):
    trial = open_trial(town.manager, town.idea("Too early to publish")["id"])
    add_metric(town.manager, trial["id"], baseline=baseline(1))
    run_to_evaluation(town.manager, trial["id"])
    problem(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 409, "status")


def test_searching_by_service_area_evidence_and_council(other_town, town, failed, stopped):
    by_area = ok(other_town.staff.get(LIBRARY, params={"service_area": "housing", "q": TAG}))
    assert [e["id"] for e in by_area["items"]] == [failed["id"]]
    by_level = ok(other_town.staff.get(LIBRARY, params={"evidence_level": 2, "q": TAG}))
    assert [e["id"] for e in by_level["items"]] == [failed["id"]]
    by_council = ok(other_town.staff.get(LIBRARY, params={"council_id": town.council.id, "q": TAG}))
    assert {e["id"] for e in by_council["items"]} == {failed["id"], stopped["id"]}
    # What became of several ideas at once (the gateway's similar-ideas view asks this way).
    by_ideas = ok(other_town.staff.get(LIBRARY, params={"idea_id": [failed["idea_id"], stopped["idea_id"]]}))
    assert {e["id"] for e in by_ideas["items"]} == {failed["id"], stopped["id"]}
    nothing = ok(other_town.staff.get(LIBRARY, params={"council_id": other_town.council.id, "q": TAG}))
    assert nothing["items"] == [] and nothing["total"] == 0
    assert ok(other_town.staff.get(LIBRARY, params={"q": "100%_of_nothing"}))["total"] == 0
    problem(other_town.staff.get(LIBRARY, params={"evidence_level": 9}), 422, "evidence_level")
    problem(other_town.staff.get(LIBRARY, params={"limit": 201}), 422, "limit")


def test_the_json_export_validates_against_its_published_schema(other_town, failed, stopped):
    schema = ok(other_town.staff.get(f"{LIBRARY}/schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    export = ok(other_town.staff.get(f"{LIBRARY}/export.json", params={"q": TAG}))
    assert export["total"] == 2 and {e["id"] for e in export["entries"]} == {failed["id"], stopped["id"]}
    assert export["$schema"].endswith("/api/followup/library/schema.json")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(export), key=str)
    assert errors == [], errors[:3]
    # The schema has teeth: an export with a made-up field or a wrong outcome is refused.
    tampered = {**export, "entries": [{**export["entries"][0], "gain_typed_by_hand": 1}]}
    assert not validator.is_valid(tampered)
    wrong = {**export, "entries": [{**export["entries"][0], "outcome": "brilliant"}]}
    assert not validator.is_valid(wrong)


def test_the_csv_export(other_town, failed, stopped):
    response = other_town.staff.get(f"{LIBRARY}/export.csv", params={"q": TAG})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == {failed["id"], stopped["id"]}
    row = by_id[failed["id"]]
    assert row["outcome"] == "did_not_work" and row["reasons"] == "technology;information_governance"
    assert float(row["net_pounds"]) == -20800.0 and row["licence"] == "Open Government Licence v3.0"


def test_the_feed_lists_new_entries_for_subscribers(other_town, failed, stopped):
    response = other_town.staff.get(f"{LIBRARY}/feed.json", params={"q": TAG})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["id"] for item in feed["items"]] == [stopped["id"], failed["id"]]  # newest first
    assert "did not work" in feed["items"][1]["title"]


OPEN_READS = ("", "/export.json", "/export.csv", "/feed.json", "/feed.atom", "/schema.json")


def test_the_library_is_open_data_read_without_sign_in(anonymous, failed, stopped):
    """OGL open data: every library read answers without a token, through the gateway."""
    for path in OPEN_READS:
        response = anonymous.get(f"{LIBRARY}{path}", params={"q": TAG} if path != "/schema.json" else None)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
    page = ok(anonymous.get(LIBRARY, params={"q": TAG}))
    assert {e["id"] for e in page["items"]} == {failed["id"], stopped["id"]}
    record = ok(anonymous.get(f"{LIBRARY}/{failed['id']}"))
    assert record["outcome"] == "did_not_work" and record["licence"]["name"] == "Open Government Licence v3.0"


def test_writes_and_private_reads_still_need_a_sign_in(anonymous, failed):
    problem(anonymous.post(f"{TRIALS}/{failed['trial_id']}/publish"), 401)
    problem(anonymous.post(LIBRARY, json={}), 401)
    problem(anonymous.get(f"{TRIALS}/{failed['trial_id']}"), 401)
    problem(anonymous.get("/api/followup/portfolio"), 401)
    # Credentials that are sent are still checked: a forged token is refused, not read as anonymous.
    problem(anonymous.get(LIBRARY, headers={"Authorization": "Bearer not-a-token"}), 401)


def test_the_atom_feed_for_ordinary_feed_readers(anonymous, failed, stopped):
    import xml.etree.ElementTree as ET

    response = anonymous.get(f"{LIBRARY}/feed.atom", params={"q": TAG})
    assert response.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id") for e in entries] == [f"urn:uuid:{stopped['id']}", f"urn:uuid:{failed['id']}"]
    first = entries[1]
    assert "did not work" in first.findtext(f"{atom}title")
    assert first.find(f"{atom}link").get("href") == failed["url"]
    assert "Open Government Licence" in first.findtext(f"{atom}rights")
    assert {c.get("term") for c in first.findall(f"{atom}category")} >= {"housing", "did_not_work"}


def test_conditional_reads_answer_304_until_the_library_changes(anonymous, town, failed, stopped):
    for path in [*OPEN_READS, f"/{failed['id']}"]:
        first = anonymous.get(f"{LIBRARY}{path}", params={"q": TAG} if path in OPEN_READS[:5] else None)
        tag = first.headers["etag"]
        assert tag.startswith('"') and tag.endswith('"'), (path, tag)
        again = anonymous.get(
            f"{LIBRARY}{path}",
            params={"q": TAG} if path in OPEN_READS[:5] else None,
            headers={"If-None-Match": tag},
        )
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == tag
        stale = anonymous.get(f"{LIBRARY}{path}", headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200, path
    # A new entry changes what the feed says, so the old tag no longer matches.
    old = anonymous.get(f"{LIBRARY}/feed.json").headers["etag"]
    # (A title of its own: published ideas are what other tests' similar-idea searches find.)
    idea = town.idea("Gritting routes planned from road sensors", service_area="highways_and_transport")
    trial = open_trial(town.manager, idea["id"])
    add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    body = {
        "outcome": "stopped",
        "summary": "Stopped.",
        "reasons": [{"code": "cost"}],
        "lessons": {"what_did_not": "x"},
    }
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/verdict", json=body))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)
    assert anonymous.get(f"{LIBRARY}/feed.json", headers={"If-None-Match": old}).status_code == 200


def test_anonymous_readers_are_rate_limited_per_address(platform, town):
    from tests.support.processes import another

    with another(platform.runner, "gateway", ready="/readyz", GATEWAY_ANONYMOUS_READ_RATE_LIMIT="3/minute") as gw:
        assert [gw.get(LIBRARY).status_code for _ in range(3)] == [200, 200, 200]
        refused = problem(gw.get(f"{LIBRARY}/feed.atom"), 429)
        assert "sign in" in refused["detail"]
        assert int(gw.get(LIBRARY).headers["retry-after"]) >= 1
        # A signed-in reader is not counted against the anonymous limit.
        assert gw.get(LIBRARY, headers=dict(town.staff.headers)).status_code == 200


def test_links_in_records_use_the_public_base_url_not_the_internal_gateway(platform):
    """`FOLLOWUP_PUBLIC_BASE_URL` is where published links point; `FOLLOWUP_GATEWAY_URL` (the internal
    address for the service's credential, compose's http://gateway:8000) never ends up in a record."""
    from tests.support.processes import another

    public = "https://hackday.example.gov.uk"
    # (That compose's internal gateway address never reaches a record: tests/inprocess/test_followup_library.py.)
    with another(platform.runner, "followup", start_within=90, FOLLOWUP_PUBLIC_BASE_URL=public) as followup:
        schema = ok(followup.get(f"{LIBRARY}/schema.json"))
        assert schema["$id"] == f"{public}/api/followup/library/schema.json"
        export = ok(followup.get(f"{LIBRARY}/export.json", params={"limit": 5}))
        assert export["$schema"].startswith(public)
        feed = ok(followup.get(f"{LIBRARY}/feed.json", params={"limit": 5}))
        assert feed["feed_url"].startswith(public) and "gateway:8000" not in str(feed)


def test_a_published_outcome_reaches_the_ideas_service_exactly_once(platform, other_town, failed, stopped):
    """Publishing writes an event in the same transaction (the outbox); the relay delivers it to the
    ideas service, which then lets every council read the idea in full."""
    import asyncio
    import json
    import time

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from platform_core.db import async_url

    async def events() -> list:
        engine = create_async_engine(async_url(platform.database_url("followup")))
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text("SELECT topic, destination, payload, delivered_at FROM outbox_events"))
                return list(rows)
        finally:
            await engine.dispose()

    deadline = time.monotonic() + 20
    while True:
        rows = {}
        for topic, destination, payload, delivered_at in asyncio.run(events()):
            payload = json.loads(payload) if isinstance(payload, str) else payload
            rows[payload["trial_id"]] = (topic, destination, payload, delivered_at)
        if all(rows.get(r["trial_id"], (0, 0, 0, None))[3] is not None for r in (failed, stopped)):
            break
        assert time.monotonic() < deadline, f"not delivered: {rows}"
        time.sleep(0.2)
    for record in (failed, stopped):
        topic, destination, payload, _ = rows[record["trial_id"]]
        assert (topic, destination) == ("trial.outcome_published", "ideas")
        assert {k: payload[k] for k in ("idea_id", "verdict", "trial_id", "library_entry_id")} == {
            "idea_id": record["idea_id"],
            "verdict": record["outcome"],
            "trial_id": record["trial_id"],
            "library_entry_id": record["id"],
        }
        # Another council may now read the idea itself in full, not just its title.
        idea = ok(other_town.staff.get(f"/api/ideas/ideas/{record['idea_id']}"))
        assert idea["view"] == "full" and idea["problem"]
