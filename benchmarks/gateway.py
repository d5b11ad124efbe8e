"""Gateway benchmark: what the gateway costs in front of a service, measured side by side in one run.

    .venv/bin/python benchmarks/gateway.py                      # about 2 minutes
    .venv/bin/python benchmarks/gateway.py --compare-clients    # forwarding clients side by side, ~4 min

Needs wrk (https://github.com/wg/wrk), the HTTP load generator: `apt-get install -y wrk` on
Debian/Ubuntu, `brew install wrk` on macOS. Loopback only.

It starts one service (the voting service by default; SQLite in a temporary folder, free ports) and the
gateway in front of it with every feature on: token check, request id, write rate limit (set high
enough never to refuse), JSON access log and Prometheus metrics, as `make run` starts them. Then wrk, a
separate process, loads the service directly and through the gateway in short alternating runs (which
side goes first swaps every round), so that a noisy shared machine affects both sides alike:

- throughput: 50 connections; requests/s and p50/p99 latency, and the ratio gateway/direct;
- added latency: 1 connection; p50 through the gateway minus p50 direct.

Requests, both authenticated with a staff member's token:
- GET  /api/voting/whoami (200): the token is checked by the gateway and again by the service.
- POST /api/voting/rounds (403): no service has a POST that is both cheap and harmless, so this is one
  refused after authentication: a staff member may not create a voting round (organisers do). The
  gateway does all its work for it (token, rate limit, body, forwarding); the service parses the body,
  checks the token and the role, and answers a problem; nothing is written.

Each figure is the median over the rounds (the ratio and the added latency are taken per round, from
the adjacent pair of runs). Exit status 1 if a target of issue 2 is missed: at least 0.6x of direct
throughput on both, and under 0.5 ms added at p50 with one connection.

`--compare-clients` runs the same measurement once per way of forwarding (the aiohttp client the
gateway uses, httpx on httpx-aiohttp's transport, and httpx on its own transport), restarting only the
gateway between them; the alternatives are patched in from this file and are not part of the gateway.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform as host
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # before this folder, so that `gateway` is the package, not this file

import httpx  # noqa: E402

from gateway.domain.tokens import TokenIssuer  # noqa: E402
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER  # noqa: E402
from tools.platform_runner import PARTS, Platform, free_port  # noqa: E402

THROUGHPUT_RATIO_TARGET = 0.6
ADDED_P50_TARGET_MS = 0.5
CONNECTIONS = (50, 1)  # throughput, then added latency

# Far above what the benchmark sends, so the limit is checked on every write but never refuses one.
BENCH_WRITE_LIMIT = "100000000/minute"

CHOSEN = "aiohttp"
CLIENTS = {
    CHOSEN: "aiohttp client (what the gateway uses)",
    "httpx-aiohttp": "httpx on httpx-aiohttp's transport",
    "httpx": "httpx on its own transport (httpcore)",
}

# wrk reports through this Lua hook: exact percentiles in microseconds, and socket errors. (wrk counts
# any answer but 2xx/3xx as a "status error"; the POST answers 403 on purpose, so the script checks
# each status itself before loading.)
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nWRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: bytes
    expected_status: int


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    requests: int = 0
    cpu_us: dict[str, float] = field(default_factory=dict)  # CPU time per request, by process


@dataclass
class Measured:
    """Every run of one measurement, by (case, connections, side), with per-round comparisons."""

    runs: dict[tuple[str, int, str], list[Run]] = field(default_factory=dict)
    ratios: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    added_ms: dict[str, list[float]] = field(default_factory=dict)


# A POST per service that is refused after authentication (see the module's docstring).
REFUSED_POSTS = {
    "voting": (
        "/api/voting/rounds",
        {"hack_day_id": str(uuid.uuid4()), "title": "Benchmark round", "method": "approval"},
    ),
    "ideas": (
        f"/api/ideas/internal/ideas/{uuid.uuid4()}/selected",
        {"event_id": str(uuid.uuid4()), "round_id": str(uuid.uuid4()), "rank": 1},
    ),
    "followup": ("/api/followup/trials", {"idea_id": str(uuid.uuid4())}),
}


def cases(service: str) -> list[Case]:
    path, body = REFUSED_POSTS[service]
    return [
        Case("GET", "GET", f"/api/{service}/whoami", b"", 200),
        Case("POST", "POST", path, json.dumps(body).encode(), 403),
    ]


# ---- wrk -----------------------------------------------------------------------------------------
def need_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit(
            "benchmarks/gateway.py needs wrk, the HTTP load generator, on PATH.\n"
            "  Debian/Ubuntu: apt-get install -y wrk    macOS: brew install wrk\n"
            "  or build it from https://github.com/wg/wrk"
        )
    return wrk


def write_script(folder: Path, case: Case, token: str) -> Path:
    lines = [
        f'wrk.method = "{case.method}"',
        f'wrk.headers["Authorization"] = "Bearer {token}"',
        'wrk.headers["Accept"] = "application/json"',
    ]
    if case.body:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = {json.dumps(case.body.decode())}")
    path = folder / f"{case.name}.lua"
    path.write_text("\n".join(lines) + "\n" + WRK_REPORT)
    return path


def wrk_run(wrk: str, url: str, script: Path, connections: int, seconds: float) -> Run:
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if out.returncode != 0 or line is None:
        sys.exit(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    r = json.loads(line.removeprefix("WRK-JSON "))
    return Run(
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        socket_errors=r["socket_errors"],
        requests=r["requests"],
    )


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None where that is not known."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loaded(wrk: str, url: str, script: Path, connections: int, seconds: float, pids: dict[str, int]) -> Run:
    """One wrk run, with the CPU time each of our processes spent per request during it: that depends
    much less than requests/s and latency on what else the machine is doing."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    run = wrk_run(wrk, url, script, connections, seconds)
    for name, pid in pids.items():
        after = cpu_seconds(pid)
        if after is not None and before[name] is not None and run.requests:
            run.cpu_us[name] = (after - before[name]) / run.requests * 1e6
    return run


# ---- the platform ----------------------------------------------------------------------------------
def start(service: str, folder: Path, extra_env: dict[str, str]) -> Platform:
    runner = Platform(
        data_dir=folder,
        backend="sqlite",
        environment="test",
        ports={p: free_port() for p in PARTS},
        extra_env={
            "GATEWAY_WRITE_RATE_LIMIT": BENCH_WRITE_LIMIT,
            "GATEWAY_LOG_LEVEL": "INFO",
            f"{service.upper()}_LOG_LEVEL": "INFO",
            **extra_env,
        },
    )
    runner.prepare()
    runner.start(service)
    runner.start("gateway")  # migrates the gateway's database, which the alternatives then reuse
    return runner


def restart_gateway(runner: Platform, client: str) -> None:
    """The gateway again, forwarding with `client` (the alternatives are patched in by this file)."""
    runner.stop("gateway")
    if client == CHOSEN:
        runner.start("gateway")
        return
    with open(runner.log_path("gateway"), "ab") as out:
        runner.procs["gateway"] = subprocess.Popen(
            [sys.executable, __file__, "--serve-gateway", client, "--port", str(runner.ports["gateway"])],
            cwd=REPO,
            env=runner.env_for("gateway"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    runner.wait_ready("gateway")


def check_answers(targets: dict[str, str], all_cases: list[Case], token: str) -> None:
    """Each case answers as expected both ways before any load, so wrk measures the real thing."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for side, base in targets.items():
        for case in all_cases:
            response = httpx.request(
                case.method, base + case.path, content=case.body or None, headers=headers, timeout=10
            )
            if response.status_code != case.expected_status:
                sys.exit(
                    f"{case.method} {case.path} {side}: expected {case.expected_status}, "
                    f"got {response.status_code}: {response.text[:300]}"
                )
            if side == "gateway" and "x-request-id" not in response.headers:
                sys.exit("the gateway did not return X-Request-ID")


# ---- measuring -------------------------------------------------------------------------------------
def measure(
    wrk: str,
    targets: dict[str, str],
    all_cases: list[Case],
    scripts: dict[str, Path],
    rounds: int,
    seconds: float,
    pids: dict[str, int],
) -> Measured:
    # Warm both sides (imports, pools, caches) before anything is recorded.
    for case in all_cases:
        for base in targets.values():
            wrk_run(wrk, base + case.path, scripts[case.name], CONNECTIONS[0], 1)
    m = Measured()
    for round_no in range(rounds):
        order = ["direct", "gateway"] if round_no % 2 == 0 else ["gateway", "direct"]
        for connections in CONNECTIONS:
            for case in all_cases:
                pair = {}
                for side in order:
                    pair[side] = run = loaded(
                        wrk, targets[side] + case.path, scripts[case.name], connections, seconds, pids
                    )
                    m.runs.setdefault((case.name, connections, side), []).append(run)
                ratio = pair["gateway"].rps / pair["direct"].rps
                m.ratios.setdefault((case.name, connections), []).append(ratio)
                if connections == 1:
                    added = pair["gateway"].p50_ms - pair["direct"].p50_ms
                    m.added_ms.setdefault(case.name, []).append(added)
    return m


def summarise(m: Measured, all_cases: list[Case]) -> dict:
    out = {}
    for case in all_cases:
        entry = out[case.name] = {"request": f"{case.method} {case.path}", "status": case.expected_status}
        for connections in CONNECTIONS:
            sides = {}
            for side in ("direct", "gateway"):
                runs = m.runs[(case.name, connections, side)]
                sides[side] = {
                    "rps": statistics.median(r.rps for r in runs),
                    "p50_ms": statistics.median(r.p50_ms for r in runs),
                    "p99_ms": statistics.median(r.p99_ms for r in runs),
                    "socket_errors": sum(r.socket_errors for r in runs),
                    "cpu_us_per_request": {
                        name: statistics.median(r.cpu_us[name] for r in runs)
                        for name in runs[0].cpu_us
                        if (side == "gateway" or name != "gateway")
                    },
                }
            entry[f"c{connections}"] = {**sides, "ratio": statistics.median(m.ratios[(case.name, connections)])}
        entry["added_p50_ms_at_1_connection"] = statistics.median(m.added_ms[case.name])
    return out


def print_table(summary: dict) -> list[str]:
    """Prints the figures; returns the targets missed."""
    print(
        f"{'case':<6}{'conns':>6}  {'direct req/s':>12}{'p50 ms':>8}{'p99 ms':>8}   "
        f"{'gateway req/s':>13}{'p50 ms':>8}{'p99 ms':>8}   {'ratio':>6}"
    )
    missed = []
    for name, entry in summary.items():
        for connections in CONNECTIONS:
            e = entry[f"c{connections}"]
            d, g = e["direct"], e["gateway"]
            print(
                f"{name:<6}{connections:>6}  {d['rps']:>12,.0f}{d['p50_ms']:>8.2f}{d['p99_ms']:>8.2f}   "
                f"{g['rps']:>13,.0f}{g['p50_ms']:>8.2f}{g['p99_ms']:>8.2f}   {e['ratio']:>5.2f}x"
            )
            if d["socket_errors"] or g["socket_errors"]:
                print(f"      socket errors: direct {d['socket_errors']}, gateway {g['socket_errors']}")
    for name, entry in summary.items():
        many, one = (entry[f"c{c}"]["gateway"]["cpu_us_per_request"] for c in CONNECTIONS)
        if many and one:
            print(
                f"{name}: CPU per request through the gateway: gateway {many['gateway']:.0f} us, service "
                f"{many['service']:.0f} us with {CONNECTIONS[0]} connections; gateway {one['gateway']:.0f} us, "
                f"service {one['service']:.0f} us with 1"
            )
    for name, entry in summary.items():
        ratio, added = entry[f"c{CONNECTIONS[0]}"]["ratio"], entry["added_p50_ms_at_1_connection"]
        print(
            f"{name}: {entry['request']} -> {entry['status']}: throughput {ratio:.2f}x of direct "
            f"(target >= {THROUGHPUT_RATIO_TARGET}x); adds {added:.3f} ms at p50 with 1 connection "
            f"(target < {ADDED_P50_TARGET_MS} ms)"
        )
        if ratio < THROUGHPUT_RATIO_TARGET:
            missed.append(f"{name} throughput {ratio:.2f}x < {THROUGHPUT_RATIO_TARGET}x")
        if added >= ADDED_P50_TARGET_MS:
            missed.append(f"{name} adds {added:.3f} ms >= {ADDED_P50_TARGET_MS} ms at p50")
    return missed


# ---- the alternatives, for --compare-clients ---------------------------------------------------
def serve_gateway_with(client: str, port: int) -> None:
    """Run the gateway as `python -m gateway serve` does, forwarding through httpx instead."""
    import uvicorn

    from gateway.edge import proxy

    def new_client(upstream: proxy.Upstream) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=upstream.max_connections, max_keepalive_connections=upstream.max_connections
        )
        if client == "httpx-aiohttp":
            from httpx_aiohttp import AiohttpTransport

            transport = AiohttpTransport(limits=limits, trust_env=False)
        else:
            transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        return httpx.AsyncClient(
            base_url=upstream.base_url,
            transport=transport,
            trust_env=False,
            timeout=httpx.Timeout(
                connect=upstream.connect_timeout,
                read=upstream.read_timeout,
                write=upstream.read_timeout,
                pool=upstream.connect_timeout,
            ),
        )

    async def forward(
        self: proxy.Upstream,
        *,
        method: str,
        raw_path: bytes,
        query: bytes,
        headers: list[tuple[str, str]],
        body: bytes,
        send,
        extra_response_headers,
    ) -> int:
        forwarding = self.__dict__.get("_bench_client") or self.__dict__.setdefault("_bench_client", new_client(self))
        url = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        request = forwarding.build_request(method, url, headers=headers, content=body or None)
        try:
            response = await forwarding.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise proxy.ServiceUnavailable(504, f"{self.name} too slow") from exc
        except httpx.TransportError as exc:
            raise proxy.ServiceUnavailable(503, f"{self.name} unreachable") from exc
        try:
            out_headers = [(k.lower(), v) for k, v in response.headers.raw if k.lower() not in proxy.RESPONSE_DROP]
            out_headers += extra_response_headers
            # As the gateway does: a small answer of known length goes back in one message.
            await send({"type": "http.response.start", "status": response.status_code, "headers": out_headers})
            if "content-length" in response.headers:
                content = b"".join([chunk async for chunk in response.aiter_raw()])
                await send({"type": "http.response.body", "body": content, "more_body": False})
            else:
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return response.status_code
        finally:
            await response.aclose()

    proxy.Upstream.forward = forward
    uvicorn.run(
        "gateway.main:app",
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


# ---- main ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--service",
        default="voting",
        choices=sorted(REFUSED_POSTS),
        help="the service to put behind the gateway (default: voting)",
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each wrk run (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds per case; medians are reported (default 5)"
    )
    parser.add_argument(
        "--compare-clients",
        action="store_true",
        help="measure each way of forwarding in turn (aiohttp, httpx-aiohttp, httpx)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--serve-gateway", choices=sorted(set(CLIENTS) - {CHOSEN}), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_gateway:
        serve_gateway_with(args.serve_gateway, args.port)
        return 0
    wrk = need_wrk()
    all_cases = cases(args.service)
    clients = list(CLIENTS) if args.compare_clients else [CHOSEN]
    if "httpx-aiohttp" in clients and importlib.util.find_spec("httpx_aiohttp") is None:
        print("httpx-aiohttp is not installed (requirements-dev.txt): that variant is left out.")
        clients.remove("httpx-aiohttp")
    if args.compare_clients and args.rounds == parser.get_default("rounds"):
        args.rounds = 3  # three ways of forwarding: fewer rounds each keeps the run bounded

    folder = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    runner = None
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    summaries: dict[str, dict] = {}
    try:
        runner = start(args.service, folder, {})
        targets = {"direct": runner.url(args.service), "gateway": runner.url("gateway")}
        issuer = TokenIssuer(
            runner.private_key_file.read_text(), issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900
        )
        token = issuer.issue(
            subject=uuid.uuid4(),
            council_id=uuid.uuid4(),
            council_name="Benchmark Borough",
            roles=["staff"],
            name="Benchmark Runner",
        )
        scripts = {case.name: write_script(folder, case, token) for case in all_cases}
        for client in clients:
            if client != CHOSEN:
                restart_gateway(runner, client)
            check_answers(targets, all_cases, token)
            pids = {"gateway": runner.procs["gateway"].pid, "service": runner.procs[args.service].pid}
            measured = measure(wrk, targets, all_cases, scripts, args.rounds, args.seconds, pids)
            summaries[client] = summarise(measured, all_cases)
    finally:
        if runner is not None:
            runner.stop_all()
        shutil.rmtree(folder, ignore_errors=True)

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, {host.machine()}, Python {host.python_version()}"
    load = f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(
        f"\nGateway benchmark, {when}, {machine}; {args.service} service; {args.rounds} alternating "
        f"rounds of {args.seconds:g} s per side, medians; took {time.monotonic() - began:.0f} s; "
        f"load average {load}."
    )
    missed: list[str] = []
    for client, summary in summaries.items():
        print(f"\nForwarding: {CLIENTS[client]}")
        missed_here = print_table(summary)
        if client == CHOSEN:
            missed = missed_here
    if load_before > (os.cpu_count() or 1):
        print(
            f"\nNote: the machine was busy (load average {load_before:.1f} on {os.cpu_count()} cores). Each "
            "request through the gateway needs two more process wake-ups than a direct one, and on a busy "
            "machine each waits for a core: the added latency then measures the load more than the "
            "gateway. The CPU per request is the figure to compare across runs."
        )
    print("\nAll targets met." if not missed else "\nMissed: " + "; ".join(missed))
    if args.json:
        report = {
            "when": when,
            "machine": machine,
            "load_average": load,
            "service": args.service,
            "rounds": args.rounds,
            "seconds_per_run": args.seconds,
            "clients": summaries,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
