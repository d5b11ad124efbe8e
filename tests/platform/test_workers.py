"""`python -m <part> serve --workers N` (or `<PART>_WORKERS`): worker processes sharing one port."""

from __future__ import annotations

from tests.support.processes import another


def test_a_part_serves_with_two_workers_and_warns_about_them_on_sqlite(platform, admin):
    with another(platform.runner, "voting", ready="/readyz", VOTING_WORKERS="2") as voting:
        for _ in range(6):  # new connections, so that both workers are likely asked
            assert voting.get("/api/voting/whoami", headers={**admin.headers, "Connection": "close"}
                              ).status_code == 200
        log = (platform.runner.data_dir / "logs" / f"voting-{voting.base_url.port}.log").read_text()
    warned = "add contention for its single write lock" in log
    assert warned == (platform.backend == "sqlite"), log[-2000:]
    assert log.count("\"message\":\"Started server process") == 2  # one per worker
