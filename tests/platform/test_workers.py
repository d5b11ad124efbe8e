"""`python -m <part> serve --workers N` (or `<PART>_WORKERS`): worker processes sharing one port."""

from __future__ import annotations

import time

from tests.support.processes import another


def test_a_part_serves_with_two_workers_and_warns_about_them_on_sqlite(platform, admin):
    with another(platform.runner, "voting", ready="/readyz", VOTING_WORKERS="2") as voting:
        log_file = platform.runner.data_dir / "logs" / f"voting-{voting.base_url.port}.log"

        def started() -> int:  # one such line per worker once it serves
            return log_file.read_text().count('"message":"Application startup complete.')

        deadline = time.monotonic() + 30
        while started() < 2:
            assert time.monotonic() < deadline, log_file.read_text()[-2000:]
            time.sleep(0.2)
        for _ in range(6):  # new connections, so that both workers are likely asked
            assert voting.get("/api/voting/whoami", headers={**admin.headers, "Connection": "close"}).status_code == 200
        log = log_file.read_text()
    assert ("add contention for its single write lock" in log) == (platform.backend == "sqlite"), log[-2000:]
