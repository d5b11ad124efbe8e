"""Presentation: rounds, receipts, audit entries and exports from rows (pure functions, no queries)."""

from __future__ import annotations

import json
from typing import cast

from platform_core import csv
from platform_core.auth import Principal
from voting.access import organises
from voting.domain.rounds import counting_rules
from voting.models import AuditEntry, Round
from voting.schemas import AuditEntryPublic, Candidate, RoundPublic, RulesPublic
from voting.tally.validation import BALLOT_KEY
from voting.vocabulary import Method, Phase


def round_public(rnd: Round, principal: Principal, voters: int) -> RoundPublic:
    """A round as the caller may see it (the list of voters only to its organisers)."""
    r = rnd.rules
    rules = RulesPublic(
        **{k: r.get(k) for k in ("dots_per_voter", "max_dots_per_idea", "max_approvals", "count", "min_votes")},
        eligible="council" if r.get("voter_ids") is None else "listed",
        voter_ids=r.get("voter_ids") if organises(principal, rnd) else None,
        exclude_own_ideas=r["exclude_own_ideas"],
        secret=r["secret"],
        results_hidden_until_close=r["results_hidden_until_close"],
    )
    return RoundPublic(
        id=rnd.id,
        council_id=rnd.council_id,
        hack_day_id=rnd.hack_day_id,
        title=rnd.title,
        method=cast(Method, rnd.method),
        rules=rules,
        candidates=[Candidate(**c) for c in rnd.candidates],
        phase=cast(Phase, rnd.phase),
        opens_at=rnd.opens_at,
        closes_at=rnd.closes_at,
        selected_count=rnd.selected_count,
        frozen=rnd.frozen or voters > 0,
        voters=voters,
        audit_head=rnd.audit_head if rnd.phase in ("closed", "published") else None,
        created_by=rnd.created_by,
        created_at=rnd.created_at,
        updated_at=rnd.updated_at,
        opened_at=rnd.opened_at,
        closed_at=rnd.closed_at,
        published_at=rnd.published_at,
        version=rnd.version,
    )


def ballots_export(rnd: Round, ballots: list[dict]) -> dict:
    """What tools/recount.py reads: the round's counting rules, its counted ballots and result."""
    return {
        "round": {
            "id": rnd.id,
            "title": rnd.title,
            "method": rnd.method,
            "rules": counting_rules(rnd),
            "candidates": [{"idea_id": c["idea_id"], "title": c["title"]} for c in rnd.candidates],
        },
        "ballots": [{"ballot_id": b["ballot_id"], "choices": b["choices"]} for b in ballots],
        "result": rnd.result,
        "audit_head": rnd.audit_head,
    }


def with_titles(rnd: Round, result: dict) -> dict:
    """The result as people read it: each ranked idea with its title (from the round's snapshot).
    The stored result (hashed into the chain, exported for recounts) stays as counted."""
    titles = {c["idea_id"]: c["title"] for c in rnd.candidates}
    ranking = [{**r, "title": titles.get(r["idea_id"], "")} for r in result.get("ranking", [])]
    return {**result, "ranking": ranking} if ranking else result


def audit_entry(e: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        seq=e.seq, event=e.event, at=e.at, data=json.loads(e.data), prev_hash=e.prev_hash, entry_hash=e.entry_hash
    )


def result_csv(rnd: Round) -> str:
    """One row per idea in result order: rank, tie flag, title and the method's figures."""
    titles = {c["idea_id"]: c["title"] for c in rnd.candidates}
    ranking = (rnd.result or {}).get("ranking", [])
    figures = sorted({k for r in ranking for k in r} - {"idea_id", "rank", "tied"})
    header = ["rank", "tied", "idea_id", "title", *figures]
    rows = [
        [r["rank"], r["tied"], r["idea_id"], titles.get(r["idea_id"], ""), *(r.get(f) for f in figures)]
        for r in ranking
    ]
    return csv.write(header, rows)


def ballots_csv(rnd: Round, ballots: list[dict]) -> str:
    """One row per counted ballot: ballot id (and voter in open rounds), one column per candidate.

    Cells hold what the ballot gives that idea: dots, 1 for an approval, the rank position or the
    score; empty if nothing. The full ballot is also given as JSON in the last column.
    """
    ids = [c["idea_id"] for c in rnd.candidates]
    key = BALLOT_KEY[rnd.method]
    show_voter = not rnd.rules["secret"]
    header = ["ballot_id", *(["voter_id"] if show_voter else []), *ids, "choices"]
    rows = []
    for b in ballots:
        given = b["choices"][key]
        if rnd.method == "approval":
            cells = {i: 1 for i in given}
        elif rnd.method == "ranked":
            cells = {i: n + 1 for n, i in enumerate(given)}
        else:
            cells = given
        rows.append(
            [
                b["ballot_id"],
                *([b.get("voter_id") or ""] if show_voter else []),
                *(cells.get(i, "") for i in ids),
                b["choices"],
            ]
        )
    return csv.write(header, rows)
