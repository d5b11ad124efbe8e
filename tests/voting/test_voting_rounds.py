"""Rounds through the gateway: creating over a hack day's ideas, editing, phases and who may do what."""

from __future__ import annotations

import uuid

import pytest

from tests.voting.conftest import _idea, team_idea_of
from tests.voting.votingkit import ROUNDS, ids_of, new_round, ok, problem, step


def test_an_organiser_creates_a_round_over_the_shortlisted_ideas(hall):
    # A hack day of its own: published rounds elsewhere in the session select (and so un-shortlist)
    # ideas of the shared one.
    day = ok(
        hall.organiser.post(
            "/api/ideas/hack-days", json={"name": "Default candidates", "date": "2027-03-05", "themes": ["Fewer calls"]}
        ),
        201,
    )
    ok(hall.organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))
    shortlisted = [_idea(hall.author, day["id"], f"Shortlisted {n}") for n in range(2)]
    team = team_idea_of(hall.dana, hall.eli, day["id"])
    spare = _idea(hall.author, day["id"], "Left off the shortlist")
    for idea in [*shortlisted, team]:
        ok(hall.organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))
    rnd = new_round(hall.organiser, day["id"], "dot_voting")
    assert rnd["phase"] == "draft" and rnd["council_id"] == hall.council.id and not rnd["frozen"]
    assert sorted(ids_of(rnd)) == sorted([*(i["id"] for i in shortlisted), team["id"]])
    assert spare["id"] not in ids_of(rnd)
    team = next(c for c in rnd["candidates"] if c["idea_id"] == team["id"])
    assert team["title"] == "Dana and Eli's idea" and team["author_ids"] == [hall.dana.id, hall.eli.id]
    # Defaults: the method's counting rules, everyone of the council, own ideas excluded, secret, hidden.
    rules = rnd["rules"]
    assert (rules["dots_per_voter"], rules["max_dots_per_idea"]) == (5, 3) and rules["max_approvals"] is None
    assert rules["eligible"] == "council" and rules["exclude_own_ideas"] and rules["secret"]
    assert rules["results_hidden_until_close"] and rnd["voters"] == 0 and rnd["audit_head"] is None
    seen = ok(hall.voters[3].get(f"{ROUNDS}/{rnd['id']}"))
    assert seen["title"] == rnd["title"]


def test_a_round_over_a_chosen_list_snapshots_only_those_ideas(hall):
    chosen = [hall.lettered["A"], hall.spare]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=chosen, rules={"max_approvals": 1})
    assert ids_of(rnd) == chosen and rnd["candidates"][1]["title"] == "Idea not shortlisted"
    assert rnd["rules"]["max_approvals"] == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"idea_ids": ["UNKNOWN", "A"]}, "idea_ids.0"),
        ({"idea_ids": ["A", "A"]}, "idea_ids.1"),
        ({"idea_ids": ["A"]}, "idea_ids"),
        ({"hack_day_id": "UNKNOWN"}, "hack_day_id"),
        ({"method": "plurality"}, "method"),
        ({"rules": {"max_approvals": 2}, "method": "score"}, "rules.max_approvals"),
        (
            {"rules": {"dots_per_voter": 2, "max_dots_per_idea": 3}, "method": "dot_voting"},
            "rules.max_dots_per_idea",
        ),
        ({"rules": {"count": "borda"}, "method": "ranked"}, "rules.count"),
        ({"closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"closes_at": "2030-01-01T00:00:00"}, "closes_at"),
        ({"phase": "open"}, "phase"),
        ({"title": "Round\x00one"}, "title"),
        ({"council_id": str(uuid.uuid4())}, "council_id"),
    ],
)
def test_a_round_that_cannot_be_made_is_refused_naming_the_field(hall, body, field):
    payload = {
        "hack_day_id": hall.day["id"],
        "title": "Bad round",
        "method": "approval",
        "idea_ids": hall.shortlist,
        **body,
    }
    if "idea_ids" in body:
        payload["idea_ids"] = [str(uuid.uuid4()) if i == "UNKNOWN" else hall.lettered[i] for i in body["idea_ids"]]
    if body.get("hack_day_id") == "UNKNOWN":
        payload["hack_day_id"] = str(uuid.uuid4())
    problem(hall.organiser.post(ROUNDS, json=payload), 422, field)


def test_another_councils_hack_day_or_ideas_cannot_be_put_to_our_vote(hall):
    theirs = ok(
        hall.other_organiser.post(
            "/api/ideas/hack-days", json={"name": "Their day", "date": "2027-03-04", "themes": ["x"]}
        ),
        201,
    )
    problem(
        hall.organiser.post(ROUNDS, json={"hack_day_id": theirs["id"], "title": "T", "method": "approval"}),
        422,
        "hack_day_id",
    )
    problem(
        hall.other_organiser.post(
            ROUNDS,
            json={
                "hack_day_id": theirs["id"],
                "title": "T",
                "method": "approval",
                "idea_ids": [hall.lettered["A"], hall.lettered["B"]],
            },
        ),
        422,
        "idea_ids.0",
    )


def test_only_organisers_of_the_council_create_open_close_and_publish(hall):
    body = {"hack_day_id": hall.day["id"], "title": "Staff round", "method": "approval"}
    problem(hall.voters[2].post(ROUNDS, json=body), 403)
    problem(hall.manager.post(ROUNDS, json=body), 403)
    rnd = new_round(hall.organiser, hall.day["id"], idea_ids=hall.shortlist)
    for action in ("open", "close", "publish"):
        problem(hall.voters[2].post(f"{ROUNDS}/{rnd['id']}/{action}"), 403)
        problem(hall.manager.post(f"{ROUNDS}/{rnd['id']}/{action}"), 403)
        # Another council's organiser (and staff) do not learn that the round exists.
        problem(hall.other_organiser.post(f"{ROUNDS}/{rnd['id']}/{action}"), 404)
        problem(hall.stranger.post(f"{ROUNDS}/{rnd['id']}/{action}"), 404)
    problem(hall.other_organiser.get(f"{ROUNDS}/{rnd['id']}"), 404)
    problem(
        hall.other_organiser.patch(f"{ROUNDS}/{rnd['id']}", json={"title": "x"}, headers={"If-Match": '"1"'}),
        404,
    )
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["phase"] == "draft"


def test_a_round_moves_draft_open_closed_published_and_never_back(hall):
    rnd = new_round(hall.organiser, hall.day["id"], idea_ids=hall.shortlist)
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/close"), 409)
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/publish"), 409)
    opened = step(hall.organiser, rnd, "open")
    assert opened["phase"] == "open" and opened["opened_at"]
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/open"), 409)
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/publish"), 409)
    closed = step(hall.organiser, rnd, "close")
    assert closed["phase"] == "closed" and closed["closed_at"] and closed["audit_head"]
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/open"), 409)
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/close"), 409)
    published = step(hall.organiser, rnd, "publish")
    assert published["phase"] == "published" and published["published_at"]
    for action in ("open", "close", "publish"):
        problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/{action}"), 409)
    problem(
        hall.organiser.patch(
            f"{ROUNDS}/{rnd['id']}", json={"title": "Late"}, headers={"If-Match": f'"{published["version"]}"'}
        ),
        409,
    )


def test_editing_needs_the_current_version_and_an_organiser(hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=hall.shortlist)
    url = f"{ROUNDS}/{rnd['id']}"
    problem(hall.organiser.patch(url, json={"title": "New"}), 428, "If-Match")
    problem(hall.organiser.patch(url, json={"title": "New"}, headers={"If-Match": '"99"'}), 412, "If-Match")
    problem(hall.voters[0].patch(url, json={"title": "New"}, headers={"If-Match": '"1"'}), 403)
    response = hall.organiser.patch(
        url,
        json={"title": "New", "method": "score", "rules": {"min_votes": 2}},
        headers={"If-Match": hall.organiser.get(url).headers["etag"]},
    )
    changed = ok(response)
    assert changed["title"] == "New" and changed["method"] == "score" and changed["rules"]["min_votes"] == 2
    assert changed["version"] == rnd["version"] + 1 and response.headers["etag"] == f'"{changed["version"]}"'
    # The old version is now stale.
    problem(hall.organiser.patch(url, json={"title": "Again"}, headers={"If-Match": f'"{rnd["version"]}"'}), 412)
    narrowed = ok(
        hall.organiser.patch(
            url,
            json={"idea_ids": [hall.lettered["A"], hall.lettered["B"]]},
            headers={"If-Match": f'"{changed["version"]}"'},
        )
    )
    assert ids_of(narrowed) == [hall.lettered["A"], hall.lettered["B"]]
    problem(
        hall.organiser.patch(url, json={"rules": {"bogus": 1}}, headers={"If-Match": '"3"'}),
        422,
        "rules.bogus",
    )


def test_if_match_takes_a_list_of_etags_or_a_star_and_refuses_what_is_not_an_etag(hall):
    """If-Match as in every part (platform_core.etag): before, voting took one tag only and no `*`."""
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=hall.shortlist)
    url = f"{ROUNDS}/{rnd['id']}"
    listed = ok(hall.organiser.patch(url, json={"title": "Listed"}, headers={"If-Match": '"7", W/"1"'}))
    assert listed["version"] == 2
    problem(hall.organiser.patch(url, json={"title": "Stale"}, headers={"If-Match": '"1", "3"'}), 412, "If-Match")
    anyway = ok(hall.organiser.patch(url, json={"title": "Whatever the version"}, headers={"If-Match": "*"}))
    assert anyway["version"] == 3 and anyway["title"] == "Whatever the version"
    problem(hall.organiser.patch(url, json={"title": "Bare"}, headers={"If-Match": "3"}), 400, "If-Match")


def test_rounds_are_listed_for_the_council_only(hall):
    mine = new_round(hall.organiser, hall.day["id"], idea_ids=hall.shortlist)
    page = ok(hall.voters[4].get(ROUNDS, params={"hack_day_id": hall.day["id"], "limit": 200}))
    assert mine["id"] in [r["id"] for r in page["items"]] and page["total"] >= 1
    assert all(r["council_id"] == hall.council.id for r in page["items"])
    assert ok(hall.stranger.get(ROUNDS, params={"hack_day_id": hall.day["id"]}))["total"] == 0
    drafts = ok(hall.voters[4].get(ROUNDS, params={"phase": "draft", "limit": 1}))
    assert len(drafts["items"]) == 1 and drafts["next_offset"] == (1 if drafts["total"] > 1 else None)
    # The page envelope of every part: it says which page it is.
    assert drafts["limit"] == 1 and drafts["offset"] == 0
    second = ok(hall.voters[4].get(ROUNDS, params={"phase": "draft", "limit": 1, "offset": 1}))
    assert second["offset"] == 1 and second["items"][0]["id"] != drafts["items"][0]["id"]
    problem(hall.voters[4].get(ROUNDS, params={"limit": 201}), 422, "limit")


def test_the_list_of_voters_is_shown_to_organisers_only(hall):
    listed = [hall.voters[5].id, hall.voters[6].id]
    rnd = new_round(hall.organiser, hall.day["id"], rules={"voter_ids": listed}, idea_ids=hall.shortlist)
    assert sorted(rnd["rules"]["voter_ids"]) == sorted(listed) and rnd["rules"]["eligible"] == "listed"
    seen = ok(hall.voters[5].get(f"{ROUNDS}/{rnd['id']}"))
    assert seen["rules"]["eligible"] == "listed" and seen["rules"]["voter_ids"] is None


def test_creating_is_idempotent_with_a_key(hall):
    body = {"hack_day_id": hall.day["id"], "title": "Once", "method": "approval", "idea_ids": hall.shortlist}
    key = {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = hall.organiser.post(ROUNDS, json=body, headers=key)
    again = hall.organiser.post(ROUNDS, json=body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    problem(hall.organiser.post(ROUNDS, json={**body, "title": "Other"}, headers=key), 422, "Idempotency-Key")


def test_an_unreachable_ideas_service_is_a_clear_503_and_nothing_is_made(platform, hall):
    before = ok(hall.organiser.get(ROUNDS, params={"hack_day_id": hall.day["id"], "limit": 1}))["total"]
    platform.kill("ideas")
    try:
        body = problem(
            hall.organiser.post(
                ROUNDS, json={"hack_day_id": hall.day["id"], "title": "No ideas", "method": "approval"}
            ),
            503,
        )
        assert "ideas service" in body["detail"]
    finally:
        platform.start("ideas")
    assert ok(hall.organiser.get(ROUNDS, params={"hack_day_id": hall.day["id"], "limit": 1}))["total"] == before


def test_an_admin_oversees_any_councils_rounds_but_creates_none(hall, admin):
    rnd = new_round(hall.organiser, hall.day["id"], idea_ids=hall.shortlist)
    assert ok(admin.get(f"{ROUNDS}/{rnd['id']}"))["id"] == rnd["id"]
    assert rnd["id"] in [r["id"] for r in ok(admin.get(ROUNDS, params={"hack_day_id": hall.day["id"]}))["items"]]
    assert step(admin, rnd, "open")["phase"] == "open"
    problem(admin.post(ROUNDS, json={"hack_day_id": hall.day["id"], "title": "Admin's", "method": "approval"}), 403)
