"""HTTP routes of federation: the other platforms' libraries this one imports (admins keep the list:
subscribe, pause or resume, remove), and an import on demand (the schedule imports them too:
followup/federation.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from followup import views
from followup.deps import Admin, ImporterDep, SessionDep
from followup.domain import federation as domain
from followup.federation import ImportBusy, ImportPaused
from followup.models import LibrarySubscription
from followup.schemas import SubscriptionCreate, SubscriptionPublic, SubscriptionUpdate
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.pages import Page, PageDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup/federation", tags=["federation"])


async def _public(session: AsyncSession, subscription: LibrarySubscription) -> SubscriptionPublic:
    counts = await domain.imported_counts(session, [subscription.id])
    return views.subscription_public(subscription, counts.get(subscription.id, 0))


async def _subscription(session: AsyncSession, subscription_id: uuid.UUID) -> LibrarySubscription:
    subscription = await session.get(LibrarySubscription, subscription_id)
    if subscription is None or subscription.removed_at is not None:
        raise Problem(404, f"There is no subscription {subscription_id}.")
    return subscription


def _paused(subscription: LibrarySubscription) -> Problem:
    return Problem(
        409,
        f"The subscription to {subscription.name} is paused: it is not imported until an admin resumes it "
        f'(PATCH /api/followup/federation/subscriptions/{subscription.id} with {{"active": true}}).',
        errors=[{"field": "active", "message": "paused"}],
    )


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionPublic],
    summary="The other platforms' libraries this platform imports, with how each last import went (admins)",
    responses=responses(401, 403, 422),
)
async def list_subscriptions(session: SessionDep, principal: Admin, page: PageDep) -> Page[SubscriptionPublic]:
    """Lists the other platforms' libraries this platform imports, a page at a time, each with how its last import
    went and how many entries it brought. Only the platform's admins may (403)."""
    rows, total = await domain.subscriptions(session, page.limit, page.offset)
    counts = await domain.imported_counts(session, [r.id for r in rows])
    return Page[SubscriptionPublic].of([views.subscription_public(r, counts.get(r.id, 0)) for r in rows], total, page)


@router.post(
    "/subscriptions",
    response_model=SubscriptionPublic,
    status_code=201,
    summary="Subscribe to another platform's library: its federation feed is imported from now on (admins)",
    responses=responses(400, 401, 403, 409, 422),
)
async def subscribe(
    body: SubscriptionCreate, session: SessionDep, principal: Admin, idem: IdempotentCreateDep
) -> Response:
    """Subscribes to another platform's library by the address of its federation feed: its published entries are
    imported from now on, on a schedule, and appear in this library's searches as imported. Only the platform's
    admins may (403); a feed already subscribed to is a 409. A retry with the same `Idempotency-Key` gets the
    first answer, never a second subscription."""

    async def make() -> Created:
        subscription = await domain.subscribe(session, body, principal.person_id)
        location = f"/api/followup/federation/subscriptions/{subscription.id}"
        return Created(await _public(session, subscription), location=location)

    return await idem.create(body, make)


@router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="One subscription and how its last import went (admins)",
    responses=responses(401, 403, 404, 422),
)
async def read_subscription(
    subscription_id: uuid.UUID, response: Response, session: SessionDep, principal: Admin
) -> SubscriptionPublic:
    """One subscription: the feed it imports, whether it is paused (`active`), when it last imported, how that
    went and how many entries it holds; its `ETag` is what pausing, resuming or removing it send as `If-Match`.
    Only the platform's admins may (403); an unknown or removed subscription is a 404."""
    subscription = await _subscription(session, subscription_id)
    set_etag(response, subscription.version)
    return await _public(session, subscription)


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Pause or resume a subscription (a paused one is not imported), or rename it (admins); If-Match",
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
async def change_subscription(
    subscription_id: uuid.UUID,
    body: SubscriptionUpdate,
    response: Response,
    session: SessionDep,
    principal: Admin,
    if_match: IfMatch = None,
) -> SubscriptionPublic:
    """`{"active": false}` pauses the imports of this source, on schedule and on demand (an import already running
    goes on to its end); `{"active": true}` resumes them; `name` renames it. What it imported stays as it was.
    `If-Match` with the subscription's `ETag` is required (428 without, 412 when stale). Only the platform's
    admins may (403)."""
    subscription = await _subscription(session, subscription_id)
    check_if_match(if_match, subscription.version, required=True)
    domain.change(subscription, body)
    await session.flush()
    set_etag(response, subscription.version)
    return await _public(session, subscription)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a subscription: no longer imported; what it brought stays, marked as from a removed source "
    "(admins); If-Match",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def remove_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: Admin, if_match: IfMatch = None
) -> Response:
    """Stops importing from this source for good. The entries it imported stay in the library (and in what works
    and "tried before?") as last imported, their `source.removed_at` set: they no longer follow corrections or
    withdrawals at the origin. Subscribing to the same feed again brings the subscription back with them.
    `If-Match` is required (428 without, 412 when stale); 409 while an import of it runs. Only the platform's
    admins may (403)."""
    subscription = await _subscription(session, subscription_id)
    check_if_match(if_match, subscription.version, required=True)
    await domain.remove(session, subscription)
    return Response(status_code=204)


@router.post(
    "/subscriptions/{subscription_id}/import",
    response_model=SubscriptionPublic,
    summary="Import from this source now; answers how it went (a source that fails is said so, 200) (admins)",
    responses=responses(401, 403, 404, 409, 422),
)
async def import_now(
    subscription_id: uuid.UUID, session: SessionDep, principal: Admin, importer: ImporterDep
) -> SubscriptionPublic:
    """Imports from this source now instead of waiting for the schedule, and answers how it went: a source that does
    not answer or sends what cannot be read is said so in the answer (still 200), and nothing already imported is
    lost. Only the platform's admins may (403); a 409 when an import of this source is already running, or when
    the subscription is paused (naming `active`)."""
    subscription = await _subscription(session, subscription_id)
    paused = _paused(subscription)
    if not subscription.active:
        raise paused
    # The import writes in its own transactions, page by page; this request's session only reads.
    await session.commit()
    try:
        await importer.run(subscription_id)
    except ImportBusy as exc:
        raise Problem(409, "An import of this source is already running; its status will say how it went.") from exc
    except ImportPaused as exc:  # paused (or removed) between the check above and the import's lease
        raise paused from exc
    session.expire_all()
    return await _public(session, await _subscription(session, subscription_id))
