"""Audit routes: a round's tamper-evident chain and its verification (HTTP only)."""

from __future__ import annotations

from fastapi import APIRouter

from platform_core.pages import PageDep
from platform_core.problems import responses
from voting.access import check_after_close
from voting.deps import Caller, RoundDep, SessionDep, StateDep
from voting.domain import audit, verification
from voting.schemas import AuditPage, AuditVerification, BrokenEntry
from voting.views import audit_entry

router = APIRouter(prefix="/api/voting", tags=["voting"])


@router.get(
    "/rounds/{round_id}/audit",
    response_model=AuditPage,
    summary="The round's audit chain",
    responses=responses(401, 404, 409, 422),
)
async def audit_log(
    rnd: RoundDep,
    session: SessionDep,
    principal: Caller,
    state: StateDep,
    page: PageDep,
) -> AuditPage:
    """The round's tamper-evident audit chain, a page at a time: every change to the round, every ballot committed
    and withdrawn, the count and the publication, each entry hashed with the one before. Organisers of the
    round's council may read it at any time, everyone of the council once the result is published (409 before); a
    round of another council is a 404. No entry names a voter or pairs a ballot with a person."""
    check_after_close(principal, rnd, "audit")
    await audit.chain_if_open(session, state.audit_key, rnd)
    rows = await audit.entries(session, rnd.id, limit=page.limit, offset=page.offset)
    total = rnd.audit_seq
    return AuditPage(
        round_id=rnd.id,
        items=[audit_entry(e) for e in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset(total),
        head=rnd.audit_head,
    )


@router.get(
    "/rounds/{round_id}/audit/verify",
    response_model=AuditVerification,
    summary="Verify the audit chain and every ballot against it; names the first broken entry",
    responses=responses(401, 404, 409, 422),
)
async def verify_audit(rnd: RoundDep, session: SessionDep, principal: Caller, state: StateDep) -> AuditVerification:
    """Verifies the round's audit chain from its first entry, and every counted ballot against the commitment the
    chain holds for it; says how many were checked and names the first broken entry if any. Organisers of the
    round's council may ask at any time, everyone of the council once the result is published (409 before). It
    changes nothing."""
    check_after_close(principal, rnd, "audit")
    await audit.chain_if_open(session, state.audit_key, rnd)
    v = await verification.verify(
        session, audit_key=state.audit_key, ballot_secret=state.settings.ballot_secret, round_id=rnd.id
    )
    return AuditVerification(
        round_id=rnd.id,
        ok=v.ok,
        entries_checked=v.entries_checked,
        ballots_checked=v.ballots_checked,
        ballots_pending=v.ballots_pending,
        head=v.head,
        first_broken=BrokenEntry(**vars(v.first_broken)) if v.first_broken else None,
    )
