"""Shared people for the reliability tests, and a summary of the figures they measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.support.actors import Actor, Council

FIGURE = "reliability figure"


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str, str, object], None]:
    """Records (test, what, figure) on the test's report, printed at the end of the run and copied into
    docs/reliability.md; a report's properties reach the end of the run from every xdist worker."""

    def record(test: str, what: str, figure: object) -> None:
        request.node.user_properties.append((FIGURE, (test, what, str(figure))))

    return record


@dataclass
class Team:
    """One council's people, one of each role, plus the platform's admin."""

    council: Council
    staff: Actor
    organiser: Actor
    manager: Actor
    admin: Actor

    def by_role(self, role: str) -> Actor:
        return getattr(self, role)

    def token(self, platform, role: str) -> str:
        """A token minted now for the person of `role` (the suite may outlast a 15-minute token)."""
        actor = self.by_role(role)
        council_name = self.council.name if actor.council_id else ""
        return platform.issuer.issue(
            subject=actor.id, council_id=actor.council_id, council_name=council_name, roles=actor.roles, name=actor.name
        )


@pytest.fixture(scope="session")
def team(new_council, new_person) -> Team:
    council = new_council()
    return Team(
        council=council,
        staff=new_person(council, "staff"),
        organiser=new_person(council, "organiser"),
        manager=new_person(council, "manager"),
        # An admin of its own: whatever the fuzzer does to its caller's account (its roles, its
        # sessions) must not touch the suite's admin, whose token every other test uses.
        admin=new_person(None, "admin"),
    )


def pytest_terminal_summary(terminalreporter) -> None:
    found = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == FIGURE
    ]
    if not found:
        return
    terminalreporter.section("reliability figures")
    for test, what, figure in found:
        terminalreporter.write_line(f"{test}: {what} = {figure}")
