"""What operators watch: metrics on their own address, the outbox's gauges, idempotency's window, log times."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from platform_core.db import make_engine, make_sessionmaker
from platform_core.housekeeping import DEAD_LETTER_ATTEMPTS
from platform_core.outbox import OutboxEvent
from tests.support.processes import another
from tools.platform_runner import PARTS, SERVICES, free_port


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _gauge(text: str, name: str, part: str) -> float | None:
    return _samples(text).get((name, (("part", part),)))


def test_metrics_are_served_on_their_own_address_and_not_on_the_public_ports(platform, anonymous):
    assert anonymous.get("/metrics").status_code == 404
    for part in PARTS:
        public = httpx.get(platform.url(part) + "/metrics")
        assert public.status_code == 404, part
        scraped = httpx.get(platform.runner.metrics_url(part))
        assert scraped.status_code == 200, part
        assert "http_requests_total" in scraped.text, part
    for part in ("voting", "followup"):  # the parts that publish events
        text = httpx.get(platform.runner.metrics_url(part)).text
        assert _gauge(text, "outbox_pending_events", part) is not None, part
        assert _gauge(text, "outbox_dead_letters", part) is not None, part


async def _add_outbox_row(database_url: str, *, age: timedelta, attempts: int) -> uuid.UUID:
    engine = make_engine(database_url)
    row = OutboxEvent(
        event_id=uuid.uuid4(),
        topic="operations.test",
        destination="nowhere",
        payload={},
        created_at=datetime.now(UTC) - age,
        # Never due: the relay leaves it alone, as it would a row whose destination keeps refusing it.
        next_attempt_at=datetime.now(UTC) + timedelta(days=3650),
        attempts=attempts,
    )
    async with make_sessionmaker(engine)() as session:
        session.add(row)
        await session.commit()
    await engine.dispose()
    return row.id


async def _remove_outbox_row(database_url: str, row_id: uuid.UUID) -> None:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        row = await session.get(OutboxEvent, row_id)
        if row is not None:
            await session.delete(row)
            await session.commit()
    await engine.dispose()


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_a_stuck_event_shows_in_the_outbox_gauges(platform):
    url = platform.database_url("followup")
    port = free_port()
    metrics = f"http://127.0.0.1:{port}/metrics"
    stuck = asyncio.run(_add_outbox_row(url, age=timedelta(hours=2), attempts=DEAD_LETTER_ATTEMPTS + 2))
    try:
        with another(
            platform.runner,
            "followup",
            ready="/readyz",
            FOLLOWUP_METRICS_ADDRESS=f"127.0.0.1:{port}",
            FOLLOWUP_HOUSEKEEPING_INTERVAL_SECONDS="0.3",
        ):

            def seen() -> str | None:
                text = httpx.get(metrics).text
                return text if (_gauge(text, "outbox_dead_letters", "followup") or 0) >= 1 else None

            text = _wait_for(seen)
            assert text, "the stuck event never showed as a dead letter"
            assert _gauge(text, "outbox_pending_events", "followup") >= 1
            assert _gauge(text, "outbox_oldest_pending_age_seconds", "followup") >= 2 * 3600 - 60
            assert _gauge(text, "housekeeping_last_success_timestamp_seconds", "followup") > time.time() - 60

            asyncio.run(_remove_outbox_row(url, stuck))

            def cleared() -> bool:
                text = httpx.get(metrics).text
                return _gauge(text, "outbox_dead_letters", "followup") == 0

            assert _wait_for(cleared), "the gauges did not follow the outbox once the event was gone"
    finally:
        asyncio.run(_remove_outbox_row(url, stuck))


def test_idempotency_records_expire_after_their_window(platform, new_council, new_person):
    organiser = new_person(new_council(), "organiser")
    port = free_port()
    with another(
        platform.runner,
        "ideas",
        ready="/readyz",
        IDEAS_METRICS_ADDRESS=f"127.0.0.1:{port}",
        IDEAS_HOUSEKEEPING_INTERVAL_SECONDS="0.3",
        IDEAS_IDEMPOTENCY_WINDOW_SECONDS="2",
    ) as ideas:
        headers = {"Authorization": f"Bearer {organiser.token}", "Idempotency-Key": f"spring-{uuid.uuid4()}"}
        body = {"name": "Spring hack day", "date": "2027-04-01"}
        first = ideas.post("/api/ideas/hack-days", json=body, headers=headers)
        assert first.status_code == 201, first.text
        retry = ideas.post("/api/ideas/hack-days", json=body, headers=headers)
        assert retry.json()["id"] == first.json()["id"] and retry.headers.get("idempotent-replayed") == "true"

        def swept() -> bool:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            return (_samples(text).get(("idempotency_records_swept_total", (("part", "ideas"),))) or 0) >= 1

        assert _wait_for(swept), "no idempotency record was swept after its window"

        # The shared database holds other tests' old records, so the first sweep may count those:
        # retry until this record's window has passed and a sweep has removed it (a replay until then).
        def answered_anew() -> bool:
            again = ideas.post("/api/ideas/hack-days", json=body, headers=headers)
            assert again.status_code == 201, again.text
            return bool(again.json()["id"] != first.json()["id"])

        assert _wait_for(answered_anew), "the retry was still replayed long after the record's window"


def test_a_part_with_two_workers_serves_the_metrics_of_both(platform):
    if platform.backend != "sqlite":
        pytest.skip("adding up workers' metrics does not depend on the database: run once, on SQLite")
    port = free_port()
    with another(
        platform.runner,
        "followup",
        start_within=90,
        FOLLOWUP_WORKERS="2",
        FOLLOWUP_METRICS_ADDRESS=f"127.0.0.1:{port}",
    ) as followup:
        for _ in range(20):
            with httpx.Client(base_url=str(followup.base_url)) as fresh:  # new connections reach both workers
                assert fresh.get("/healthz").status_code == 200
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        total = sum(
            value
            for (name, labels), value in _samples(text).items()
            if name == "http_requests_total" and ("route", "/healthz") in labels
        )
        assert total >= 20


ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_log_lines_carry_iso_8601_utc_times(platform, anonymous):
    anonymous.get("/api/auth/me")
    for part in ("gateway", *SERVICES):
        lines = [line for line in platform.log(part).splitlines() if line.startswith("{") and line.endswith("}")]
        stamp = json.loads(lines[-1])["time"]
        assert ISO_UTC.match(stamp), (part, stamp)
        written = datetime.fromisoformat(stamp)
        assert abs((datetime.now(UTC) - written).total_seconds()) < 3600, (part, stamp)
