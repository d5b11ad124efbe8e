"""Benchmark of federation: platform B imports 10,000 published entries from platform A, over HTTP.

    .venv/bin/python benchmarks/federation_import.py                  # 10,000 entries, SQLite
    .venv/bin/python benchmarks/federation_import.py --entries 2000   # quicker

It starts two follow-up services as `make run` does (each its own SQLite database in a temporary
folder, free ports), writes N published entries (valid records of the published schema) straight
into A's database, subscribes B to A's federation feed (`/api/followup/library/federation.json`,
1,000 entries a page) and imports three times through B's own route, each timed by the wall clock
and by the CPU time the two processes used (from /proc):

1. first import: every entry is new;
2. re-import: every page is asked for with its ETag; A answers 304 and B writes nothing;
3. re-import without ETags (B forgets them first): every page is read and compared, nothing changes.

The target (issue 16): a federated import of 10,000 entries in under a minute. After each import B's
library must hold exactly N imported entries (no duplicate ever). Client and both services share
the machine; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "services" / "followup"))

import httpx  # noqa: E402
from followup.models import LibraryEntry, LibrarySubscription  # noqa: E402
from followup.schemas import LibraryRecord  # noqa: E402
from sqlalchemy import create_engine, insert, update  # noqa: E402

from gateway.domain.tokens import TokenIssuer  # noqa: E402
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER  # noqa: E402
from tools.platform_runner import PARTS, Platform, free_port  # noqa: E402

TARGET_SECONDS = 60.0
OUTCOMES = ["worked", "partly", "no_change", "did_not_work", "stopped", "inconclusive"]
AREAS = ["revenues_and_benefits", "housing", "waste_and_recycling", "adult_social_care", "planning"]


def record(n: int, entry_id: uuid.UUID, base_url: str, published_at: datetime) -> dict:
    """A published record of the schema other platforms import (validated, as the importer will)."""
    council = uuid.UUID(int=n % 50 + 1)
    outcome = OUTCOMES[n % len(OUTCOMES)]
    body = {
        "id": str(entry_id),
        "url": f"{base_url}/api/followup/library/{entry_id}",
        "trial_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "title": f"Pre-filled forms, trial {n}",
        "council": {"id": str(council), "name": f"Council {n % 50 + 1}"},
        "service_area": AREAS[n % len(AREAS)],
        "kind_of_change": None,
        "partner_kinds": [],
        "hypothesis": "If we pre-fill forms from the email, then time per case will fall by a quarter.",
        "scope": "One team for twelve weeks.",
        "hack_day_on": "2026-03-10",
        "started_on": "2026-04-01",
        "ended_on": "2026-07-01",
        "status": "stopped" if outcome == "stopped" else "concluded",
        "outcome": outcome,
        "summary": f"Trial {n}: what happened, in two sentences. Staff kept using it after the trial.",
        "reasons": [] if outcome in ("worked", "partly") else [{"code": "adoption", "note": "Officers re-keyed."}],
        "lessons": {
            "what_worked": "Pre-filled forms from the email template.",
            "what_did_not": "Attachments still needed re-keying.",
            "do_differently": "Agree the template with the contact centre first.",
            "conditions_elsewhere": "Where address changes arrive by structured email.",
        },
        "metrics": [
            {
                "name": "Hours per case",
                "unit": "hours_per_case",
                "direction": "lower_is_better",
                "baseline": {
                    "value": 3.0,
                    "period_start": "2026-01-01",
                    "period_end": "2026-03-31",
                    "method": "Case system report",
                },
                "target_value": 2.0,
                "latest_value": 2.5,
                "change": -0.5,
                "improvement": 0.5,
                "improvement_percent": 16.67,
                "target_met": False,
                "annual_hours": 500.0,
                "annual_pounds": 11000.0,
                "cashable": False,
                "measurements": [
                    {
                        "value": 2.5,
                        "period_start": "2026-05-01",
                        "period_end": "2026-05-31",
                        "method": "Case system report",
                        "source": "Revenues system",
                    }
                ],
            }
        ],
        "gain": {
            "annual_hours": 500.0,
            "cashable_hours": 0.0,
            "non_cashable_hours": 500.0,
            "annual_pounds": 11000.0,
            "cashable_pounds": 0.0,
            "non_cashable_pounds": 11000.0,
            "trial_cost_pounds": 5000.0,
            "net_pounds": 6000.0,
            "net_cashable_pounds": -5000.0,
        },
        "evidence": {
            "level": n % 5 + 1,
            "label": "Before and after",
            "design": "before_after",
            "verified_by": None,
            "replications": [],
        },
        "people": [],
        "unnamed_people": 2,
        "published_at": published_at.isoformat(),
        "licence": {
            "name": "Open Government Licence v3.0",
            "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        },
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
    }
    return LibraryRecord.model_validate(body).model_dump(mode="json")


def seed(database_url: str, count: int, base_url: str) -> None:
    """Write `count` own, published entries into A's follow-up database."""
    engine = create_engine(database_url)
    start = datetime.now(UTC) - timedelta(days=365)
    with engine.begin() as conn:
        for first in range(0, count, 2_000):
            rows = []
            for n in range(first, min(first + 2_000, count)):
                entry_id, at = uuid.uuid4(), start + timedelta(minutes=n)
                body = record(n, entry_id, base_url, at)
                rows.append(
                    {
                        "id": entry_id,
                        "trial_id": None,
                        "idea_id": uuid.UUID(body["idea_id"]),
                        "council_id": uuid.UUID(body["council"]["id"]),
                        "council_name": body["council"]["name"],
                        "title": body["title"],
                        "service_area": body["service_area"],
                        "outcome": body["outcome"],
                        "evidence_level": body["evidence"]["level"],
                        "search_text": body["title"].lower(),
                        "record": body,
                        "published_by": uuid.uuid4(),
                        "published_at": at,
                        "version": 1,
                        "updated_at": at,
                        "withdrawn_reason": "",
                    }
                )
            conn.execute(insert(LibraryEntry.__table__), rows)  # type: ignore[attr-defined]
    engine.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its waited-for children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def platform(folder: Path, **env: str) -> Platform:
    p = Platform(
        data_dir=folder,
        environment="test",
        ports={part: free_port() for part in PARTS},
        extra_env={"FOLLOWUP_FEDERATION_INTERVAL_SECONDS": "0", "FOLLOWUP_MAX_TOKEN_LIFETIME_SECONDS": "7200", **env},
    )
    p.prepare()
    p.start("followup")
    return p


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-federation-") as tmp:
        a = platform(Path(tmp) / "a")
        b = platform(Path(tmp) / "b")
        try:
            return run(a, b, args.entries)
        finally:
            a.stop_all()
            b.stop_all()


def run(a: Platform, b: Platform, count: int) -> int:
    t0 = time.perf_counter()
    seed(a.database_urls["followup"], count, a.url("gateway"))
    print(f"seeded {count} entries on A in {time.perf_counter() - t0:.1f} s")
    issuer = TokenIssuer(b.private_key_file.read_text(), issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=3600)
    token = issuer.issue(subject=str(uuid.uuid4()), council_id=None, council_name="", roles=["admin"], name="Admin")
    headers = {"Authorization": f"Bearer {token}"}
    pids = {"A": a.procs["followup"].pid, "B": b.procs["followup"].pid}
    feed = f"{a.url('followup')}/api/followup/library/federation.json"
    with httpx.Client(base_url=b.url("followup"), headers=headers, timeout=600) as client:
        made = client.post("/api/followup/federation/subscriptions", json={"name": "Platform A", "feed_url": feed})
        assert made.status_code == 201, made.text
        sid = made.json()["id"]
        runs = []
        for name in ("first import", "re-import (ETags: 304)", "re-import without ETags"):
            if name == "re-import without ETags":
                engine = create_engine(b.database_urls["followup"])
                with engine.begin() as conn:
                    table = LibrarySubscription.__table__  # type: ignore[attr-defined]
                    conn.execute(update(table).values(pages={}))
                engine.dispose()
            cpu = {k: cpu_seconds(p) for k, p in pids.items()}
            started = time.perf_counter()
            answer = client.post(f"/api/followup/federation/subscriptions/{sid}/import")
            wall = time.perf_counter() - started
            cpu = {k: cpu_seconds(p) - cpu[k] for k, p in pids.items()}
            assert answer.status_code == 200, answer.text
            status = answer.json()
            assert status["last_error"] is None, status["last_error"]
            held = client.get("/api/followup/library", params={"origin": "imported", "limit": 1}).json()["total"]
            assert held == count == status["entries"], (held, count, status["entries"])
            runs.append((name, wall, cpu, status["last_counts"]))
    load = os.getloadavg()
    print(f"\n{count} entries, SQLite, 2 cores shared; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'run':28} {'wall s':>8} {'B cpu s':>8} {'A cpu s':>8} {'B cpu ms/entry':>15} {'vs first':>9}  counts")
    first = runs[0][1]
    for name, wall, cpu, counts in runs:
        shown = {k: v for k, v in counts.items() if v and k != "refusals"}
        print(
            f"{name:28} {wall:8.2f} {cpu['B']:8.2f} {cpu['A']:8.2f} {cpu['B'] * 1000 / count:15.3f} "
            f"{wall / first:9.3f}  {shown}"
        )
    ok = runs[0][1] < TARGET_SECONDS
    verdict = "met" if ok else "MISSED"
    print(f"\nfirst import of {count}: {runs[0][1]:.1f} s (target under {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
