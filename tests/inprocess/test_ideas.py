"""Ideas rules and validation, in-process (tests/support/inprocess.py)."""

from __future__ import annotations

from tests.support.http import ok, problem


def _hack_day(ideas_app, organiser, **extra) -> dict:
    body = {"name": "Spring hack day", "date": "2027-04-01", "themes": ["Cut the wait"], **extra}
    return ok(organiser.post("/api/ideas/hack-days", json=body), 201)


def test_an_organiser_creates_a_hack_day_and_staff_cannot(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    made = _hack_day(ideas_app, organiser)
    assert made["name"] == "Spring hack day"
    staff = ideas_app.person(roles=["staff"], council_id=organiser.council_id)
    problem(staff.post("/api/ideas/hack-days", json={"name": "Mine", "date": "2027-04-01"}), 403)


def test_a_hack_day_refuses_unknown_fields_and_nul_naming_the_field(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    body = {"name": "Spring hack day", "date": "2027-04-01"}
    problem(
        organiser.post("/api/ideas/hack-days", json={**body, "council_id": organiser.council_id}), 422, "council_id"
    )
    problem(organiser.post("/api/ideas/hack-days", json={**body, "name": "Spring\x00day"}), 422, "name")


def test_changing_a_hack_day_needs_the_version_it_read(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    made = _hack_day(ideas_app, organiser)
    path = f"/api/ideas/hack-days/{made['id']}"
    problem(organiser.patch(path, json={"name": "Renamed day"}), 428, "If-Match")
    etag = organiser.get(path).headers["ETag"]
    ok(organiser.patch(path, json={"name": "Renamed day"}, headers={"If-Match": etag}))
    problem(organiser.patch(path, json={"name": "Again"}, headers={"If-Match": etag}), 412, "If-Match")


def test_lists_page_with_one_maximum_and_other_councils_see_nothing(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    _hack_day(ideas_app, organiser)
    _hack_day(ideas_app, organiser, name="Autumn hack day")
    page = ok(organiser.get("/api/ideas/hack-days", params={"limit": 1}))
    assert page["total"] == 2 and len(page["items"]) == 1 and page["next_offset"] == 1
    problem(organiser.get("/api/ideas/hack-days", params={"limit": 201}), 422, "limit")
    stranger = ideas_app.person(roles=["organiser"])
    assert ok(stranger.get("/api/ideas/hack-days"))["total"] == 0
