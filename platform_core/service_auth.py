"""A service's own credential for background work (outbox relays): an API key with role `service`,
exchanged at the gateway for a short-lived token, which is cached until shortly before it expires."""

from __future__ import annotations

import asyncio
import time

import httpx


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
