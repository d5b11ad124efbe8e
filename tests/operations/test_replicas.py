"""Beyond one machine: two of every part behind nginx, on PostgreSQL, rate limits shared through Redis.

A small hack day is played through the load balancer; half-way through the vote one replica of every
part is killed (SIGKILL, as a crash would), and nothing is lost: every idea, every ballot, the result,
and the trials the result opens through the outbox. Every address a part uses to reach another is the
load balancer's, as it would be across machines. Runs once, on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from gateway.domain.tokens import TokenIssuer
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
from tests.journey.hackday import ROUNDS, ideas_for_the_vote, wait_for
from tests.support.actors import Actor, login, unique
from tests.support.http import ok
from tools.platform_runner import DATABASE_PARTS, PARTS, REPO, Platform, free_port, postgres_reachable

IN_CI = os.environ.get("CI", "").lower() == "true" or os.environ.get("PLATFORM_REQUIRE_POSTGRES") == "1"
REDIS = ("127.0.0.1", 6379)
WRITES_PER_MINUTE = 40
IDEAS = [
    (
        "Chatbot for bin collection questions",
        "Residents ring to ask which bin goes out this week.",
        "waste_and_recycling",
    ),
    (
        "Shared rota for library volunteers",
        "Volunteer shifts are arranged by email and missed.",
        "libraries_and_culture",
    ),
    (
        "Photo reports of fly-tipping",
        "Officers drive out to find fly-tipping reported by phone.",
        "environmental_health",
    ),
    ("Text reminders for housing repairs", "Tenants miss repair appointments and jobs are rebooked.", "housing"),
]


def _need(condition: str | None) -> None:
    if condition is not None:
        if IN_CI:
            pytest.fail(condition)
        pytest.skip(condition)


def _redis_reachable() -> str | None:
    try:
        with socket.create_connection(REDIS, timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return None if connection.recv(16).startswith(b"+PONG") else "Redis did not answer PING"
    except OSError as exc:
        return f"Redis is not reachable at 127.0.0.1:6379 ({exc})"


@dataclass
class Cluster:
    runner: Platform
    front: str
    replicas: dict[str, list[int]]
    procs: dict[tuple[str, int], subprocess.Popen] = field(default_factory=dict)

    def kill(self, part: str, index: int) -> None:
        proc = self.procs.pop((part, index))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _nginx_config(folder: Path, balancers: dict[str, int], replicas: dict[str, list[int]]) -> Path:
    blocks = []
    for part in PARTS:
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;" for port in replicas[part])
        blocks.append(
            f"""
    upstream {part} {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{balancers[part]};
        location / {{
            proxy_pass http://{part};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}"""
        )
    config = folder / "nginx.conf"
    config.write_text(
        f"pid {folder}/nginx.pid;\nerror_log stderr warn;\ndaemon off;\nevents {{}}\nhttp {{\n"
        f"    access_log off;\n    client_body_temp_path {folder}/body;\n    proxy_temp_path {folder}/proxy;\n"
        + "".join(blocks)
        + "\n}\n"
    )
    return config


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not ready within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    nginx = shutil.which("nginx")
    _need(None if nginx else "nginx is not installed (`make install-dev` installs it from Debian as root)")
    why = postgres_reachable()
    _need(None if why is None else f"PostgreSQL is not reachable ({why})")
    _need(_redis_reachable())
    folder = Path(tempfile.mkdtemp(prefix="hackday-replicas-"))
    balancers = {part: free_port() for part in PARTS}
    replicas = {part: [free_port(), free_port()] for part in PARTS}
    runner = Platform(
        data_dir=folder,
        backend="postgres",
        environment="test",
        # The ports the parts are told to reach each other on: the load balancer's.
        ports=balancers,
        extra_env={
            "GATEWAY_RATE_LIMIT_STORAGE_URL": f"redis://{REDIS[0]}:{REDIS[1]}",
            "GATEWAY_WRITE_RATE_LIMIT": f"{WRITES_PER_MINUTE}/minute",
            "GATEWAY_LOGIN_RATE_LIMIT": "1000/minute",
            "GATEWAY_READ_TIMEOUT_SECONDS": "30",
        },
    )
    cluster = Cluster(runner=runner, front=runner.url("gateway"), replicas=replicas)
    balancer = None
    try:
        runner.prepare()
        balancer = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(_nginx_config(folder, balancers, replicas)), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "logs" / "nginx.log", "wb"),
            start_new_session=True,
        )
        for part in DATABASE_PARTS:  # each part's migrations run once, as the Kubernetes Job runs them
            subprocess.run(
                [sys.executable, "-m", part, "migrate"], cwd=REPO, env=runner.env_for(part), check=True, timeout=120
            )
        runner.ensure_service_keys()
        for part in PARTS:
            for index, port in enumerate(replicas[part]):
                env = runner.env_for(part)
                env[f"{part.upper()}_METRICS_ADDRESS"] = f"127.0.0.1:{free_port()}"
                log = folder / "logs" / f"{part}-{index}.log"
                cluster.procs[(part, index)] = subprocess.Popen(
                    [sys.executable, "-m", part, "serve", "--port", str(port), "--no-migrate"],
                    cwd=REPO,
                    env=env,
                    stdout=open(log, "wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        for (part, index), proc in list(cluster.procs.items()):
            path = "/healthz" if part == "gateway" else "/readyz"
            port = replicas[part][index]
            _wait_ready(f"http://127.0.0.1:{port}{path}", proc, folder / "logs" / f"{part}-{index}.log")
        _wait_ready(cluster.front + "/readyz", balancer, folder / "logs" / "nginx.log")
        yield cluster
    finally:
        for proc in cluster.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in cluster.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if balancer is not None and balancer.poll() is None:
            balancer.terminate()
            balancer.wait(timeout=10)
        runner.drop_databases()
        shutil.rmtree(folder, ignore_errors=True)


class PatientActor(Actor):
    """A client that retries what the load balancer could not place yet (502/503/504, or no answer),
    with the same Idempotency-Key, as the API asks of every client."""

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        for attempt in range(8):
            try:
                response = super().request(method, path, **kw)
            except httpx.TransportError:
                if attempt == 7:
                    raise
                time.sleep(0.5)
                continue
            if response.status_code not in (502, 503, 504) or attempt == 7:
                return response
            time.sleep(0.5)
        raise AssertionError("unreachable")


def test_two_of_everything_behind_nginx_lose_nothing_when_one_of_each_dies(cluster):
    client = httpx.Client(base_url=cluster.front, timeout=60)
    runner = cluster.runner
    issuer = TokenIssuer(
        runner.private_key_file.read_text(), issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900
    )
    signed_in = login(client, runner.admin_email, runner.admin_password)
    admin = PatientActor(client=client, token=signed_in.token, id=signed_in.id)
    council = ok(admin.post("/api/councils", json={"name": unique("Twin").title(), "slug": unique("twin")}), 201)

    def person(*roles: str) -> PatientActor:
        made = ok(
            admin.post(
                "/api/people",
                json={"email": f"{unique('p')}@example.org", "name": "P", "council_id": council["id"], "roles": roles},
            ),
            201,
        )
        token = issuer.issue(
            subject=made["id"], council_id=council["id"], council_name=council["name"], roles=list(roles), name="P"
        )
        return PatientActor(client=client, token=token, id=made["id"], roles=list(roles))

    organiser, manager = person("organiser", "staff"), person("manager")
    staff = [person("staff") for _ in range(6)]

    # Rate limits are counted in Redis, shared by both gateways: one person's writes, alternating
    # between the two replicas, meet one limit (with memory:// each gateway would allow the lot).
    counted = person("staff")
    answers = []
    for index in range(WRITES_PER_MINUTE + 1):
        port = cluster.replicas["gateway"][index % 2]
        answers.append(httpx.post(f"http://127.0.0.1:{port}/api/ideas/whoami", headers=counted.headers).status_code)
    assert 429 not in answers[:WRITES_PER_MINUTE] and answers[WRITES_PER_MINUTE] == 429, answers

    day, ideas = ideas_for_the_vote(organiser, staff[:4], IDEAS)
    a, b, c, d = (idea["id"] for idea in ideas)
    rnd = ok(
        organiser.post(
            ROUNDS,
            json={
                "hack_day_id": day["id"],
                "title": "Which ideas do we trial?",
                "method": "approval",
                "rules": {"max_approvals": 2, "secret": True},
                "selected_count": 2,
            },
        ),
        201,
    )
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/open"))
    votes = [(staff[4], [a, b]), (staff[5], [a, b]), (staff[2], [a, b]), (staff[3], [a, c]), (staff[0], [b, d])]
    votes.append((staff[1], [a, d]))
    receipts = []
    for number, (voter, approve) in enumerate(votes):
        if number == 3:
            for part in PARTS:  # half-way through the vote, one replica of every part dies
                cluster.kill(part, 0)
        cast = voter.post(
            f"{ROUNDS}/{rnd['id']}/ballot",
            json={"choices": {"approve": approve}},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        receipts.append(ok(cast, 201)["receipt"])
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/close"))
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/publish", json={"selected_count": 2}))

    # Nothing was lost: every idea, every ballot counted once, the result, and the trials it opens.
    listed = ok(organiser.get("/api/ideas/ideas", params={"hack_day_id": day["id"], "limit": 200}))
    assert {idea["id"] for idea in listed["items"]} == {a, b, c, d}
    result = ok(organiser.get(f"{ROUNDS}/{rnd['id']}/result"))["result"]
    assert [entry["idea_id"] for entry in result["ranking"][:2]] == [a, b]
    assert len(set(receipts)) == len(votes)
    for idea_id in (a, b):
        trial = wait_for(
            lambda i=idea_id: (r := manager.get(f"/api/followup/trials/by-idea/{i}")).status_code == 200 and r.json(),
            f"the trial of {idea_id}",
            timeout=60,
        )
        assert trial["status"] == "planned"
        wait_for(
            lambda i=idea_id: ok(organiser.get(f"/api/ideas/ideas/{i}"))["status"] == "selected",
            f"{idea_id} marked selected",
            timeout=60,
        )
    trials = ok(manager.get("/api/followup/trials", params={"limit": 200}))["items"]
    assert sorted(t["idea"]["id"] for t in trials) == sorted([a, b])  # each exactly once
    # The survivors carry on: the next hack day is planned after the crash, and the pages (one of the
    # two web replicas dead) are still served through the gateways.
    ok(organiser.post("/api/ideas/hack-days", json={"name": "After the crash", "date": "2027-05-01"}), 201)
    for _ in range(4):
        page = client.get("/accessibility")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"], page.text[:300]
    client.close()
