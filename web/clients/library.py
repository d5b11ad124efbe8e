"""The open library through the gateway, read without anyone's token: what the public pages show.

The gateway counts reads without sign-in per client address (GATEWAY_ANONYMOUS_READ_RATE_LIMIT). Every
public page is asked for by a different reader but sent from the web part's one address, so the reader's
own address goes along in X-Forwarded-For, by the same rule as sign-in's (`browser_address`: only when
web sits behind trusted proxies, only the address its server resolved): the gateway counts it instead
of web's when it trusts the web part as a proxy (GATEWAY_TRUSTED_PROXIES); otherwise every reader
shares one budget.
"""

from __future__ import annotations

import uuid
from typing import Any

from web.clients.gateway import ApiError, Gateway

LIBRARY = "/api/followup/library"


class LibraryApi:
    """One reader's reads of the library."""

    def __init__(self, gateway: Gateway, address: str | None, request_id: str | None) -> None:
        self._gateway = gateway
        self._rid = request_id
        self._headers = {"X-Forwarded-For": address} if address else {}

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        return await self._gateway.call(
            "GET", LIBRARY + path, params=clean, request_id=self._rid, headers=dict(self._headers)
        )

    async def search(self, filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
        return await self._get("", {**filters, "limit": limit, "offset": offset})

    async def entry(self, entry_id: uuid.UUID) -> dict[str, Any]:
        return await self._get(f"/{entry_id}")

    async def council_contact(self, council_id: str) -> dict[str, Any] | None:
        """Whom to ask about a council's trials (the gateway's open read); None when it cannot be said, so
        that a trial's page never fails for want of it."""
        try:
            return await self._gateway.call(
                "GET", f"/api/councils/{council_id}/contact", request_id=self._rid, headers=dict(self._headers)
            )
        except ApiError:
            return None

    async def what_works(self, by: str, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._get("/what-works", {**(filters or {}), "by": by})
