"""The client of other platforms' federation feeds: one `httpx.AsyncClient` for the app's lifetime.

A connection that fails is tried again by httpx's own transport (`retries`, with its back-off), so
a source that blinks is still imported; one that stays down, is slow past the timeout or answers
an error fails the import with the reason (followup/federation.py), and the next run tries again.
"""

from __future__ import annotations

import httpx

# Connection attempts after the first (httpx.AsyncHTTPTransport(retries=...): connect errors only).
CONNECT_RETRIES = 2
USER_AGENT = "council-hackday-federation/1 (+https://www.nationalarchives.gov.uk/doc/open-government-licence/)"


class FederationClient:
    def __init__(self, timeout: float) -> None:
        self._http = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(retries=CONNECT_RETRIES),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            # Another platform's address is taken as configured: no proxy from the environment,
            # no redirect to somewhere the admin did not subscribe to.
            trust_env=False,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def page(self, feed_url: str, offset: int, limit: int, etag: str | None) -> httpx.Response:
        """One page of the feed, conditional on the ETag of the copy we hold (304 when unchanged)."""
        url = httpx.URL(feed_url).copy_merge_params({"offset": offset, "limit": limit})
        headers = {"If-None-Match": etag} if etag else {}
        return await self._http.get(url, headers=headers)
