"""Stage 1: councils, their organisers and managers, and staff registered in bulk."""

from __future__ import annotations

import random

from tools.demo.base import Stage
from tools.demo.client import SIGN_IN_WORKERS, Person, in_parallel
from tools.demo.councils import COUNCILS, FIRST_NAMES, SURNAMES
from tools.demo.story import CouncilStory, Team, council_name, council_slug


class People(Stage):
    """Stage 1: councils, their organisers and managers, and staff registered in bulk."""

    def register(self, admin: Person) -> list[Team]:
        """Councils, their organisers and managers (by the admin), then staff in bulk (by the organisers);
        only the people who act accept their invitations."""
        n = self.made.set_number
        teams: list[Team] = []
        for story in COUNCILS:
            name, slug = council_name(story, n), council_slug(story, n)
            council = admin.post("/api/councils", f"create the council {name}", json={"name": name, "slug": slug})
            domain = f"{slug}.example.org"
            chosen: dict[str, Person] = {}
            for role, who in (("organiser", story.organiser), ("manager", story.manager)):
                if who is not None:
                    body = admin.post(
                        "/api/people",
                        f"register {who[0]} as {role} of {name}",
                        json={
                            "email": f"{who[1]}@{domain}",
                            "name": who[0],
                            "council_id": council["id"],
                            "roles": [role],
                        },
                    )
                    chosen[role] = Person.described(self.gw, body)
            teams.append(Team(story=story, council=council, domain=domain, **chosen))
            self.made.councils[story.slug] = {"id": council["id"], "name": name, "nation": story.nation}
        leads = [p for t in teams for p in (t.organiser, t.manager) if p is not None]
        in_parallel(SIGN_IN_WORKERS, [p.accept_invitation for p in leads])
        self.made.signed_in += len(leads)
        self.say(f"Councils: {', '.join(t.name for t in teams)}, each with an organiser (and a manager in two).")

        for team in teams:
            staff = self.staff_list(team.story, team.domain)
            body = team.organiser.post(
                f"/api/councils/{team.council['id']}/staff",
                f"{team.organiser.name} registers {len(staff)} staff of {team.name}",
                json={"people": staff},
            )
            members = [Person.described(self.gw, p) for p in body["created"]]
            self.made.staff_registered += len(members)
            team.acting = members[: max(team.story.authors[self.size], team.story.voters[self.size])]
        acting = [p for t in teams for p in t.acting]
        self.say(
            f"Staff: {self.made.staff_registered} registered in bulk; {len(acting)} of them accept their "
            "invitations now (the ones who write ideas, comment and vote)..."
        )
        in_parallel(SIGN_IN_WORKERS, [p.accept_invitation for p in acting], say=self.say, what="signed in")
        self.made.signed_in += len(acting)
        for team in teams:
            for role, who in (("organiser", team.organiser), ("manager", team.manager), ("staff", team.acting[0])):
                if who is not None:
                    self.made.people[f"{team.story.slug} {role}"] = {"email": who.email, "password": who.password}
        return teams

    def staff_list(self, story: CouncilStory, domain: str) -> list[dict[str, str]]:
        """Plausible names and emails, the same for the same set, never clashing with the leads'."""
        rng = random.Random(f"{story.slug}-{self.made.set_number}")
        taken: set[str] = {story.organiser[1]} | ({story.manager[1]} if story.manager else set())
        people = []
        while len(people) < story.staff[self.size]:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            local, k = f"{first}.{last}".lower(), 2
            while local in taken:
                local, k = f"{first}.{last}{k}".lower(), k + 1
            taken.add(local)
            people.append({"email": f"{local}@{domain}", "name": f"{first} {last}"})
        return people
