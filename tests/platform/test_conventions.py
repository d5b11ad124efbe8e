"""platform_core's conventions, each written once: If-Match, pages, idempotent creates, the input
base, CSV and the common tables, exercised in-process through a small app over HTTP."""

from __future__ import annotations

import asyncio
import csv as stdlib_csv
import io
import uuid
from datetime import UTC, date, datetime
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Response
from pydantic import StringConstraints
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from platform_core import csv
from platform_core.auth import Principal, current_principal
from platform_core.db import COMMON_METADATA, async_url, attach, make_engine, make_sessionmaker, new_metadata
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep, IdempotentRequest
from platform_core.inbox import InboxEvent
from platform_core.outbox import OutboxEvent
from platform_core.pages import PAGE_MAX, Page, PageDep
from platform_core.problems import install_problem_handlers, responses
from platform_core.schemas import Input, Text
from platform_core.settings import PartSettings
from platform_core.state import PLATFORM, PlatformState

CALLER = Principal(person_id=uuid.uuid4(), council_id=uuid.uuid4(), roles=frozenset({"staff"}))


class ThingCreate(Input):
    title: Annotated[str, Text(200, at_least=3)]
    tags: list[str] = []
    password: Annotated[str, StringConstraints(strip_whitespace=False)] = ""


def _app(database_url: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.dependency_overrides[current_principal] = lambda: CALLER
    engine = make_engine(database_url)
    settings = PartSettings(database_url=database_url)
    # The token verifier is never asked: the caller is given (dependency override above).
    PLATFORM.put(app, PlatformState(settings, engine, make_sessionmaker(engine), token_verifier=None))  # type: ignore[arg-type]
    version = {"now": 3}

    @app.patch("/things/1", responses=responses(400, 412, 428))
    async def change(response: Response, if_match: IfMatch = None) -> dict[str, int]:
        check_if_match(if_match, version["now"])
        version["now"] += 1
        set_etag(response, version["now"])
        return version

    @app.get("/things", response_model=Page[int])
    async def things(page: PageDep) -> Page[int]:
        everything = list(range(7))
        return Page[int].of(everything[page.offset : page.offset + page.limit], len(everything), page)

    @app.post("/things", status_code=201, responses=responses(409, 422))
    async def create(body: ThingCreate, idem: IdempotentCreateDep) -> object:
        async def make() -> Created:
            return Created({"id": str(uuid.uuid4()), **body.model_dump()}, version=1, location="/things/1")

        return await idem.create(body, make)

    return app


@pytest.fixture
def call(tmp_path):
    url = f"sqlite:///{tmp_path / 'conventions.db'}"

    async def _tables() -> None:
        engine = create_async_engine(async_url(url))
        async with engine.begin() as conn:
            await conn.run_sync(COMMON_METADATA.create_all)
        await engine.dispose()

    asyncio.run(_tables())
    app = _app(url)

    def _call(method: str, path: str, **kw) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
                return await client.request(method, path, **kw)

        return asyncio.run(go())

    _call.app = app  # type: ignore[attr-defined]
    return _call


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ('"3"', 200),
        ('W/"3"', 200),
        ('"1", "3"', 200),
        ("*", 200),
        ('"2"', 412),
        ('"2", "4"', 412),
        ("3", 400),
        ('"3', 400),
        ('"3",', 400),
        ("**", 400),
    ],
)
def test_if_match_takes_a_list_of_tags_or_a_star_and_checks_the_format(call, header, status):
    answer = call("PATCH", "/things/1", headers={"If-Match": header})
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.headers["ETag"] == '"4"'
    else:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["field"] == "If-Match"


def test_if_match_missing_is_428():
    with pytest.raises(Exception) as refused:
        check_if_match(None, 1)
    assert refused.value.status == 428  # type: ignore[attr-defined]
    check_if_match(None, 1, required=False)


def test_one_page_envelope_with_one_maximum(call):
    page = call("GET", "/things", params={"limit": 3, "offset": 3}).json()
    assert page == {"items": [3, 4, 5], "total": 7, "limit": 3, "offset": 3, "next_offset": 6}
    last = call("GET", "/things", params={"limit": 3, "offset": 6}).json()
    assert last["next_offset"] is None and last["items"] == [6]
    assert call("GET", "/things").json()["limit"] == 50
    assert call("GET", "/things", params={"limit": PAGE_MAX}).status_code == 200
    too_many = call("GET", "/things", params={"limit": PAGE_MAX + 1})
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "limit"


def test_idempotent_create_replays_the_first_answer_and_is_declared(call):
    body = {"title": "Pothole map"}
    first = call("POST", "/things", json=body, headers={"Idempotency-Key": "k1"})
    again = call("POST", "/things", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["ETag"] == '"1"' and first.headers["Location"] == "/things/1"
    other = call("POST", "/things", json={"title": "Another"}, headers={"Idempotency-Key": "k1"})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert call("POST", "/things", json=body).json()["id"] != first.json()["id"]
    parameters = call.app.openapi()["paths"]["/things"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]


def test_input_refuses_unknown_fields_and_nul_naming_the_field(call):
    unknown = call("POST", "/things", json={"title": "Pothole map", "council_id": "x"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "council_id"
    for body, field in [
        ({"title": "Pot\x00hole"}, "title"),
        ({"title": "Pothole map", "tags": ["ok", "b\x00d"]}, "tags"),
    ]:
        answer = call("POST", "/things", json=body)
        assert answer.status_code == 422, answer.text
        assert {"field": field, "message": "must not contain NUL characters"} in answer.json()["errors"]
    blank = call("POST", "/things", json={"title": "  a  "})
    assert blank.status_code == 422 and "at least 3" in blank.json()["errors"][0]["message"]
    kept = call("POST", "/things", json={"title": "  Pothole map ", "password": " secret "}).json()
    assert kept["title"] == "Pothole map" and kept["password"] == " secret "


def test_csv_defuses_formulas_with_one_character_set_and_writes_values_one_way():
    when = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    body = csv.write(
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"],
        [
            [
                "=SUM(A1)",
                "+1",
                "-2",
                "@x",
                "\tx",
                "\rx",
                True,
                None,
                when,
                {"k": [1]},
                "\nx",
                "|x",
                "%x",
                "  =x",
                "a=b",
            ],
            [-3, 1.5, False, date(2027, 3, 1)],
        ],
    )
    assert body.endswith("\r\n")
    rows = list(stdlib_csv.reader(io.StringIO(body)))
    assert rows[1] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "'\rx",
        "true",
        "",
        "2027-03-01T09:30:00+00:00",
        '{"k": [1]}',
        "'\nx",
        "'|x",
        "'%x",
        "'  =x",
        "a=b",
    ]
    assert rows[2] == ["-3", "1.5", "false", "2027-03-01"]


def test_common_tables_attach_to_each_parts_own_metadata(tmp_path):
    first, second = new_metadata(), new_metadata()
    attach(first, IdempotentRequest, InboxEvent)
    attach(second, OutboxEvent, InboxEvent)
    assert set(first.tables) == {"idempotent_requests", "inbox_events"}
    assert set(second.tables) == {"outbox_events", "inbox_events"}
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    second.create_all(engine)
    assert inspect(engine).get_pk_constraint("inbox_events")["name"] == "pk_inbox_events"
    engine.dispose()


def test_the_gateway_has_the_parts_command_line_with_workers():
    part = "gateway"
    import subprocess
    import sys

    from tools.platform_runner import REPO

    done = subprocess.run(
        [sys.executable, "-m", part, "serve", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--workers" in done.stdout and "--no-migrate" in done.stdout
