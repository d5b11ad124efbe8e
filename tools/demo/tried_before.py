"""Stage 5: an open hack day where a new idea is told that another council tried it."""

from __future__ import annotations

import json
import time
from typing import Any

from tools.demo.base import Stage
from tools.demo.client import DemoFailed, Person
from tools.demo.councils import INVERALLAN_DRAFT, INVERALLAN_REWRITE
from tools.demo.story import Idea, Team


class TriedBefore(Stage):
    """Stage 5: an open hack day where a new idea is told that another council tried it."""

    def open_hack_day_and_tried_before(self, team: Team) -> None:
        """A hack day open today; someone writing an idea is told another council tried it and it failed."""
        day = self.create_hack_day(team)
        self.write_ideas(team, day)
        writer, draft = team.acting[-1], INVERALLAN_DRAFT
        failures = {t["idea_id"] for t in self.made.trials if t.get("outcome") == "did_not_work"}
        # A verdict published a moment ago reaches the ideas service by its event (follow-up's outbox,
        # relayed within seconds); until then the idea is shown as another council's summary, with no
        # outcome. Ask again for as long as the platform is given to open trials.
        deadline = time.monotonic() + self.trial_wait
        while True:
            answer = writer.post(
                "/api/journeys/tried-before",
                f"{writer.name} asks whether it was tried before",
                json={"title": draft.title, "problem": draft.problem, "proposal": draft.proposal, "limit": 20},
            )
            warnings = [
                item
                for item in answer["items"]
                if (item.get("outcome") or {}).get("source") == "library"
                and item["outcome"].get("verdict") == "did_not_work"
            ]
            # Earlier demo sets hold the same failure: point at this run's own.
            warning = next((w for w in warnings if w["idea"]["id"] in failures), None)
            if warning is not None or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        warning = warning or (warnings[0] if warnings else None)
        if warning is None:
            raise DemoFailed(
                "'tried before?' did not show the published failure of a similar idea from another "
                f"council; it answered: {json.dumps(answer)[:600]}"
            )
        line = self.tried_before_line(writer, warning)
        self.made.tried_before = {
            "draft": draft.title,
            "found": warning["idea"].get("title"),
            "idea_id": warning["idea"]["id"],
            "verdict": warning["outcome"]["verdict"],
            "line": line,
            "library_entry_id": warning["outcome"].get("library_entry_id"),
        }
        # Warned, they write it differently, building on what Northbrook learnt.
        rewritten = Idea(
            draft.key,
            draft.area,
            draft.title.replace("Virtual assistant", "Online account pages"),
            draft.problem,
            INVERALLAN_REWRITE,
            draft.benefit,
            draft.tags,
        )
        self.submit(team, day, writer, rewritten)
        self.say(
            f"{team.name}: hack day '{day['name']}' open now with {len(team.ideas)} ideas. "
            f"{writer.name}, writing '{draft.title}', is told: {line}"
        )

    def tried_before_line(self, writer: Person, warning: dict[str, Any]) -> str:
        """ "Tried in 2026 by X: did not work, because ...", as a person writing the idea would read it.
        The reasons come with the outcome; if they do not, they are in the published library entry."""
        outcome = warning["outcome"]
        reasons, council = outcome.get("reasons") or [], outcome.get("council_name")
        published = outcome.get("published_at") or ""
        if (not reasons or not council) and outcome.get("library_entry_id"):
            entry = writer.get(f"/api/followup/library/{outcome['library_entry_id']}", "read the library entry")
            reasons = reasons or entry.get("reasons") or []
            council = council or (entry.get("council") or {}).get("name")
            published = published or entry.get("published_at") or ""
        council = council or warning["idea"].get("council_name", "another council")
        first = reasons[0] if reasons else {}
        because = first.get("note") or first.get("code", "") if isinstance(first, dict) else str(first)
        year = f" in {published[:4]}" if published[:4].isdigit() else ""
        verdict = outcome["verdict"].replace("_", " ")
        because = f", because {because[:1].lower()}{because[1:]}" if because else ""
        return f"tried{year} by {council}: {verdict}{because}"
