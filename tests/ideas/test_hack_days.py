"""Hack days: organisers create and run them through draft -> open -> voting -> closed; staff see them."""

from __future__ import annotations

import uuid

from tests.ideas.ideaskit import etag_of, hack_day, idea_body, move, ok, problem


def test_an_organiser_creates_a_draft_hack_day_for_their_own_council(town):
    r = town.organiser.post(
        "/api/ideas/hack-days",
        json={
            "name": "Spring hack day",
            "date": "2027-04-01",
            "themes": ["Cut the wait for a housing repair"],
        },
    )
    day = ok(r, 201)
    assert day["phase"] == "draft"
    assert day["council_id"] == town.council.id
    assert day["council_name"] == town.council.name
    assert day["themes"] == ["Cut the wait for a housing repair"]
    assert etag_of(r) == f'"{day["version"]}"'


def test_staff_cannot_create_or_run_a_hack_day(town, open_day):
    problem(town.alice.post("/api/ideas/hack-days", json={"name": "My own day", "date": "2027-04-01"}), 403)
    problem(town.alice.post(f"/api/ideas/hack-days/{open_day['id']}/phase", json={"phase": "voting"}), 403)
    assert ok(town.alice.get(f"/api/ideas/hack-days/{open_day['id']}"))["phase"] == "open"


def test_a_hack_day_body_cannot_set_council_phase_or_version(town):
    for field, value in (("council_id", town.other_council.id), ("phase", "open"), ("version", 7)):
        body = {"name": "Sneaky day", "date": "2027-04-01", field: value}
        problem(town.organiser.post("/api/ideas/hack-days", json=body), 422, field)


def test_bad_hack_day_input_names_the_field(town):
    problem(town.organiser.post("/api/ideas/hack-days", json={"name": "", "date": "2027-04-01"}), 422, "name")
    problem(town.organiser.post("/api/ideas/hack-days", json={"name": "Day", "date": "soon"}), 422, "date")
    themes = ["x" * 10] * 11
    problem(
        town.organiser.post("/api/ideas/hack-days", json={"name": "Day", "date": "2027-04-01", "themes": themes}),
        422,
        "themes",
    )


def test_phases_move_forward_one_step_at_a_time(town):
    day = hack_day(town.organiser, "draft")
    skip = town.organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "voting"})
    problem(skip, 409, "phase")
    for phase in ("open", "voting", "closed"):
        day = move(town.organiser, day, phase)
        assert day["phase"] == phase
    body = problem(town.organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}), 409, "phase")
    assert "closed" in body["detail"]
    problem(town.organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "finished"}), 422, "phase")


def test_asking_for_the_current_phase_changes_nothing(town, open_day):
    again = move(town.organiser, open_day, "open")
    assert (
        again["phase"] == "open"
        and again["version"] == ok(town.organiser.get(f"/api/ideas/hack-days/{open_day['id']}"))["version"]
    )


def test_staff_see_their_councils_hack_days_and_not_anothers(town, open_day):
    theirs = hack_day(town.other_organiser, "open")
    listed = ok(town.alice.get("/api/ideas/hack-days", params={"limit": 200}))
    ids = {d["id"] for d in listed["items"]}
    assert open_day["id"] in ids and theirs["id"] not in ids
    assert all(d["council_id"] == town.council.id for d in listed["items"])
    problem(town.alice.get(f"/api/ideas/hack-days/{theirs['id']}"), 404)
    problem(town.alice.get("/api/ideas/hack-days", params={"council_id": town.other_council.id}), 403, "council_id")
    # Another council's organiser cannot run our day either: to them it does not exist.
    problem(town.other_organiser.post(f"/api/ideas/hack-days/{open_day['id']}/phase", json={"phase": "voting"}), 404)


def test_the_hack_day_list_filters_by_phase_and_pages(town):
    draft = hack_day(town.organiser, "draft")
    drafts = ok(town.organiser.get("/api/ideas/hack-days", params={"phase": "draft", "limit": 1}))
    assert drafts["limit"] == 1 and len(drafts["items"]) == 1
    assert all(d["phase"] == "draft" for d in drafts["items"])
    assert drafts["total"] >= 1
    everything = ok(town.organiser.get("/api/ideas/hack-days", params={"phase": "draft", "limit": 200}))
    assert draft["id"] in {d["id"] for d in everything["items"]}
    problem(town.organiser.get("/api/ideas/hack-days", params={"limit": 201}), 422, "limit")


def test_editing_a_hack_day_needs_the_version_it_edits(town):
    day = hack_day(town.organiser, "draft")
    url = f"/api/ideas/hack-days/{day['id']}"
    problem(town.organiser.patch(url, json={"name": "Renamed day"}), 428, "If-Match")
    tag = etag_of(town.organiser.get(url))
    r = town.organiser.patch(url, json={"name": "Renamed day"}, headers={"If-Match": tag})
    assert ok(r)["name"] == "Renamed day" and etag_of(r) != tag
    stale = town.organiser.patch(url, json={"name": "Lost update"}, headers={"If-Match": tag})
    problem(stale, 412, "If-Match")
    problem(town.alice.patch(url, json={"name": "Staff rename"}, headers={"If-Match": etag_of(r)}), 403)
    assert ok(town.organiser.get(url))["name"] == "Renamed day"


def test_a_retried_hack_day_creation_gives_the_first_answer(town):
    key = uuid.uuid4().hex
    body = {"name": f"Retried day {key[:6]}", "date": "2027-05-05"}
    first = ok(town.organiser.post("/api/ideas/hack-days", json=body, headers={"Idempotency-Key": key}), 201)
    again = town.organiser.post("/api/ideas/hack-days", json=body, headers={"Idempotency-Key": key})
    assert ok(again, 201) == first
    listed = ok(town.organiser.get("/api/ideas/hack-days", params={"limit": 200}))
    assert [d["name"] for d in listed["items"]].count(body["name"]) == 1


def test_ideas_are_taken_only_while_the_hack_day_is_open(town):
    day = hack_day(town.organiser, "draft")
    body = problem(town.alice.post("/api/ideas/ideas", json=idea_body(day["id"])), 409, "hack_day_id")
    assert "draft" in body["detail"]
    move(town.organiser, day, "open")
    ok(town.alice.post("/api/ideas/ideas", json=idea_body(day["id"])), 201)
    move(town.organiser, day, "voting")
    body = problem(town.alice.post("/api/ideas/ideas", json=idea_body(day["id"])), 409, "hack_day_id")
    assert body["detail"] == f"Hack day '{day['name']}' is in voting: submissions are frozen."
    move(town.organiser, day, "closed")
    problem(town.alice.post("/api/ideas/ideas", json=idea_body(day["id"])), 409, "hack_day_id")


def test_a_closed_hack_day_can_no_longer_be_changed(town):
    day = hack_day(town.organiser, "closed")
    url = f"/api/ideas/hack-days/{day['id']}"
    tag = etag_of(town.organiser.get(url))
    problem(town.organiser.patch(url, json={"name": "Reopened?"}, headers={"If-Match": tag}), 409)
