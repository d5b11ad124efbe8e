"""HTTP routes of a council's map of partners: read by its people, looked after by its champions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from followup import views
from followup.access import report_council
from followup.deps import Caller, SessionDep
from followup.domain import partners
from followup.schemas import PartnerCreate, PartnerPublic, PartnerUpdate
from platform_core.auth import Principal, require_roles
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.pages import Page, PageDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup/partners", tags=["partners"])


async def _champion(principal: Annotated[Principal, Depends(require_roles("champion"))]) -> Principal:
    # The map is a council's: an admin of no council gives the role, but does not keep the map.
    if principal.council_id is None:
        raise Problem(403, "A council's map of partners is looked after by its own collaboration champions.")
    return principal


Champion = Annotated[Principal, Depends(_champion)]


@router.get(
    "",
    response_model=Page[PartnerPublic],
    summary="Your council's map of partners (admins: name the council)",
    responses=responses(401, 403, 422),
)
async def partner_map(
    session: SessionDep,
    principal: Caller,
    page: PageDep,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: another council")] = None,
) -> Page[PartnerPublic]:
    """Your council's map of partners (bus operators, GP surgeries, charities, community groups), a page at a time, so
    managers can name them in trials. Anyone of the council may read it; admins name the council, and anyone else
    naming another council is refused (403)."""
    chosen = report_council(principal, council_id, what="map of partners")
    rows, total = await partners.map_of(session, chosen, limit=page.limit, offset=page.offset)
    return Page[PartnerPublic].of([views.partner_public(p) for p in rows], total, page)


@router.post(
    "",
    response_model=PartnerPublic,
    status_code=201,
    summary="Put a partner on your council's map (collaboration champions)",
    responses=responses(400, 401, 403, 409, 422),
)
async def add_partner(
    body: PartnerCreate, session: SessionDep, principal: Champion, idem: IdempotentCreateDep
) -> Response:
    """Puts a partner on your council's map. Only the council's collaboration champions may (403; an admin of no
    council gives the role but does not keep the map); a name already on the map is a 409. A retry with the same
    `Idempotency-Key` gets the first answer, never a second partner."""

    async def make() -> Created:
        assert principal.council_id is not None
        partner = await partners.add(session, principal.council_id, body)
        location = f"/api/followup/partners/{partner.id}"
        return Created(views.partner_public(partner), version=partner.version, location=location)

    return await idem.create(body, make)


@router.patch(
    "/{partner_id}",
    response_model=PartnerPublic,
    summary="Change a partner on your council's map (collaboration champions); If-Match",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def change_partner(
    partner_id: uuid.UUID,
    body: PartnerUpdate,
    response: Response,
    session: SessionDep,
    principal: Champion,
    if_match: IfMatch = None,
) -> PartnerPublic:
    """Changes a partner on your council's map; fields left out stay as they are. Only the council's collaboration
    champions may (403); a partner not on your map is a 404, a name taken a 409. Send the ETag you read as
    If-Match: 428 without it, 400 if it is not an ETag, 412 if the partner changed since."""
    assert principal.council_id is not None
    partner = await partners.partner_of(session, principal.council_id, partner_id)
    check_if_match(if_match, partner.version, required=True)
    await partners.change(session, partner, body)
    set_etag(response, partner.version)
    return views.partner_public(partner)


@router.delete(
    "/{partner_id}",
    status_code=204,
    response_class=Response,
    summary="Take a partner off your council's map (collaboration champions)",
    responses=responses(400, 401, 403, 404, 412, 422),
)
async def remove_partner(
    partner_id: uuid.UUID, session: SessionDep, principal: Champion, if_match: IfMatch = None
) -> Response:
    """Takes a partner off your council's map; trials that named it keep what they recorded. Only the council's
    collaboration champions may (403); a partner not on your map is a 404. An If-Match, if sent, must match its
    version (412)."""
    assert principal.council_id is not None
    partner = await partners.partner_of(session, principal.council_id, partner_id)
    check_if_match(if_match, partner.version, required=False)
    await partners.remove(session, partner)
    return Response(status_code=204)
