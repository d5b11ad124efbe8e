"""Services' own credentials: the caller's side (an API key with role `service`, exchanged at the
gateway for a short-lived token naming the service, cached until shortly before it expires) and the
receiver's side (each internal route lets in only the services it is meant for).

Why per route: a credential that passes every internal route lets one service claim facts another
owns (the voting service announcing a published trial outcome, which opens an idea to every council).
So each internal route names its senders, `Depends(only_from("voting"))`, and anyone else,
people and admins included, is refused with 403. Internal routes are never reachable through the
public gateway (its edge refuses `/api/<part>/internal/...`), only on the services' own addresses.

The same holds on a part's public routes, which the services' own addresses also answer: a service's
credential passes only on the few routes another service needs for its job, named once per part with
`services_only_on({"GET /api/ideas/ideas/{idea_id}": {"voting"}})` as the public routers' dependency;
every other route refuses it (403), so a leaked one cannot read every council's data from there either.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping

import httpx
from fastapi import Request

from platform_core.auth import CurrentPrincipal, Principal, bearer_token, current_principal
from platform_core.problems import Problem

# The path segment that marks a part's internal routes: `/api/<part>/internal/...`.
INTERNAL_SEGMENT = "internal"


def is_internal_path(path: str) -> bool:
    """Whether a (percent-decoded) path names a part's internal route, however it is spelt: empty and
    `.` segments dropped and `..` applied first, case ignored, so `/api/ideas/./Internal/...` and
    `/api/voting/x/../internal` are caught as well as the plain form."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return len(segments) >= 3 and segments[0] == "api" and segments[2].lower() == INTERNAL_SEGMENT


def only_from(*services: str) -> Callable[[Principal], Awaitable[Principal]]:
    """The dependency of an internal route: only the named services' credentials pass, as in
    `FromVoting = Annotated[Principal, Depends(only_from("voting"))]`."""
    allowed = frozenset(services)
    who = " or ".join(f"the {s} service" for s in services)

    async def _only(principal: CurrentPrincipal) -> Principal:
        # Not even admins: these record facts decided by another service, never by a person.
        if not (principal.is_service and principal.service in allowed):
            raise Problem(403, f"Only {who} may call this internal route.")
        return principal

    return _only


def services_only_on(routes: Mapping[str, Collection[str]]) -> Callable[[Request], Awaitable[None]]:
    """The dependency of a part's public routers: people and API keys pass; a service's own credential
    passes only on the routes named here, as `"METHOD /path/{template}"`, for the services named with it
    (none named: every public route refuses it). A request with no token is left to the route, so open
    reads (follow-up's library) stay open and the others still answer 401."""
    allowed = {route: frozenset(services) for route, services in routes.items()}

    async def _guard(request: Request) -> None:
        if bearer_token(request) is None:
            return
        principal = await current_principal(request)  # the verifier's cache: the route's own check is free
        if not principal.is_service:
            return
        route = getattr(request.scope.get("route"), "path", "")
        if principal.service not in allowed.get(f"{request.method} {route}", ()):
            raise Problem(403, "A service's own credential is not accepted on this route.")

    return _guard


class ServiceCredential:
    def __init__(self, gateway_url: str, api_key: str, client: httpx.AsyncClient) -> None:
        self._url = gateway_url.rstrip("/") + "/api/auth/token"
        self._api_key = api_key
        self._client = client
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._api_key)

    async def token(self) -> str:
        async with self._lock:
            if time.time() < self._expires - 60:
                return self._token
            if not self._api_key:
                raise RuntimeError("No service API key is set (the <PART>_SERVICE_API_KEY setting).")
            response = await self._client.post(self._url, headers={"X-API-Key": self._api_key}, timeout=5.0)
            response.raise_for_status()
            body = response.json()
            self._token = body["access_token"]
            self._expires = time.time() + int(body["expires_in"])
            return self._token

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}
