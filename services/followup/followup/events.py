"""Events: what follow-up publishes (the outbox relay) and what it applies (the inbox handler).

Out: a published verdict tells the ideas service, which then lets every council read the idea in
full; the ideas service keeps the event id in its inbox, so a retried delivery changes nothing.
In: a selected idea (the vote-to-trial message) becomes a planned trial exactly once per event id,
and once per idea whatever the event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.library import OUTCOME_PUBLISHED
from followup.domain.trials import insert_once
from followup.models import InboxEvent, Trial, utcnow
from followup.schemas import InternalTrialCreate
from followup.vocabulary import DEFAULT_CHECKPOINTS
from platform_core.outbox import Deliver, OutboxEvent
from platform_core.service_auth import ServiceCredential


def outcome_delivery(client: httpx.AsyncClient, credential: ServiceCredential, settings: Any) -> Deliver:
    """The relay's delivery: POST each published outcome to the ideas service's internal door."""
    ideas = settings.ideas_url.rstrip("/")

    async def deliver(event: OutboxEvent) -> None:
        if event.topic != OUTCOME_PUBLISHED or event.destination != "ideas":
            raise ValueError(f"no route for {event.topic!r} to {event.destination!r}")
        payload = event.payload
        response = await client.post(
            f"{ideas}/api/ideas/internal/ideas/{payload['idea_id']}/outcome-published",
            headers=await credential.headers(),
            json={
                "event_id": str(event.event_id),
                "topic": event.topic,
                "verdict": payload["verdict"],
                "trial_id": payload["trial_id"],
            },
        )
        if response.status_code >= 300:
            raise RuntimeError(f"ideas answered {response.status_code}: {response.text[:300]}")

    return deliver


async def trial_from_selection(
    session: AsyncSession, body: InternalTrialCreate, *, hack_day_on: date | None
) -> tuple[Trial, bool]:
    """The vote-to-trial message: done once per event id, and once per idea whatever the event."""
    seen = await session.get(InboxEvent, body.event_id)
    if seen is not None:
        trial = await session.get(Trial, seen.trial_id)
        if trial is not None:
            return trial, False
    now = utcnow()
    trial, created = await insert_once(
        session,
        Trial(
            idea_id=body.idea_id,
            council_id=body.council_id,
            council_name=body.council_name,
            hack_day_id=body.hack_day_id,
            hack_day_on=hack_day_on,
            idea_title=body.title,
            service_area=body.service_area,
            origin="vote",
            round_id=body.round_id,
            round_rank=body.rank,
            checkpoint_schedule=list(DEFAULT_CHECKPOINTS),
            created_at=now,
            updated_at=now,
        ),
    )
    try:
        async with session.begin_nested():
            session.add(InboxEvent(event_id=body.event_id, trial_id=trial.id, received_at=now))
            await session.flush()
    except IntegrityError:
        # The same event raced us in another request; the unique idea id already kept one trial.
        pass
    return trial, created
