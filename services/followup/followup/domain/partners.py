"""A council's map of partners: the organisations it could work with, looked after by its champions.

Trials name partners from their own council's map; a trial keeps a snapshot (id, name, kind) of each,
and its published record only the kinds, so the library can be read by kind of partner.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.rules import conflict, invalid
from followup.models import Partner
from followup.schemas import PartnerCreate, PartnerUpdate
from platform_core.clock import utcnow
from platform_core.problems import Problem


async def map_of(
    session: AsyncSession, council_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[Partner], int]:
    """A page of the council's partners, by name."""
    query = select(Partner).where(Partner.council_id == council_id)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(query.order_by(func.lower(Partner.name), col(Partner.id)).limit(limit).offset(offset))
    ).all()
    return rows, total


async def partner_of(session: AsyncSession, council_id: uuid.UUID, partner_id: uuid.UUID) -> Partner:
    """The council's partner, or 404 (another council's map is not yours to see)."""
    partner = await session.get(Partner, partner_id)
    if partner is None or partner.council_id != council_id:
        raise Problem(404, f"Your council's map has no partner {partner_id}.")
    return partner


async def _name_taken(session: AsyncSession, council_id: uuid.UUID, name: str, but: uuid.UUID | None) -> bool:
    query = select(Partner.id).where(Partner.council_id == council_id, func.lower(Partner.name) == name.lower())
    if but is not None:
        query = query.where(Partner.id != but)
    return (await session.exec(query)).first() is not None


async def add(session: AsyncSession, council_id: uuid.UUID, body: PartnerCreate) -> Partner:
    """A new partner on the council's map (names unique within the map, whatever the case)."""
    if await _name_taken(session, council_id, body.name, None):
        raise conflict(f"Your council's map already has a partner called {body.name!r}.", field="name")
    now = utcnow()
    partner = Partner(
        council_id=council_id, name=body.name, kind=body.kind, note=body.note, created_at=now, updated_at=now
    )
    session.add(partner)
    await session.flush()
    return partner


async def change(session: AsyncSession, partner: Partner, body: PartnerUpdate) -> None:
    """Change the fields sent."""
    values = body.model_dump(include=body.model_fields_set)
    for field in ("name", "kind", "note"):
        if field in values and values[field] is None:
            raise invalid(field, "cannot be null; leave it out to keep the current value")
    if values.get("name") and await _name_taken(session, partner.council_id, values["name"], partner.id):
        raise conflict(f"Your council's map already has a partner called {values['name']!r}.", field="name")
    for field, value in values.items():
        setattr(partner, field, value)
    partner.version += 1
    partner.updated_at = utcnow()
    await session.flush()


async def remove(session: AsyncSession, partner: Partner) -> None:
    """Take a partner off the map (trials that named it keep their snapshot)."""
    await session.delete(partner)
    await session.flush()


async def named(session: AsyncSession, council_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    """Snapshots of the partners a trial names; 422 naming `partner_ids` for one not on the council's map."""
    if len(set(ids)) != len(ids):
        raise invalid("partner_ids", "name each partner once")
    if not ids:
        return []
    found = {p.id: p for p in (await session.exec(select(Partner).where(col(Partner.id).in_(list(ids))))).all()}
    for partner_id in ids:
        partner = found.get(partner_id)
        if partner is None or partner.council_id != council_id:
            raise invalid("partner_ids", f"{partner_id} is not on your council's map of partners")
    return [{"id": str(found[i].id), "name": found[i].name, "kind": found[i].kind} for i in ids]


async def named_by_idea(session: AsyncSession, council_id: uuid.UUID, names: Sequence[str]) -> list[dict[str, Any]]:
    """Snapshots of the partners on the council's map that an idea names (the same name, in any case):
    a trial opened from the idea starts with them, so that what works by kind of partner reads the
    organisations the idea's authors said it involves, where the council has mapped them."""
    wanted = {" ".join(n.split()).casefold() for n in names if n.strip()}
    if not wanted:
        return []
    mapped = (
        await session.exec(select(Partner).where(Partner.council_id == council_id).order_by(col(Partner.name)))
    ).all()
    return [
        {"id": str(p.id), "name": p.name, "kind": p.kind}
        for p in mapped
        if " ".join(p.name.split()).casefold() in wanted
    ]
