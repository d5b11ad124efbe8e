"""The authorisation matrix, run against the real gateway: every public route x every role x
own / council / other, each cell the status a person must get (table in tests/authz/matrix.py).

Adding a route without adding it to the matrix fails `test_every_public_route_is_in_the_matrix`.
`AUTHZ_PRINT=1` prints the answers actually given, in the matrix's own layout, to review a new route.
"""

from __future__ import annotations

import os

import pytest

from tests.authz.matrix import ROLES, ROWS, Cell, Row
from tests.authz.recipes import RECIPES
from tests.authz.world import World

# The gateway's own machinery, documented for people but not an API a role can act on.
NOT_ROUTES = {("GET", "/openapi.json"), ("GET", "/docs")}


@pytest.fixture(scope="module")
def world(platform, admin, anonymous, new_council, new_person) -> World:
    return World(platform, admin, anonymous, new_council, new_person)


def test_every_public_route_is_in_the_matrix(anonymous):
    doc = anonymous.get("/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    } - NOT_ROUTES
    in_matrix = {(row.method, row.path) for row in ROWS}
    assert sorted(documented - in_matrix) == [], "routes with no row in tests/authz/matrix.py"
    assert sorted(documented - set(RECIPES)) == [], "routes with no recipe in tests/authz/recipes.py"
    assert sorted(in_matrix - documented) == [], "rows for routes the API no longer has"


def _cells() -> list[tuple[Row, str, Cell]]:
    return [
        (row, role, cell)
        for row in ROWS
        for role, cell in zip(ROLES, row.cells, strict=True)
        if cell.status is not None
    ]


def _id(value) -> str:
    if isinstance(value, Row):
        return f"{value.method} {value.path} [{value.scope}]"
    if isinstance(value, Cell):
        return f"{value.status}{'s' if value.view else ''}{f'!{value.finding}' if value.finding else ''}"
    return str(value)


@pytest.mark.parametrize(("row", "role", "cell"), _cells(), ids=_id)
def test_the_matrix(world, row: Row, role: str, cell: Cell, request):
    if cell.finding is not None:
        reason = f"finding {cell.finding} in docs/requests/findings.md"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    call = RECIPES[(row.method, row.path)](world, role, row.scope, 200 <= cell.status < 300)
    response = world.call(role, call.method, call.path, json=call.json, headers=call.headers, params=call.params)
    seen = response.status_code
    if os.environ.get("AUTHZ_PRINT"):
        print(f"\nAUTHZ {row.method} {row.path} {row.scope} {role} {seen}")
    assert seen == cell.status, f"{role} {row.scope}: {call.method} {call.path} -> {seen} {response.text[:300]}"
    if cell.view is not None:  # per property: an outsider gets the summary, not the whole idea
        body = response.json()
        idea = body.get("idea", body)
        assert idea.get("view") == cell.view and "problem" not in idea, response.text[:500]
    if seen >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers
