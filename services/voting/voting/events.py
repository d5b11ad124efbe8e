"""Relays the voting service's outbox: a published result marks each selected idea in the ideas
service and opens a planned trial for it in follow-up; an opened round and a published result are
news the gateway mails to the council's staff (one call each, idempotent by the event id).

Each selected idea gets its own event id (uuid5 of the result's event id and the idea id), which the
consumers keep in their inboxes, so a delivery retried after a crash or an outage changes nothing
the second time. A destination that is down only delays its rows (see platform_core.outbox).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from platform_core.outbox import Deliver, OutboxEvent
from platform_core.service_auth import ServiceCredential
from voting.domain.rounds import RESULT_PUBLISHED


def per_idea_event_id(event_id: str, idea_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(event_id), idea_id))


def _check(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise RuntimeError(f"{what} answered {response.status_code}: {response.text[:300]}")
    return response.json()


GATEWAY_NEWS = "/api/gateway/internal/hack-day-news"


class ResultRelay:
    def __init__(
        self,
        client: httpx.AsyncClient,
        credential: ServiceCredential,
        *,
        ideas_url: str,
        followup_url: str,
        gateway_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self._client = client
        self._credential = credential
        self._ideas = ideas_url.rstrip("/")
        self._followup = followup_url.rstrip("/")
        self._gateway = gateway_url.rstrip("/")

    async def __call__(self, event: OutboxEvent) -> None:
        if event.destination == "gateway":
            await self._news(event)
            return
        if event.topic != RESULT_PUBLISHED:
            raise ValueError(f"no route for topic {event.topic!r}")
        payload = event.payload
        headers = await self._credential.headers()
        for item in payload["selected"]:
            idea_id = item["idea_id"]
            event_id = per_idea_event_id(payload["event_id"], idea_id)
            if event.destination == "ideas":
                _check(
                    await self._client.post(
                        f"{self._ideas}/api/ideas/internal/ideas/{idea_id}/selected",
                        headers=headers,
                        json={
                            "event_id": event_id,
                            "topic": event.topic,
                            "round_id": payload["round_id"],
                            "rank": item["rank"],
                        },
                    ),
                    "ideas",
                )
            elif event.destination == "followup":
                # The trial holds a snapshot of the idea (title, service area, council, and the
                # partners it names: the trial starts with those on the council's map), read through
                # the ideas service's internal door. An idea hidden or withdrawn since the vote is a
                # 404: the vote's own snapshot stands in, rather than the message being retried for ever.
                answer = await self._client.get(f"{self._ideas}/api/ideas/internal/ideas/{idea_id}", headers=headers)
                idea = {} if answer.status_code == 404 else _check(answer, "ideas")
                _check(
                    await self._client.post(
                        f"{self._followup}/api/followup/internal/trials",
                        headers=headers,
                        json={
                            "event_id": event_id,
                            "idea_id": idea_id,
                            "hack_day_id": payload.get("hack_day_id"),
                            "council_id": payload["council_id"],
                            "council_name": idea.get("council_name", ""),
                            "title": idea.get("title") or item.get("title") or "Untitled idea",
                            "service_area": idea.get("service_area") or "",
                            "partners": idea.get("partners") or [],
                            "round_id": payload["round_id"],
                            "rank": item["rank"],
                        },
                    ),
                    "followup",
                )
            else:
                raise ValueError(f"no route for destination {event.destination!r}")

    async def _news(self, event: OutboxEvent) -> None:
        """The round's news to the gateway, which mails it to the council's staff (its inbox keeps the id)."""
        payload = event.payload
        body = {
            "event_id": payload["event_id"],
            "topic": event.topic,
            "council_id": payload["council_id"],
            "round_id": payload["round_id"],
            "hack_day_id": payload.get("hack_day_id"),
            "title": payload.get("title") or "A vote",
            "closes_at": payload.get("closes_at"),
            "selected": [{"title": s.get("title", ""), "rank": s.get("rank")} for s in payload.get("selected", [])],
        }
        response = await self._client.post(
            f"{self._gateway}{GATEWAY_NEWS}", headers=await self._credential.headers(), json=body
        )
        if response.status_code >= 300:
            raise RuntimeError(f"gateway answered {response.status_code}: {response.text[:300]}")


def result_delivery(client: httpx.AsyncClient, credential: ServiceCredential, settings: Any) -> Deliver:
    return ResultRelay(
        client,
        credential,
        ideas_url=settings.ideas_url,
        followup_url=settings.followup_url,
        gateway_url=settings.gateway_url,
    )
