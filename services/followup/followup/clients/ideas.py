"""A small typed client of the ideas service: the snapshot of an idea a trial holds.

One `httpx.AsyncClient` lives as long as the app (made in the lifespan), with timeouts, so a slow
or absent ideas service becomes a 503 answer, never a hang.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime

import httpx
from asgi_correlation_id import correlation_id
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platform_core.aiohttp_transport import AiohttpTransport
from platform_core.auth import Principal
from platform_core.problems import Problem

log = logging.getLogger("followup.ideas")


class IdeaSnapshot(BaseModel):
    """What a trial keeps of an idea, so it can be shown without calling the ideas service."""

    model_config = ConfigDict(extra="ignore")

    # The ideas service answers a "summary" view to other councils: not enough to run a trial on.
    view: str = "full"
    id: uuid.UUID
    hack_day_id: uuid.UUID | None = None
    council_id: uuid.UUID
    council_name: str = ""
    title: str
    service_area: str = ""
    status: str = ""
    created_at: datetime | None = None
    # The organisations outside the council the idea says it would involve, as its authors wrote them.
    partners: list[str] = Field(default_factory=list)


class IdeaCounts(BaseModel):
    """The two counts a portfolio shows, as the ideas service's list would total them."""

    model_config = ConfigDict(extra="ignore")

    in_play: int
    selected: int


class HackDayDate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    held_on: date = Field(alias="date")


class IdeasClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            # aiohttp's client under httpx's API: a portfolio asks its counts on every page, and httpx's own
            # transport cost more CPU than the answers (platform_core/aiohttp_transport.py).
            transport=AiohttpTransport(max_connections=50),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _headers(self, principal: Principal) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {principal.token}", "Accept": "application/json"}
        request_id = correlation_id.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        return headers

    async def _get(self, path: str, principal: Principal) -> httpx.Response:
        try:
            return await self._http.get(path, headers=self._headers(principal))
        except httpx.HTTPError as exc:
            log.warning("ideas service unreachable on GET %s: %s", path, exc)
            raise Problem(
                503,
                "The ideas service is not answering just now; nothing was saved. Try again shortly.",
                headers={"Retry-After": "2"},
            ) from exc

    def _unavailable(self, response: httpx.Response) -> Problem:
        log.warning("ideas service answered %s on %s", response.status_code, response.url.path)
        return Problem(
            503,
            "The ideas service could not answer just now; nothing was saved. Try again shortly.",
            headers={"Retry-After": "2"},
        )

    async def idea(self, idea_id: uuid.UUID, principal: Principal) -> IdeaSnapshot:
        """The idea as the caller may see it; 422 naming `idea_id` if there is none they can see."""
        response = await self._get(f"/api/ideas/ideas/{idea_id}", principal)
        if response.status_code in (403, 404):
            raise Problem(
                422,
                "There is no idea with this id that you can see.",
                errors=[{"field": "idea_id", "message": "no idea with this id in your council"}],
            )
        if response.status_code != 200:
            raise self._unavailable(response)
        try:
            snapshot = IdeaSnapshot.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            log.warning("ideas service answered an idea we cannot read: %s", exc)
            raise self._unavailable(response) from exc
        if snapshot.view != "full" or snapshot.council_id != principal.council_id:
            raise Problem(
                403,
                "Only managers of the idea's own council can run a trial of it.",
                errors=[{"field": "idea_id", "message": "belongs to another council"}],
            )
        return snapshot

    async def hack_day_date(self, hack_day_id: uuid.UUID, principal: Principal) -> date | None:
        """The day the hack day was held, for 'time from hack day to verdict'; None if not known.

        Best effort: the trial is still created if the hack day cannot be read.
        """
        try:
            response = await self._http.get(f"/api/ideas/hack-days/{hack_day_id}", headers=self._headers(principal))
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        try:
            return HackDayDate.model_validate(response.json()).held_on
        except (ValueError, ValidationError):
            return None

    async def counts(self, principal: Principal) -> IdeaCounts | None:
        """How many ideas of the caller's council are in play and selected, in one call; None if the ideas
        service cannot say."""
        try:
            response = await self._http.get("/api/ideas/ideas/counts", headers=self._headers(principal))
            if response.status_code == 200:
                return IdeaCounts.model_validate_json(response.content)
            log.info("ideas counts unavailable: the ideas service answered %s", response.status_code)
        except (httpx.HTTPError, ValidationError) as exc:
            log.info("ideas counts unavailable: %s", exc)
        return None
