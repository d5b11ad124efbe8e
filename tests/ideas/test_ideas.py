"""Ideas: submitting, reading, editing under a version, teams of co-authors, withdrawing, lists, CSV."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from ideas.vocabulary import STATUSES

from tests.ideas.ideaskit import (
    etag_of,
    hack_day,
    idea_body,
    move,
    ok,
    problem,
    service_headers,
    submit,
    tag_for,
)

CONTRACT_FIELDS = {
    "id",
    "hack_day_id",
    "council_id",
    "council_name",
    "title",
    "problem",
    "proposal",
    "service_area",
    "status",
    "author_ids",
    "version",
    "created_at",
    "updated_at",
}


def test_a_submitted_idea_has_the_shape_other_services_rely_on(town, open_day):
    r = town.alice.post("/api/ideas/ideas", json=idea_body(open_day["id"]))
    idea = ok(r, 201)
    assert CONTRACT_FIELDS <= idea.keys()
    assert idea["status"] == "submitted" and idea["version"] == 1
    assert idea["author_ids"] == [town.alice.id]
    assert idea["authors"] == [{"person_id": town.alice.id, "name": "Alice Ames", "role": "author"}]
    assert idea["council_id"] == town.council.id and idea["council_name"] == town.council.name
    assert idea["hack_day_id"] == open_day["id"]
    assert idea["expected_benefit"] == {
        "amount": 400.0,
        "unit": "hours",
        "beneficiaries": "both",
        "note": None,
    }
    assert idea["tags"] == ["council-tax", "sms"]  # normalised
    assert idea["created_at"].endswith(("Z", "+00:00"))
    got = town.bob.get(f"/api/ideas/ideas/{idea['id']}")
    assert ok(got)["title"] == idea["title"] and etag_of(got) == '"1"'


def test_bad_idea_input_is_a_problem_naming_the_field(town, open_day):
    cases = [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 50_000}, "title"),
        ({"service_area": "spaceports"}, "service_area"),
        ({"problem": ""}, "problem"),
        ({"expected_benefit": {"amount": 3, "unit": "smiles", "beneficiaries": "staff"}}, "expected_benefit.unit"),
        ({"expected_benefit": {"amount": -1, "unit": "hours", "beneficiaries": "staff"}}, "expected_benefit.amount"),
        ({"tags": [f"tag{i}" for i in range(11)]}, "tags"),
        ({"tags": ["!!!"]}, "tags.0"),
        ({"partners": ["p" * 101]}, "partners.0"),
        ({"colour": "blue"}, "colour"),
        ({"title": "Bins\x00 on Tuesdays"}, "title"),  # PostgreSQL cannot store NUL: bad input, not a 500
        ({"tags": ["ok", "bad\x00"]}, "tags.1"),
    ]
    for change, field in cases:
        body = {**idea_body(open_day["id"]), **change}
        problem(town.alice.post("/api/ideas/ideas", json=body), 422, field)
    body = idea_body(open_day["id"])
    del body["title"]
    problem(town.alice.post("/api/ideas/ideas", json=body), 422, "title")
    problem(town.alice.post("/api/ideas/ideas", json=idea_body(str(uuid.uuid4()))), 404, "hack_day_id")
    theirs = hack_day(town.other_organiser, "open")
    problem(town.alice.post("/api/ideas/ideas", json=idea_body(theirs["id"])), 404, "hack_day_id")


def test_a_retried_submission_gives_the_first_answer_and_one_idea(town, open_day):
    key = str(uuid.uuid4())
    title = f"Retried idea {key[:8]}"
    body = idea_body(open_day["id"], title=title)
    first = ok(town.alice.post("/api/ideas/ideas", json=body, headers={"Idempotency-Key": key}), 201)
    again = town.alice.post("/api/ideas/ideas", json=body, headers={"Idempotency-Key": key})
    assert ok(again, 201) == first
    found = ok(town.alice.get("/api/ideas/ideas", params={"q": key[:8], "hack_day_id": open_day["id"]}))
    assert found["total"] == 1 and found["items"][0]["id"] == first["id"]
    # The same key for a different idea is a mistake, not a replay.
    other = idea_body(open_day["id"], title="Something else entirely")
    problem(town.alice.post("/api/ideas/ideas", json=other, headers={"Idempotency-Key": key}), 422, "Idempotency-Key")


def test_edits_need_the_version_they_edit(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Versioned idea")
    url = f"/api/ideas/ideas/{idea['id']}"
    problem(town.alice.patch(url, json={"title": "Versioned idea, edited"}), 428, "If-Match")
    r = town.alice.patch(url, json={"title": "Versioned idea, edited", "tags": ["Bins"]}, headers={"If-Match": '"1"'})
    edited = ok(r)
    assert edited["title"] == "Versioned idea, edited" and edited["tags"] == ["bins"]
    assert edited["version"] == 2 and etag_of(r) == '"2"'
    problem(town.alice.patch(url, json={"title": "Overwrite"}, headers={"If-Match": '"1"'}), 412, "If-Match")
    assert ok(town.alice.get(url))["title"] == "Versioned idea, edited"
    found = ok(town.alice.get("/api/ideas/ideas", params={"tag": "bins", "hack_day_id": open_day["id"]}))
    assert [i["id"] for i in found["items"]] == [idea["id"]]
    problem(town.alice.patch(url, json={"title": None}, headers={"If-Match": '"2"'}), 422, "title")
    cleared = ok(town.alice.patch(url, json={"expected_benefit": None}, headers={"If-Match": '"2"'}))
    assert cleared["expected_benefit"] is None


def test_ideas_are_frozen_once_voting_starts(town):
    day = hack_day(town.organiser, "open")
    idea = submit(town.alice, day["id"])
    move(town.organiser, day, "voting")
    body = problem(
        town.alice.patch(f"/api/ideas/ideas/{idea['id']}", json={"title": "Late change"}, headers={"If-Match": '"1"'}),
        409,
    )
    assert "voting" in body["detail"]


def test_a_team_of_co_authors_edits_together_without_overwriting_each_other(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Team idea")
    url = f"/api/ideas/ideas/{idea['id']}"
    invited = ok(town.alice.post(f"{url}/co-authors", json={"person_id": town.bob.id}))
    assert invited["author_ids"] == [town.alice.id]
    assert invited["moderation"]["invited_co_author_ids"] == [town.bob.id]
    # Invited is not yet on the team.
    problem(town.bob.patch(url, json={"title": "Bob's"}, headers={"If-Match": tag_for(town.bob, url)}), 403)
    joined = ok(town.bob.post(f"{url}/invitation/accept"))
    assert joined["author_ids"] == [town.alice.id, town.bob.id]
    assert joined["authors"][1] == {"person_id": town.bob.id, "name": "Bob Bryant", "role": "co_author"}
    # Both read the same version; Bob saves first, Alice's save is refused instead of overwriting.
    tag = etag_of(town.alice.get(url))
    ok(town.bob.patch(url, json={"proposal": "Bob's better proposal"}, headers={"If-Match": tag}))
    problem(town.alice.patch(url, json={"proposal": "Alice's proposal"}, headers={"If-Match": tag}), 412)
    assert ok(town.alice.get(url))["proposal"] == "Bob's better proposal"
    # Only the lead author invites; a co-author may leave.
    problem(town.bob.post(f"{url}/co-authors", json={"person_id": town.carol.id}), 403)
    left = ok(town.bob.delete(f"{url}/co-authors/{town.bob.id}"))
    assert left["author_ids"] == [town.alice.id]
    problem(town.bob.patch(url, json={"title": "Gone"}, headers={"If-Match": tag_for(town.bob, url)}), 403)


def test_the_lead_author_removes_co_authors_and_cannot_be_removed(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Removal idea")
    url = f"/api/ideas/ideas/{idea['id']}"
    ok(town.alice.post(f"{url}/co-authors", json={"person_id": town.carol.id}))
    ok(town.carol.post(f"{url}/invitation/accept"))
    problem(town.carol.delete(f"{url}/co-authors/{town.alice.id}"), 403)
    problem(town.alice.delete(f"{url}/co-authors/{town.alice.id}"), 409)
    problem(town.alice.delete(f"{url}/co-authors/{town.bob.id}"), 404)
    after = ok(town.alice.delete(f"{url}/co-authors/{town.carol.id}"))
    assert after["author_ids"] == [town.alice.id]


def test_a_person_of_another_council_cannot_join_a_team(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Closed team")
    url = f"/api/ideas/ideas/{idea['id']}"
    ok(town.alice.post(f"{url}/co-authors", json={"person_id": town.stranger.id}))
    problem(town.stranger.post(f"{url}/invitation/accept"), 403)
    problem(town.carol.post(f"{url}/invitation/accept"), 403)  # never invited
    assert ok(town.alice.get(url))["author_ids"] == [town.alice.id]


def test_authors_withdraw_and_withdrawn_ideas_leave_the_lists(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Idea to withdraw")
    url = f"/api/ideas/ideas/{idea['id']}"
    problem(town.bob.post(f"{url}/withdraw"), 403)
    withdrawn = ok(town.alice.post(f"{url}/withdraw"))
    assert withdrawn["status"] == "withdrawn"
    listed = ok(town.bob.get("/api/ideas/ideas", params={"hack_day_id": open_day["id"], "limit": 200}))
    assert idea["id"] not in {i["id"] for i in listed["items"]}
    asked = ok(town.bob.get("/api/ideas/ideas", params={"hack_day_id": open_day["id"], "status": "withdrawn"}))
    assert idea["id"] in {i["id"] for i in asked["items"]}
    revived = town.alice.patch(url, json={"title": "Revived"}, headers={"If-Match": tag_for(town.alice, url)})
    problem(revived, 409)


def test_lists_filter_by_service_area_tag_status_and_text_and_page(town):
    day = hack_day(town.organiser, "open")
    a = submit(
        town.alice,
        day["id"],
        title="Pothole photos from bin lorries",
        service_area="highways_and_transport",
        tags=["potholes"],
        problem="Potholes are reported late.",
        proposal="Cameras on bin lorries.",
    )
    b = submit(town.bob, day["id"], title="Online housing repair booking", service_area="housing", tags=["repairs"])
    c = submit(town.carol, day["id"], title="Shared 100% discount form", service_area="housing", tags=["repairs"])
    base = {"hack_day_id": day["id"]}

    def ids(**params) -> list[str]:
        return [i["id"] for i in ok(town.alice.get("/api/ideas/ideas", params={**base, **params}))["items"]]

    assert ids() == [c["id"], b["id"], a["id"]]  # newest first
    assert sorted(ids(service_area="housing")) == sorted([b["id"], c["id"]])
    assert ids(tag="Potholes") == [a["id"]]
    assert ids(q="BIN LORRIES") == [a["id"]]
    assert ids(q="100%") == [c["id"]]  # % is a character here, not a wildcard
    assert ids(q="no such words anywhere") == []
    assert ids(status="shortlisted") == []
    assert ids(mine=True) == [a["id"]]
    page = ok(town.alice.get("/api/ideas/ideas", params={**base, "limit": 2}))
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next_offset"] == 2
    last = ok(town.alice.get("/api/ideas/ideas", params={**base, "limit": 2, "offset": 2}))
    assert [i["id"] for i in last["items"]] == [a["id"]] and last["next_offset"] is None
    problem(town.alice.get("/api/ideas/ideas", params={"limit": 201}), 422, "limit")
    problem(town.alice.get("/api/ideas/ideas", params={"service_area": "moon"}), 422, "service_area")
    problem(town.alice.get("/api/ideas/ideas", params={"q": "bins\x00"}), 422, "q")


def test_the_voting_snapshot_query_returns_the_shortlist_in_the_contract_shape(town):
    day = hack_day(town.organiser, "open")
    chosen = submit(town.alice, day["id"], title="Chosen idea")
    submit(town.bob, day["id"], title="Not chosen idea")
    ok(town.organiser.post(f"/api/ideas/ideas/{chosen['id']}/shortlist"))
    move(town.organiser, day, "voting")
    page = ok(
        town.organiser.get("/api/ideas/ideas", params={"hack_day_id": day["id"], "status": "shortlisted", "limit": 200})
    )
    assert page["total"] == 1 and [i["id"] for i in page["items"]] == [chosen["id"]]
    assert CONTRACT_FIELDS <= page["items"][0].keys()
    assert page["items"][0]["author_ids"] == [town.alice.id]


def test_organisers_export_an_events_ideas_as_csv_safe_for_spreadsheets(town):
    day = hack_day(town.organiser, "open")
    submit(
        town.alice,
        day["id"],
        title='=HYPERLINK("http://evil.example","click")',
        problem="+SUM(A1:A9) is what the old sheet did",
        partners=["@partner"],
    )
    submit(town.bob, day["id"], title="Plain idea, with a comma")
    url = f"/api/ideas/hack-days/{day['id']}/ideas.csv"
    problem(town.alice.get(url), 403)
    r = town.organiser.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["title"] for row in rows] == ['\'=HYPERLINK("http://evil.example","click")', "Plain idea, with a comma"]
    assert rows[0]["problem"].startswith("'+SUM") and rows[0]["partners"] == "'@partner"
    assert rows[0]["authors"] == "Alice Ames" and rows[0]["status"] == "submitted"
    for cell in (c for row in rows for c in row.values()):
        assert not cell.startswith(("=", "+", "-", "@")), cell
    problem(town.other_organiser.get(url), 404)


def test_two_saves_of_the_same_version_at_once_let_exactly_one_through(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Raced idea")
    url = f"/api/ideas/ideas/{idea['id']}"
    ok(town.alice.post(f"{url}/co-authors", json={"person_id": town.bob.id}))
    ok(town.bob.post(f"{url}/invitation/accept"))
    tag = tag_for(town.alice, url)
    barrier = threading.Barrier(2)

    def save(person, title: str) -> int:
        barrier.wait()
        return person.patch(url, json={"title": title}, headers={"If-Match": tag}).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(save, [town.alice, town.bob], ["Alice's raced title", "Bob's raced title"]))
    assert statuses == [200, 412]
    assert ok(town.alice.get(url))["version"] == int(tag.strip('"')) + 1


def test_a_malformed_if_match_is_refused(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Idea with a bad If-Match")
    url = f"/api/ideas/ideas/{idea['id']}"
    problem(town.alice.patch(url, json={"title": "Changed"}, headers={"If-Match": "version one"}), 400, "If-Match")
    assert ok(town.alice.patch(url, json={"title": "Changed"}, headers={"If-Match": 'W/"1"'}))["version"] == 2


def test_the_fixed_lists_are_served_and_documented(town):
    from pathlib import Path

    lists = ok(town.alice.get("/api/ideas/vocabulary"))
    codes = [t["code"] for t in lists["service_areas"]]
    assert {
        "revenues_and_benefits",
        "waste_and_recycling",
        "housing",
        "highways_and_transport",
        "adult_social_care",
        "planning",
        "hr",
        "it_and_digital",
        "finance_and_procurement",
        "customer_services",
    } <= set(codes)
    assert [t["code"] for t in lists["benefit_units"]] == ["hours", "pounds", "days_waiting", "errors_avoided"]
    assert lists["phases"] == ["draft", "open", "voting", "closed"]
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ideas.md").read_text()
    for code in codes + lists["statuses"]:
        assert f"`{code}`" in docs, f"{code} is not documented in docs/ideas.md"


def test_an_admin_reads_every_council_but_cannot_submit(town, open_day, admin):
    idea = submit(town.alice, open_day["id"], title="Idea an admin can read")
    seen = ok(admin.get(f"/api/ideas/ideas/{idea['id']}"))
    assert seen["view"] == "full"
    listed = ok(admin.get("/api/ideas/ideas", params={"council_id": town.council.id, "limit": 200}))
    assert idea["id"] in {i["id"] for i in listed["items"]}
    problem(admin.post("/api/ideas/ideas", json=idea_body(open_day["id"])), 403)


def test_the_counts_are_the_lists_totals_in_one_call_and_only_the_councils_own(
    platform, new_council, new_person, admin
):
    """What a portfolio shows (ideas in play, selected) in one cheap call: exactly the list's `total` with no
    `status` and with each `status`, for staff and for organisers (who alone count hidden ideas)."""
    ours, theirs = new_council(), new_council()
    organiser, staff = new_person(ours, "organiser"), new_person(ours, "staff")
    day = hack_day(organiser, "open")
    made = [submit(staff, day["id"], title=f"Counted idea {n}") for n in range(6)]
    url = "/api/ideas/ideas"
    ok(organiser.post(f"{url}/{made[1]['id']}/shortlist"))
    ok(organiser.post(f"{url}/{made[2]['id']}/hide", json={"reason": "Names a resident"}))
    ok(organiser.post(f"{url}/{made[3]['id']}/duplicate", json={"duplicate_of_id": made[0]["id"]}))
    ok(staff.post(f"{url}/{made[4]['id']}/withdraw"))
    event = {"event_id": str(uuid.uuid4()), "round_id": str(uuid.uuid4()), "rank": 1}
    with httpx.Client(base_url=platform.url("ideas"), timeout=30) as ideas_service:
        chosen = f"/api/ideas/internal/ideas/{made[5]['id']}/selected"
        ok(ideas_service.post(chosen, json=event, headers=service_headers(platform)))
    stranger = new_person(theirs, "organiser")
    submit(stranger, hack_day(stranger, "open")["id"], title="Another council's idea")

    def totals(person, **params) -> dict[str, int]:
        def total(**status) -> int:
            return ok(person.get(url, params={**params, **status, "limit": 1}))["total"]

        return {"in_play": total(), **{s: total(status=s) for s in STATUSES}}

    expected = {"in_play": 4, "submitted": 1, "shortlisted": 1, "selected": 1, "withdrawn": 1, "duplicate": 1}
    for person, hidden in ((staff, 0), (organiser, 1)):
        counts = ok(person.get(f"{url}/counts"))
        assert counts == {**expected, "hidden": hidden} == totals(person)
    on_behalf = {"council_id": ours.id}
    assert ok(admin.get(f"{url}/counts", params=on_behalf)) == {**expected, "hidden": 1} == totals(admin, **on_behalf)
    # Another council's ideas are theirs alone, and naming our council is refused as the list refuses it.
    assert ok(stranger.get(f"{url}/counts"))["in_play"] == 1 == totals(stranger)["in_play"]
    problem(stranger.get(f"{url}/counts", params=on_behalf), 403, "council_id")
    problem(stranger.get(url, params=on_behalf), 403, "council_id")
