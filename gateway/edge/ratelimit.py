"""Rate limits at the edge: sign-ins, invitation accepts (separate budgets) and anonymous reads (the
open library) per client address,
writes per caller.

Limits are written in the `limits` library's notation ("10/minute", "300/minute") and counted as a
moving window: at most N requests in any window of that length, and Retry-After says when the oldest
of them leaves the window.

Where they are counted depends on the storage setting:
- `memory://` (the default: one gateway process) counts in this process, in a small queue of recent
  times per caller, expiring old times as it goes. Every write pays for this check, and the `limits`
  library's own in-memory storage hands an expiry sweep to a worker thread on nearly every hit (a
  fifth of the gateway's time under the benchmark's load; benchmarks/README.md).
- any other storage (`redis://host:6379`, to share limits between gateway replicas) goes through the
  `limits` library's moving-window limiter on that storage.
"""

from __future__ import annotations

import math
import time
from collections import deque

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class LocalMovingWindow:
    """Exact moving-window counting in this process. Not shared: one gateway process only."""

    def __init__(self, longest_window_seconds: float) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._longest = longest_window_seconds
        self._next_sweep = time.monotonic() + longest_window_seconds

    def retry_after(self, item: RateLimitItem, which: str, key: str) -> int | None:
        now = time.monotonic()
        window = item.get_expiry()
        hits = self._hits.get((which, key))
        if hits is None:
            hits = self._hits[(which, key)] = deque()
        cutoff = now - window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= item.amount:
            # A refused request is not counted: the caller may go on as soon as the oldest leaves.
            return max(1, math.ceil(hits[0] + window - now))
        hits.append(now)
        if now >= self._next_sweep:
            self._sweep(now)
        return None

    def _sweep(self, now: float) -> None:
        """Forget callers with no request in the longest window, once per such window."""
        cutoff = now - self._longest
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]
        self._next_sweep = now + self._longest


class RateLimits:
    def __init__(
        self,
        *,
        login: str,
        writes: str,
        accept: str = "1200/minute",
        anonymous_reads: str = "120/minute",
        storage_url: str = "memory://",
    ) -> None:
        self.login = parse(login)
        self.accept = parse(accept)
        self.writes = parse(writes)
        self.anonymous_reads = parse(anonymous_reads)
        self._items = {
            "login": self.login,
            "accept": self.accept,
            "writes": self.writes,
            "anonymous_reads": self.anonymous_reads,
        }
        self._local: LocalMovingWindow | None = None
        self._limiter: MovingWindowRateLimiter | None = None
        if storage_url.removeprefix("async+").startswith("memory://"):
            self._local = LocalMovingWindow(max(item.get_expiry() for item in self._items.values()))
        else:
            # The async flavour of a storage is named "async+<scheme>://" in the limits library.
            async_url = storage_url if storage_url.startswith("async+") else "async+" + storage_url
            self._limiter = MovingWindowRateLimiter(storage_from_string(async_url))

    async def retry_after(self, which: str, key: str) -> int | None:
        """None if the request may go on; else the seconds to wait before trying again."""
        item = self._items[which]
        if self._local is not None:
            return self._local.retry_after(item, which, key)
        assert self._limiter is not None  # __init__ sets one of the two
        if await self._limiter.hit(item, which, key):
            return None
        stats = await self._limiter.get_window_stats(item, which, key)
        return max(1, math.ceil(stats.reset_time - time.time()))
