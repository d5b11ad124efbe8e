"""A small typed client of the ideas service: the candidates of a round are snapshotted from it.

It acts for the organiser (their bearer token and the request id are passed on), so the ideas
service applies its own rules about what they may see. One AsyncClient lives as long as the app.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

import httpx

from platform_core.problems import Problem

log = logging.getLogger("voting.ideas")
PAGE = 200
MAX_PAGES = 5
# Ideas in these states are not put to a vote, even if chosen by hand.
NOT_VOTABLE = {"withdrawn", "hidden", "duplicate"}


@dataclass(frozen=True)
class IdeaSnapshot:
    idea_id: uuid.UUID
    hack_day_id: uuid.UUID
    council_id: uuid.UUID
    title: str
    status: str
    author_ids: list[uuid.UUID]

    def candidate(self) -> dict:
        return {
            "idea_id": str(self.idea_id),
            "title": self.title,
            "author_ids": [str(a) for a in self.author_ids],
        }


def _snapshot(item: dict) -> IdeaSnapshot | None:
    """The fields a round needs, or None if the answer lacks them (e.g. the short form another
    council gets: then the idea is not one the organiser may put to a vote)."""
    try:
        return IdeaSnapshot(
            idea_id=uuid.UUID(str(item["id"])),
            hack_day_id=uuid.UUID(str(item["hack_day_id"])),
            council_id=uuid.UUID(str(item["council_id"])),
            title=str(item["title"]),
            status=str(item.get("status", "")),
            author_ids=[uuid.UUID(str(a)) for a in item.get("author_ids") or []],
        )
    except (KeyError, TypeError, ValueError):
        return None


def _unavailable(what: str) -> Problem:
    return Problem(
        503,
        f"The ideas service could not be reached to {what}; nothing was saved. Try again shortly.",
        headers={"Retry-After": "2"},
    )


class IdeasClient:
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(
        self, path: str, *, token: str, request_id: str | None, what: str, params: dict | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if request_id:
            headers["X-Request-ID"] = request_id
        try:
            response = await self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("ideas service unreachable on %s: %s", path, type(exc).__name__)
            raise _unavailable(what) from None
        if response.status_code >= 500 or response.status_code in (401, 429):
            log.warning("ideas service answered %s on %s", response.status_code, path)
            raise _unavailable(what)
        return response

    async def hack_day_council(self, hack_day_id: uuid.UUID, *, token: str, request_id: str | None) -> uuid.UUID | None:
        """The council of a hack day, or None if the caller cannot see it."""
        response = await self._get(
            f"/api/ideas/hack-days/{hack_day_id}",
            token=token,
            request_id=request_id,
            what="check the hack day",
        )
        if response.status_code != 200:
            return None
        return uuid.UUID(str(response.json()["council_id"]))

    async def shortlisted(self, hack_day_id: uuid.UUID, *, token: str, request_id: str | None) -> list[IdeaSnapshot]:
        found: dict[uuid.UUID, IdeaSnapshot] = {}
        for page in range(MAX_PAGES):
            response = await self._get(
                "/api/ideas/ideas",
                token=token,
                request_id=request_id,
                what="read the shortlisted ideas",
                params={
                    "hack_day_id": str(hack_day_id),
                    "status": "shortlisted",
                    "limit": PAGE,
                    "offset": page * PAGE,
                },
            )
            if response.status_code != 200:
                return []
            items = response.json().get("items", [])
            for item in items:
                idea = _snapshot(item)
                if idea is not None:
                    found.setdefault(idea.idea_id, idea)
            if len(items) < PAGE:
                break
        return list(found.values())

    async def ideas(
        self, idea_ids: list[uuid.UUID], *, token: str, request_id: str | None
    ) -> list[IdeaSnapshot | None]:
        """Each idea, or None where it does not exist or the caller may not see it."""

        async def one(idea_id: uuid.UUID) -> IdeaSnapshot | None:
            response = await self._get(
                f"/api/ideas/ideas/{idea_id}",
                token=token,
                request_id=request_id,
                what="read the chosen ideas",
            )
            return _snapshot(response.json()) if response.status_code == 200 else None

        # Bounded fan-out: a round has at most a few hundred candidates.
        semaphore = asyncio.Semaphore(20)

        async def bounded(idea_id: uuid.UUID) -> IdeaSnapshot | None:
            async with semaphore:
                return await one(idea_id)

        return list(await asyncio.gather(*(bounded(i) for i in idea_ids)))
