"""Shared people and hack days for the ideas tests: made once per module, through the gateway."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.ideas.ideaskit import hack_day


@pytest.fixture(scope="module")
def town(new_council, new_person) -> SimpleNamespace:
    """Two councils: ours (an organiser and three staff) and another (an organiser and one staff)."""
    ours, theirs = new_council(), new_council()
    return SimpleNamespace(
        council=ours,
        organiser=new_person(ours, "organiser"),
        alice=new_person(ours, "staff", name="Alice Ames"),
        bob=new_person(ours, "staff", name="Bob Bryant"),
        carol=new_person(ours, "staff", name="Carol Cole"),
        other_council=theirs,
        other_organiser=new_person(theirs, "organiser"),
        stranger=new_person(theirs, "staff", name="Sam Stranger"),
    )


@pytest.fixture(scope="module")
def open_day(town) -> dict:
    return hack_day(town.organiser, "open")
