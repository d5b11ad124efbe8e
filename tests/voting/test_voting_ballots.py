"""Ballots through the gateway: every method's worked example, the rules, receipts, retries, the window."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.voting.tally_examples import EXAMPLES, ballots_for, check
from tests.voting.votingkit import ROUNDS, ballot_id, cast, ids_of, new_round, ok, problem, step

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_each_methods_worked_example_counts_as_documented_and_recounts(hall, example, tmp_path):
    ids = {label: hall.lettered[label] for label in example["candidates"]}
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        example["method"],
        rules=example["rules"],
        idea_ids=list(ids.values()),
        open_it=True,
    )
    receipts = []
    for voter, choices in zip(hall.voters, ballots_for(example, ids), strict=False):
        receipts.append(ok(cast(voter, rnd, choices, key=str(uuid.uuid4())), 201)["receipt"])
    assert len(receipts) == len(example["ballots"])
    step(hall.organiser, rnd, "close")
    result = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/result"))
    assert result["final"] and check(example, result["result"], ids) == []
    step(hall.organiser, rnd, "publish")
    export = ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/ballots"))
    assert sorted(b["ballot_id"] for b in export["ballots"]) == sorted(ballot_id(r) for r in receipts)
    titles = {c["idea_id"]: c["title"] for c in rnd["candidates"]}
    assert all(r.pop("title") == titles[r["idea_id"]] for r in result["result"]["ranking"])
    assert export["result"] == result["result"] and export["round"]["rules"] == example["rules"]
    # Anyone entitled can recount the published ballots with the standalone script.
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    recount = subprocess.run(
        [sys.executable, str(REPO / "tools" / "recount.py"), str(path), "--receipt", receipts[0]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert recount.returncode == 0, recount.stdout + recount.stderr


@pytest.mark.parametrize(
    "method, choices, field",
    [
        ("approval", {"approve": ["UNKNOWN"]}, "choices.approve"),
        ("approval", {"approve": ["A", "B", "C", "D"]}, "choices.approve"),
        ("approval", {"dots": {"A": 1}}, "choices.dots"),
        ("dot_voting", {"dots": {"A": 4}}, "choices.dots.A"),
        ("dot_voting", {"dots": {"A": 3, "B": 3}}, "choices.dots"),
        ("ranked", {"ranking": ["A", "A"]}, "choices.ranking"),
        ("score", {"scores": {"A": 6}}, "choices.scores.A"),
    ],
)
def test_a_ballot_that_breaks_the_rules_is_refused_naming_the_field(hall, method, choices, field):
    rnd = new_round(hall.organiser, hall.day["id"], method, idea_ids=list(hall.lettered.values()), open_it=True)
    real = json.loads(json.dumps(choices).replace('"UNKNOWN"', f'"{uuid.uuid4()}"'))
    for label, idea_id in hall.lettered.items():
        real = json.loads(json.dumps(real).replace(f'"{label}"', f'"{idea_id}"'))
        field = field.replace(f".{label}", f".{idea_id}")
    body = problem(cast(hall.voters[2], rnd, real), 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body
    problem(
        hall.voters[2].post(f"{ROUNDS}/{rnd['id']}/ballot", json={"choices": {"approve": []}, "voter": "x"}),
        422,
        "voter",
    )
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["voters"] == 0


def test_nobody_votes_for_an_idea_they_authored_or_co_authored_unless_the_rule_is_off(hall):
    # Explicit candidates: earlier published rounds of this hack day have selected some shortlisted
    # ideas (the outbox marks them selected), so "all shortlisted" changes as the module runs.
    pair = [hall.lettered["A"], hall.team_idea]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=pair, open_it=True)
    for author in (hall.dana, hall.eli):
        problem(cast(author, rnd, {"approve": [hall.team_idea]}), 422, f"choices.approve.{hall.team_idea}")
    ok(cast(hall.dana, rnd, {"approve": [hall.lettered["A"]]}), 201)
    relaxed = new_round(
        hall.organiser, hall.day["id"], "approval", rules={"exclude_own_ideas": False}, idea_ids=pair, open_it=True
    )
    ok(cast(hall.eli, relaxed, {"approve": [hall.team_idea]}), 201)


def test_who_may_vote(hall, new_person, admin):
    listed = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        open_it=True,
        idea_ids=hall.shortlist,
        rules={"voter_ids": [hall.voters[3].id, hall.manager.id]},
    )
    choice = {"approve": [hall.lettered["A"]]}
    problem(cast(hall.voters[4], listed, choice), 403)
    ok(cast(hall.voters[3], listed, choice), 201)
    ok(cast(hall.manager, listed, choice), 201)
    everyone = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    ok(cast(hall.organiser, everyone, choice), 201)
    problem(cast(hall.stranger, everyone, choice), 404)
    problem(cast(hall.other_organiser, everyone, choice), 404)
    problem(cast(admin, everyone, choice), 404)
    problem(hall.voters[0].client.post(f"{ROUNDS}/{everyone['id']}/ballot", json={"choices": choice}), 401)


def test_ballots_only_while_open_and_the_rules_freeze_at_the_first(hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=hall.shortlist)
    choice = {"approve": [hall.lettered["B"]]}
    problem(cast(hall.voters[2], rnd, choice), 409)
    opened = step(hall.organiser, rnd, "open")
    url = f"{ROUNDS}/{rnd['id']}"
    # Before the first ballot the rules may still change.
    opened = ok(
        hall.organiser.patch(url, json={"rules": {"max_approvals": 2}}, headers={"If-Match": f'"{opened["version"]}"'})
    )
    ok(cast(hall.voters[2], rnd, choice), 201)
    frozen = ok(hall.organiser.get(url))
    assert frozen["frozen"] and not opened["frozen"]
    version = {"If-Match": f'"{frozen["version"]}"'}
    for change in ({"method": "score"}, {"rules": {"max_approvals": 3}}, {"idea_ids": ids_of(rnd)[:2]}):
        field = next(iter(change))
        problem(hall.organiser.patch(url, json=change, headers=version), 409, field)
    assert ok(hall.organiser.patch(url, json={"title": "Renamed"}, headers=version))["title"] == "Renamed"
    step(hall.organiser, rnd, "close")
    problem(cast(hall.voters[3], rnd, choice), 409)


def test_a_retry_gets_the_same_receipt_and_a_replacement_gets_a_new_one(hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    voter, url = hall.voters[5], f"{ROUNDS}/{rnd['id']}"
    first = cast(voter, rnd, {"approve": [hall.lettered["A"]]}, key="vote-1")
    again = cast(voter, rnd, {"approve": [hall.lettered["A"]]}, key="vote-1")
    assert first.status_code == again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json() and first.json()["replaces"] is None
    problem(cast(voter, rnd, {"approve": [hall.lettered["B"]]}, key="vote-1"), 422, "Idempotency-Key")
    # The same key from another voter is another request.
    other = ok(cast(hall.voters[6], rnd, {"approve": [hall.lettered["A"]]}, key="vote-1"), 201)
    assert other["receipt"] != first.json()["receipt"]
    second = ok(cast(voter, rnd, {"approve": [hall.lettered["C"]]}, key="vote-2"), 201)
    assert second["replaces"] == first.json()["receipt"] and second["receipt"] != first.json()["receipt"]
    assert ok(hall.organiser.get(url))["voters"] == 2
    # While the round is open a voter can check their own current ballot, typed as people type it;
    # an earlier receipt says only that it no longer counts (nothing leads from it to the new one).
    mine = ok(voter.post(f"{url}/receipts/check", json={"receipt": second["receipt"].lower().replace("-", " ")}))
    assert mine["status"] == "counted" and mine["choices"] == {"approve": [hall.lettered["C"]]}
    old = ok(voter.post(f"{url}/receipts/check", json={"receipt": first.json()["receipt"]}))
    assert old["status"] == "not_counted" and old["choices"] is None and second["receipt"] not in str(old)
    # Another voter's receipt cannot be checked before the close, even by someone who holds it.
    assert ok(hall.voters[6].post(f"{url}/receipts/check", json={"receipt": second["receipt"]}))["status"] == (
        "not_counted"
    )
    assert ok(hall.voters[7].post(f"{url}/receipts/check", json={"receipt": second["receipt"]}))["status"] == "unknown"
    # The service no longer takes a "replaces" hint: it finds the voter's ballot in their own row.
    problem(
        voter.post(f"{url}/ballot", json={"choices": {"approve": [hall.lettered["D"]]}, "replaces": second["receipt"]}),
        422,
        "replaces",
    )
    third = ok(cast(voter, rnd, {"approve": [hall.lettered["D"]]}), 201)
    assert third["replaces"] == second["receipt"]
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    export = ok(voter.get(f"{url}/ballots"))
    assert {b["ballot_id"] for b in export["ballots"]} == {third["ballot_id"], other["ballot_id"]}
    # Once closed anyone in the council checks a receipt; the whole receipt also finds the entry that
    # committed to the ballot when it was cast.
    check = ok(hall.voters[7].post(f"{url}/receipts/check", json={"receipt": third["receipt"]}))
    assert check["status"] == "counted" and check["choices"] == {"approve": [hall.lettered["D"]]}
    assert check["cast_entry"] and check["counted_entry"] > check["cast_entry"] and not check["withdrawn"]
    by_id = ok(hall.voters[7].post(f"{url}/receipts/check", json={"receipt": third["ballot_id"]}))
    assert by_id["status"] == "counted" and by_id["cast_entry"] is None and by_id["counted_entry"]
    for replaced in (first.json()["receipt"], second["receipt"]):
        assert ok(voter.post(f"{url}/receipts/check", json={"receipt": replaced}))["status"] == "not_counted"
    assert export["result"]["ballots_counted"] == 2


def test_the_window_refuses_early_ballots_and_closes_the_round_on_time(hall):
    later = datetime.now(UTC) + timedelta(hours=1)
    early = new_round(
        hall.organiser, hall.day["id"], "approval", opens_at=later.isoformat(), open_it=True, idea_ids=hall.shortlist
    )
    assert "opens at" in problem(cast(hall.voters[2], early, {"approve": [hall.lettered["A"]]}), 409)["detail"]
    closes = datetime.now(UTC) + timedelta(seconds=3)
    rnd = new_round(
        hall.organiser, hall.day["id"], "approval", closes_at=closes.isoformat(), open_it=True, idea_ids=hall.shortlist
    )
    ok(cast(hall.voters[2], rnd, {"approve": [hall.lettered["A"]]}), 201)
    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()) + 0.2)
    assert "closed at" in problem(cast(hall.voters[3], rnd, {"approve": [hall.lettered["A"]]}), 409)["detail"]
    seen = ok(hall.voters[3].get(f"{ROUNDS}/{rnd['id']}"))
    assert seen["phase"] == "closed" and seen["closed_at"]
    result = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/result"))
    assert result["result"]["ballots_counted"] == 1


def test_results_are_hidden_until_close_and_shown_to_staff_once_published(hall):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        idea_ids=list(hall.lettered.values()),
        selected_count=2,
        open_it=True,
    )
    url = f"{ROUNDS}/{rnd['id']}"
    for voter, picks in zip(hall.voters[2:6], (["A", "B"], ["A"], ["A", "C"], ["B"]), strict=True):
        ok(cast(voter, rnd, {"approve": [hall.lettered[p] for p in picks]}), 201)
    problem(hall.organiser.get(f"{url}/result"), 409)
    problem(hall.voters[2].get(f"{url}/result"), 409)
    problem(hall.voters[2].get(f"{url}/ballots"), 409)
    step(hall.organiser, rnd, "close")
    organisers = ok(hall.organiser.get(f"{url}/result"))
    assert organisers["final"] and organisers["selected"] is None
    problem(hall.voters[2].get(f"{url}/result"), 409)
    problem(hall.voters[2].get(f"{url}/ballots"), 409)
    # The result as stored (and exported for a recount) is the one shown, which adds each idea's title.
    shown = organisers["result"]
    assert [r.pop("title") for r in shown["ranking"]][0] in {f"Idea {k}" for k in "ABCDE"}
    assert ok(hall.organiser.get(f"{url}/ballots"))["result"] == shown
    step(hall.organiser, rnd, "publish")
    staff = ok(hall.voters[2].get(f"{url}/result"))
    assert [s["idea_id"] for s in staff["selected"]] == [hall.lettered["A"], hall.lettered["B"]]
    assert staff["result"]["ranking"][0]["approvals"] == 3 and staff["audit_head"]
    assert staff["result"]["ranking"][0]["title"] == "Idea A"  # results in JSON name the ideas


def test_a_round_may_show_a_live_count_while_open(hall):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "score",
        idea_ids=[hall.lettered["A"], hall.lettered["B"]],
        rules={"results_hidden_until_close": False, "secret": False},
        open_it=True,
    )
    ok(cast(hall.voters[2], rnd, {"scores": {hall.lettered["A"]: 1, hall.lettered["B"]: 4}}), 201)
    live = ok(hall.voters[7].get(f"{ROUNDS}/{rnd['id']}/result"))
    assert not live["final"] and live["result"]["ranking"][0]["idea_id"] == hall.lettered["B"]
    assert live["result"]["ballots_counted"] == 1


def test_organisers_export_results_and_ballots_as_csv(hall):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "dot_voting",
        idea_ids=[hall.lettered["A"], hall.lettered["B"]],
        open_it=True,
    )
    receipt = ok(cast(hall.voters[2], rnd, {"dots": {hall.lettered["A"]: 3, hall.lettered["B"]: 1}}), 201)["receipt"]
    url = f"{ROUNDS}/{rnd['id']}/export"
    problem(hall.organiser.get(f"{url}/result.csv"), 409)
    step(hall.organiser, rnd, "close")
    problem(hall.voters[2].get(f"{url}/result.csv"), 403)
    problem(hall.voters[2].get(f"{url}/ballots.csv"), 403)
    result = hall.organiser.get(f"{url}/result.csv")
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/csv")
    lines = result.text.splitlines()
    assert lines[0].startswith("rank,tied,idea_id,title") and "dots" in lines[0]
    assert lines[1].startswith(f"1,false,{hall.lettered['A']},Idea A")
    ballots = hall.organiser.get(f"{url}/ballots.csv").text.splitlines()
    assert ballots[0] == f"ballot_id,{hall.lettered['A']},{hall.lettered['B']},choices"
    assert ballots[1].startswith(f"{ballot_id(receipt)},3,1,")
