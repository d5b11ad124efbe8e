"""The database goes away and comes back: /readyz says 503, /healthz stays 200, errors are 503
problems (never a bare 500 or a hang), and everything recovers without a restart."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from tests.support.processes import another
from tests.support.tcp_proxy import in_front_of


def _wait(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


@pytest.mark.parametrize("part", ["ideas", "gateway"])
def test_a_part_survives_its_database_going_away(platform, admin, part):
    if platform.backend != "postgres":
        pytest.skip("the database going away is exercised on PostgreSQL (a server that can vanish)")
    proxy, proxied_url = in_front_of(platform.database_url(part))
    try:
        with another(
            platform.runner, part, ready="/readyz", client_timeout=10, **{f"{part.upper()}_DATABASE_URL": proxied_url}
        ) as client:

            def ready() -> bool:
                try:
                    return client.get("/readyz").status_code == 200
                except httpx.HTTPError:
                    return False

            # A database-backed call, before, during and after the outage.
            if part == "gateway":

                def call() -> httpx.Response:
                    return client.get("/api/councils", headers=admin.headers)
            else:

                def call() -> httpx.Response:
                    return client.get("/api/ideas/hack-days", headers=admin.headers)

            assert call().status_code == 200

            proxy.cut()
            started = time.monotonic()
            readiness = client.get("/readyz")
            assert readiness.status_code == 503
            assert time.monotonic() - started < 5
            assert client.get("/healthz").status_code == 200
            failed = call()
            assert failed.status_code == 503, failed.text
            assert failed.headers["content-type"] == "application/problem+json"
            assert "database" in failed.json()["detail"].lower()

            proxy.open()
            _wait(ready)
            _wait(lambda: call().status_code == 200)
    finally:
        proxy.shutdown()
    assert os.path.exists(platform.runner.data_dir)
