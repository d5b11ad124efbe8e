"""Pages through the gateway: the submit-idea page and a ballot page at 50 concurrent people.

    .venv/bin/python benchmarks/pages.py [--people 50] [--seconds 20] [--json FILE]

Starts the platform on SQLite (free ports, a temporary folder), fills a hack day with an open dot-voting
round, signs one person in through the sign-in form, and has `--people` concurrent clients (one kept-alive
connection each, the person's session cookie) ask for the two pages in turn for `--seconds`. Prints the
latency per page (p50, p95, p99: the time from sending the request to having the whole answer, so it
includes every API call the page makes through the gateway and any queueing), and the size of the submit
page's HTML, CSS and JavaScript as a browser would download them (gzip). Exit status 1 if a target is
missed: p95 under 100 ms; the submit page's HTML+CSS+JS under 100 kB compressed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.platform_runner import PARTS, Platform, free_port

PASSWORD = "correct horse battery staple"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fill(gateway: str, admin: tuple[str, str]) -> dict[str, str]:
    api = httpx.Client(base_url=gateway, timeout=30)
    admin_token = api.post("/api/auth/login", json={"email": admin[0], "password": admin[1]}).json()["access_token"]
    a = {"Authorization": f"Bearer {admin_token}"}
    council = api.post("/api/councils", json={"name": "Bench Council", "slug": "bench"}, headers=a).json()
    for email, roles in (("olive@bench.gov.uk", ["organiser", "staff"]), ("sam@bench.gov.uk", ["staff"])):
        body = {
            "email": email,
            "name": email.split("@")[0].title(),
            "council_id": council["id"],
            "roles": roles,
            "password": PASSWORD,
        }
        assert api.post("/api/people", json=body, headers=a).status_code == 201
    o = {
        "Authorization": "Bearer "
        + api.post("/api/auth/login", json={"email": "olive@bench.gov.uk", "password": PASSWORD}).json()["access_token"]
    }
    day = api.post("/api/ideas/hack-days", json={"name": "Bench hack day", "date": "2027-03-14"}, headers=o).json()
    api.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}, headers=o)
    for n in range(12):
        body = {
            "hack_day_id": day["id"],
            "title": f"Idea number {n} for the bench",
            "problem": "A problem.",
            "proposal": "A change.",
            "service_area": "housing",
        }
        idea = api.post("/api/ideas/ideas", json=body, headers=o).json()
        api.post(f"/api/ideas/ideas/{idea['id']}/shortlist", headers=o)
    rules = {"dots_per_voter": 5, "max_dots_per_idea": 3}
    vote = api.post(
        "/api/voting/rounds",
        json={"hack_day_id": day["id"], "title": "Bench vote", "method": "dot_voting", "rules": rules},
        headers=o,
    ).json()
    api.post(f"/api/voting/rounds/{vote['id']}/open", headers=o)
    return {"submit": f"/hack-days/{day['id']}/ideas/new", "ballot": f"/rounds/{vote['id']}"}  # fmt: skip


def sign_in(gateway: str) -> httpx.Cookies:
    with httpx.Client(base_url=gateway, timeout=30) as browser:
        html = browser.get("/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        answer = browser.post("/sign-in", data={"csrf_token": token, "email": "sam@bench.gov.uk", "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        return browser.cookies


def page_weight(gateway: str, cookies: httpx.Cookies, path: str) -> dict[str, int]:
    """Bytes on the wire with gzip: the page and every stylesheet and script it links."""
    with httpx.Client(base_url=gateway, cookies=cookies, timeout=30) as browser:
        sizes = {}
        page = browser.get(path, headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200
        sizes["html"] = len(page.content if page.headers.get("content-encoding") != "gzip" else _raw(browser, path))
        for url in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.text):
            sizes[url.rsplit("/", 1)[1]] = len(_raw(browser, url))
        for url in re.findall(r'"govuk-frontend": "(/static/[^"]+\.js)"', page.text):  # the import map
            sizes[url.rsplit("/", 1)[1]] = len(_raw(browser, url))
        return sizes


def _raw(browser: httpx.Client, url: str) -> bytes:
    with browser.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
        return b"".join(answer.iter_raw())


async def load(gateway: str, cookies: httpx.Cookies, paths: dict[str, str], people: int, seconds: float) -> dict:
    timings: dict[str, list[float]] = {name: [] for name in paths}
    failures: list[int] = []
    deadline = time.perf_counter() + seconds

    async def person() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=gateway, cookies=cookies, timeout=30, limits=limits) as client:
            while time.perf_counter() < deadline:
                for name, path in paths.items():
                    start = time.perf_counter()
                    answer = await client.get(path, headers={"Accept-Encoding": "gzip"})
                    elapsed = time.perf_counter() - start
                    if answer.status_code != 200:
                        failures.append(answer.status_code)
                    timings[name].append(elapsed)

    await asyncio.gather(*(person() for _ in range(people)))
    return {"timings": timings, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--json")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hackday-pages-bench-"))
    platform = Platform(
        data_dir=folder,
        backend="sqlite",
        environment="test",
        ports={p: free_port() for p in PARTS},
        extra_env={"GATEWAY_LOGIN_RATE_LIMIT": "100000/minute", "GATEWAY_WRITE_RATE_LIMIT": "100000/minute"},
    )
    try:
        platform.prepare()
        platform.start_all()
        gateway = platform.url("gateway")
        paths = fill(gateway, (platform.admin_email, platform.admin_password))
        cookies = sign_in(gateway)
        weight = page_weight(gateway, cookies, paths["submit"])
        asyncio.run(load(gateway, cookies, paths, 5, 2))  # warm up
        result = asyncio.run(load(gateway, cookies, paths, args.people, args.seconds))
    finally:
        platform.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    load_avg = os.getloadavg()[0]
    figures = {"people": args.people, "seconds": args.seconds, "load_average_1m": round(load_avg, 2), "pages": {}}
    ok = True
    for name, values in result["timings"].items():
        ms = [v * 1000 for v in values]
        p95 = percentile(ms, 0.95)
        figures["pages"][name] = {
            "requests": len(ms),
            "per_second": round(len(ms) / args.seconds, 1),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(p95, 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
        }
        ok &= p95 < 100
    total = sum(weight.values())
    figures["submit_page_bytes_gzip"] = weight
    figures["submit_page_total_kb_gzip"] = round(total / 1000, 1)
    figures["failures"] = len(result["failures"])
    ok &= total < 100_000 and not result["failures"]
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
