"""On PostgreSQL: many voters at once, retries and replacements, and one voter racing themselves."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.voting.votingkit import ROUNDS, ballot_id, new_round, ok, step

VOTERS = 200


@pytest.fixture
def postgres_only(platform):
    if platform.backend != "postgres":
        pytest.skip("concurrency is tested on PostgreSQL, where it matters (SQLite serialises every writer)")


def _send(client, actor, rnd: dict, choices: dict, key: str):
    response = client.post(
        f"{ROUNDS}/{rnd['id']}/ballot",
        json={"choices": choices},
        headers={**actor.headers, "Idempotency-Key": key},
    )
    return response.status_code, (response.json() if response.status_code < 500 else response.text)


def test_two_hundred_voters_with_retries_and_replacements_give_one_ballot_each(
    postgres_only,
    platform,
    hall,
    new_person,
):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        idea_ids=list(hall.lettered.values()),
        rules={"max_approvals": 2},
        open_it=True,
    )
    people = [new_person(hall.council, "staff") for _ in range(VOTERS)]
    ideas = list(hall.lettered.values())
    rng = random.Random(4)
    final: dict[str, dict] = {}
    answers: list[tuple[int, object]] = []

    def voter_task(n: int, person, client) -> None:
        """One voter on a poor connection: every ballot is sent two or three times with its key,
        sometimes all at once; every fourth voter then changes their mind."""
        plans = [{"approve": rng.sample(ideas, rng.choice((1, 2)))}]
        if n % 4 == 0:
            plans.append({"approve": rng.sample(ideas, 2)})
        for choices in plans:
            key = f"c-{uuid.uuid4()}"
            copies = 3 if n % 3 == 0 else 2
            if n % 5 == 0:
                with ThreadPoolExecutor(copies) as inner:
                    sent = [inner.submit(_send, client, person, rnd, choices, key) for _ in range(copies)]
                    got = [f.result() for f in sent]
            else:
                got = [_send(client, person, rnd, choices, key) for _ in range(copies)]
            answers.extend(got)
            receipts = {body["receipt"] for status, body in got if status == 201}
            assert len(receipts) == 1, got
            final[person.id] = {"choices": choices, "ballot_id": ballot_id(receipts.pop())}

    with platform.client(limits=httpx.Limits(max_connections=60)) as client:
        with ThreadPoolExecutor(50) as pool:
            for f in [pool.submit(voter_task, n, p, client) for n, p in enumerate(people)]:
                f.result()
    assert not [a for a in answers if a[0] >= 500], [a for a in answers if a[0] >= 500][:3]
    assert {status for status, _ in answers} == {201}
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["voters"] == VOTERS

    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    export = ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/ballots"))
    assert sorted(b["ballot_id"] for b in export["ballots"]) == sorted(v["ballot_id"] for v in final.values())
    expected = Counter(i for v in final.values() for i in v["choices"]["approve"])
    counted = {r["idea_id"]: r["approvals"] for r in export["result"]["ranking"]}
    assert counted == {i: expected.get(i, 0) for i in ideas}
    assert export["result"]["ballots_counted"] == VOTERS
    assert ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/audit/verify"))["ok"]


def test_one_voter_racing_twenty_different_ballots_ends_with_exactly_one(postgres_only, platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "ranked", idea_ids=list(hall.lettered.values()), open_it=True)
    voter = hall.voters[7]
    ideas = list(hall.lettered.values())
    ballots = [{"ranking": random.Random(n).sample(ideas, 3)} for n in range(20)]
    with platform.client(limits=httpx.Limits(max_connections=20)) as client:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda b: _send(client, voter, rnd, b, f"race-{uuid.uuid4()}"), ballots))
    assert [status for status, _ in answers] == [201] * 20, answers
    receipts = {body["receipt"] for _, body in answers}
    replaced = [body["replaces"] for _, body in answers if body["replaces"]]
    # Each ballot replaced the one before it: one chain through all twenty, one left counting.
    assert len(receipts) == 20 and len(replaced) == 19 and len(set(replaced)) == 19
    [last] = receipts - set(replaced)
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["voters"] == 1
    step(hall.organiser, rnd, "close")
    export = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/ballots"))
    assert [b["ballot_id"] for b in export["ballots"]] == [ballot_id(last)] and export["result"]["ballots_counted"] == 1
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit/verify"))["ok"]
