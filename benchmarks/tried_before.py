"""Benchmark of "tried before?" through the gateway at 100,000 ideas, with 20 people typing at once.

    .venv/bin/python benchmarks/tried_before.py                 # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/tried_before.py --ideas 10000   # quicker

It starts the platform as `make run` does (SQLite in a temporary folder, free ports, every gateway
feature on; the write rate limit set high enough never to refuse), writes N generated ideas
(benchmarks/similar_ideas.py's generator, 50 councils, plus the labelled sets' earlier ideas) straight
into the ideas database, restarts the ideas service and waits until its similar-idea index is built,
then lets 20 people of one more council type drafts at once: each sends
`POST /api/journeys/tried-before` with its draft so far (a labelled draft or a generated one, cut as
typed: 12, 24, 36... characters, then whole), waits for the answer, pauses `--pause` seconds (a page
waits that long after the last key before asking), and goes on. Every answer must be 200.

Latency is measured by the client, from sending to the whole answer: the gateway, the ideas
service's search, and follow-up's library for the outcomes. Client, gateway and services share the
machine, so the figure includes the load generator's own cost; the load average is printed. So is the
CPU time the gateway, the ideas service and follow-up spent per request during the measured run
(Linux /proc, as benchmarks/ballots.py): on a busy machine it moves much less than the latency.
`--profile DIR` samples the gateway, the ideas service and follow-up with py-spy during the measured
run (DIR/gateway.txt, ideas.txt, followup.txt, raw format; it costs CPU: take figures from a run
without it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "services" / "ideas"))

import httpx  # noqa: E402
from ideas.models import HackDay, Idea  # noqa: E402
from ideas.similarity.evaluate import HELDOUT_2, load  # noqa: E402
from sqlalchemy import create_engine, insert  # noqa: E402

from benchmarks.ballots import cpu_by_pid, cpu_spent, process_tree  # noqa: E402
from benchmarks.similar_ideas import percentile, synthetic_ideas  # noqa: E402
from gateway.domain.tokens import TokenIssuer  # noqa: E402
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER  # noqa: E402
from tools.platform_runner import PARTS, Platform, free_port  # noqa: E402

PEOPLE = 20
COUNCILS = 50


def seed(database_url: str, count: int) -> int:
    """Write `count` generated ideas (and the labelled earlier ideas) into the ideas database."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    councils = [uuid.uuid4() for _ in range(COUNCILS)]
    days = [
        {
            "id": uuid.uuid4(),
            "council_id": c,
            "council_name": f"Council {n}",
            "name": "Hack day",
            "date": now.date(),
            "themes": [],
            "phase": "open",
            "version": 1,
            "created_by": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
        }
        for n, c in enumerate(councils)
    ]
    labelled = [(i["title"], i["problem"], i["proposal"]) for i in load()["ideas"] + load(HELDOUT_2)["ideas"]]
    texts = synthetic_ideas(count) + labelled
    rng = random.Random(3)
    with engine.begin() as conn:
        conn.execute(insert(HackDay.__table__), days)
        for start in range(0, len(texts), 5_000):
            rows = []
            for title, problem, proposal in texts[start : start + 5_000]:
                day = rng.choice(days)
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "hack_day_id": day["id"],
                        "council_id": day["council_id"],
                        "council_name": day["council_name"],
                        "title": title[:200],
                        "problem": problem,
                        "proposal": proposal,
                        "public_summary": proposal[:500],
                        "service_area": "other",
                        "tags": [],
                        "partners": [],
                        "status": "submitted",
                        "version": 1,
                        "created_by": uuid.uuid4(),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            conn.execute(insert(Idea.__table__), rows)
    engine.dispose()
    return len(texts)


def drafts() -> list[str]:
    """Titles as people type them: the labelled drafts and generated ones, cut every 12 characters."""
    whole = [q["title"] for q in load()["queries"] + load(HELDOUT_2)["queries"]]
    whole += [title for title, _, _ in synthetic_ideas(200, seed=42)]
    typed = []
    for title in whole:
        typed += [title[:n] for n in range(12, len(title), 12)] + [title]
    return typed


async def typist(base: str, token: str, typed: list[str], until: float, pause: float, out: list[float]) -> int:
    refused = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        i = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            answer = await client.post("/api/journeys/tried-before", json={"title": typed[i % len(typed)]})
            out.append((time.perf_counter() - started) * 1000)
            refused += answer.status_code != 200
            i += 1
            await asyncio.sleep(pause)
    return refused


async def load_run(base: str, tokens: list[str], seconds: float, pause: float) -> tuple[list[float], int]:
    typed = drafts()
    latencies: list[float] = []
    until = time.monotonic() + seconds
    shuffled = [random.Random(n).sample(typed, len(typed)) for n in range(len(tokens))]
    refused = await asyncio.gather(
        *(typist(base, t, s, until, pause, latencies) for t, s in zip(tokens, shuffled, strict=True))
    )
    return latencies, sum(refused)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pause", type=float, default=0.25, help="seconds each person waits between requests")
    parser.add_argument("--profile", help="folder for py-spy profiles of the gateway, ideas and follow-up (raw format)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tried-before-") as folder:
        runner = Platform(
            data_dir=Path(folder),
            backend="sqlite",
            environment="test",
            ports={p: free_port() for p in PARTS},
            extra_env={"GATEWAY_WRITE_RATE_LIMIT": "100000/minute"},
        )
        runner.prepare()
        try:
            runner.start_all()
            runner.stop("ideas")
            started = time.perf_counter()
            count = seed(runner.database_urls["ideas"], args.ideas)
            print(f"wrote {count:,} ideas in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            runner.start("ideas", wait=False)
            runner.wait_ready("ideas", timeout=900)
            print(f"ideas service ready (index built) in {time.perf_counter() - started:.0f} s")
            issuer = TokenIssuer(
                runner.private_key_file.read_text(), issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900
            )
            council = uuid.uuid4()
            tokens = [
                issuer.issue(
                    subject=uuid.uuid4(), council_id=council, council_name="Bench", roles=["staff"], name=f"P{n}"
                )
                for n in range(PEOPLE)
            ]
            base = runner.url("gateway")
            asyncio.run(load_run(base, tokens, 5, args.pause))  # warm up connections and caches
            spies = []
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                spies = [
                    subprocess.Popen(
                        [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw", "--rate", "200"]
                        + ["--subprocesses", "-o", str(Path(args.profile) / f"{part}.txt")]
                        + ["--pid", str(runner.procs[part].pid)],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for part in ("gateway", "ideas", "followup")
                ]
                time.sleep(1.0)
            parts = {part: process_tree(runner.procs[part].pid) for part in ("gateway", "ideas", "followup")}
            load_before = os.getloadavg()[0]
            cpu_before = {part: cpu_by_pid(pids) for part, pids in parts.items()}
            latencies, refused = asyncio.run(load_run(base, tokens, args.seconds, args.pause))
            cpu_after = {part: cpu_by_pid(pids) for part, pids in parts.items()}
            for spy in spies:
                spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
            for spy in spies:
                spy.wait(timeout=30)
            print(
                f"tried before? at {count:,} ideas, {PEOPLE} people typing, pause {args.pause} s, "
                f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_before:.1f} before / "
                f"{os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores"
            )
            print(
                f"{len(latencies):,} requests in {args.seconds:.0f} s ({len(latencies) / args.seconds:.0f}/s), "
                f"{refused} not 200; latency p50 {statistics.median(latencies):.1f} ms, "
                f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
                f"max {max(latencies):.1f} ms"
            )
            per_request = {
                part: cpu_spent(cpu_before[part], cpu_after[part]) / max(1, len(latencies)) * 1e6 for part in parts
            }
            print("CPU µs per request: " + ", ".join(f"{part} {us:,.0f}" for part, us in per_request.items()))
            return 0 if refused == 0 else 1
        finally:
            runner.stop_all()
            runner.drop_databases()


if __name__ == "__main__":
    raise SystemExit(main())
