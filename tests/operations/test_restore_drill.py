"""The restore drill of docs/operations.md, on PostgreSQL: dump every part's database, drop, restore,
and the platform answers the same as before, signs people in and goes on writing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ideas.ideaskit import hack_day, submit
from tests.support.actors import login, unique
from tools.platform_runner import DATABASE_PARTS, PARTS, Platform, _pg_admin, free_port, postgres_reachable

IN_CI = os.environ.get("CI", "").lower() == "true"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (`make install-dev` installs postgresql-client from Debian as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def drill_platform() -> Iterator[Platform]:
    if (why := postgres_reachable()) is not None:
        if IN_CI or os.environ.get("PLATFORM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here: {why}")
        pytest.skip(f"PostgreSQL is not reachable ({why})")
    folder = Path(tempfile.mkdtemp(prefix="hackday-drill-"))
    platform = Platform(data_dir=folder, backend="postgres", environment="test", ports={p: free_port() for p in PARTS})
    try:
        platform.prepare()
        platform.start_all()
        yield platform
    finally:
        platform.stop_all()
        platform.drop_databases()
        shutil.rmtree(folder, ignore_errors=True)


def _snapshot(client: httpx.Client, organiser, council_id: str, day: dict, idea: dict) -> dict[str, object]:
    reads = {
        "council": f"/api/councils/{council_id}",
        "hack day": f"/api/ideas/hack-days/{day['id']}",
        "idea": f"/api/ideas/ideas/{idea['id']}",
        "ideas of the day": f"/api/ideas/ideas?hack_day_id={day['id']}",
        "rounds": "/api/voting/rounds",
        "trials": "/api/followup/trials",
    }
    answers = {}
    for what, path in reads.items():
        response = client.get(path, headers=organiser.headers)
        assert response.status_code == 200, (what, response.text)
        answers[what] = response.json()
    return answers


def test_dump_drop_restore_and_the_platform_answers_the_same(drill_platform, tmp_path):
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    platform = drill_platform
    with httpx.Client(base_url=platform.url("gateway"), timeout=30) as client:
        admin = login(client, platform.admin_email, platform.admin_password)
        council = admin.post("/api/councils", json={"name": unique("Drill").title(), "slug": unique("drill")})
        assert council.status_code == 201, council.text
        email, password = f"{unique('organiser')}@example.org", "a-long-enough-password"
        made = admin.post(
            "/api/people",
            json={
                "email": email,
                "name": "Olu Organiser",
                "council_id": council.json()["id"],
                "roles": ["organiser", "staff"],
                "password": password,
            },
        )
        assert made.status_code == 201, made.text
        organiser = login(client, email, password)
        day = hack_day(organiser, "open")
        idea = submit(organiser, day["id"])
        before = _snapshot(client, organiser, council.json()["id"], day, idea)

    # The drill, as docs/operations.md writes it: a custom-format dump per database...
    dumps = {}
    for part in DATABASE_PARTS:
        dumps[part] = tmp_path / f"{part}.dump"
        subprocess.run(
            [pg_dump, "-Fc", f"--file={dumps[part]}", platform.database_urls[part]], check=True, capture_output=True
        )
        assert dumps[part].stat().st_size > 0
    # ...the parts stopped, the databases dropped and made again, empty...
    platform.stop_all()
    for part in DATABASE_PARTS:
        name = platform.database_urls[part].rsplit("/", 1)[1]
        _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
    # ...restored, and the parts started again.
    for part in DATABASE_PARTS:
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", "-d", platform.database_urls[part], str(dumps[part])],
            check=True,
            capture_output=True,
        )
    platform.start_all()

    with httpx.Client(base_url=platform.url("gateway"), timeout=30) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        organiser = login(client, email, password)  # people, passwords and councils came back
        after = _snapshot(client, organiser, council.json()["id"], day, idea)
        assert after == before
        # And it goes on: a new idea is written on the restored databases.
        again = submit(organiser, day["id"], title="Restored and still taking ideas")
        assert again["id"] != idea["id"]
