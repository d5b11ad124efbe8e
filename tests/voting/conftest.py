"""Shared people, a hack day and its shortlisted ideas for the voting tests: made once per platform
(each test makes its own rounds, so sharing them across modules is safe and saves the set-up)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.voting.votingkit import ok

LETTERS = "ABCDE"
PROBLEM = (
    "Residents ring the contact centre to ask what happens next; about 300 calls a month "
    "that a clear message would avoid."
)


def team_idea_of(dana, eli, hack_day_id: str) -> dict:
    """An idea by Dana with Eli as co-author (Eli accepts the invitation)."""
    idea = _idea(dana, hack_day_id, "Dana and Eli's idea")
    ok(dana.post(f"/api/ideas/ideas/{idea['id']}/co-authors", json={"person_id": eli.id}))
    ok(eli.post(f"/api/ideas/ideas/{idea['id']}/invitation/accept"))
    return idea


def _idea(person, hack_day_id: str, title: str) -> dict:
    body = {
        "hack_day_id": hack_day_id,
        "title": title,
        "problem": PROBLEM,
        "proposal": "Tell people what happens next, when it happens.",
        "expected_benefit": {"amount": 100, "unit": "hours", "beneficiaries": "both"},
        "service_area": "revenues_and_benefits",
        "tags": ["calls"],
        "partners": [],
    }
    return ok(person.post("/api/ideas/ideas", json=body), 201)


@pytest.fixture(scope="session")
def hall(new_council, new_person) -> SimpleNamespace:
    """Our council: an organiser, a manager, an author of five ideas, twelve voting staff (the first,
    Dana, leads a sixth idea co-authored by Eli); another council with an organiser and staff.
    A hack day with all six ideas shortlisted, and a seventh idea left unshortlisted."""
    ours, theirs = new_council(), new_council()
    organiser = new_person(ours, "organiser", name="Olive Organiser")
    author = new_person(ours, "staff", name="Arthur Author")
    voters = [new_person(ours, "staff", name=f"Voter {n}") for n in range(12)]
    dana, eli = voters[0], voters[1]
    day = ok(
        organiser.post(
            "/api/ideas/hack-days",
            json={"name": "Voting hack day", "date": "2027-03-04", "themes": ["Fewer calls"]},
        ),
        201,
    )
    ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))
    lettered = {letter: _idea(author, day["id"], f"Idea {letter}") for letter in LETTERS}
    team_idea = team_idea_of(dana, eli, day["id"])
    for idea in [*lettered.values(), team_idea]:
        ok(organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))
    spare = _idea(author, day["id"], "Idea not shortlisted")
    return SimpleNamespace(
        council=ours,
        organiser=organiser,
        manager=new_person(ours, "manager", name="Mo Manager"),
        author=author,
        voters=voters,
        dana=dana,
        eli=eli,
        day=day,
        lettered={k: v["id"] for k, v in lettered.items()},
        team_idea=team_idea["id"],
        # What was shortlisted at the start: published rounds select some of these (the outbox marks
        # them selected), so tests name their candidates rather than rely on "all shortlisted".
        shortlist=[*(v["id"] for v in lettered.values()), team_idea["id"]],
        spare=spare["id"],
        other_council=theirs,
        other_organiser=new_person(theirs, "organiser"),
        stranger=new_person(theirs, "staff", name="Sam Stranger"),
    )
