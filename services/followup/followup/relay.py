"""Relays the follow-up service's outbox: a published verdict tells the ideas service, which then
lets every council read the idea in full. The ideas service keeps the event id in its inbox, so a
retried delivery changes nothing the second time."""

from __future__ import annotations

from typing import Any

import httpx

from followup.library import OUTCOME_PUBLISHED
from platform_core.outbox import Deliver, OutboxEvent
from platform_core.service_auth import ServiceCredential


def outcome_delivery(client: httpx.AsyncClient, credential: ServiceCredential, settings: Any) -> Deliver:
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
