"""A small client of the voting service: tells it, before a co-authorship is saved, that a person is
joining an idea's team, so that they may no longer vote for it in a round that is open or about to be
(issue 12, "no voting for your own idea, whenever you joined it").

Why before, and why refuse when voting cannot be told: a ballot is checked against the authors voting
knows. If the team changed here first and voting heard of it later (an event through the outbox), a
new co-author could vote for the idea in between; told first, voting refuses every ballot checked
after the change, and a co-authorship voting has not recorded is never saved here.
"""

from __future__ import annotations

import logging
import uuid

import httpx

from platform_core.problems import Problem
from platform_core.service_auth import ServiceCredential

log = logging.getLogger("ideas.voting")


def _unavailable() -> Problem:
    return Problem(
        503,
        "The voting service could not be told that you are joining this idea, so you have not joined yet. "
        "Try again shortly.",
        headers={"Retry-After": "2"},
    )


class VotingClient:
    def __init__(self, voting_url: str, gateway_url: str, service_api_key: str) -> None:
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0), trust_env=False)
        self._url = voting_url.rstrip("/") + "/api/voting/internal/co-authors"
        self._credential = ServiceCredential(gateway_url, service_api_key, self._http)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def co_author_joining(self, *, council_id: uuid.UUID, idea_id: uuid.UUID, person_id: uuid.UUID) -> None:
        """Voting has recorded the new author in every draft or open round with the idea (or raises
        Problem: 409 when the person has voted for the idea in an open round, else 503)."""
        body = {"council_id": str(council_id), "idea_id": str(idea_id), "person_id": str(person_id)}
        try:
            response = await self._http.post(self._url, json=body, headers=await self._credential.headers())
        except (httpx.HTTPError, RuntimeError) as exc:
            log.warning("the voting service could not be told of a new co-author: %s", type(exc).__name__)
            raise _unavailable() from None
        if response.status_code == 409:
            raise Problem(409, response.json().get("detail", "Voting refused the change."))
        if response.status_code >= 300:
            log.warning("the voting service answered %s to a new co-author", response.status_code)
            raise _unavailable()
