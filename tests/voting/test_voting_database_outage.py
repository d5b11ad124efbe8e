"""The voting database goes away while people vote: a ballot then gets a 503 problem (never a hang
or a bare 500), and the same ballot sent again once the database is back is counted exactly once.

On PostgreSQL a voter's first ballot is written on the driver's own pool of connections
(voting/domain/ballot_batches.py), not the ORM's: this is that pool losing its connections and finding new
ones, with no restart.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.processes import another
from tests.support.tcp_proxy import in_front_of
from tests.voting.votingkit import ROUNDS, ballot_id, new_round, ok, step


def _ballot(client: httpx.Client, voter, rnd: dict, idea: str, key: str) -> httpx.Response:
    return client.post(
        f"{ROUNDS}/{rnd['id']}/ballot",
        json={"choices": {"approve": [idea]}},
        headers={**voter.headers, "Idempotency-Key": key},
    )


def test_a_ballot_cast_while_the_database_is_away_is_refused_then_counted_once(platform, hall, new_person):
    if platform.backend != "postgres":
        pytest.skip("the database going away is exercised on PostgreSQL (a server that can vanish)")
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        idea_ids=list(hall.lettered.values()),
        rules={"max_approvals": 1},
        open_it=True,
    )
    idea = hall.lettered["A"]
    first, second, third = (new_person(hall.council, "staff") for _ in range(3))

    proxy, proxied = in_front_of(platform.database_url("voting"))
    try:
        with another(
            platform.runner, "voting", ready="/readyz", client_timeout=10, VOTING_DATABASE_URL=proxied
        ) as direct:
            # The first ballot this process sees loads the round; the second is a first ballot on the
            # driver's pool.
            receipts = [ok(_ballot(direct, first, rnd, idea, "first-1"), 201)["receipt"]]
            receipts.append(ok(_ballot(direct, second, rnd, idea, "second-1"), 201)["receipt"])

            proxy.cut()
            started = time.monotonic()
            refused = _ballot(direct, third, rnd, idea, "third-1")
            assert time.monotonic() - started < 5
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["retry-after"]
            assert "database" in refused.json()["detail"].lower()

            proxy.open()
            deadline = time.monotonic() + 20
            while (again := _ballot(direct, third, rnd, idea, "third-1")).status_code == 503:
                assert time.monotonic() < deadline, again.text
                time.sleep(0.2)
            receipts.append(ok(again, 201)["receipt"])
            # Sent once more with the same key: the same receipt, not a second ballot.
            replayed = _ballot(direct, third, rnd, idea, "third-1")
            assert ok(replayed, 201)["receipt"] == receipts[2]
            assert replayed.headers["idempotent-replayed"] == "true"
    finally:
        proxy.shutdown()

    step(hall.organiser, rnd, "close")
    export = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/ballots"))
    assert sorted(b["ballot_id"] for b in export["ballots"]) == sorted(ballot_id(r) for r in receipts)
    assert export["result"]["ballots_counted"] == 3
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit/verify"))["ok"]
