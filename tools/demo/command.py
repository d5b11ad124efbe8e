"""`python -m tools.demo`: the command line, the summary it prints, the exit status."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tools.demo.client import ADMIN_FILE, DEFAULT_URL, DemoFailed
from tools.demo.run import Demo
from tools.demo.story import Made


def summary(made: Made, url: str) -> str:
    url = url.rstrip("/")
    lines = [
        "",
        f"Demo hack days are in (set {made.set_number}, {made.seconds} s):",
        f"  councils      {', '.join(c['name'] for c in made.councils.values())}",
        f"  people        {made.staff_registered} staff registered, {made.signed_in} signed in",
        f"  ideas         {made.ideas} ideas, {made.comments} comments; {made.ballots} ballots in "
        f"{len(made.rounds)} published votes",
        f"  trials        {len(made.trials)} ({made.trials_made_by_platform} opened by the platform itself "
        "when the results were published)",
        f"  library       {len(made.library_entries)} published: "
        + "; ".join(f"{e['title']} ({e['outcome'].replace('_', ' ')})" for e in made.library_entries),
    ]
    if made.tried_before:
        lines.append(f"  tried before  '{made.tried_before['draft']}': {made.tried_before['line']}")
    failed = next((t for t in made.trials if t.get("outcome") == "did_not_work"), None)
    northbrook = made.councils.get("northbrook", {})
    lines += [
        "",
        "Where to look (GET with a token: POST /api/auth/login with an account below):",
        f"  API documentation      {url}/docs",
    ]
    if failed:
        lines.append(f"  an idea's journey      {url}/api/journeys/ideas/{failed['idea_id']}")
    if northbrook.get("hack_day_id"):
        lines.append(
            f"  a hack day at a glance {url}/api/journeys/hack-days/{northbrook['hack_day_id']}"
            "  (Northbrook's organiser)"
        )
    if made.rounds:
        lines.append(f"  a published vote       {url}/api/voting/rounds/{made.rounds[0]['id']}/result")
    lines.append(f"  the shared library     {url}/api/followup/library")
    if failed and failed.get("library_entry_id"):
        lines.append(f"  a published failure    {url}/api/followup/library/{failed['library_entry_id']}")
    if "glanmor" in made.councils:
        lines.append(f"  reviews overdue        {url}/api/followup/overdue  (Glanmor's manager)")
    lines.append(f"  every council's record {url}/api/followup/portfolio/sector")
    lines += ["", "Accounts made by the demo (development data only):"]
    lines += [f"  {who:<22} {p['email']}  {p['password']}" for who, p in made.people.items()]
    return "\n".join(lines)


def read_admin_file(path: Path) -> tuple[str, str]:
    try:
        email, password = path.read_text().split()[:2]
    except (OSError, ValueError) as exc:
        raise DemoFailed(
            f"no admin account given and {path} cannot be read ({exc}). Start the platform with `make run` "
            "(it writes that file), or pass --admin-email and --admin-password."
        ) from exc
    return email, password


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description="Fill a running platform with a realistic council hack day, through the public API only.",
    )
    parser.add_argument("--url", default=DEFAULT_URL, help=f"the gateway (default {DEFAULT_URL})")
    parser.add_argument("--admin-email", help="an admin's email (default: from .data/first-admin.txt)")
    parser.add_argument(
        "--admin-password",
        help="that admin's password (default: from .data/first-admin.txt); "
        "write --admin-password=... if it starts with '-'",
    )
    parser.add_argument(
        "--size",
        choices=("full", "small"),
        default="full",
        help="full: 540 staff, 84 of them voting; small: 72 staff, 15 voting (a quick run for tests)",
    )
    parser.add_argument(
        "--trial-wait",
        type=float,
        default=10.0,
        help="seconds to wait for the platform to open the selected ideas' trials (default 10)",
    )
    parser.add_argument("--summary-json", type=Path, help="also write what was made to this file, as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    run: Demo | None = None
    try:
        if args.admin_email and args.admin_password:
            email, password = args.admin_email, args.admin_password
        elif args.admin_email or args.admin_password:
            raise DemoFailed("give both --admin-email and --admin-password, or neither")
        else:
            email, password = read_admin_file(ADMIN_FILE)
        print(f"Filling the platform at {args.url} with demo hack days ({args.size} size)...", flush=True)
        started = time.monotonic()
        run = Demo(
            args.url,
            email,
            password,
            args.size,
            args.trial_wait,
            say=lambda text: print(f"[{time.monotonic() - started:5.1f} s] {text}", flush=True),
        )
        made = run.run()
    except DemoFailed as exc:
        print(f"\nThe demo stopped: {exc}", file=sys.stderr, flush=True)
        if run is not None and run.made.councils:
            print("\nWhat it made before it stopped:" + summary(run.made, args.url), flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopped. What was made so far stays; running the demo again adds a new set.", file=sys.stderr)
        return 130
    print(summary(made, args.url), flush=True)
    if args.summary_json:
        args.summary_json.write_text(json.dumps(made.__dict__, indent=2))
    return 0
