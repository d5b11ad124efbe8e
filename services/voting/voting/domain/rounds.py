"""The rules of rounds: creating, editing, the phases (draft → open → closed → published), counting.

No HTTP here beyond raising Problem; the router authorises and shapes answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core import outbox
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.db import table_of
from platform_core.problems import Problem
from voting.clients.ideas import NOT_VOTABLE, IdeasClient, IdeaSnapshot
from voting.domain import audit, ballots, receipts
from voting.models import Ballot, BallotVoter, Round
from voting.schemas import RoundCreate, RoundRules, RoundUpdate
from voting.tally import count
from voting.vocabulary import COUNTING_DEFAULTS, COUNTING_KEYS

RESULT_PUBLISHED = "round.result_published"
# The gateway mails the council's staff the news (gateway/routes/news.py); ideas and follow-up act on it.
RESULT_DESTINATIONS = ("ideas", "followup", "gateway")
ROUND_OPENED = "round.opened"
VOTERS = table_of(BallotVoter)
BALLOTS = table_of(Ballot)


def normalise_rules(method: str, rules: RoundRules) -> dict[str, Any]:
    """Fill the method's counting defaults; refuse counting keys of another method (422)."""
    given = rules.model_dump(exclude_unset=True)
    all_counting = {k for keys in COUNTING_KEYS.values() for k in keys}
    errors = [
        {"field": f"rules.{k}", "message": f"does not apply to {method} rounds"}
        for k in sorted(all_counting - set(COUNTING_KEYS[method]))
        if given.get(k) is not None
    ]
    if errors:
        raise Problem(422, f"Some rules do not apply to {method} rounds.", errors=errors)
    out: dict[str, Any] = {k: given.get(k) or COUNTING_DEFAULTS[k] for k in COUNTING_KEYS[method]}
    if method == "dot_voting" and out["max_dots_per_idea"] > out["dots_per_voter"]:
        raise Problem(
            422,
            "A voter cannot put more dots on one idea than they have.",
            errors=[
                {
                    "field": "rules.max_dots_per_idea",
                    "message": f"must not exceed dots_per_voter ({out['dots_per_voter']})",
                }
            ],
        )
    if rules.secret and not rules.results_hidden_until_close:
        # Watching a live count change as a colleague votes tells how they voted.
        raise Problem(
            422,
            "A secret round cannot show a live count: watching it change as someone votes would show "
            "how they voted. Keep results hidden until close, or make the round open (not secret).",
            errors=[{"field": "rules.results_hidden_until_close", "message": "must be true in a secret round"}],
        )
    voter_ids = rules.voter_ids
    out.update(
        voter_ids=sorted({str(v) for v in voter_ids}) if voter_ids is not None else None,
        exclude_own_ideas=rules.exclude_own_ideas,
        secret=rules.secret,
        results_hidden_until_close=rules.results_hidden_until_close,
    )
    return out


def counting_rules(rnd: Round) -> dict[str, Any]:
    """Only the rules the count reads (also what the export and result echo)."""
    return {k: rnd.rules[k] for k in COUNTING_KEYS[rnd.method]}


def candidate_ids(rnd: Round) -> list[str]:
    return [c["idea_id"] for c in rnd.candidates]


def _check_window(opens_at: datetime | None, closes_at: datetime | None, *, phase: str) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise Problem(
            422,
            "The round must close after it opens.",
            errors=[{"field": "closes_at", "message": "must be later than opens_at"}],
        )
    if closes_at and phase in ("draft", "open") and closes_at <= utcnow():
        raise Problem(
            422,
            "The closing time is already past.",
            errors=[{"field": "closes_at", "message": "must be in the future"}],
        )


async def snapshot_candidates(
    ideas: IdeasClient,
    principal: Principal,
    hack_day_id: uuid.UUID,
    idea_ids: list[uuid.UUID] | None,
    request_id: str | None,
) -> list[dict]:
    """Take the candidates' snapshot (id, title, authors) from the ideas service, as the organiser."""
    token, council = principal.token, principal.council_id
    hack_day_council = await ideas.hack_day_council(hack_day_id, token=token, request_id=request_id)
    if hack_day_council is None or hack_day_council != council:
        raise Problem(
            422,
            "There is no hack day with this id in your council.",
            errors=[{"field": "hack_day_id", "message": "is not a hack day of your council"}],
        )
    if idea_ids is None:
        found = [
            i
            for i in await ideas.shortlisted(hack_day_id, token=token, request_id=request_id)
            if i.council_id == council and i.hack_day_id == hack_day_id
        ]
        if len(found) < 2:
            raise Problem(
                422,
                f"The hack day has {len(found)} shortlisted idea(s); a round needs at least 2. "
                "Shortlist more ideas or choose them with idea_ids.",
                errors=[{"field": "hack_day_id", "message": "has fewer than 2 shortlisted ideas"}],
            )
        return [i.candidate() for i in sorted(found, key=lambda i: (i.title.casefold(), str(i.idea_id)))]
    errors = []
    seen: set[uuid.UUID] = set()
    for n, idea_id in enumerate(idea_ids):
        if idea_id in seen:
            errors.append({"field": f"idea_ids.{n}", "message": "is listed twice"})
        seen.add(idea_id)
    if errors:
        raise Problem(422, "Each idea may be a candidate only once.", errors=errors)
    snapshots = await ideas.ideas(idea_ids, token=token, request_id=request_id)
    for n, (idea_id, idea) in enumerate(zip(idea_ids, snapshots, strict=True)):
        message = _unfit(idea, hack_day_id, council)
        if message:
            errors.append({"field": f"idea_ids.{n}", "message": message.format(id=idea_id)})
    if errors:
        raise Problem(422, "Some chosen ideas cannot be put to this vote.", errors=errors)
    return [i.candidate() for i in snapshots if i is not None]


def _unfit(idea: IdeaSnapshot | None, hack_day_id: uuid.UUID, council: uuid.UUID | None) -> str | None:
    if idea is None or idea.council_id != council:
        return "idea {id} does not exist in your council"
    if idea.hack_day_id != hack_day_id:
        return "idea {id} belongs to another hack day"
    if idea.status in NOT_VOTABLE:
        return f"idea {{id}} is {idea.status} and cannot be voted on"
    return None


async def create_round(
    session: AsyncSession, key: str, principal: Principal, data: RoundCreate, candidates: list[dict]
) -> Round:
    _check_window(data.opens_at, data.closes_at, phase="draft")
    rules = normalise_rules(data.method, data.rules)
    if principal.council_id is None:
        raise Problem(403, "Rounds are created by organisers of a council.")
    rnd = Round(
        council_id=principal.council_id,
        hack_day_id=data.hack_day_id,
        title=data.title,
        method=data.method,
        rules=rules,
        candidates=candidates,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        selected_count=data.selected_count,
        created_by=principal.person_id,
    )
    session.add(rnd)
    await session.flush()
    tail = audit.Tail("draft", None, None, False, 0, audit.GENESIS)
    await audit.append(
        session,
        key,
        rnd.id,
        tail,
        [
            (
                "round.created",
                audit.now_to_second(),
                {
                    "by": str(principal.person_id),
                    "title": rnd.title,
                    "method": rnd.method,
                    "rules": rules,
                    "candidates": candidates,
                    "opens_at": audit.at_text(rnd.opens_at),
                    "closes_at": audit.at_text(rnd.closes_at),
                },
            )
        ],
        write_round=False,
    )
    _move_tail(rnd, tail)
    await session.flush()
    return rnd


def _move_tail(rnd: Round, tail: audit.Tail) -> None:
    rnd.audit_seq, rnd.audit_head = tail.seq, tail.head


async def _lock(session: AsyncSession, rnd: Round) -> audit.Tail:
    """Re-read the round under FOR UPDATE: casts in flight finish first and new ones wait, so the
    phase, the rules and the chain cannot move until we commit (see audit.py on lock modes)."""
    await session.refresh(rnd, with_for_update=True)
    return audit.Tail(rnd.phase, rnd.opens_at, rnd.closes_at, rnd.frozen, rnd.audit_seq, rnd.audit_head, rnd.version)


async def is_frozen(session: AsyncSession, rnd: Round) -> bool:
    """Frozen from the first ballot on (the flag itself is set when that ballot is chained)."""
    return rnd.frozen or await voter_count(session, rnd.id) > 0


async def update_round(
    session: AsyncSession,
    key: str,
    principal: Principal,
    rnd: Round,
    data: RoundUpdate,
    candidates: list[dict] | None,
) -> Round:
    tail = await _lock(session, rnd)
    sent = data.model_fields_set
    if rnd.phase == "published":
        raise Problem(409, "The round is published; it can no longer change.")
    counting = sent & {"method", "rules", "idea_ids"}
    if counting and await is_frozen(session, rnd):
        raise Problem(
            409,
            "Ballots have been cast, so the method, rules and candidates are frozen.",
            errors=[{"field": f, "message": "is frozen since the first ballot"} for f in sorted(counting)],
        )
    if rnd.phase == "closed" and sent - {"title", "selected_count"}:
        raise Problem(409, "The round is closed; only its title and selected_count can still change.")
    for name in ("method", "title", "selected_count"):
        if name in sent and getattr(data, name) is None:
            raise Problem(422, f"{name} cannot be empty.", errors=[{"field": name, "message": "may not be null"}])
    opens_at = data.opens_at if "opens_at" in sent else rnd.opens_at
    closes_at = data.closes_at if "closes_at" in sent else rnd.closes_at
    if {"opens_at", "closes_at"} & sent:
        _check_window(opens_at, closes_at, phase=rnd.phase)
    changes: dict[str, Any] = {}
    if "title" in sent:
        changes["title"] = data.title
    if "selected_count" in sent:
        changes["selected_count"] = data.selected_count
    if {"opens_at", "closes_at"} & sent:
        changes["opens_at"], changes["closes_at"] = opens_at, closes_at
    if "method" in sent or "rules" in sent:
        method = data.method or rnd.method
        rules_in = data.rules if "rules" in sent and data.rules is not None else _rules_input(rnd, method)
        changes["method"], changes["rules"] = method, normalise_rules(method, rules_in)
    if candidates is not None:
        changes["candidates"] = candidates
    if not changes:
        return rnd
    for name, value in changes.items():
        setattr(rnd, name, value)
    rnd.version += 1
    rnd.updated_at = utcnow()
    recorded = {k: (audit.at_text(v) if isinstance(v, datetime) else v) for k, v in changes.items()}
    await audit.append(
        session,
        key,
        rnd.id,
        tail,
        [("round.updated", audit.now_to_second(), {"by": str(principal.person_id), "changes": recorded})],
        write_round=False,
    )
    _move_tail(rnd, tail)
    await session.flush()
    return rnd


def _rules_input(rnd: Round, method: str) -> RoundRules:
    """The round's current non-counting rules, for a method change that sends no new rules."""
    r = rnd.rules
    return RoundRules(
        voter_ids=r.get("voter_ids"),
        exclude_own_ideas=r["exclude_own_ideas"],
        secret=r["secret"],
        results_hidden_until_close=r["results_hidden_until_close"],
    )


async def open_round(session: AsyncSession, key: str, principal: Principal, rnd: Round) -> Round:
    tail = await _lock(session, rnd)
    if rnd.phase != "draft":
        raise Problem(409, f"Only a draft round can be opened; this one is {rnd.phase}.")
    if rnd.closes_at and rnd.closes_at <= utcnow():
        raise Problem(409, "The round's closing time is already past; move closes_at first.")
    now = utcnow()
    rnd.phase, rnd.opened_at, rnd.updated_at, rnd.version = "open", now, now, rnd.version + 1
    await audit.append(
        session,
        key,
        rnd.id,
        tail,
        [("round.opened", audit.now_to_second(), {"by": str(principal.person_id)})],
        write_round=False,
    )
    _move_tail(rnd, tail)
    # "Voting is open" goes to the council's staff by email, from the gateway (which knows who they are).
    outbox.record(
        session,
        topic=ROUND_OPENED,
        destinations=["gateway"],
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"urn:council-hackday:voting:{ROUND_OPENED}:{rnd.id}"),
        payload={
            "round_id": str(rnd.id),
            "council_id": str(rnd.council_id),
            "hack_day_id": str(rnd.hack_day_id),
            "title": rnd.title,
            "closes_at": rnd.closes_at.isoformat() if rnd.closes_at else None,
        },
    )
    await session.flush()
    return rnd


async def counted_choices(session: AsyncSession, round_id: uuid.UUID) -> list[dict]:
    rows = (
        (
            await session.execute(
                select(BALLOTS.c.choices).where(BALLOTS.c.round_id == round_id).order_by(BALLOTS.c.ballot_id)
            )
        )
        .scalars()
        .all()
    )
    return [json.loads(c) for c in rows]


async def tally(session: AsyncSession, rnd: Round, ballot_secret: str) -> dict:
    """Count the round: its counted ballots once closed; while open (a live count, which only a round
    that is not secret may show), the voters' current ballots, unsealed for the count only."""
    if rnd.phase in ("draft", "open"):
        choices = [json.loads(b["choices"]) for b in await ballots.unseal_all(session, rnd.id, ballot_secret)]
    else:
        choices = await counted_choices(session, rnd.id)
    return count(rnd.method, candidate_ids(rnd), choices, counting_rules(rnd), tie_seed=str(rnd.id))


async def close_round(
    session: AsyncSession, key: str, rnd: Round, *, by: Principal | None, ballot_secret: str
) -> Round:
    """Open the ballot box, count it and store the result. `by` None means the closing time passed."""
    tail = await _lock(session, rnd)
    if rnd.phase != "open":
        if by is None:  # someone else closed it first: nothing left to do
            return rnd
        raise Problem(409, f"Only an open round can be closed; this one is {rnd.phase}.")
    # Every ballot cast is committed now (casts in flight finished before our lock): chain the rest.
    _, froze = await audit.chain_pending(session, key, rnd.id, tail, write_round=False)
    if froze:
        rnd.frozen = True
    await ballots.count_the_box(
        session,
        audit_key=key,
        ballot_secret=ballot_secret,
        round_id=rnd.id,
        secret_round=rnd.rules["secret"],
        tail=tail,
    )
    result = count(
        rnd.method,
        candidate_ids(rnd),
        await counted_choices(session, rnd.id),
        counting_rules(rnd),
        tie_seed=str(rnd.id),
    )
    now = utcnow()
    rnd.phase, rnd.closed_at, rnd.updated_at, rnd.version = "closed", now, now, rnd.version + 1
    rnd.result = result
    await audit.append(
        session,
        key,
        rnd.id,
        tail,
        [
            (
                "round.closed",
                audit.now_to_second(),
                {
                    "by": str(by.person_id) if by else "closing time",
                    "ballots_counted": result["ballots_counted"],
                    "result_hash": audit.sha256(audit.canonical(result)),
                },
            )
        ],
        write_round=False,
    )
    _move_tail(rnd, tail)
    await session.flush()
    return rnd


def selected_ideas(rnd: Round, selected_count: int) -> list[dict]:
    """The first `selected_count` ideas of the result, in its order (ties ordered by the count's rule)."""
    titles = {c["idea_id"]: c["title"] for c in rnd.candidates}
    ranking = (rnd.result or {}).get("ranking", [])
    return [
        {
            "idea_id": r["idea_id"],
            "title": titles.get(r["idea_id"], ""),
            "rank": r["rank"],
            "tied": bool(r["tied"]),
        }
        for r in ranking[:selected_count]
    ]


async def publish_round(
    session: AsyncSession, key: str, principal: Principal, rnd: Round, selected_count: int | None
) -> Round:
    tail = await _lock(session, rnd)
    if rnd.phase != "closed":
        raise Problem(409, f"Only a closed round can be published; this one is {rnd.phase}.")
    if selected_count is not None:
        rnd.selected_count = selected_count
    selected = selected_ideas(rnd, rnd.selected_count)
    now = utcnow()
    rnd.phase, rnd.published_at, rnd.updated_at, rnd.version = "published", now, now, rnd.version + 1
    head = await audit.append(
        session,
        key,
        rnd.id,
        tail,
        [
            (
                "round.published",
                audit.now_to_second(),
                {
                    "by": str(principal.person_id),
                    "selected": [s["idea_id"] for s in selected],
                    "result_hash": audit.sha256(audit.canonical(rnd.result)),
                },
            )
        ],
        write_round=False,
    )
    _move_tail(rnd, tail)
    # The relay (a later issue) delivers it to ideas (mark selected) and follow-up (start trials),
    # which act on each event id once. Written in this transaction: published iff the event exists.
    outbox.record(
        session,
        topic=RESULT_PUBLISHED,
        destinations=list(RESULT_DESTINATIONS),
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"urn:council-hackday:voting:{RESULT_PUBLISHED}:{rnd.id}"),
        payload={
            "round_id": str(rnd.id),
            "council_id": str(rnd.council_id),
            "hack_day_id": str(rnd.hack_day_id),
            "title": rnd.title,
            "method": rnd.method,
            "selected_count": rnd.selected_count,
            "selected": selected,
            "ballots_counted": (rnd.result or {})["ballots_counted"],
            "audit_head": head,
            "published_at": audit.at_text(now),
        },
    )
    await session.flush()
    return rnd


async def voter_count(session: AsyncSession, round_id: uuid.UUID) -> int:
    return (
        await session.execute(select(func.count()).select_from(VOTERS).where(VOTERS.c.round_id == round_id))
    ).scalar_one()


async def voter_counts(session: AsyncSession, round_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many have voted in each of a page of rounds, in one query."""
    if not round_ids:
        return {}
    rows = await session.execute(
        select(VOTERS.c.round_id, func.count()).where(VOTERS.c.round_id.in_(round_ids)).group_by(VOTERS.c.round_id)
    )
    return {round_id: n for round_id, n in rows.all()}


async def page_of_rounds(
    session: AsyncSession,
    *,
    council_id: uuid.UUID | None,
    hack_day_id: uuid.UUID | None,
    phase: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Round], int]:
    """A page of rounds, newest first (of one council, or of all for council_id None), and the total."""
    query = select(Round)
    if council_id is not None:
        query = query.where(col(Round.council_id) == council_id)
    if hack_day_id is not None:
        query = query.where(col(Round.hack_day_id) == hack_day_id)
    if phase is not None:
        query = query.where(col(Round.phase) == phase)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    found = (
        (await session.execute(query.order_by(col(Round.created_at).desc(), col(Round.id)).limit(limit).offset(offset)))
        .scalars()
        .all()
    )
    return list(found), total


async def counted_ballots(session: AsyncSession, rnd: Round) -> list[dict]:
    """The round's counted ballots in ballot-id order (random, never the order they were cast)."""
    rows = (
        await session.execute(
            select(BALLOTS.c.ballot_id, BALLOTS.c.choices, BALLOTS.c.voter_id)
            .where(BALLOTS.c.round_id == rnd.id)
            .order_by(BALLOTS.c.ballot_id)
        )
    ).all()
    return [
        {
            "ballot_id": r.ballot_id,
            "choices": json.loads(r.choices),
            "voter_id": str(r.voter_id) if r.voter_id else None,
        }
        for r in rows
    ]


async def add_author(
    session: AsyncSession,
    key: str,
    *,
    ballot_secret: str,
    council_id: uuid.UUID,
    idea_id: uuid.UUID,
    person_id: uuid.UUID,
) -> int:
    """A person is joining an idea's team: every draft or open round of the council with that idea
    among its candidates counts them as one of its authors from now on. Returns how many rounds.

    Each round is locked FOR UPDATE (casts in flight finish first) and its version moves, so a ballot
    checked against the old authors (a cached copy in any process) is checked again under the lock.
    Refused (409) while the person has a ballot in an open round that gives the idea anything: they
    change it first, so that no counted ballot ever votes for its own author's idea.
    """
    idea, person = str(idea_id), str(person_id)
    found = (
        (
            await session.execute(
                select(Round)
                .where(col(Round.council_id) == council_id, col(Round.phase).in_(("draft", "open")))
                .order_by(col(Round.id))
            )
        )
        .scalars()
        .all()
    )
    updated = 0
    for rnd in found:
        if not any(c["idea_id"] == idea for c in rnd.candidates):
            continue
        tail = await _lock(session, rnd)
        candidates = [dict(c) for c in rnd.candidates]
        joined = next(c for c in candidates if c["idea_id"] == idea)
        if rnd.phase not in ("draft", "open") or person in joined["author_ids"]:
            continue
        if rnd.phase == "open" and rnd.rules["exclude_own_ideas"]:
            await _refuse_if_voted_for(session, ballot_secret, rnd, idea, person_id)
        joined["author_ids"] = [*joined["author_ids"], person]
        rnd.candidates = candidates
        rnd.version += 1
        rnd.updated_at = utcnow()
        await audit.append(
            session,
            key,
            rnd.id,
            tail,
            [("round.author_joined", audit.now_to_second(), {"idea_id": idea, "person_id": person})],
            write_round=False,
        )
        _move_tail(rnd, tail)
        updated += 1
    await session.flush()
    return updated


async def _refuse_if_voted_for(
    session: AsyncSession, ballot_secret: str, rnd: Round, idea: str, person_id: uuid.UUID
) -> None:
    sealed = (
        await session.execute(
            select(VOTERS.c.sealed).where(VOTERS.c.round_id == rnd.id, VOTERS.c.voter_id == person_id)
        )
    ).scalar_one_or_none()
    if not sealed:
        return
    mine = receipts.unseal_ballot(receipts.box_key(ballot_secret, rnd.id), rnd.id, person_id, sealed)
    if mine is not None and idea in ballots.voted_for(rnd.method, json.loads(mine["choices"])):
        raise Problem(
            409,
            f"You have voted for this idea in the round '{rnd.title}', which is still open. Change your "
            "ballot there (leave this idea out), then join its team.",
        )
