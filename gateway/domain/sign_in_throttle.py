"""Failed sign-ins slow down whoever keeps guessing, without locking the account's owner out.

Following OWASP's Authentication Cheat Sheet ("Login Throttling", "Account Lockout"): failures are
counted per account *and* client address, so an attacker guessing one person's password from their
address is slowed while the owner, signing in from anywhere else, is not touched; and a lockout of an
account as a whole (which anyone could trigger, and which told who is registered) no longer exists.

After `free_failures` failures in a window, each further attempt for that account from that address
must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to `longest_wait`), answered 429
with Retry-After. Failures for unknown emails are counted exactly as for known ones, so the answers
(401s, then 429s with the same waits) never tell whether an email is registered. A success clears
the count. With Argon2 costing tens of milliseconds per guess and the per-address limit at the edge,
an attacker gets a handful of guesses per account per minute per address.

Counted in this process: with several gateway replicas each counts its own, which multiplies an
attacker's budget by the number of replicas but changes nothing else.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class _Failures:
    count: int
    last: float


class SignInThrottle:
    def __init__(self, *, free_failures: int = 5, window_seconds: float = 900, longest_wait: float = 60) -> None:
        self.free_failures = free_failures
        self.window = window_seconds
        self.longest_wait = longest_wait
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._next_sweep = time.monotonic() + window_seconds

    @staticmethod
    def _key(email: str, address: str) -> tuple[str, str]:
        return email.strip().lower(), address

    def _wait_after(self, count: int) -> float:
        over = count - self.free_failures
        return 0.0 if over < 0 else min(self.longest_wait, 2.0**over)

    def retry_after(self, email: str, address: str) -> int | None:
        """None if an attempt may be made now; else the seconds to wait."""
        now = time.monotonic()
        failures = self._failures.get(self._key(email, address))
        if failures is None or now - failures.last > self.window:
            return None
        left = failures.last + self._wait_after(failures.count) - now
        return math.ceil(left) if left > 0 else None

    def failed(self, email: str, address: str) -> None:
        now = time.monotonic()
        key = self._key(email, address)
        failures = self._failures.get(key)
        if failures is None or now - failures.last > self.window:
            self._failures[key] = _Failures(1, now)
        else:
            failures.count += 1
            failures.last = now
        if now >= self._next_sweep:
            self._sweep(now)

    def succeeded(self, email: str, address: str) -> None:
        self._failures.pop(self._key(email, address), None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, f in self._failures.items() if now - f.last > self.window]:
            del self._failures[key]
        self._next_sweep = now + self.window
