"""Rate limits at the edge (the `limits` library): sign-ins per client address, writes per caller."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.aio.strategies import MovingWindowRateLimiter


class RateLimits:
    def __init__(self, *, login: str, writes: str, storage_url: str = "memory://") -> None:
        # The async flavour of a storage is named "async+<scheme>://" in the limits library.
        self._storage = storage_from_string(
            storage_url if storage_url.startswith("async+") else "async+" + storage_url
        )
        self._limiter = MovingWindowRateLimiter(self._storage)
        self.login = parse(login)
        self.writes = parse(writes)

    async def retry_after(self, which: str, key: str) -> int | None:
        """None if the request may go on; else the seconds to wait before trying again."""
        item = self.login if which == "login" else self.writes
        if await self._limiter.hit(item, which, key):
            return None
        stats = await self._limiter.get_window_stats(item, which, key)
        return max(1, math.ceil(stats.reset_time - time.time()))
