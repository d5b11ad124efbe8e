"""The audit chain: every event of a round, verified; tampering in the database is caught and named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.voting.votingkit import ROUNDS, cast, db_id, execute, new_round, ok, problem, rows, step

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def voted(hall) -> dict:
    """A published round with three ballots, one of them replaced."""
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=list(hall.lettered.values()), open_it=True)
    receipts = [
        ok(cast(v, rnd, {"approve": [hall.lettered[p]]}), 201)["receipt"]
        for v, p in zip(hall.voters[2:5], "ABC", strict=True)
    ]
    receipts.append(ok(cast(hall.voters[2], rnd, {"approve": [hall.lettered["D"]]}), 201)["receipt"])
    step(hall.organiser, rnd, "close")
    step(hall.organiser, rnd, "publish")
    return {"round": rnd, "receipts": receipts}


def _verify(hall, rnd: dict) -> dict:
    return ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/audit/verify"))


def _ballot_id(receipt: str) -> str:
    return receipt[:19]  # the first four groups of four


def test_every_event_is_chained_and_the_head_is_published(hall, voted):
    rnd = voted["round"]
    log = ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/audit"))
    assert [e["event"] for e in log["items"]] == [
        "round.created",
        "round.opened",
        "round.rules_frozen",
        "ballot.cast",
        "ballot.cast",
        "ballot.cast",
        "ballot.withdrawn",
        "ballot.cast",
        "ballot.counted",
        "ballot.counted",
        "ballot.counted",
        "round.closed",
        "round.published",
    ]
    assert all(e["prev_hash"] == p["entry_hash"] for p, e in zip(log["items"], log["items"][1:], strict=False))
    # While open, the chain holds commitments only (no ballot id, no receipt, no time); the one
    # withdrawn is the first of the voter's casts, as they replaced it.
    casts = [e for e in log["items"] if e["event"] in ("ballot.cast", "ballot.withdrawn")]
    assert all(e["at"] is None and set(e["data"]) == {"commitment"} for e in casts)
    assert log["items"][6]["data"] == log["items"][3]["data"]
    # At close, each counted ballot in ballot-id order, with the hash of its choices.
    counted = [e["data"] for e in log["items"] if e["event"] == "ballot.counted"]
    assert [c["ballot_id"] for c in counted] == sorted(_ballot_id(r) for r in voted["receipts"][1:])
    head = log["items"][-1]["entry_hash"]
    assert log["head"] == head == ok(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/ballots"))["audit_head"]
    verdict = _verify(hall, rnd)
    assert verdict["ok"] and verdict["first_broken"] is None and verdict["entries_checked"] == 13
    assert verdict["ballots_checked"] == 3 and verdict["head"] == head


def test_an_open_round_verifies_its_sealed_ballots_against_the_chain(platform, hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    for voter, letter in zip(hall.voters[2:4], "AB", strict=True):
        ok(cast(voter, rnd, {"approve": [hall.lettered[letter]]}), 201)
    verdict = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit/verify"))
    assert verdict["ok"] and verdict["ballots_checked"] == 2
    # A voter row's sealed ballot swapped for another voter's: it no longer opens.
    rid = db_id(platform, rnd["id"])
    seals = rows(platform, "SELECT voter_id, sealed FROM ballot_voters WHERE round_id = :r", r=rid)
    execute(
        platform,
        "UPDATE ballot_voters SET sealed = :s WHERE round_id = :r AND voter_id = :v",
        s=seals[1]["sealed"],
        r=rid,
        v=seals[0]["voter_id"],
    )
    verdict = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit/verify"))
    assert not verdict["ok"] and "cannot be opened" in verdict["first_broken"]["reason"]


def test_the_audit_log_is_for_organisers_until_published(hall):
    rnd = new_round(hall.organiser, hall.day["id"], "approval", open_it=True, idea_ids=hall.shortlist)
    problem(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/audit"), 409)
    problem(hall.voters[0].get(f"{ROUNDS}/{rnd['id']}/audit/verify"), 409)
    assert ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit/verify"))["ok"]
    problem(hall.stranger.get(f"{ROUNDS}/{rnd['id']}/audit/verify"), 404)


def test_an_edited_audit_entry_is_named(platform, hall, voted):
    rid = db_id(platform, voted["round"]["id"])
    entry = rows(platform, "SELECT data FROM audit_entries WHERE round_id = :r AND seq = 4", r=rid)[0]
    forged = json.loads(entry["data"])
    forged["commitment"] = "0" * 64
    execute(
        platform,
        "UPDATE audit_entries SET data = :d WHERE round_id = :r AND seq = 4",
        d=json.dumps(forged, sort_keys=True, separators=(",", ":")),
        r=rid,
    )
    verdict = _verify(hall, voted["round"])
    assert not verdict["ok"] and verdict["first_broken"]["seq"] == 4
    assert verdict["first_broken"]["event"] == "ballot.cast" and "edited" in verdict["first_broken"]["reason"]


def test_an_edited_ballot_is_named_by_its_ballot_id(platform, hall, voted):
    ballot_id = _ballot_id(voted["receipts"][1])
    execute(
        platform,
        "UPDATE ballots SET choices = :c WHERE ballot_id = :b",
        c=json.dumps({"approve": [hall.lettered["E"]]}),
        b=ballot_id,
    )
    broken = _verify(hall, voted["round"])["first_broken"]
    counted = sorted(_ballot_id(r) for r in voted["receipts"][1:])
    assert broken["ballot_id"] == ballot_id and broken["seq"] == 9 + counted.index(ballot_id)
    assert "changed" in broken["reason"]


def test_a_deleted_counted_ballot_is_named(platform, hall, voted):
    """A counted ballot deleted from the table is named by its `ballot.counted` entry."""
    ballot_id = _ballot_id(voted["receipts"][2])
    execute(platform, "DELETE FROM ballots WHERE ballot_id = :b", b=ballot_id)
    broken = _verify(hall, voted["round"])["first_broken"]
    assert broken["ballot_id"] == ballot_id and "missing" in broken["reason"]


def test_a_deleted_entry_or_a_smuggled_ballot_is_caught(platform, hall, voted):
    rid = db_id(platform, voted["round"]["id"])
    execute(
        platform,
        "INSERT INTO ballots (ballot_id, round_id, choices) VALUES ('SMUG-GLED', :r, :c)",
        r=rid,
        c=json.dumps({"approve": [hall.lettered["E"]]}),
    )
    broken = _verify(hall, voted["round"])["first_broken"]
    assert broken["ballot_id"] == "SMUG-GLED" and broken["seq"] is None
    execute(platform, "DELETE FROM audit_entries WHERE round_id = :r AND seq = 3", r=rid)
    broken = _verify(hall, voted["round"])["first_broken"]
    assert broken["seq"] == 3 and "missing" in broken["reason"]


def test_the_command_line_verifies_and_names_the_first_broken_entry(platform, hall, voted):
    env = {**os.environ, "VOTING_DATABASE_URL": platform.database_url("voting"), "VOTING_ENVIRONMENT": "test"}
    command = [sys.executable, "-m", "voting", "verify-audit", voted["round"]["id"]]
    good = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and "OK" in good.stdout, good.stdout + good.stderr
    rid = db_id(platform, voted["round"]["id"])
    execute(platform, "UPDATE audit_entries SET event = 'round.reopened' WHERE round_id = :r AND seq = 12", r=rid)
    bad = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "BROKEN at entry 12" in bad.stdout, bad.stdout + bad.stderr


def test_publishing_writes_the_result_event_to_the_outbox_in_the_same_transaction(platform, hall):
    rnd = new_round(
        hall.organiser,
        hall.day["id"],
        "approval",
        idea_ids=list(hall.lettered.values()),
        selected_count=2,
        open_it=True,
    )
    for voter, picks in zip(hall.voters[2:5], (["C", "A"], ["C"], ["A", "C"]), strict=True):
        ok(cast(voter, rnd, {"approve": [hall.lettered[p] for p in picks]}), 201)
    step(hall.organiser, rnd, "close")
    assert not _result_events(platform, rnd["id"])
    published = step(hall.organiser, rnd, "publish", json={"selected_count": 1})
    assert published["selected_count"] == 1
    events = _result_events(platform, rnd["id"])
    # One row per destination, one event id: ideas marks the idea selected, follow-up starts a trial,
    # the gateway mails the news to the council's staff.
    assert sorted(e["destination"] for e in events) == ["followup", "gateway", "ideas"]
    assert len({str(e["event_id"]) for e in events}) == 1 and all(e["delivered_at"] is None for e in events)
    payload = events[0]["payload"]
    assert payload["topic"] == "round.result_published" and uuid.UUID(payload["event_id"]) == uuid.UUID(
        str(events[0]["event_id"])
    )
    assert [s["idea_id"] for s in payload["selected"]] == [hall.lettered["C"]]
    assert payload["selected"][0]["rank"] == 1 and payload["selected_count"] == 1
    assert payload["hack_day_id"] == hall.day["id"] and payload["council_id"] == hall.council.id
    assert payload["audit_head"] == ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["audit_head"]


def _result_events(platform, round_id: str) -> list[dict]:
    found = rows(
        platform,
        "SELECT event_id, destination, payload, delivered_at FROM outbox_events WHERE topic = 'round.result_published'",
    )
    for row in found:
        if not isinstance(row["payload"], dict):
            row["payload"] = json.loads(row["payload"])
    return [row for row in found if row["payload"]["round_id"] == round_id]


def test_an_entry_hash_from_stored_data_text_is_the_hash_of_the_whole_entry():
    """append() hashes each entry from its data's canonical text (not encoding the data twice): the
    same hash as HMAC over the canonical JSON of the whole entry, as the chain has always been made and
    as verification recomputes it."""
    import hashlib
    import hmac
    from datetime import UTC, datetime

    from voting.domain.audit import at_text, canonical, entry_hash, entry_hash_of_text

    def whole_entry(key, prev, round_id, seq, event, at, data):
        entry = {"round_id": str(round_id), "seq": seq, "event": event, "at": at_text(at), "data": data}
        return hmac.new(key.encode(), (prev + canonical(entry)).encode(), hashlib.sha256).hexdigest()

    datas = [
        {},
        {"commitment": "ab" * 32},
        {"ballot_id": "K3QF-7ZQX-M2VA-PD4C", "ballot_hash": "0" * 64},
        {"method": "score", "rules": {"max": 5, "ratio": 0.5, "tie": None, "ok": True}, "candidates": ["é", "日本"]},
        {"text": 'quote " backslash \\ newline \n tab \t nul \x00 line sep \u2028', "n": -3, "big": 10**30},
    ]
    ats = [None, datetime(2026, 12, 3, 7, 30, 1, tzinfo=UTC)]
    for i, data in enumerate(datas):
        for at in ats:
            args = ("k€y", "f" * 64 if i else "", uuid.uuid4(), i + 1, "ballot.cast", at)
            expected = whole_entry(*args, data)
            assert entry_hash(*args, data) == expected
            assert entry_hash_of_text(*args, canonical(data)) == expected


def test_receipts_are_two_halves_of_four_groups_of_base32():
    from voting.domain import receipts

    seen = set()
    for _ in range(200):
        r = receipts.new_receipt()
        assert r.secret is not None
        for half in (r.ballot_id, r.secret):
            groups = half.split("-")
            assert len(groups) == 4 and all(len(g) == 4 for g in groups)
            assert set("".join(groups)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert receipts.read_receipt(r.text.lower().replace("-", " ")) == r
        seen.update((r.ballot_id, r.secret))
    assert len(seen) == 400  # 80 random bits each: never the same twice, and the halves differ
