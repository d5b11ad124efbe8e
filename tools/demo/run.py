"""The demo's run: check the platform, then each stage in turn."""

from __future__ import annotations

import time

from tools.demo.client import DemoFailed, Person, sign_in
from tools.demo.councils import COUNCILS
from tools.demo.ideas import Ideas
from tools.demo.people import People
from tools.demo.story import Made, council_name
from tools.demo.trials import Trials
from tools.demo.tried_before import TriedBefore
from tools.demo.votes import Votes


class Demo(People, Ideas, Votes, Trials, TriedBefore):
    """The whole story, stage by stage, through the public API."""

    def run(self) -> Made:
        started = self._started = time.monotonic()
        try:
            self.check_platform()
            admin = sign_in(self.gw, self.admin_email, self.admin_password)
            self.made.set_number = self.choose_set(admin)
            self.stage(1, "councils and people")
            northbrook, glanmor, inverallan = self.register(admin)
            self.stage(2, "hack days, ideas and votes")
            for team in (northbrook, glanmor):
                self.hack_day_with_vote(team)
            self.stage(3, "trials, measurements and verdicts")
            opened = self.wait_for_trials([northbrook, glanmor])
            for team in (northbrook, glanmor):
                self.trials(team, opened)
            self.stage(4, "a new hack day: tried before?")
            self.open_hack_day_and_tried_before(inverallan)
        finally:
            self.gw.close()
            self.made.seconds = round(time.monotonic() - started, 1)
        return self.made

    def stage(self, number: int, what: str) -> None:
        """Say which stage starts, and how long the run has taken so far."""
        self.say(f"[{number}/4] {what} ({time.monotonic() - self._started:.0f} s so far)")

    def check_platform(self) -> None:
        response = self.gw.send("GET", "/readyz", step="check that the platform is running", ok=(200, 503))
        if response.status_code != 200:
            raise DemoFailed(f"the platform at {self.gw.url} is running but not ready: {response.text[:300]}")

    def choose_set(self, admin: Person) -> int:
        """Each run adds its own set of councils: find the first set number not used yet."""
        names: set[str] = set()
        offset = 0
        while True:
            page = admin.get("/api/councils", "list the councils", params={"limit": 200, "offset": offset})
            names |= {c["name"] for c in page["items"]}
            offset += 200
            if offset >= page["total"]:
                break
        number = 1
        while any(council_name(s, number) in names for s in COUNCILS):
            number += 1
        if number > 1:
            earlier = "set 1 is" if number == 2 else f"sets 1-{number - 1} are"
            self.say(f"Demo {earlier} already here; adding set {number}, with its own names.")
        return number
