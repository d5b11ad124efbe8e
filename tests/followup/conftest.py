"""Shared people for the follow-up tests: two councils, each with a manager, staff and an organiser.

Made once per module (per backend), so the tests stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.followup.kit import open_hack_day, submit_idea


@dataclass
class Town:
    council: Any
    manager: Any
    staff: Any
    organiser: Any
    hack_day: dict

    def idea(self, title: str = "Pre-fill change-of-address forms", **kw: Any) -> dict:
        return submit_idea(self.staff, self.hack_day["id"], title, **kw)


def _town(new_council, new_person) -> Town:
    council = new_council()
    organiser = new_person(council, "organiser", "staff")
    return Town(
        council=council,
        manager=new_person(council, "manager", "staff"),
        staff=new_person(council, "staff"),
        organiser=organiser,
        hack_day=open_hack_day(organiser),
    )


@pytest.fixture(scope="module")
def town(new_council, new_person) -> Town:
    return _town(new_council, new_person)


@pytest.fixture(scope="module")
def other_town(new_council, new_person) -> Town:
    return _town(new_council, new_person)
