"""Stage 2: hack days and the ideas written at them, with teams, comments and moderation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tools.demo.base import Stage
from tools.demo.client import Person
from tools.demo.story import Idea, Team


class Ideas(Stage):
    """Stage 2: hack days and the ideas written at them, with teams, comments and moderation."""

    def create_hack_day(self, team: Team) -> dict[str, Any]:
        story, organiser = team.story, team.organiser
        held_on = self.today - timedelta(days=story.held_days_ago)
        name = f"{story.hack_day} {held_on.year}"
        day = organiser.post(
            "/api/ideas/hack-days",
            f"{organiser.name} creates the hack day '{name}'",
            json={"name": name, "date": held_on.isoformat(), "themes": list(story.themes)},
            headers=self.key(story.slug, "hack-day"),
        )
        self.phase(organiser, day, "open")
        self.made.councils[story.slug].update(hack_day_id=day["id"], hack_day=name)
        return day

    def phase(self, organiser: Person, day: dict[str, Any], phase: str) -> None:
        organiser.post(
            f"/api/ideas/hack-days/{day['id']}/phase", f"move '{day['name']}' to {phase}", json={"phase": phase}
        )

    def submit(self, team: Team, day: dict[str, Any], author: Person, idea: Idea) -> dict[str, Any]:
        body: dict[str, Any] = {
            "hack_day_id": day["id"],
            "title": idea.title,
            "problem": idea.problem,
            "proposal": idea.proposal,
            "public_summary": idea.shared_summary(),
            "service_area": idea.area,
            "tags": list(idea.tags),
            "partners": list(idea.partners),
        }
        if idea.benefit:
            amount, unit, who, note = idea.benefit
            body["expected_benefit"] = {"amount": float(amount), "unit": unit, "beneficiaries": who, "note": note}
        made = author.post(
            "/api/ideas/ideas",
            f"{author.name} submits '{idea.title}'",
            json=body,
            headers=self.key(team.story.slug, idea.key),
        )
        team.ideas[idea.key], team.written_by[idea.key] = made, author
        team.members[idea.key] = {author.id}
        self.made.ideas += 1
        return made

    def write_ideas(self, team: Team, day: dict[str, Any]) -> None:
        """Staff write the ideas (a few each), invite co-authors and comment on each other's."""
        story = team.story
        authors = team.acting[: story.authors[self.size]]
        for i, idea in enumerate(story.ideas):
            self.submit(team, day, authors[i % len(authors)], idea)
        for i, idea in enumerate(story.ideas):
            made, lead = team.ideas[idea.key], team.written_by[idea.key]
            colleagues = [p for p in team.acting if p.id != lead.id]
            for k in range(idea.co_authors):
                colleague = colleagues[(i * 3 + k) % len(colleagues)]
                lead.post(
                    f"/api/ideas/ideas/{made['id']}/co-authors",
                    f"{lead.name} invites {colleague.name} to co-author '{idea.title}'",
                    json={"person_id": colleague.id},
                )
                colleague.post(
                    f"/api/ideas/ideas/{made['id']}/invitation/accept",
                    f"{colleague.name} joins the team of '{idea.title}'",
                )
                team.members[idea.key].add(colleague.id)
            others = [p for p in team.acting if p.id not in team.members[idea.key]]
            for k, text in enumerate(idea.comments):
                commenter = others[(i + 5 * k) % len(others)]
                commenter.post(
                    f"/api/ideas/ideas/{made['id']}/comments",
                    f"{commenter.name} comments on '{idea.title}'",
                    json={"body": text},
                    headers=self.key(idea.key, "comment", str(k)),
                )
                self.made.comments += 1

    def moderate(self, team: Team) -> None:
        """The organiser links a duplicate, hides an idea that names a resident; an author withdraws one."""
        story, organiser, ideas = team.story, team.organiser, team.ideas
        if story.duplicate:
            dup, first = story.duplicate
            organiser.post(
                f"/api/ideas/ideas/{ideas[dup]['id']}/duplicate",
                f"{organiser.name} marks '{ideas[dup]['title']}' a duplicate",
                json={"duplicate_of_id": ideas[first]["id"]},
            )
        if story.hidden:
            key, reason = story.hidden
            organiser.post(
                f"/api/ideas/ideas/{ideas[key]['id']}/hide",
                f"{organiser.name} hides '{ideas[key]['title']}'",
                json={"reason": reason},
            )
        if story.withdrawn:
            author = team.written_by[story.withdrawn]
            author.post(
                f"/api/ideas/ideas/{ideas[story.withdrawn]['id']}/withdraw",
                f"{author.name} withdraws '{ideas[story.withdrawn]['title']}'",
            )
