"""Federation between two platforms on this machine: A publishes, B imports A's library over HTTP.

Platform A is the suite's platform; B is a second whole platform with its own databases, keys and
admin, started once for this module. B subscribes to A's federation feed through a TCP proxy the
test can cut, so "the source is down" is a real refused connection. B imports only on demand here
(its schedule is off) except in the last test, where a second follow-up process of B, with a
one-second schedule, imports by itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.conftest import RunningPlatform, _start_platform
from tests.followup.kit import LIBRARY, TRIALS, add_metric, baseline, measure, ok, open_trial, problem, verdict_body
from tests.journey.hackday import wait_for
from tests.support.actors import Actor, login
from tests.support.processes import another
from tests.support.tcp_proxy import CuttableProxy

TAG = uuid.uuid4().hex[:8]
SUBSCRIPTIONS = "/api/followup/federation/subscriptions"


@pytest.fixture(scope="module")
def platform_b(platform: RunningPlatform) -> Iterator[RunningPlatform]:
    yield from _start_platform(platform.backend, {"FOLLOWUP_FEDERATION_INTERVAL_SECONDS": "0"})


@pytest.fixture(scope="module")
def b_admin(platform_b: RunningPlatform) -> Iterator[Actor]:
    with platform_b.client() as client:
        actor = login(client, platform_b.admin_email, platform_b.admin_password)
        actor.token = platform_b.issuer.issue(
            subject=actor.id, council_id=None, council_name="", roles=["admin"], name=actor.name
        )
        yield actor


@pytest.fixture(scope="module")
def b_staff(platform_b: RunningPlatform, b_admin: Actor) -> Actor:
    """A member of staff of a council on platform B, who writes ideas there."""
    slug = f"b-council-{TAG}"
    council = ok(b_admin.post("/api/councils", json={"name": f"B Council {TAG}", "slug": slug}), 201)
    person = ok(
        b_admin.post(
            "/api/people",
            json={"email": f"{slug}@example.org", "name": "Bea Staff", "council_id": council["id"], "roles": ["staff"]},
        ),
        201,
    )
    token = platform_b.issuer.issue(
        subject=person["id"], council_id=council["id"], council_name=council["name"], roles=["staff"], name="Bea Staff"
    )
    return Actor(client=b_admin.client, token=token, id=person["id"], council_id=council["id"], roles=["staff"])


@pytest.fixture(scope="module")
def b_reader(platform_b: RunningPlatform) -> Iterator:
    with platform_b.client() as client:
        yield client


@pytest.fixture(scope="module")
def link(platform: RunningPlatform) -> Iterator[CuttableProxy]:
    """B reaches A's gateway through this proxy; cutting it takes A away from B."""
    address = urlsplit(platform.gateway_url)
    proxy = CuttableProxy(address.hostname or "127.0.0.1", address.port or 80)
    proxy.open()
    yield proxy
    proxy.shutdown()


def _published(town, title: str, outcome: str) -> dict:
    idea = town.idea(f"{title} {TAG}")
    trial = open_trial(town.manager, idea["id"])
    metric = add_metric(town.manager, trial["id"], baseline=baseline(3.0), annual_volume=1000, hourly_cost_pounds=20)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    measure(town.manager, trial["id"], metric["id"], 2.0 if outcome == "worked" else 3.1)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/verdict", json=verdict_body(outcome, design="before_after")))
    return ok(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)


@pytest.fixture(scope="module")
def on_a(town) -> dict[str, dict]:
    """Two verdicts published on A: one that worked, one that failed."""
    return {
        "worked": _published(town, "Pre-filled change-of-address forms", "worked"),
        "failed": _published(town, "Chatbot for council tax arrears", "did_not_work"),
    }


@pytest.fixture(scope="module")
def subscription(b_admin: Actor, link: CuttableProxy, on_a) -> dict:
    feed = f"http://127.0.0.1:{link.port}{LIBRARY}/federation.json"
    made = ok(b_admin.post(SUBSCRIPTIONS, json={"name": "Platform A", "feed_url": feed}), 201)
    problem(b_admin.post(SUBSCRIPTIONS, json={"name": "Again", "feed_url": feed}), 409, "feed_url")
    return made


def _import(b_admin: Actor, subscription: dict) -> dict:
    return ok(b_admin.post(f"{SUBSCRIPTIONS}/{subscription['id']}/import"))


def _ours(b_reader, **params) -> list[dict]:
    return ok(b_reader.get(LIBRARY, params={"q": TAG, **params}))["items"]


def test_b_imports_a_library_attributed_and_reads_it_in_its_library_and_what_works(
    b_admin, b_reader, subscription, on_a, town
):
    status = _import(b_admin, subscription)
    assert status["last_error"] is None and status["last_success_at"], status
    assert status["last_counts"]["added"] >= 2 and status["last_counts"]["refused"] == 0, status

    items = {i["title"]: i for i in _ours(b_reader)}
    assert len(items) == 2, items
    failed = next(i for i in items.values() if i["outcome"] == "did_not_work")
    assert failed["source"]["platform"] == "Platform A"
    assert failed["source"]["entry_id"] == on_a["failed"]["id"]
    assert failed["source"]["entry_url"] == on_a["failed"]["url"]
    assert failed["council"]["name"] == town.council.name
    assert failed["id"] != on_a["failed"]["id"]  # our own copy, with our own address
    record = ok(b_reader.get(f"{LIBRARY}/{failed['id']}"))
    assert record["licence"]["name"].startswith("Open Government Licence") and record["attribution"]
    assert record["lessons"] == on_a["failed"]["lessons"]
    assert _ours(b_reader, origin="own") == []
    assert len(_ours(b_reader, origin="imported")) == 2

    works = ok(b_reader.get(f"{LIBRARY}/what-works", params={"q": TAG, "by": "service_area"}))
    assert works["trials"] == 2
    assert sum(g["imported"] for g in works["groups"]) == 2 and sum(g["own"] for g in works["groups"]) == 0

    # B's own federation feed offers only B's own entries: nothing is passed on a second time.
    feed = ok(b_reader.get(f"{LIBRARY}/federation.json"))
    assert all(e["record"] is None or e["record"]["source"] is None for e in feed["entries"])
    assert on_a["failed"]["id"] not in {e["id"] for e in feed["entries"]}


def test_importing_again_changes_nothing_and_asks_only_with_etags(b_admin, b_reader, subscription):
    before = {i["id"]: i for i in _ours(b_reader)}
    status = _import(b_admin, subscription)
    counts = status["last_counts"]
    assert status["last_error"] is None, status
    assert counts["added"] == counts["updated"] == counts["withdrawn"] == 0, counts
    # Every page was asked for with its ETag and answered 304: nothing read, nothing written.
    assert counts["pages_unchanged"] >= 1 and counts["pages_fetched"] == 0, counts
    assert {i["id"]: i for i in _ours(b_reader)} == before


def test_a_correction_and_a_withdrawal_on_a_are_followed_on_b(b_admin, b_reader, subscription, on_a, town):
    worked, failed = on_a["worked"], on_a["failed"]
    # Only the council's managers correct, with the version they read.
    problem(town.staff.patch(f"{LIBRARY}/{worked['id']}", json={"note": "x", "summary": "y"}), 403)
    problem(town.manager.patch(f"{LIBRARY}/{worked['id']}", json={"note": "Figures", "summary": "Better."}), 428)
    corrected = ok(
        town.manager.patch(
            f"{LIBRARY}/{worked['id']}",
            json={"note": "The saving was counted twice; halved.", "summary": "Pre-filling saved half an hour."},
            headers={"If-Match": '"1"'},
        )
    )
    assert corrected["summary"] == "Pre-filling saved half an hour."
    assert corrected["corrections"][0]["note"] == "The saving was counted twice; halved."
    ok(town.manager.post(f"{LIBRARY}/{failed['id']}/withdrawal", json={"reason": "Published by mistake."}))
    problem(town.staff.get(f"{LIBRARY}/{failed['id']}"), 404)

    status = _import(b_admin, subscription)
    assert status["last_counts"]["updated"] == 1 and status["last_counts"]["withdrawn"] == 1, status
    items = _ours(b_reader)
    assert [i["source"]["entry_id"] for i in items] == [worked["id"]]
    copy = ok(b_reader.get(f"{LIBRARY}/{items[0]['id']}"))
    assert copy["summary"] == "Pre-filling saved half an hour."
    assert copy["corrections"][0]["note"] == "The saving was counted twice; halved."
    assert copy["source"]["version"] == 2
    assert status["entries"] >= 1


def _tried_before_on_b(b_staff: Actor, title: str, entry_id: str) -> dict | None:
    """B's "tried before?" for a draft: the similar idea that is A's library entry `entry_id`, if shown."""
    answer = ok(b_staff.post("/api/journeys/tried-before", json={"title": title, "limit": 20}))
    for item in answer["items"]:
        if ((item["outcome"] or {}).get("imported_from") or {}).get("entry_id") == entry_id:
            return item
    return None


def test_a_failure_imported_from_a_is_tried_before_on_b_corrected_and_gone_once_withdrawn(
    b_admin, b_staff, subscription, town
):
    """Follow-up tells B's ideas service of each imported verdict (outbox): B's "tried before?" finds
    it beside B's own, attributed to A and its council, under its licence, warned as a failure; a
    correction at A shows after the next import, and a withdrawal at A takes it away."""
    failed = _published(town, "Robot mowers for cemetery verges", "did_not_work")
    status = _import(b_admin, subscription)
    assert status["last_counts"]["added"] >= 1, status
    draft = f"Robot mowers for verges in cemeteries {TAG}"

    hit = wait_for(lambda: _tried_before_on_b(b_staff, draft, failed["id"]), "A's failure in B's tried before?")
    assert hit["idea"]["view"] == "imported" and hit["idea"]["id"] == failed["idea_id"]
    assert hit["idea"]["council_name"] == town.council.name
    assert hit["idea"]["source"]["platform"] == "Platform A"
    assert hit["idea"]["source"]["entry_url"] == failed["url"]
    assert hit["idea"]["source"]["licence"]["name"].startswith("Open Government Licence")
    assert hit["outcome"]["verdict"] == "did_not_work" and hit["outcome"]["source"] == "library"
    assert hit["outcome"]["imported_from"]["platform"] == "Platform A"
    assert hit["warning"] is True
    assert hit["warning_reason"].startswith(f"Tried by {town.council.name} (on Platform A): did not work")

    ok(
        town.manager.patch(
            f"{LIBRARY}/{failed['id']}",
            json={"note": "Summary reworded.", "summary": "The mowers could not cross the gravel paths."},
            headers={"If-Match": '"1"'},
        )
    )
    assert _import(b_admin, subscription)["last_counts"]["updated"] >= 1
    wait_for(
        lambda: (h := _tried_before_on_b(b_staff, draft, failed["id"]))
        and h["idea"]["summary"] == "The mowers could not cross the gravel paths.",
        "A's correction in B's tried before?",
    )

    ok(town.manager.post(f"{LIBRARY}/{failed['id']}/withdrawal", json={"reason": "Wrong council."}))
    assert _tried_before_on_b(b_staff, draft, failed["id"]) is not None  # B has not imported since
    assert _import(b_admin, subscription)["last_counts"]["withdrawn"] >= 1
    wait_for(lambda: _tried_before_on_b(b_staff, draft, failed["id"]) is None, "the withdrawal in B's tried before?")


def test_a_source_that_is_down_or_sends_garbage_is_said_so_and_nothing_is_lost(
    b_admin, b_reader, subscription, link, platform
):
    held = _ours(b_reader)
    assert held
    entries = ok(b_admin.get(f"{SUBSCRIPTIONS}/{subscription['id']}"))["entries"]
    link.cut()
    try:
        status = _import(b_admin, subscription)
    finally:
        link.open()
    assert "could not be reached" in status["last_error"] and str(link.port) in status["last_error"], status
    assert _ours(b_reader) == held
    assert status["entries"] == entries

    garbage = {
        "did not answer JSON": f"{platform.gateway_url}{LIBRARY}/export.csv",
        "is not a federation feed": f"{platform.gateway_url}{LIBRARY}/schema.json",
        "answered HTTP 404": f"{platform.gateway_url}{LIBRARY}/nowhere/federation.json",
    }
    for said, url in garbage.items():
        bad = ok(b_admin.post(SUBSCRIPTIONS, json={"name": f"Bad {said}", "feed_url": url}), 201)
        status = _import(b_admin, bad)
        assert said in status["last_error"] and url.split("?")[0] in status["last_error"], status
        assert status["last_success_at"] is None and status["entries"] == 0
    # And the good source, back, imports again as before.
    again = _import(b_admin, subscription)
    assert again["last_error"] is None and _ours(b_reader) == held


def test_subscriptions_are_the_admins_and_feed_addresses_are_checked(b_admin, b_reader, platform_b):
    with platform_b.client() as anonymous:
        problem(anonymous.get(SUBSCRIPTIONS), 401)
    problem(b_admin.post(SUBSCRIPTIONS, json={"name": "x", "feed_url": "file:///etc/passwd"}), 422, "feed_url")
    listed = ok(b_admin.get(SUBSCRIPTIONS))
    assert listed["total"] >= 1 and all("last_error" in s for s in listed["items"])


def test_the_schedule_imports_by_itself_but_not_a_paused_subscription(
    platform_b, b_admin, town, subscription, b_reader, platform
):
    """A second follow-up process of B on a one-second schedule imports what A published since, and
    leaves alone a subscription an admin paused."""
    late = _published(town, "Text reminders for bulky waste collections", "worked")
    # The same library by another address (not through the link), paused before it was ever imported.
    paused = ok(
        b_admin.post(
            SUBSCRIPTIONS, json={"name": "A, paused", "feed_url": f"{platform.gateway_url}{LIBRARY}/federation.json"}
        ),
        201,
    )
    url = f"{SUBSCRIPTIONS}/{paused['id']}"
    ok(b_admin.patch(url, json={"active": False}, headers={"If-Match": b_admin.get(url).headers["etag"]}))
    # A loaded machine can take most of a minute to start one more process.
    with another(platform_b.runner, "followup", start_within=90, FOLLOWUP_FEDERATION_INTERVAL_SECONDS="1"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(i["source"]["entry_id"] == late["id"] for i in _ours(b_reader)):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the scheduled import did not bring A's new entry within 60 s")
        time.sleep(3)  # a few more of the schedule's ticks
    left = ok(b_admin.get(url))
    assert left["active"] is False and left["last_attempt_at"] is None and left["entries"] == 0, left
    assert b_admin.delete(url, headers={"If-Match": b_admin.get(url).headers["etag"]}).status_code == 204


def test_shortlisting_on_b_an_idea_like_a_failure_imported_from_a_warns_the_organiser(
    platform_b, b_admin, b_staff, subscription, town
):
    """Issue 16: the organiser's shortlist warning on B reads failures imported from A, not only B's own:
    it names A's council and the platform, with the record there, under its licence."""
    failed = _published(town, "Sensors that text when street bins are full", "did_not_work")
    assert _import(b_admin, subscription)["last_counts"]["added"] >= 1
    person = ok(
        b_admin.post(
            "/api/people",
            json={
                "email": f"b-organiser-{TAG}@example.org",
                "name": "Bo Organiser",
                "council_id": b_staff.council_id,
                "roles": ["organiser", "staff"],
            },
        ),
        201,
    )
    token = platform_b.issuer.issue(
        subject=person["id"],
        council_id=b_staff.council_id,
        council_name=f"B Council {TAG}",
        roles=["organiser", "staff"],
        name="Bo Organiser",
    )
    organiser = Actor(
        client=b_admin.client, token=token, id=person["id"], council_id=b_staff.council_id, roles=["organiser"]
    )
    day = ok(organiser.post("/api/ideas/hack-days", json={"name": f"B hack day {TAG}", "date": "2027-05-01"}), 201)
    ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))
    idea = ok(
        b_staff.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": day["id"],
                "title": f"Street bins with sensors that text when full {TAG}",
                "problem": "Crews empty half-empty bins and miss the full ones.",
                "proposal": "A sensor in each street bin sends a text to the crew when it is full.",
                "service_area": "waste_and_recycling",
            },
        ),
        201,
    )
    url = f"/api/ideas/ideas/{idea['id']}/shortlist"

    # The import reaches B's ideas service through follow-up's outbox: a moment later, not at once.
    deadline = time.monotonic() + 60
    while True:
        told = ok(organiser.post(url))
        trial = next((t for t in told["failed_trials"] if t["idea_id"] == failed["idea_id"]), None)
        if trial is not None:
            break
        assert time.monotonic() < deadline, f"A's failure is not in B's shortlist warning: {told}"
        ok(organiser.delete(url))
        time.sleep(0.3)
    assert told["warning"] is True
    assert trial["trial_id"] is None and trial["verdict"] == "did_not_work" and trial["library_entry_id"]
    assert trial["council_name"] == town.council.name and trial["source"]["platform"] == "Platform A"
    assert trial["source"]["entry_url"] == failed["url"]
    assert trial["source"]["licence"]["name"].startswith("Open Government Licence")
    if told["failed_trials"][0] is trial:
        assert told["warning_reason"].startswith(f"Like '{failed['title']}' ({town.council.name}, on Platform A)")


def _sql(url: str) -> Engine:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def test_entries_imported_before_the_ideas_service_was_told_of_them_are_announced_at_start_up(
    platform_b, b_admin, b_staff, subscription, town
):
    """Issue 16: entries imported before each import told the ideas service of its entries were never in
    "tried before?". B's databases are put back as they were then (no announcement in follow-up's outbox,
    nothing in ideas); a follow-up process of B that starts announces every imported entry ideas was
    never told of, once: it is in "tried before?" again, and a second start announces nothing more."""
    failed = _published(town, "Drones to survey leaking school roofs", "did_not_work")
    assert _import(b_admin, subscription)["last_counts"]["added"] >= 1
    draft = f"Drones surveying leaking roofs of schools {TAG}"
    wait_for(lambda: _tried_before_on_b(b_staff, draft, failed["id"]), "A's failure in B's tried before?")

    topic = "library.imported_verdict_changed"
    followup_db, ideas_db = _sql(platform_b.database_url("followup")), _sql(platform_b.database_url("ideas"))
    try:
        with followup_db.begin() as db:
            db.execute(text("DELETE FROM outbox_events WHERE topic = :t"), {"t": topic})
        with ideas_db.begin() as db:
            db.execute(text("DELETE FROM imported_verdicts"))
            db.execute(text("DELETE FROM inbox_events WHERE topic = 'imported_verdict_changed'"))
        assert _tried_before_on_b(b_staff, draft, failed["id"]) is None  # ideas holds nothing of it now

        def announced() -> int:
            with followup_db.connect() as db:
                return db.execute(
                    text("SELECT count(*) FROM outbox_events WHERE topic = :t"), {"t": topic}
                ).scalar_one()

        with another(platform_b.runner, "followup", start_within=90):
            hit = wait_for(
                lambda: _tried_before_on_b(b_staff, draft, failed["id"]), "the back-filled entry in tried before?", 60
            )
            assert hit["warning"] is True and hit["outcome"]["imported_from"]["platform"] == "Platform A"
        with followup_db.connect() as db:
            imported = db.execute(
                text("SELECT count(*) FROM library_entries WHERE subscription_id IS NOT NULL")
            ).scalar_one()
        first = announced()
        assert first == imported, (first, imported)  # each imported entry once, withdrawn ones too
        with another(platform_b.runner, "followup", start_within=90):
            time.sleep(2)
        assert announced() == first  # idempotent: nothing announced twice
    finally:
        followup_db.dispose()
        ideas_db.dispose()


def test_an_admin_pauses_resumes_and_removes_a_subscription_and_keeps_what_it_brought(b_admin, b_reader, subscription):
    url = f"{SUBSCRIPTIONS}/{subscription['id']}"
    read = b_admin.get(url)
    problem(b_admin.patch(url, json={"active": False}), 428, "If-Match")
    paused = b_admin.patch(url, json={"active": False}, headers={"If-Match": read.headers["etag"]})
    assert ok(paused)["active"] is False and paused.headers["etag"] != read.headers["etag"]
    problem(b_admin.patch(url, json={"active": True}, headers={"If-Match": read.headers["etag"]}), 412, "If-Match")
    refused = problem(b_admin.post(f"{url}/import"), 409, "active")
    assert "paused" in refused["detail"]
    assert ok(b_admin.get(url))["last_attempt_at"] == ok(read)["last_attempt_at"]  # not even tried
    resumed = ok(b_admin.patch(url, json={"active": True}, headers={"If-Match": paused.headers["etag"]}))
    assert resumed["active"] is True
    assert _import(b_admin, subscription)["last_error"] is None

    held = _ours(b_reader)
    assert held and all(i["source"]["removed_at"] is None for i in held)
    problem(b_admin.delete(url), 428, "If-Match")
    assert b_admin.delete(url, headers={"If-Match": b_admin.get(url).headers["etag"]}).status_code == 204
    problem(b_admin.get(url), 404)
    problem(b_admin.post(f"{url}/import"), 404)
    assert subscription["id"] not in {s["id"] for s in ok(b_admin.get(SUBSCRIPTIONS, params={"limit": 200}))["items"]}
    # What it brought stays in the library, marked as from a removed source.
    kept = _ours(b_reader)
    assert {i["id"] for i in kept} == {i["id"] for i in held}
    assert all(i["source"]["removed_at"] for i in kept), kept

    # Subscribing to the same feed again brings it back, with what it brought.
    again = ok(b_admin.post(SUBSCRIPTIONS, json={"name": "Platform A", "feed_url": subscription["feed_url"]}), 201)
    assert again["id"] == subscription["id"] and again["active"] is True and again["entries"] >= len(held)
    assert all(i["source"]["removed_at"] is None for i in _ours(b_reader))
