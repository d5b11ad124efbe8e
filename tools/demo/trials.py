"""Stage 4: the selected ideas' trials: metrics, baselines, measurements, checkpoints, verdicts, library."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from tools.demo.base import Stage
from tools.demo.client import DemoFailed, Person
from tools.demo.councils import months
from tools.demo.story import Team, TrialStory


class Trials(Stage):
    """Stage 4: the selected ideas' trials: metrics, baselines, measurements, checkpoints, verdicts, library."""

    def wait_for_trials(self, teams: list[Team]) -> dict[str, dict[str, Any]]:
        """Publishing a result opens the selected ideas' trials by itself (voting's outbox relays it to
        follow-up); give it a moment. Trials that do not appear are opened by the managers instead."""
        wanted = [(team.manager, team.ideas[key]["id"]) for team in teams for key, _ in team.selected]
        found: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + self.trial_wait
        while True:
            for manager, idea_id in wanted:
                if idea_id in found or manager is None:
                    continue
                response = manager.request(
                    "GET",
                    f"/api/followup/trials/by-idea/{idea_id}",
                    "look for the trial the platform opens",
                    ok=(200, 404),
                )
                if response.status_code == 200:
                    found[idea_id] = response.json()
            if len(found) == len(wanted) or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        self.made.trials_made_by_platform = len(found)
        if len(found) < len(wanted):
            self.say(
                f"Trials: the platform opened {len(found)} of {len(wanted)} within {self.trial_wait:g} s; "
                "the managers open the rest themselves (POST /api/followup/trials)."
            )
        return found

    def trials(self, team: Team, found: dict[str, dict[str, Any]]) -> None:
        manager = team.manager
        if manager is None:
            raise DemoFailed(f"the story of {team.name} has trials but no manager")  # a mistake in this file
        for key, chosen in team.selected:
            idea_id = team.ideas[key]["id"]
            trial = found.get(idea_id) or manager.post(
                "/api/followup/trials",
                f"{manager.name} opens a trial of '{chosen['title']}'",
                json={"idea_id": idea_id},
                headers=self.key("trial", key),
            )
            plot = team.story.trials.get(key)
            if plot is None:
                # An idea the staff chose that the story has no script for stays planned, as real ones do.
                self.made.trials.append(
                    {
                        "council": team.story.slug,
                        "id": trial["id"],
                        "idea_id": idea_id,
                        "title": chosen["title"],
                        "status": trial["status"],
                    }
                )
                continue
            self.run_trial(team, manager, trial, chosen["title"], idea_id, plot)
        made_here = [t for t in self.made.trials if t["council"] == team.story.slug]
        self.say(f"{team.name}: trials " + "; ".join(f"'{t['title']}' {trial_state(t)}" for t in made_here))

    def run_trial(
        self, team: Team, manager: Person, trial: dict[str, Any], title: str, idea_id: str, plot: TrialStory
    ) -> None:
        """Plan, metrics with baselines, start (back-dated), monthly measurements, then the ending."""
        base = f"/api/followup/trials/{trial['id']}"
        start = self.today - timedelta(days=plot.started_days_ago)

        def person(who: tuple[str, str]) -> dict[str, Any]:
            return {"name": who[0], "job_title": who[1], "consents_to_be_named": True}

        six_months_on = (start + timedelta(days=months(6))).isoformat()
        trial = manager.patch(
            base,
            f"{manager.name} plans the trial of '{title}'",
            json={
                "hypothesis": plot.hypothesis,
                "scope": plot.scope,
                "owner": person(plot.owner),
                "sponsor": person(plot.sponsor),
                "trial_cost_pounds": plot.cost,
                "planned_start": start.isoformat(),
                "planned_end": six_months_on,
                "review_date": six_months_on,
                "internal_notes": plot.internal_notes,
            },
            headers={"If-Match": f'"{trial["version"]}"'},
        )
        metric_ids = []
        for m in plot.metrics:
            body: dict[str, Any] = {
                "name": m.name,
                "unit": m.unit,
                "direction": m.direction,
                "target_value": m.target,
                "cashable": m.cashable,
                "baseline": {
                    "value": m.baseline,
                    "method": m.baseline_method,
                    "period_start": (start - timedelta(days=months(3))).isoformat(),
                    "period_end": (start - timedelta(days=1)).isoformat(),
                },
            }
            if m.annual_volume is not None:
                body["annual_volume"] = m.annual_volume
            if m.hourly_cost is not None:
                body["hourly_cost_pounds"] = m.hourly_cost
            metric_ids.append(manager.post(f"{base}/metrics", f"add the metric '{m.name}'", json=body)["id"])
        trial = manager.post(f"{base}/start", f"start the trial of '{title}'", json={"started_on": start.isoformat()})
        for m, metric_id in zip(plot.metrics, metric_ids, strict=True):
            for month, value in enumerate(m.series):
                period_start = start + timedelta(days=months(month))
                period_end = min(period_start + timedelta(days=months(1) - 1), self.today)
                manager.post(
                    f"{base}/measurements",
                    f"record '{m.name}' for month {month + 1}",
                    json={
                        "metric_id": metric_id,
                        "value": value,
                        "period_start": period_start.isoformat(),
                        "period_end": period_end.isoformat(),
                        "method": "Monthly figure",
                        "source": m.source,
                    },
                )
        if plot.review_first_checkpoint and trial.get("checkpoints"):
            first = trial["checkpoints"][0]
            manager.post(
                f"{base}/checkpoints/{first['id']}/review",
                "review the first checkpoint",
                json={"note": "On track: fewer wasted visits already; keep the reminders as they are."},
            )
        record: dict[str, Any] = {"council": team.story.slug, "id": trial["id"], "idea_id": idea_id, "title": title}
        if plot.ending == "concluded":
            manager.post(f"{base}/evaluate", f"begin the evaluation of '{title}'")
        if plot.ending in ("concluded", "stopped"):
            trial = manager.post(f"{base}/verdict", f"give the verdict on '{title}'", json=plot.verdict)
            record.update(
                outcome=trial["verdict"]["outcome"],
                evidence_level=trial["evidence_level"],
                net_pounds=trial["verdict"]["gain"]["net_pounds"],
            )
        if plot.publish:
            entry = manager.post(f"{base}/publish", f"publish '{title}' to the shared library")
            record["library_entry_id"] = entry["id"]
            self.made.library_entries.append(
                {"id": entry["id"], "title": title, "outcome": entry["outcome"], "council": team.story.slug}
            )
        record["status"] = trial["status"]
        self.made.trials.append(record)


def trial_state(trial: dict[str, Any]) -> str:
    """'concluded: worked, published', 'stopped', 'running'..."""
    outcome = (trial.get("outcome") or "").replace("_", " ")
    words = [trial["status"] + (f": {outcome}" if outcome and outcome != trial["status"] else "")]
    return ", ".join(words + (["published"] if trial.get("library_entry_id") else []))
