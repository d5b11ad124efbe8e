"""What every stage of the demo shares: the gateway, the output, what was made so far."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tools.demo.client import Gateway
from tools.demo.story import Made


class Stage:
    """The demo's state, shared by its stages (each stage is a mixin of `tools.demo.run.Demo`)."""

    def __init__(
        self,
        url: str,
        admin_email: str,
        admin_password: str,
        size: str,
        trial_wait: float,
        say: Callable[[str], None] = print,
    ) -> None:
        self.gw = Gateway(url, say, hint="--size small, or " if size == "full" else "")
        self.say = say
        self.admin_email, self.admin_password = admin_email, admin_password
        self.size = size
        self.trial_wait = trial_wait
        self.made = Made()
        self.today = date.today()

    def key(self, *parts: str) -> dict[str, str]:
        """An Idempotency-Key for a creating call, the same if the demo repeats the call in this run."""
        return {"Idempotency-Key": "-".join(("demo", str(self.made.set_number), *parts))}
