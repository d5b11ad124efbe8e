"""Secret ballots are secret: no answer to anyone, and no read of the voting database alone, tells
which choices a given voter made, before or after publication (docs/voting.md, "Secrecy").

The first three tests are the attacks of issue 12, made as an organiser and a member of staff would
make them, through HTTP: each recovered a colleague's choices before the sealed ballot box."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import uuid

from tests.voting.votingkit import ROUNDS, ballot_id, cast, db_id, execute, new_round, ok, problem, rows, step


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _every_approval_ballot(ideas: list[str], most: int = 3) -> list[dict]:
    """Every ballot an approval round with these candidates accepts, in every order it could be sent."""
    return [{"approve": list(p)} for n in range(1, most + 1) for p in itertools.permutations(ideas, n)]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _brute_force(entries: list[dict], ideas: list[str]) -> set[tuple[str, str]]:
    """(a value found in the entries, the ballot whose hash with it another entry holds): what anyone
    who reads the log learns by trying every possible ballot against every unkeyed hash."""
    values = {s for e in entries for s in _strings(e["data"])}
    found = set()
    for value in values:
        for ballot in _every_approval_ballot(ideas):
            if hashlib.sha256(f"{value}:{_canonical(ballot)}".encode()).hexdigest() in values:
                found.add((value, _canonical(ballot)))
    return found


def _published(person, rnd: dict) -> list[tuple[str, dict]]:
    """(ballot id, choices) of each published ballot (before the sealed box, the id was "receipt")."""
    ballots = ok(person.get(f"{ROUNDS}/{rnd['id']}/ballots"))["ballots"]
    return [(b.get("ballot_id") or b["receipt"], b["choices"]) for b in ballots]


def _audit(person, rnd: dict) -> list[dict]:
    return ok(person.get(f"{ROUNDS}/{rnd['id']}/audit", params={"limit": 200}))["items"]


def test_an_organiser_watching_the_audit_log_while_a_colleague_votes_learns_nothing(hall):
    ideas = [hall.lettered[k] for k in "ABCD"]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=ideas, open_it=True)
    for voter, letter in zip(hall.voters[3:6], "ABC", strict=True):
        ok(cast(voter, rnd, {"approve": [hall.lettered[letter]]}), 201)
    before = {e["seq"] for e in _audit(hall.organiser, rnd)}
    # The organiser watches the log as their colleague votes (a secret round, results hidden).
    ok(cast(hall.voters[8], rnd, {"approve": [hall.lettered["D"], hall.lettered["B"]]}), 201)
    new = [e for e in _audit(hall.organiser, rnd) if e["seq"] not in before]
    assert _brute_force(new, ideas) == set()
    assert [e["event"] for e in new] == ["ballot.cast"]
    # After publication the ballots are public: nothing in what was seen links to one of them.
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    seen = {s for e in new for s in _strings(e["data"])}
    for public_id, choices in _published(hall.voters[0], rnd):
        assert public_id not in seen and _hash(public_id, choices) not in seen


def test_replaced_ballots_cannot_be_recovered_after_publication(hall):
    ideas = [hall.lettered[k] for k in "ABCD"]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=ideas, open_it=True)
    voter = hall.voters[9]
    first = ok(cast(voter, rnd, {"approve": [hall.lettered["A"], hall.lettered["C"]]}), 201)
    ok(cast(voter, rnd, {"approve": [hall.lettered["B"]]}), 201)
    ok(cast(hall.voters[10], rnd, {"approve": [hall.lettered["D"]]}), 201)
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    # Any member of staff reads the whole log and the published ballots.
    staff = hall.voters[0]
    published = {(public_id, _canonical(choices)) for public_id, choices in _published(staff, rnd)}
    recovered = _brute_force(_audit(staff, rnd), ideas)
    assert recovered <= published  # only ballots that were published anyway
    assert ballot_id(first["receipt"]) not in json.dumps(_audit(staff, rnd))
    # Even holding the old receipt, a colleague learns only that it no longer counts.
    check = ok(staff.post(f"{ROUNDS}/{rnd['id']}/receipts/check", json={"receipt": first["receipt"]}))
    assert check["status"] == "not_counted" and check["choices"] is None and len(check) <= 7


def test_the_receipts_of_one_voter_are_not_linked(hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=hall.shortlist, open_it=True)
    voter = hall.voters[11]
    receipts = [ok(cast(voter, rnd, {"approve": [hall.lettered[k]]}), 201)["receipt"] for k in "ABC"]
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    entries = _audit(hall.voters[0], rnd)
    texts = [json.dumps(e["data"]) for e in entries]
    # No entry names a replaced ballot, and none names two ballots: nothing chains one voter's ballots.
    for receipt in receipts[:2]:
        assert not any(ballot_id(receipt) in t for t in texts)
    assert all(sum(ballot_id(r) in t for r in receipts) <= 1 for t in texts)
    assert [e["data"] for e in entries if ballot_id(receipts[2]) in json.dumps(e["data"])] == [
        {
            "ballot_id": ballot_id(receipts[2]),
            "ballot_hash": _hash(ballot_id(receipts[2]), {"approve": [hall.lettered["C"]]}),
        }
    ]


def _hash(ballot_id_: str, choices: dict) -> str:
    return hashlib.sha256(f"{ballot_id_}:{_canonical(choices)}".encode()).hexdigest()


def test_the_database_alone_pairs_no_voter_with_their_ballot(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=list(hall.lettered.values()), open_it=True)
    rid = db_id(platform, rnd["id"])
    voters = hall.voters[2:7]
    cast_ids = []
    for voter, letter in zip(voters, "ABCDE", strict=True):
        cast_ids.append(ok(cast(voter, rnd, {"approve": [hall.lettered[letter]]}), 201)["ballot_id"])
    # While open: who voted, and their ballots only sealed; no ballot in the clear anywhere.
    seals = rows(platform, "SELECT * FROM ballot_voters WHERE round_id = :r", r=rid)
    assert set(seals[0]) == {"id", "round_id", "voter_id", "sealed"} and len(seals) == 5
    assert not any(i in s["sealed"] or hall.lettered["A"] in s["sealed"] for s in seals for i in cast_ids)
    assert rows(platform, "SELECT count(*) AS n FROM ballots WHERE round_id = :r", r=rid)[0]["n"] == 0
    step(hall.organiser, rnd, "close")
    ballots = rows(platform, "SELECT * FROM ballots WHERE round_id = :r", r=rid)
    assert set(ballots[0]) == {"ballot_id", "round_id", "choices", "voter_id"}
    assert all(b["voter_id"] is None for b in ballots) and sorted(b["ballot_id"] for b in ballots) == sorted(cast_ids)
    assert all(
        s["sealed"] is None for s in rows(platform, "SELECT sealed FROM ballot_voters WHERE round_id = :r", r=rid)
    )
    if platform.backend == "postgres":
        # Every ballot and every voter row was last written by the one closing transaction: PostgreSQL's
        # own record of who wrote what, and when, pairs nothing.
        written = rows(platform, "SELECT DISTINCT xmin::text AS x FROM ballots WHERE round_id = :r", r=rid)
        voter_rows = rows(platform, "SELECT DISTINCT xmin::text AS x FROM ballot_voters WHERE round_id = :r", r=rid)
        assert len(written) == 1 and voter_rows == written
        stored = [
            r["ballot_id"]
            for r in rows(platform, "SELECT ballot_id FROM ballots WHERE round_id = :r ORDER BY ctid", r=rid)
        ]
    else:
        stored = [
            r["ballot_id"]
            for r in rows(platform, "SELECT ballot_id FROM ballots WHERE round_id = :r ORDER BY rowid", r=rid)
        ]
    assert stored == sorted(cast_ids)  # in ballot-id order (random), not the order they were cast


def test_nothing_links_a_voter_to_their_choices_in_answers_logs_or_exports(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=list(hall.lettered.values()), open_it=True)
    url = f"{ROUNDS}/{rnd['id']}"
    voter = hall.voters[8]
    first = ok(cast(voter, rnd, {"approve": [hall.lettered["D"]]}, key=f"s-{uuid.uuid4()}"), 201)
    mine = ok(cast(voter, rnd, {"approve": [hall.lettered["E"]]}, key=f"s-{uuid.uuid4()}"), 201)
    ok(cast(hall.voters[9], rnd, {"approve": [hall.lettered["A"]]}), 201)
    receipts = {first["receipt"], mine["receipt"]}

    # Asked "what did I vote?", the service says only that I voted: my receipt shows my ballot.
    me = ok(voter.get(f"{url}/ballot"))
    assert me == {"round_id": rnd["id"], "voted": True, "secret": True, "receipt": None, "choices": None}
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")

    answers = [hall.voters[0].get(f"{url}/{path}").text for path in ("ballots", "result", "audit", "audit/verify")]
    answers += [hall.organiser.get(f"{url}/export/{name}").text for name in ("ballots.csv", "result.csv")]
    answers.append(hall.organiser.get(url).text)
    for text in answers:
        assert voter.id not in text and hall.voters[9].id not in text
        assert first["ballot_id"] not in text and not any(r in text for r in receipts)  # secrets never shown
    assert "voter_id" not in answers[4].splitlines()[0]

    log = platform.log("voting")
    assert not any(r in log for r in receipts) and first["ballot_id"] not in log
    assert voter.id not in log and hall.voters[9].id not in log
    # Sealed retry answers are dropped when the round closes.
    rid = db_id(platform, rnd["id"])
    assert rows(platform, "SELECT count(*) AS n FROM ballot_retries WHERE round_id = :r", r=rid)[0]["n"] == 0


def test_retry_answers_are_sealed_while_the_round_is_open(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    key = f"sealed-{uuid.uuid4()}"
    receipt = ok(cast(hall.voters[10], rnd, {"approve": [hall.lettered["A"]]}, key=key), 201)["receipt"]
    sealed = [r["sealed"] for r in rows(platform, "SELECT sealed FROM ballot_retries")]
    assert sealed and not any(ballot_id(receipt) in s or hall.lettered["A"] in s or key in s for s in sealed)
    assert ok(cast(hall.voters[10], rnd, {"approve": [hall.lettered["A"]]}, key=key), 201)["receipt"] == receipt


def test_a_secret_round_cannot_show_a_live_count(hall):
    problem(
        hall.organiser.post(
            ROUNDS,
            json={
                "hack_day_id": hall.day["id"],
                "title": "Live and secret",
                "method": "approval",
                "rules": {"results_hidden_until_close": False},
                "idea_ids": hall.shortlist[:2],
            },
        ),
        422,
        "rules.results_hidden_until_close",
    )


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
    assert table[0]["voter_id"] == voter.id and table[0]["ballot_id"] == ballot_id(receipt)
    assert table[0][hall.lettered["B"]] == "1"


def test_a_replacement_whose_earlier_ballot_cannot_be_opened_is_refused_and_it_keeps_counting(platform, hall):
    """As after VOTING_BALLOT_SECRET changed mid-round: never two counted ballots for one voter."""
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    voter, other = hall.voters[4], hall.voters[5]
    ok(cast(voter, rnd, {"approve": [hall.lettered["A"]]}), 201)
    ok(cast(other, rnd, {"approve": [hall.lettered["B"]]}), 201)
    rid = db_id(platform, rnd["id"])
    # The other voter's seal copied onto this voter's row: it is bound to the other voter, so it fails.
    execute(
        platform,
        "UPDATE ballot_voters SET sealed = (SELECT sealed FROM ballot_voters WHERE round_id = :r AND voter_id = :o)"
        " WHERE round_id = :r AND voter_id = :v",
        r=rid,
        o=db_id(platform, other.id),
        v=db_id(platform, voter.id),
    )
    problem(cast(voter, rnd, {"approve": [hall.lettered["B"]]}), 409)
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["voters"] == 2
    # And the round cannot be counted with a ballot it cannot open: closing says so, nothing is lost.
    problem(hall.organiser.post(f"{ROUNDS}/{rnd['id']}/close"), 409)
