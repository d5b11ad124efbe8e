"""Ballots benchmark: ballots accepted per second through the gateway, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/ballots.py                  # both databases, about a minute and a half
    .venv/bin/python benchmarks/ballots.py --workers 1,2    # and with 1 and 2 voting worker processes, side by side

Loopback only. For each database it starts the whole platform (gateway, ideas, voting, follow-up) as
`make run` does, on free ports in a temporary folder (PostgreSQL at 127.0.0.1:5432, trust auth: the
databases are created and dropped here), with the gateway's write rate limit set high enough never to
refuse. Through the gateway it sets up a council, an organiser, an author and N voters (added in
bulk; their tokens are minted with the platform's own signing key, as the tests do, so no Argon2), a
hack day with shortlisted ideas, and an open approval round.

Then a separate process (this file with --load-generator: http_load.py on uvloop) casts one ballot per
voter through the gateway with 50 voters at a time, each ballot with its own Idempotency-Key: a
short warm-up, then the measured run. It reports ballots accepted per second, p50/p99 latency and
every answer that was not 201, and the CPU time each process spent per ballot (gateway, voting
service, PostgreSQL, load generator; Linux /proc).

Finally it closes the round and checks the count: the round's counted ballots are exactly the
receipts the voters were given (none lost, none twice, none unknown), each idea's approvals equal a
count made here from the accepted ballots, and the audit chain verifies with every ballot chained.

Exit status 1 if a check fails. The issue's target (PostgreSQL: at least 1,000 ballots/s with p99
under 100 ms at 50 concurrent voters) is reported, not enforced: it depends on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform as host
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # before this folder, so that `gateway` is the package

ROUNDS = "/api/voting/rounds"
IDEAS = 10
MAX_APPROVALS = 3
HIGH_LIMITS = {
    "GATEWAY_WRITE_RATE_LIMIT": "100000000/minute",
    "GATEWAY_LOGIN_RATE_LIMIT": "100000/minute",
}


# ---- the load generator (a separate process) ------------------------------------------------------


async def _generate(job: dict) -> dict:
    from urllib.parse import urlsplit

    from benchmarks import http_load

    gateway = urlsplit(job["gateway_url"])
    path = f"{ROUNDS}/{job['round_id']}/ballot"

    def requests(ballots: list[dict]) -> list[bytes]:
        return [
            http_load.request_bytes(
                gateway.hostname,
                gateway.port,
                "POST",
                path,
                [
                    ("Authorization", f"Bearer {b['token']}"),
                    ("Idempotency-Key", str(uuid.uuid4())),
                    ("Content-Type", "application/json"),
                ],
                json.dumps({"choices": {"approve": b["approve"]}}).encode(),
            )
            for b in ballots
        ]

    def results(answers: list[http_load.Result]) -> list[tuple[int, float, str | None]]:
        # (status, seconds, ballot id (the receipt's public half) or the start of the problem)
        return [
            (status, seconds, json.loads(body)["ballot_id"] if status == 201 else body[:200].decode(errors="replace"))
            for status, seconds, body in answers
        ]

    warm_requests, measured_requests = requests(job["warmup"]), requests(job["measured"])
    warm, _, _ = await http_load.run(gateway.hostname, gateway.port, warm_requests, job["concurrency"])
    # Tell the parent the warm-up is over, and wait for its go (it samples the CPU counters).
    print(json.dumps({"warmed": len(warm)}), flush=True)
    sys.stdin.readline()
    measured, seconds, cpu = await http_load.run(gateway.hostname, gateway.port, measured_requests, job["concurrency"])
    warm, measured = results(warm), results(measured)
    return {
        "warmup": warm,
        "measured": measured,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "all_receipts": [r for s, _, r in warm + measured if s == 201],
    }


def load_generator(job_file: str) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - the standard loop works, a little slower
        pass
    job = json.loads(Path(job_file).read_text())
    result = asyncio.run(_generate(job))
    # The result (every answer's status, time and receipt: several hundred kB) goes to a file beside
    # the job, not to stdout: uvloop leaves stdout non-blocking, and a write larger than the pipe's
    # buffer was cut short at 128 kB.
    Path(job_file).with_suffix(".result.json").write_text(json.dumps(result))


# ---- CPU time of the processes under load -----------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def process_tree(root: int) -> list[int]:
    """The process and its descendants (uvicorn's worker processes)."""
    children = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children[int(fields[1])].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still running (fields 14 and 15 of /proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two samples: by the processes seen in both, and all of a process's
    time if it started in between (a process that ended in between is not counted)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def postgres_pids() -> list[int]:
    """Every PostgreSQL process on this machine (the server is shared: other work counts too)."""
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _comm(int(e.name)) == "postgres"]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---- one database ---------------------------------------------------------------------------------


def _ok(response, status: int = 200) -> dict:
    if response.status_code != status:
        sys.exit(
            f"{response.request.method} {response.request.url.path}: expected {status}, "
            f"got {response.status_code}: {response.text[:400]}"
        )
    return response.json()


def set_up(platform, issuer, voters: int) -> tuple[dict, list[dict], list[str]]:
    """Council, organiser, author, voters, hack day, shortlisted ideas and an open approval round."""
    import httpx

    from tests.support.actors import login

    with httpx.Client(base_url=platform.url("gateway"), timeout=60) as client:
        admin = login(client, platform.admin_email, platform.admin_password)

        def as_(token: str) -> dict:
            return {"Authorization": f"Bearer {token}"}

        admin_h = as_(admin.token)
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        council = _ok(
            client.post("/api/councils", json={"name": "Benchmark Borough Council", "slug": slug}, headers=admin_h), 201
        )

        def person(name: str, *roles: str) -> dict:
            body = _ok(
                client.post(
                    "/api/people",
                    headers=admin_h,
                    json={
                        "email": f"{uuid.uuid4().hex[:10]}@example.org",
                        "name": name,
                        "council_id": council["id"],
                        "roles": list(roles),
                    },
                ),
                201,
            )
            token = issuer.issue(
                subject=body["id"], council_id=council["id"], council_name=council["name"], roles=list(roles), name=name
            )
            return {"id": body["id"], "headers": as_(token)}

        organiser, author = person("Olive Organiser", "organiser"), person("Arthur Author", "staff")
        day = _ok(
            client.post(
                "/api/ideas/hack-days",
                headers=organiser["headers"],
                json={"name": "Benchmark hack day", "date": "2027-03-04", "themes": ["Fewer calls"]},
            ),
            201,
        )
        _ok(
            client.post(f"/api/ideas/hack-days/{day['id']}/phase", headers=organiser["headers"], json={"phase": "open"})
        )
        ideas = []
        for n in range(IDEAS):
            idea = _ok(
                client.post(
                    "/api/ideas/ideas",
                    headers=author["headers"],
                    json={
                        "hack_day_id": day["id"],
                        "title": f"Benchmark idea number {n}",
                        "service_area": "waste_and_recycling",
                        "problem": "Residents ring about missed bins.",
                        "proposal": "Tell crews before the round starts.",
                    },
                ),
                201,
            )
            _ok(client.post(f"/api/ideas/ideas/{idea['id']}/shortlist", headers=organiser["headers"]))
            ideas.append(idea["id"])
        rnd = _ok(
            client.post(
                ROUNDS,
                headers=organiser["headers"],
                json={
                    "hack_day_id": day["id"],
                    "title": "Benchmark round",
                    "method": "approval",
                    "rules": {"max_approvals": MAX_APPROVALS},
                    "idea_ids": ideas,
                },
            ),
            201,
        )
        _ok(client.post(f"{ROUNDS}/{rnd['id']}/open", headers=organiser["headers"]))

        people = []
        for start in range(0, voters, 1000):
            batch = [
                {"email": f"{uuid.uuid4().hex[:12]}@example.org", "name": f"Voter {i}"}
                for i in range(start, min(voters, start + 1000))
            ]
            people += _ok(
                client.post(
                    f"/api/councils/{council['id']}/staff", headers=organiser["headers"], json={"people": batch}
                ),
                201,
            )["created"]
    rng = random.Random(4)
    ballots = [
        {
            "token": issuer.issue(
                subject=p["id"], council_id=council["id"], council_name=council["name"], roles=["staff"], name=p["name"]
            ),
            "approve": rng.sample(ideas, rng.randint(1, MAX_APPROVALS)),
        }
        for p in people
    ]
    return {"round_id": rnd["id"], "organiser": organiser["headers"]}, ballots, ideas


def check_count(platform, setup: dict, ballots: list[dict], result: dict, ideas: list[str]) -> dict:
    """Close the round; every accepted ballot must be counted exactly once, and nothing else."""
    import httpx

    round_id, headers = setup["round_id"], setup["organiser"]
    accepted = collections.Counter(result["all_receipts"])
    with httpx.Client(base_url=platform.url("gateway"), timeout=120, headers=headers) as client:
        _ok(client.post(f"{ROUNDS}/{round_id}/close"))
        exported = _ok(client.get(f"{ROUNDS}/{round_id}/ballots"))
        counted_result = _ok(client.get(f"{ROUNDS}/{round_id}/result"))["result"]
        verified = _ok(client.get(f"{ROUNDS}/{round_id}/audit/verify"))
    counted = collections.Counter(b["ballot_id"] for b in exported["ballots"])
    # What the voters were told was accepted, counted here.
    expected = collections.Counter()
    by_receipt = {}
    for kind in ("warmup", "measured"):
        for (status, _, receipt), ballot in zip(result[kind], result[f"{kind}_ballots"], strict=True):
            if status == 201:
                by_receipt[receipt] = ballot["approve"]
                expected.update(ballot["approve"])
    approvals = {r["idea_id"]: r["approvals"] for r in counted_result["ranking"]}
    problems = []
    if [r for r, n in accepted.items() if n > 1]:
        problems.append("a receipt was given twice")
    if [r for r, n in counted.items() if n > 1]:
        problems.append("a ballot was counted twice")
    if set(counted) != set(accepted):
        problems.append(
            f"{len(set(accepted) - set(counted))} accepted ballots not counted, "
            f"{len(set(counted) - set(accepted))} counted ballots nobody was given"
        )
    if approvals != {i: expected[i] for i in ideas}:
        problems.append("the result differs from the count made here")
    if not verified["ok"] or verified["ballots_pending"]:
        problems.append(f"audit verification: ok={verified['ok']}, pending={verified['ballots_pending']}")
    return {
        "accepted": sum(accepted.values()),
        "counted": sum(counted.values()),
        "audit_entries": verified["entries_checked"],
        "problems": problems,
    }


def measure(backend: str, workers: int, args: argparse.Namespace) -> dict:
    from gateway.domain.tokens import TokenIssuer
    from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
    from tools.platform_runner import PARTS, Platform, free_port

    folder = Path(tempfile.mkdtemp(prefix=f"ballots-bench-{backend}-"))
    extra = {**HIGH_LIMITS, "VOTING_WORKERS": str(workers)}
    platform = Platform(
        data_dir=folder, backend=backend, environment="test", ports={p: free_port() for p in PARTS}, extra_env=extra
    )
    try:
        platform.prepare()
        platform.start_all()
        issuer = TokenIssuer(
            platform.private_key_file.read_text(), issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900
        )
        setup, ballots, ideas = set_up(platform, issuer, args.warmup + args.ballots)
        job = {
            "gateway_url": platform.url("gateway"),
            "round_id": setup["round_id"],
            "concurrency": args.concurrency,
            "warmup": ballots[: args.warmup],
            "measured": ballots[args.warmup :],
        }
        job_file = folder / "job.json"
        job_file.write_text(json.dumps(job))

        generator = subprocess.Popen(
            [sys.executable, __file__, "--load-generator", str(job_file)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        generator.stdout.readline()  # warmed up
        parts = {
            "gateway": lambda: process_tree(platform.procs["gateway"].pid),
            "voting": lambda: process_tree(platform.procs["voting"].pid),
        }
        if backend == "postgres":
            parts["postgres (whole server)"] = postgres_pids
        spies = []
        if args.profile:
            # py-spy samples the running processes from outside (it needs ptrace permission).
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            for part in ("gateway", "voting"):
                target = Path(args.profile) / f"{backend}-w{workers}-{part}.txt"
                spies.append(
                    subprocess.Popen(
                        [
                            str(Path(sys.executable).parent / "py-spy"),
                            "record",
                            "--format",
                            "raw",
                            "--subprocesses",
                            "--rate",
                            "200",
                            "-o",
                            str(target),
                            "--pid",
                            str(platform.procs[part].pid),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(1.0)
        load_before = loadavg()
        before = {name: cpu_by_pid(pids()) for name, pids in parts.items()}
        generator.stdin.write("go\n")
        generator.stdin.flush()
        generator.communicate(timeout=600)
        after = {name: cpu_by_pid(pids()) for name, pids in parts.items()}
        load_after = loadavg()
        for spy in spies:
            spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
            spy.wait(timeout=30)
        if generator.returncode != 0:
            sys.exit(f"the load generator failed ({generator.returncode})")
        result = json.loads(job_file.with_suffix(".result.json").read_text())
        result["warmup_ballots"], result["measured_ballots"] = job["warmup"], job["measured"]

        measured = result["measured"]
        ok = [t for s, t, _ in measured if s == 201]
        errors = collections.Counter(s for s, _, _ in measured if s != 201)
        samples = [r for s, _, r in measured if s != 201][:3]
        cpu = {name: cpu_spent(before[name], after[name]) / max(1, len(ok)) * 1e6 for name in parts}
        cpu["load generator"] = result["cpu_seconds"] / max(1, len(ok)) * 1e6
        ms = sorted(t * 1000 for t in ok)
        figures = {
            "backend": backend,
            "workers": workers,
            "label": f"{backend}, {workers} worker{'s' if workers > 1 else ''}",
            "ballots_sent": len(measured),
            "accepted": len(ok),
            "seconds": result["seconds"],
            "ballots_per_second": len(ok) / result["seconds"],
            "p50_ms": statistics.median(ms) if ms else None,
            "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else None,
            "errors": dict(errors),
            "error_samples": samples,
            "cpu_us_per_ballot": cpu,
            "load_average": f"{load_before} -> {load_after}",
        }
        figures["count"] = check_count(platform, setup, ballots, result, ideas)
        return figures
    finally:
        platform.stop_all()
        platform.drop_databases()
        shutil.rmtree(folder, ignore_errors=True)


def report(results: list[dict], args: argparse.Namespace) -> bool:
    print(
        f"\nBallots through the gateway, {args.concurrency} concurrent voters, approval round of {IDEAS} ideas "
        "(columns: database, voting service worker processes)"
    )
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({host.machine()}), "
        f"Python {host.python_version()}\n"
    )
    names = [r["label"] for r in results]
    rows = [
        ("ballots sent (measured)", lambda r: f"{r['ballots_sent']}"),
        ("accepted (201)", lambda r: f"{r['accepted']}"),
        ("ballots accepted / s", lambda r: f"{r['ballots_per_second']:.0f}"),
        ("p50 latency ms", lambda r: f"{r['p50_ms']:.1f}"),
        ("p99 latency ms", lambda r: f"{r['p99_ms']:.1f}"),
        ("errors (not 201)", lambda r: json.dumps(r["errors"]) if r["errors"] else "0"),
        ("load average before -> after", lambda r: r["load_average"]),
    ]
    cpu_names = sorted({k for r in results for k in r["cpu_us_per_ballot"]})
    for name in cpu_names:
        rows.append(
            (
                f"CPU µs/ballot: {name}",
                lambda r, n=name: f"{r['cpu_us_per_ballot'][n]:.0f}" if n in r["cpu_us_per_ballot"] else "-",
            )
        )
    rows += [
        ("counted after close (all ballots)", lambda r: f"{r['count']['counted']} of {r['count']['accepted']}"),
        ("audit chain entries verified", lambda r: f"{r['count']['audit_entries']}"),
        ("count check", lambda r: "; ".join(r["count"]["problems"]) or "every accepted ballot counted once"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{n:>24}" for n in names))
    for label, cell in rows:
        print(f"{label:{width}}  " + "  ".join(f"{cell(r):>24}" for r in results))
    for r in results:
        for sample in r["error_samples"]:
            print(f"{r['label']}: e.g. {sample}")
    good = all(not r["count"]["problems"] and not r["errors"] for r in results)
    for pg in (r for r in results if r["backend"] == "postgres"):
        met = pg["ballots_per_second"] >= 1000 and pg["p99_ms"] < 100
        print(
            f"\nTarget (PostgreSQL: >= 1,000 ballots/s, p99 < 100 ms), {pg['label']}: "
            f"{'met' if met else 'not met'} ({pg['ballots_per_second']:.0f}/s, p99 {pg['p99_ms']:.0f} ms)"
        )
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated (default both)")
    parser.add_argument("--ballots", type=int, default=6000, help="measured ballots per database (one per voter)")
    parser.add_argument("--warmup", type=int, default=500, help="ballots cast first, not measured")
    parser.add_argument("--concurrency", type=int, default=50, help="voters casting at once")
    parser.add_argument(
        "--workers", default="1", help="the voting service's worker processes; comma-separated to compare (e.g. 1,2)"
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample the gateway and voting service with py-spy (pip install py-spy) into DIR",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--load-generator", metavar="JOB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_generator:
        load_generator(args.load_generator)
        return
    results = []
    for backend in [b for b in args.backends.split(",") if b]:
        if backend == "postgres":
            from tools.platform_runner import postgres_reachable

            why = postgres_reachable()
            if why:
                sys.exit(f"PostgreSQL is not reachable at 127.0.0.1:5432: {why}")
        for workers in [int(w) for w in args.workers.split(",") if w]:
            print(
                f"{backend}, {workers} voting worker(s): starting the platform and casting "
                f"{args.warmup} + {args.ballots} ballots ...",
                flush=True,
            )
            results.append(measure(backend, workers, args))
    good = report(results, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
