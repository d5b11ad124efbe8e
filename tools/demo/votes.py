"""Stage 3: shortlists and votes: every acting member of staff casts a ballot, results are published."""

from __future__ import annotations

from typing import Any

from tools.demo.base import Stage
from tools.demo.client import BALLOT_WORKERS, DemoFailed, Person, in_parallel
from tools.demo.story import Team, Vote


class Votes(Stage):
    """Stage 3: shortlists and votes: every acting member of staff casts a ballot, results are published."""

    def hack_day_with_vote(self, team: Team) -> None:
        story, organiser, vote = team.story, team.organiser, team.story.vote
        if vote is None:
            raise DemoFailed(f"the story of {team.name} has no vote")  # a mistake in this file, not the platform
        day = self.create_hack_day(team)
        self.write_ideas(team, day)
        self.moderate(team)
        for key in vote.shortlist:
            organiser.post(
                f"/api/ideas/ideas/{team.ideas[key]['id']}/shortlist",
                f"{organiser.name} shortlists '{team.ideas[key]['title']}'",
            )
        self.phase(organiser, day, "voting")
        self.say(
            f"{team.name}: hack day '{day['name']}' with {len(team.ideas)} ideas "
            f"({sum(i.co_authors for i in story.ideas)} co-authors, "
            f"{sum(len(i.comments) for i in story.ideas)} comments), {len(vote.shortlist)} shortlisted."
        )
        self.vote(team, day, vote)
        self.phase(organiser, day, "closed")

    def vote(self, team: Team, day: dict[str, Any], vote: Vote) -> None:
        """A round over the shortlist; the staff vote (a few at a time); closed, counted and published."""
        organiser = team.organiser
        rnd = organiser.post(
            "/api/voting/rounds",
            f"{organiser.name} creates the vote",
            json={
                "hack_day_id": day["id"],
                "title": f"Which ideas should we trial? ({day['name']})",
                "method": vote.method,
                "rules": vote.rules,
                "selected_count": vote.selected,
            },
            headers=self.key(team.story.slug, "round"),
        )
        organiser.post(f"/api/voting/rounds/{rnd['id']}/open", f"{organiser.name} opens the vote")
        shortlist = [team.ideas[k]["id"] for k in vote.shortlist]
        members = {team.ideas[k]["id"]: team.members[k] for k in vote.shortlist}
        jobs = []
        for i, voter in enumerate(team.acting[: team.story.voters[self.size]]):
            choices = ballot(vote, shortlist, {idea for idea, ids in members.items() if voter.id in ids}, i)
            if choices is None:
                continue  # everything this voter would back is their own: they do not vote

            def cast(voter: Person = voter, choices: dict = choices, i: int = i) -> None:
                voter.post(
                    f"/api/voting/rounds/{rnd['id']}/ballot",
                    f"{voter.name} votes",
                    json={"choices": choices},
                    headers=self.key(team.story.slug, "ballot", str(i)),
                )

            jobs.append(cast)
        in_parallel(BALLOT_WORKERS, jobs, say=self.say, what="ballots cast")
        self.made.ballots += len(jobs)
        organiser.post(f"/api/voting/rounds/{rnd['id']}/close", f"{organiser.name} closes the vote")
        organiser.post(
            f"/api/voting/rounds/{rnd['id']}/publish",
            f"{organiser.name} publishes the result",
            json={"selected_count": vote.selected},
        )
        result = organiser.get(f"/api/voting/rounds/{rnd['id']}/result", "read the published result")
        selected = result.get("selected") or []
        key_of = {made["id"]: key for key, made in team.ideas.items()}
        team.selected = [(key_of[s["idea_id"]], s) for s in selected]
        self.made.rounds.append(
            {
                "council": team.story.slug,
                "id": rnd["id"],
                "method": vote.method,
                "ballots": len(jobs),
                "selected": [s["title"] for s in selected],
            }
        )
        self.say(
            f"  Vote ({vote.method.replace('_', ' ')}): {len(jobs)} ballots, closed and published; selected: "
            + "; ".join(f"{s['rank']}. {s['title']}" for s in selected)
        )


def ballot(vote: Vote, shortlist: list[str], mine: set[str], i: int) -> dict[str, Any] | None:
    """Voter i's choices: most staff back the first favourites, the rest spread their votes, and nobody
    votes for their own idea (the round refuses it). Written out rather than random so the story's
    favourites win at any size."""
    favourites, others = shortlist[: vote.selected], shortlist[vote.selected :]
    spread = [others[(i + k) % len(others)] for k in range(len(others))] if others else []
    if vote.method == "dot_voting":
        # 5 dots: 2 on the first favourite, 1-2 on the second, 1 on the third, 1 elsewhere.
        wanted = [(favourites[0], 2)] + [(f, 2 if i % 3 == 0 else 1) for f in favourites[1:2]]
        if len(favourites) > 2 and i % 3 != 0:
            wanted.append((favourites[2], 1))
        wanted += [(spread[0], 1)] if spread else []
        dots = {idea: n for idea, n in wanted if idea not in mine}
        return {"dots": dots} if dots else None
    # Approval: nearly everyone approves the favourites; every other voter also approves one more.
    picks = favourites[:1] + (favourites[1:2] if i % 5 != 4 else []) + (spread[:1] if i % 2 == 0 else [])
    picks = [idea for idea in picks if idea not in mine][: vote.rules.get("max_approvals", 3)]
    return {"approve": picks} if picks else None
