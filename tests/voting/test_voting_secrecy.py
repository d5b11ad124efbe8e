"""Secret ballots are secret: no answer, log line or table links a voter to their choices."""

from __future__ import annotations

import csv
import io
import uuid

from tests.voting.votingkit import ROUNDS, cast, db_id, execute, new_round, ok, problem, rows, step


def test_nothing_links_a_voter_to_their_choices_in_a_secret_round(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=list(hall.lettered.values()), open_it=True)
    url = f"{ROUNDS}/{rnd['id']}"
    voter = hall.voters[8]
    first = ok(cast(voter, rnd, {"approve": [hall.lettered["D"]]}, key=f"s-{uuid.uuid4()}"), 201)
    mine = ok(cast(voter, rnd, {"approve": [hall.lettered["E"]]}, key=f"s-{uuid.uuid4()}"), 201)
    ok(cast(hall.voters[9], rnd, {"approve": [hall.lettered["A"]]}), 201)
    receipts = {first["receipt"], mine["receipt"]}

    # Asked "what did I vote?", the service can only say that I voted.
    me = ok(voter.get(f"{url}/ballot"))
    assert me == {"round_id": rnd["id"], "voted": True, "secret": True, "receipt": None, "choices": None}
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")

    # Published ballots, result, audit log, exports: receipts and choices, never a voter.
    answers = [hall.voters[0].get(f"{url}/{path}").text for path in ("ballots", "result", "audit", "audit/verify")]
    answers += [hall.organiser.get(f"{url}/export/{name}").text for name in ("ballots.csv", "result.csv")]
    answers.append(hall.organiser.get(url).text)
    for text in answers:
        assert voter.id not in text and hall.voters[9].id not in text
    assert "voter_id" not in answers[4].splitlines()[0]

    # Log lines: none carries a receipt, and none of the cast requests' lines names a voter or a choice.
    log = platform.log("voting")
    assert not any(r in log for r in receipts)
    assert voter.id not in log and hall.voters[9].id not in log

    # Tables: who voted, and what was voted, share nothing to join on.
    rid = db_id(platform, rnd["id"])
    voters = rows(platform, "SELECT * FROM ballot_voters WHERE round_id = :r", r=rid)
    assert sorted(db_id(platform, str(v["voter_id"])) for v in voters) == sorted(
        db_id(platform, p.id) for p in (voter, hall.voters[9])
    )
    assert set(voters[0]) == {"id", "round_id", "voter_id", "receipt_mac"}
    ballots = rows(platform, "SELECT * FROM ballots WHERE round_id = :r", r=rid)
    assert len(ballots) == 3 and all(b["voter_id"] is None for b in ballots)
    assert set(ballots[0]) == {"receipt", "round_id", "choices", "state", "replaced_by", "voter_id"}
    macs = {v["receipt_mac"] for v in voters}
    assert not any(r in m for r in receipts for m in macs)
    voter_row_ids = {db_id(platform, str(v["id"])) for v in voters}
    assert not any(db_id(platform, str(value)) in voter_row_ids for b in ballots for value in b.values())
    # Sealed retry answers are dropped at publication.
    assert rows(platform, "SELECT count(*) AS n FROM ballot_retries WHERE round_id = :r", r=rid)[0]["n"] == 0


def test_retry_answers_are_sealed_while_the_round_is_open(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    key = f"sealed-{uuid.uuid4()}"
    receipt = ok(cast(hall.voters[10], rnd, {"approve": [hall.lettered["A"]]}, key=key), 201)["receipt"]
    sealed = [r["sealed"] for r in rows(platform, "SELECT sealed FROM ballot_retries")]
    assert sealed and not any(receipt in s or hall.lettered["A"] in s or key in s for s in sealed)
    assert ok(cast(hall.voters[10], rnd, {"approve": [hall.lettered["A"]]}, key=key), 201)["receipt"] == receipt


def test_an_open_ballot_shows_who_voted_for_what_to_organisers_and_the_voter(hall):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        idea_ids=[hall.lettered["A"], hall.lettered["B"]],
        rules={"secret": False},
        open_it=True,
    )
    voter = hall.voters[11]
    receipt = ok(cast(voter, rnd, {"approve": [hall.lettered["B"]]}), 201)["receipt"]
    me = ok(voter.get(f"{ROUNDS}/{rnd['id']}/ballot"))
    assert me["receipt"] == receipt and me["choices"] == {"approve": [hall.lettered["B"]]} and not me["secret"]
    step(hall.organiser, rnd, "close")
    table = list(csv.DictReader(io.StringIO(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/export/ballots.csv").text)))
    assert table[0]["voter_id"] == voter.id and table[0]["receipt"] == receipt and table[0][hall.lettered["B"]] == "1"


def test_a_replacement_that_cannot_find_the_earlier_ballot_is_refused_and_it_keeps_counting(platform, hall):
    """As after VOTING_BALLOT_SECRET changed mid-round: never two counted ballots for one voter."""
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    voter = hall.voters[4]
    first = ok(cast(voter, rnd, {"approve": [hall.lettered["A"]]}), 201)
    execute(
        platform,
        "UPDATE ballot_voters SET receipt_mac = :m WHERE round_id = :r AND voter_id = :v",
        m="0" * 64,
        r=db_id(platform, rnd["id"]),
        v=db_id(platform, voter.id),
    )
    problem(cast(voter, rnd, {"approve": [hall.lettered["B"]]}), 409)
    check = ok(voter.post(f"{ROUNDS}/{rnd['id']}/receipts/check", json={"receipt": first["receipt"]}))
    assert check["status"] == "counted" and check["choices"] == {"approve": [hall.lettered["A"]]}
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["voters"] == 1
