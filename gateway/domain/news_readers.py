"""Who is told a council's news by mail: its active people who have not turned news off
(`/account/mail`). Invitations and password resets are not news: they go to everyone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.models import Person


async def news_readers(session: AsyncSession, council_id: uuid.UUID) -> Sequence[Person]:
    """The council's active people who want its news, in email order (a stable order for the outbox)."""
    query = (
        select(Person)
        .where(Person.council_id == council_id, col(Person.active).is_(True), col(Person.news_mail).is_(True))
        .order_by(Person.email)
    )
    return (await session.exec(query)).all()
