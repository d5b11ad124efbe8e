"""Events: what follow-up publishes (the outbox relay) and what it applies (the inbox handler).

Out, to the ideas service: a published verdict (it then lets every council read the idea in full), and
each verdict imported from another platform that is added, corrected or withdrawn here (its "tried
before?" finds them); the ideas service keeps the event id in its inbox, so a retried delivery
changes nothing.
The day's digest of trial reviews due goes to the gateway, which mails it to the council's
managers (review_digest.py), likewise once per event id.
In: a selected idea (the vote-to-trial message) becomes a planned trial exactly once per event id,
and once per idea whatever the event.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from followup import review_digest
from followup.domain import partners
from followup.domain.federation import IMPORTED_VERDICT
from followup.domain.library import OUTCOME_PUBLISHED
from followup.domain.trials import insert_once, trial_of_idea
from followup.models import Trial
from followup.schemas import InternalTrialCreate
from followup.vocabulary import DEFAULT_CHECKPOINTS
from platform_core.clock import utcnow
from platform_core.inbox import accept_once
from platform_core.outbox import Deliver, OutboxEvent, send
from platform_core.service_auth import ServiceCredential


def delivery(client: httpx.AsyncClient, credential: ServiceCredential, settings: Any) -> Deliver:
    """The relay's delivery: POST each event to the ideas service's internal door for its topic, and
    each day's digest of trial reviews due to the gateway's."""
    ideas = settings.ideas_url.rstrip("/")
    gateway = settings.gateway_url.rstrip("/")

    async def deliver(event: OutboxEvent) -> None:
        if event.topic == review_digest.TOPIC and event.destination == review_digest.DESTINATION:
            await send(
                client,
                credential,
                "POST",
                f"{gateway}{review_digest.GATEWAY_PATH}",
                destination="gateway",
                json=event.payload,
            )
            return
        payload = event.payload
        if event.destination != "ideas":
            raise ValueError(f"no route for {event.topic!r} to {event.destination!r}")
        if event.topic == OUTCOME_PUBLISHED:
            url = f"{ideas}/api/ideas/internal/ideas/{payload['idea_id']}/outcome-published"
            body = {"verdict": payload["verdict"], "trial_id": payload["trial_id"]}
        elif event.topic == IMPORTED_VERDICT:
            url = f"{ideas}/api/ideas/internal/imported-verdicts/{payload['library_entry_id']}"
            body = {"version": payload["version"], "record": payload["record"]}
        else:
            raise ValueError(f"no route for {event.topic!r} to {event.destination!r}")
        await send(
            client,
            credential,
            "POST",
            url,
            destination="ideas",
            json={"event_id": str(event.event_id), "topic": event.topic, **body},
        )

    return deliver


# The topic under which a selected idea's message is kept in the inbox.
IDEA_SELECTED = "idea.selected"


def inbox_id(event_id: str) -> uuid.UUID:
    """The inbox key of a message: its event id, or (for a sender's id that is not a UUID) a UUID
    derived from it, the same every time."""
    try:
        return uuid.UUID(event_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:council-hackday:followup:{IDEA_SELECTED}:{event_id}")


async def trial_from_selection(
    session: AsyncSession, body: InternalTrialCreate, *, hack_day_on: date | None
) -> tuple[Trial, bool]:
    """The vote-to-trial message: done once per event id, and once per idea whatever the event."""
    if not await accept_once(session, event_id=inbox_id(body.event_id), topic=IDEA_SELECTED):
        existing = await trial_of_idea(session, body.idea_id)
        if existing is not None:
            return existing, False
    now = utcnow()
    return await insert_once(
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
            # As a trial opened from the idea by hand: the idea's partners that are on the council's map.
            partners=await partners.named_by_idea(session, body.council_id, body.partners),
            created_at=now,
            updated_at=now,
        ),
    )
