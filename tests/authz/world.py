"""The world the authorisation matrix runs in: two councils, a person of every role in each, and
objects owned by someone, made through the gateway as the people themselves would make them.

Objects that a successful call would change (an idea edited, a round opened) are made fresh for that
call, so the rows of the matrix do not depend on the order they run in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.actors import Actor, Council

ROLES = ("none", "staff", "organiser", "manager", "admin")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response.json() if response.content else None


@dataclass
class Side:
    """One council and its people: one of each role, and a colleague (staff) who owns things."""

    council: Council
    staff: Actor
    organiser: Actor
    manager: Actor
    colleague: Actor
    hack_day: dict = field(default_factory=dict)
    idea: dict = field(default_factory=dict)


class World:
    def __init__(self, platform, admin: Actor, anonymous: httpx.Client, new_council, new_person) -> None:
        self.platform = platform
        self.admin = admin
        self.anonymous = anonymous
        self._new_person = new_person
        self._shared: dict[tuple, Any] = {}
        self.home = self._side(new_council())
        self.away = self._side(new_council())

    def shared(self, key: tuple, make) -> Any:
        """An object made once and reused by every call that must not change it (the call is refused)."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    # ---- people ------------------------------------------------------------------------------
    def _side(self, council: Council) -> Side:
        people = {role: self._new_person(council, role) for role in ("staff", "organiser", "manager")}
        side = Side(council=council, colleague=self._new_person(council, "staff"), **people)
        side.hack_day = self.hack_day(side, phase="open")
        side.idea = self.idea(side, side.colleague)
        return side

    def actor(self, role: str) -> Actor | None:
        """The caller for a column of the matrix: a person of the home council, the admin, or nobody."""
        if role == "none":
            return None
        if role == "admin":
            return self.admin
        return getattr(self.home, role)

    def call(self, role: str, method: str, path: str, **kw: Any) -> httpx.Response:
        actor = self.actor(role)
        if actor is None:
            return self.anonymous.request(method, path, **kw)
        return actor.request(method, path, **kw)

    def person(self, side: Side, *roles: str) -> Actor:
        return self._new_person(side.council, *(roles or ("staff",)))

    # ---- ideas -------------------------------------------------------------------------------
    def hack_day(self, side: Side, phase: str = "open") -> dict:
        day = ok(
            side.organiser.post(
                "/api/ideas/hack-days",
                json={
                    "name": f"Hack day {uuid.uuid4().hex[:6]}",
                    "date": "2027-03-04",
                    "themes": ["Fewer calls chasing council tax"],
                },
            ),
            201,
        )
        for step in ("open", "voting", "closed")[: ("draft", "open", "voting", "closed").index(phase)]:
            day = ok(side.organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": step}))
        return day

    def idea(self, side: Side, author: Actor, hack_day: dict | None = None) -> dict:
        return ok(author.post("/api/ideas/ideas", json=idea_body((hack_day or side.hack_day)["id"])), 201)

    def etag(self, path: str) -> str:
        return self.admin.get(path).headers.get("etag", '"0"')

    # ---- voting ------------------------------------------------------------------------------
    def round(self, side: Side, *, phase: str = "draft", ballot_by: Actor | None = None) -> dict:
        """A round over two ideas of the side's open hack day, moved to `phase`."""
        ideas = [self.idea(side, side.colleague), self.idea(side, side.colleague)]
        rnd = ok(
            side.organiser.post(
                "/api/voting/rounds",
                json={
                    "hack_day_id": side.hack_day["id"],
                    "title": f"Round {uuid.uuid4().hex[:6]}",
                    "method": "approval",
                    "rules": {},
                    "idea_ids": [i["id"] for i in ideas],
                },
            ),
            201,
        )
        if phase == "draft":
            return rnd
        rnd = ok(side.organiser.post(f"/api/voting/rounds/{rnd['id']}/open"))
        if ballot_by is not None:
            ok(ballot_by.post(f"/api/voting/rounds/{rnd['id']}/ballot", json={"choices": self.approval(rnd)}), 201)
        for step in ("close", "publish")[: ("open", "closed", "published").index(phase)]:
            rnd = ok(side.organiser.post(f"/api/voting/rounds/{rnd['id']}/{step}"))
        return rnd

    @staticmethod
    def approval(rnd: dict) -> dict:
        return {"approve": [rnd["candidates"][0]["idea_id"]]}

    # ---- follow-up ---------------------------------------------------------------------------
    def trial(self, side: Side, *, metric: bool = False) -> dict:
        idea = self.idea(side, side.colleague)
        trial = ok(
            side.manager.post(
                "/api/followup/trials",
                json={
                    "idea_id": idea["id"],
                    "hypothesis": "If we pre-fill forms, then time per case will fall by a quarter.",
                    "scope": "One team",
                    "trial_cost_pounds": 1000,
                },
            ),
            201,
        )
        if metric:
            ok(
                side.manager.post(
                    f"/api/followup/trials/{trial['id']}/metrics",
                    json={
                        "name": "Hours per case",
                        "unit": "hours_per_case",
                        "direction": "lower_is_better",
                        "baseline": {
                            "value": 2.0,
                            "period_start": "2026-01-01",
                            "period_end": "2026-03-31",
                            "method": "Case system report, last quarter",
                        },
                        "target_value": 1.5,
                    },
                ),
                201,
            )
            trial = ok(side.manager.get(f"/api/followup/trials/{trial['id']}"))
        return trial


def idea_body(hack_day_id: str) -> dict:
    return {
        "hack_day_id": hack_day_id,
        "title": f"SMS reminders before council tax instalments {uuid.uuid4().hex[:4]}",
        "problem": "Residents miss the instalment date and ring the contact centre; 900 calls a month.",
        "proposal": "Send a text message three days before each instalment is due.",
        "service_area": "revenues_and_benefits",
    }
