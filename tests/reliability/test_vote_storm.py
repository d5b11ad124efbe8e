"""A vote storm with a crash in the middle: several hundred voters on poor connections cast their
ballots through the gateway, retrying with the same Idempotency-Key, while the voting service is
killed (SIGKILL, as a crash) and started again.

What must hold: every ballot that got a 2xx is counted exactly once; each retry of a ballot gets the
first answer (the same receipt); every voter finds their receipt in the published ballots; the
published result equals a count made here; no answer is a bare 500 (while voting is down the gateway
answers 503 problems, and clients retry). Real processes on loopback, PostgreSQL, bounded in time.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import threading
import time
import uuid

import httpx
import pytest

from tests.support.actors import unique

VOTERS = int(os.environ.get("VOTE_STORM_VOTERS", "300"))
CONCURRENCY = 50
DEADLINE_SECONDS = 60  # the whole storm, crash and recovery included, or the test fails
ROUNDS = "/api/voting/rounds"


class Storm:
    """Everything the clients saw, for the assertions and the report."""

    def __init__(self) -> None:
        self.statuses: collections.Counter[int] = collections.Counter()
        self.transport_errors = 0
        self.bare_500s: list[str] = []
        self.requests = 0
        self.accepted = 0
        self.replayed = 0  # answers replayed from the first (Idempotent-Replayed: true)
        self.receipts: dict[str, set[str]] = collections.defaultdict(set)  # voter -> receipts seen for a key
        self.lock = threading.Lock()

    def saw(self, response: httpx.Response) -> None:
        self.requests += 1
        self.statuses[response.status_code] += 1
        self.replayed += response.headers.get("idempotent-replayed") == "true"
        if response.status_code >= 500 and not response.headers.get("content-type", "").startswith(
            "application/problem+json"
        ):
            self.bare_500s.append(f"{response.status_code} {response.text[:200]}")
        if response.status_code == 500:
            self.bare_500s.append(f"500 {response.text[:200]}")


async def cast(
    client: httpx.AsyncClient, storm: Storm, round_id: str, token: str, choices: dict, key: str, deadline: float
) -> dict:
    """Send one ballot until it is accepted, as a phone on a poor connection would: same key each time."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    delay = 0.05
    while True:
        if time.monotonic() > deadline:
            raise AssertionError(f"ballot {key} not accepted before the deadline")
        try:
            response = await client.post(f"{ROUNDS}/{round_id}/ballot", json={"choices": choices}, headers=headers)
        except httpx.TransportError:
            storm.requests += 1
            storm.transport_errors += 1
        else:
            storm.saw(response)
            if response.status_code == 201:
                return response.json()
            retry = response.status_code in (502, 503, 504) or (
                response.status_code == 409 and "still being processed" in response.text
            )
            assert retry, f"unexpected answer to a ballot: {response.status_code} {response.text[:300]}"
        # Clients back off; far less than the Retry-After the gateway suggests, to keep the test short.
        await asyncio.sleep(delay + random.random() * delay)
        delay = min(delay * 2, 0.4)


def test_a_vote_storm_survives_the_voting_service_crashing(platform, new_council, new_person, figures):
    if platform.backend != "postgres":
        pytest.skip("the vote storm runs on PostgreSQL, where many writers really run at once")
    council = new_council()
    organiser = new_person(council, "organiser")
    author = new_person(council, "staff")
    day = organiser.post(
        "/api/ideas/hack-days",
        json={"name": unique("Storm hack day"), "date": "2027-05-05", "themes": ["Fewer missed bin collections"]},
    ).json()
    assert organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}).status_code == 200
    ideas = []
    for n in range(4):
        idea = author.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": day["id"],
                "title": f"Idea number {n} for the storm",
                "service_area": "waste_and_recycling",
                "problem": "Residents ring about missed bins.",
                "proposal": "Tell crews before the round starts.",
            },
        )
        assert idea.status_code == 201, idea.text
        ideas.append(idea.json()["id"])
    created = organiser.post(
        ROUNDS,
        json={
            "hack_day_id": day["id"],
            "title": "Storm round",
            "method": "approval",
            "rules": {"max_approvals": 2},
            "idea_ids": ideas,
        },
    )
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    assert organiser.post(f"{ROUNDS}/{round_id}/open").status_code == 200

    staff = organiser.post(
        f"/api/councils/{council.id}/staff",
        json={"people": [{"email": f"{unique('voter')}@example.org", "name": f"Voter {i}"} for i in range(VOTERS)]},
    )
    assert staff.status_code == 201, staff.text
    rng = random.Random(7)
    voters = []
    for person in staff.json()["created"]:
        token = platform.issuer.issue(
            subject=person["id"], council_id=council.id, council_name=council.name, roles=["staff"], name=person["name"]
        )
        first = rng.sample(ideas, rng.choice([1, 2]))
        # One voter in five changes their mind once: the second ballot replaces the first.
        second = rng.sample(ideas, rng.choice([1, 2])) if rng.random() < 0.2 else None
        voters.append(
            {"id": person["id"], "token": token, "first": first, "second": second, "duplicate": rng.random() < 0.3}
        )

    storm = Storm()
    faults: list[str] = []
    started = time.monotonic()
    answers = asyncio.run(_storm(platform, storm, round_id, voters, faults, started + DEADLINE_SECONDS))
    elapsed = time.monotonic() - started

    # Close, publish, and read what every member of the council can read.
    assert organiser.post(f"{ROUNDS}/{round_id}/close").status_code == 200
    assert organiser.post(f"{ROUNDS}/{round_id}/publish").status_code == 200
    published = organiser.get(f"{ROUNDS}/{round_id}/ballots")
    assert published.status_code == 200, published.text
    counted = collections.Counter(b["ballot_id"] for b in published.json()["ballots"])

    final = {v["id"]: answers[v["id"]][-1] for v in voters}
    replaced = [answers[v["id"]][0] for v in voters if len(answers[v["id"]]) > 1]
    lost = [v for v, receipt in final.items() if counted[receipt[:19]] == 0]
    twice = [r for r, n in counted.items() if n > 1]
    strangers = set(counted) - {receipt[:19] for receipt in final.values()}
    figures(
        "vote storm",
        "voters, ballots accepted, requests sent, faults injected",
        f"{VOTERS}, {storm.accepted}, {storm.requests}, {len(faults)} ({'; '.join(faults)})",
    )
    figures(
        "vote storm", "answers by status, replayed answers", f"{dict(sorted(storm.statuses.items()))}, {storm.replayed}"
    )
    figures(
        "vote storm",
        "ballots lost, counted twice, bare 500s, seconds",
        f"{len(lost)}, {len(twice)}, {len(storm.bare_500s)}, {elapsed:.1f}",
    )

    assert faults == ["voting killed", "voting restarted"]
    assert storm.statuses[503] + storm.transport_errors > 0, "the crash was not felt: the fault did not happen"
    assert storm.bare_500s == []
    assert lost == [] and twice == [] and not strangers
    assert len(counted) == VOTERS
    # Every retry of one ballot got the first answer: one receipt per Idempotency-Key.
    assert [k for k, seen in storm.receipts.items() if len(seen) != 1] == []

    # Every voter finds their receipt counted; a replaced receipt says only that it no longer counts.
    checks = asyncio.run(_check_receipts(platform, round_id, voters, final, replaced))
    assert checks["counted"] == VOTERS and checks["not_counted"] == len(replaced), checks

    # The published result is the count made here from what each voter was told was accepted.
    expected = collections.Counter()
    for v in voters:
        expected.update(v["second"] or v["first"])
    result = organiser.get(f"{ROUNDS}/{round_id}/result").json()["result"]
    assert {r["idea_id"]: r["approvals"] for r in result["ranking"]} == {i: expected[i] for i in ideas}


async def _storm(
    platform,
    storm: Storm,
    round_id: str,
    voters: list[dict],
    faults: list[str],
    deadline: float,
) -> dict[str, list[str]]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    gate = asyncio.Semaphore(CONCURRENCY)
    answers: dict[str, list[str]] = {}
    crash_at = len(voters) // 3

    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=15.0, limits=limits) as client:

        async def one(voter: dict) -> None:
            async with gate:
                key = str(uuid.uuid4())
                choices = {"approve": voter["first"]}
                if voter["duplicate"]:
                    # A flaky phone sends the same ballot twice at once: both get the same receipt.
                    pair = await asyncio.gather(
                        *(cast(client, storm, round_id, voter["token"], choices, key, deadline) for _ in range(2))
                    )
                else:
                    pair = [await cast(client, storm, round_id, voter["token"], choices, key, deadline)]
                storm.receipts[key].update(a["receipt"] for a in pair)
                storm.accepted += 1
                receipts = [pair[0]["receipt"]]
            if voter["second"]:
                key2 = str(uuid.uuid4())
                answer = await cast(
                    client, storm, round_id, voter["token"], {"approve": voter["second"]}, key2, deadline
                )
                storm.receipts[key2].add(answer["receipt"])
                # The reply was lost, so the phone sends it again: the first answer comes back.
                again = await cast(
                    client, storm, round_id, voter["token"], {"approve": voter["second"]}, key2, deadline
                )
                storm.receipts[key2].add(again["receipt"])
                receipts.append(answer["receipt"])
            answers[voter["id"]] = receipts

        async def crash() -> None:
            while storm.accepted < crash_at:
                await asyncio.sleep(0.01)
            await asyncio.to_thread(platform.kill, "voting")
            faults.append("voting killed")
            await asyncio.sleep(1.0)  # clients meet a dead service for a moment
            await asyncio.to_thread(platform.start, "voting")
            faults.append("voting restarted")

        await asyncio.gather(crash(), *(one(v) for v in voters))
    return answers


async def _check_receipts(
    platform,
    round_id: str,
    voters: list[dict],
    final: dict[str, str],
    replaced: list[str],
) -> collections.Counter[str]:
    seen: collections.Counter[str] = collections.Counter()
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=15.0) as client:

        async def check(token: str, receipt: str, expect: str) -> None:
            async with gate:
                response = await client.post(
                    f"{ROUNDS}/{round_id}/receipts/check",
                    json={"receipt": receipt},
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["status"] == expect, body
            if expect == "counted":
                assert body["cast_entry"] and body["counted_entry"] and not body["withdrawn"], body
            else:
                assert body["choices"] is None and not (set(_strings(body)) & set(final.values())), body
            seen[expect] += 1

        # Each voter checks their own receipt; a replaced one is checked by its voter's colleague, as
        # anyone in the council may (receipts name no voter).
        token_of = {v["id"]: v["token"] for v in voters}
        jobs = [check(token_of[vid], receipt, "counted") for vid, receipt in final.items()]
        jobs += [check(voters[0]["token"], receipt, "not_counted") for receipt in replaced]
        await asyncio.gather(*jobs)
    return seen


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []
