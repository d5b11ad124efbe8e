"""No voting for your own idea, whenever you joined it (issue 12, point 2): a co-author who accepts
after the round opened is refused, because the ideas service tells voting before it saves the team."""

from __future__ import annotations

import httpx

from tests.support.http import service_headers
from tests.voting.conftest import _idea
from tests.voting.votingkit import ROUNDS, cast, new_round, ok, problem


def _invite_and_accept(lead, person, idea_id: str):
    ok(lead.post(f"/api/ideas/ideas/{idea_id}/co-authors", json={"person_id": person.id}))
    return person.post(f"/api/ideas/ideas/{idea_id}/invitation/accept")


def test_a_co_author_who_joined_after_the_round_opened_cannot_vote_for_the_idea(hall):
    lead, late, other = hall.voters[6], hall.voters[7], hall.voters[3]
    idea = _idea(lead, hall.day["id"], "An idea that grows a team during the vote")["id"]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=[idea, hall.lettered["A"]], open_it=True)
    # Someone votes first, so the voting service has the round's rules cached (the batch path).
    ok(cast(other, rnd, {"approve": [idea]}), 201)
    ok(_invite_and_accept(lead, late, idea))
    refused = problem(cast(late, rnd, {"approve": [idea]}), 422, f"choices.approve.{idea}")
    assert "your own idea" in refused["detail"].lower() or "co-authored" in refused["detail"]
    ok(cast(late, rnd, {"approve": [hall.lettered["A"]]}), 201)
    # The round knows the new author, and the chain records when it learnt it.
    candidate = next(c for c in ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}"))["candidates"] if c["idea_id"] == idea)
    assert late.id in candidate["author_ids"]
    events = ok(hall.organiser.get(f"{ROUNDS}/{rnd['id']}/audit"))["items"]
    assert {"idea_id": idea, "person_id": late.id} in [e["data"] for e in events if e["event"] == "round.author_joined"]


def test_someone_who_voted_for_an_idea_changes_their_ballot_before_joining_its_team(hall):
    lead, voter = hall.voters[8], hall.voters[9]
    idea = _idea(lead, hall.day["id"], "An idea whose voter wants to join it")["id"]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=[idea, hall.lettered["B"]], open_it=True)
    ok(cast(voter, rnd, {"approve": [idea]}), 201)
    refused = problem(_invite_and_accept(lead, voter, idea), 409)
    assert rnd["title"] in refused["detail"]
    # Not joined: the ideas service saved nothing.
    assert voter.id not in ok(voter.get(f"/api/ideas/ideas/{idea}"))["author_ids"]
    ok(cast(voter, rnd, {"approve": [hall.lettered["B"]]}), 201)
    ok(voter.post(f"/api/ideas/ideas/{idea}/invitation/accept"))
    problem(cast(voter, rnd, {"approve": [idea]}), 422, f"choices.approve.{idea}")


def test_a_round_made_after_joining_knows_the_team_and_a_closed_round_is_left_alone(hall):
    lead, member = hall.voters[10], hall.voters[11]
    idea = _idea(lead, hall.day["id"], "An idea with a team before its round")["id"]
    closed = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=[idea, hall.lettered["C"]], open_it=True)
    before = ok(hall.organiser.post(f"{ROUNDS}/{closed['id']}/close"))
    ok(_invite_and_accept(lead, member, idea))
    after = ok(hall.organiser.get(f"{ROUNDS}/{closed['id']}"))
    assert member.id not in next(c for c in after["candidates"] if c["idea_id"] == idea)["author_ids"]
    assert after["version"] == before["version"]
    rnd = new_round(hall.organiser, hall.day["id"], "approval", idea_ids=[idea, hall.lettered["C"]], open_it=True)
    problem(cast(member, rnd, {"approve": [idea]}), 422, f"choices.approve.{idea}")


def test_only_the_ideas_service_tells_voting_who_joined_an_idea(platform, hall):
    body = {"council_id": hall.council.id, "idea_id": hall.lettered["A"], "person_id": hall.voters[0].id}
    # On voting's own address (the gateway answers 404 to internal routes, whoever asks).
    with httpx.Client(base_url=platform.url("voting"), timeout=30) as voting:
        for headers in (
            hall.voters[0].headers,
            hall.organiser.headers,
            service_headers(platform, "voting"),
            service_headers(platform, "followup"),
        ):
            problem(voting.post("/api/voting/internal/co-authors", json=body, headers=headers), 403)
    problem(hall.organiser.post("/api/voting/internal/co-authors", json=body), 404)
