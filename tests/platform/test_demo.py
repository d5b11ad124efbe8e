"""The hack-day demo (tools/demo/, `make demo`): run it, small, against the test platform, then check
through the gateway that what it promises a newcomer is really there.

The demo is run once for the module (about 20-30 s: it signs in a couple of dozen people, each an
Argon2 hash) and only on SQLite: it exercises no database-specific path, and the suite must stay fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.support.actors import Actor, login
from tools import demo
from tools.platform_runner import free_port


@pytest.fixture(scope="module")
def made(platform, tmp_path_factory) -> dict:
    if platform.backend != "sqlite":
        pytest.skip(
            "the demo is checked on SQLite only: it goes through the public API alone, and the suite must stay fast"
        )
    out: Path = tmp_path_factory.mktemp("demo") / "made.json"
    # "--option=value": a random password may start with "-", which argparse would take for an option.
    code = demo.main(
        [
            f"--url={platform.gateway_url}",
            f"--admin-email={platform.admin_email}",
            f"--admin-password={platform.admin_password}",
            "--size=small",
            "--trial-wait=5",
            f"--summary-json={out}",
        ]
    )
    assert code == 0, "the demo stopped; its message is in the captured stderr"
    return json.loads(out.read_text())


def _sign_in(anonymous: httpx.Client, made: dict, who: str) -> Actor:
    account = made["people"][who]
    return login(anonymous, account["email"], account["password"])


def _council(made: dict, slug: str) -> dict:
    return made["councils"][slug]


def _ideas(admin: Actor, council: dict, **params) -> dict:
    response = admin.get("/api/ideas/ideas", params={"council_id": council["id"], "limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_three_councils_with_their_staff_registered(made, admin):
    assert {c["nation"] for c in made["councils"].values()} == {"England", "Wales", "Scotland"}
    people = 0
    for council in made["councils"].values():
        shown = admin.get(f"/api/councils/{council['id']}")
        assert shown.status_code == 200 and shown.json()["name"] == council["name"]
        assert council["name"].endswith("(Example)")
        response = admin.get(f"/api/councils/{council['id']}/people", params={"limit": 1})
        assert response.status_code == 200, response.text
        people += response.json()["total"]
    # Staff registered in bulk, plus the organisers and managers the admin made.
    assert made["staff_registered"] >= 60
    assert people == made["staff_registered"] + 5


def test_the_main_hack_day_has_ideas_across_service_areas_with_teams_and_moderation(made, admin):
    northbrook = _council(made, "northbrook")
    day = admin.get(f"/api/ideas/hack-days/{northbrook['hack_day_id']}")
    assert day.status_code == 200, day.text
    assert day.json()["phase"] == "closed" and day.json()["themes"]

    in_play = _ideas(admin, northbrook, hack_day_id=northbrook["hack_day_id"])
    assert in_play["total"] >= 20
    assert len({i["service_area"] for i in in_play["items"]}) >= 10
    assert any(len(i["authors"]) > 1 for i in in_play["items"]), "no idea has a co-author"

    first = next(i for i in in_play["items"] if i["title"].startswith("Text residents before"))
    duplicates = _ideas(admin, northbrook, status="duplicate")["items"]
    assert [d["duplicate_of_id"] for d in duplicates] == [first["id"]]
    hidden = _ideas(admin, northbrook, status="hidden")["items"]
    assert len(hidden) == 1 and "Names a resident" in hidden[0]["moderation"]["hidden_reason"]
    withdrawn = _ideas(admin, northbrook, status="withdrawn")["items"]
    assert len(withdrawn) == 1

    comments = admin.get(f"/api/ideas/ideas/{first['id']}/comments")
    assert comments.status_code == 200, comments.text
    assert comments.json()["total"] >= 1


def test_each_vote_was_cast_closed_and_published_selecting_the_top_ideas(made, admin):
    assert len(made["rounds"]) == 2
    for rnd in made["rounds"]:
        shown = admin.get(f"/api/voting/rounds/{rnd['id']}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["phase"] == "published"
        assert shown.json()["voters"] == rnd["ballots"] >= 5
        result = admin.get(f"/api/voting/rounds/{rnd['id']}/result")
        assert result.status_code == 200, result.text
        body = result.json()
        assert body["final"] is True
        assert body["result"]["ballots_counted"] == rnd["ballots"]
        assert [s["title"] for s in body["selected"]] == rnd["selected"]
    dots = next(r for r in made["rounds"] if r["council"] == "northbrook")
    assert dots["method"] == "dot_voting" and len(dots["selected"]) == 3


def test_every_selected_idea_has_exactly_one_trial(made, admin):
    for slug, selected in (("northbrook", 3), ("glanmor", 2)):
        council = _council(made, slug)
        listed = admin.get("/api/followup/trials", params={"council_id": council["id"], "limit": 200})
        assert listed.status_code == 200, listed.text
        trials = listed.json()["items"]
        assert len(trials) == selected
        assert len({t["idea"]["id"] for t in trials}) == selected
    statuses = {t["title"]: t["status"] for t in made["trials"]}
    assert "concluded" in statuses.values() and "stopped" in statuses.values()


def test_trials_have_metrics_and_measurements_and_honest_verdicts(made, anonymous):
    manager = _sign_in(anonymous, made, "northbrook manager")
    outcomes = {}
    for trial in (t for t in made["trials"] if t["council"] == "northbrook"):
        body = manager.get(f"/api/followup/trials/{trial['id']}")
        assert body.status_code == 200, body.text
        trial_body = body.json()
        assert trial_body["metrics"] and all(m["baseline"] for m in trial_body["metrics"])
        measured = manager.get(f"/api/followup/trials/{trial['id']}/measurements", params={"limit": 200})
        assert measured.status_code == 200 and measured.json()["total"] >= 1
        outcomes[trial_body["verdict"]["outcome"]] = trial_body
    assert set(outcomes) == {"worked", "did_not_work", "stopped"}
    assert outcomes["worked"]["verdict"]["gain"]["net_pounds"] > 0
    assert outcomes["worked"]["evidence_level"] >= 3
    assert outcomes["did_not_work"]["verdict"]["reasons"]


def test_the_library_holds_a_success_and_a_published_failure(made, admin):
    outcomes = {e["outcome"] for e in made["library_entries"]}
    assert {"worked", "did_not_work", "partly"} <= outcomes
    failure = next(e for e in made["library_entries"] if e["outcome"] == "did_not_work")
    entry = admin.get(f"/api/followup/library/{failure['id']}")
    assert entry.status_code == 200, entry.text
    record = entry.json()
    assert record["outcome"] == "did_not_work"
    assert record["council"]["id"] == _council(made, "northbrook")["id"]
    assert record["reasons"] and any(record["lessons"].values())
    found = admin.get(
        "/api/followup/library", params={"outcome": "did_not_work", "council_id": _council(made, "northbrook")["id"]}
    )
    assert found.status_code == 200 and failure["id"] in {e["id"] for e in found.json()["items"]}


def test_another_council_is_told_the_idea_was_tried_and_did_not_work(made, anonymous):
    tried = made["tried_before"]
    assert tried["verdict"] == "did_not_work" and ", because " in tried["line"]
    staff = _sign_in(anonymous, made, "inverallan staff")
    answer = staff.post(
        "/api/journeys/tried-before",
        json={"title": tried["draft"], "problem": demo.INVERALLAN_DRAFT.problem, "limit": 20},
    )
    assert answer.status_code == 200, answer.text
    hits = {item["idea"]["id"]: item for item in answer.json()["items"]}
    assert tried["idea_id"] in hits
    assert hits[tried["idea_id"]]["outcome"]["verdict"] == "did_not_work"


def test_the_journey_view_shows_the_failed_idea_from_vote_to_library(made, anonymous):
    organiser = _sign_in(anonymous, made, "northbrook organiser")
    failed = next(t for t in made["trials"] if t.get("outcome") == "did_not_work")
    journey = organiser.get(f"/api/journeys/ideas/{failed['idea_id']}")
    assert journey.status_code == 200, journey.text
    body = journey.json()
    assert body["unavailable"] == []
    assert body["rounds"] and body["rounds"][0]["rank"] is not None
    assert body["trial"]["status"] == "concluded"
    assert body["library_entry"]["id"] == failed["library_entry_id"]
    day = organiser.get(f"/api/journeys/hack-days/{_council(made, 'northbrook')['hack_day_id']}")
    assert day.status_code == 200, day.text
    assert day.json()["trials_by_status"] == {"concluded": 2, "stopped": 1}


def test_a_second_run_would_make_a_new_set_rather_than_collide(made, platform, admin):
    again = demo.Demo(
        platform.gateway_url, platform.admin_email, platform.admin_password, "small", 0, say=lambda _: None
    )
    try:
        assert (
            again.choose_set(
                demo.Person(
                    gw=again.gw, id=admin.id, name=admin.name, email=admin.email, roles=admin.roles, token=admin.token
                )
            )
            == made["set_number"] + 1
        )
    finally:
        again.gw.close()


def test_a_person_whose_token_expired_during_a_long_run_signs_in_again(made, platform):
    # Waiting on the gateway's sign-in limit can outlast a 15-minute token: the demo must carry on.
    account = made["people"]["glanmor staff"]
    gateway = demo.Gateway(platform.gateway_url, say=lambda _: None)
    try:
        person = demo.Person(
            gw=gateway,
            id="",
            name="",
            email=account["email"],
            roles=["staff"],
            token="expired.or.forged",
            password=account["password"],
        )
        days = person.get("/api/ideas/hack-days", "list the hack days")
        assert days["total"] == 1
        assert person.token != "expired.or.forged"
    finally:
        gateway.close()


def test_no_platform_running_is_a_clear_failure(capsys):
    code = demo.main(
        [
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "--admin-email",
            "admin@example.org",
            "--admin-password",
            "whatever-it-is",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "no answer from the platform" in err and "make run" in err


def test_a_refused_step_prints_the_problem_detail(platform, capsys):
    if platform.backend != "sqlite":
        pytest.skip("checked once, on SQLite")
    # An unknown email rather than the admin's: wrong passwords count towards locking an account.
    code = demo.main(
        [
            "--url",
            platform.gateway_url,
            "--admin-email",
            "nobody-here@example.org",
            "--admin-password",
            "not-the-password",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "sign in as" in err and "401" in err and "Email or password is not right." in err
