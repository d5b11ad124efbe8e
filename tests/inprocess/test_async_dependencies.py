"""Every dependency of every route is an async function, in every part: FastAPI runs a plain `def`
dependency (or a class used as one) in a worker thread, and that hand-over on each request was about 7%
of the voting service's sampled time per ballot at 50 voters (benchmarks/README.md, "Ballots")."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

PARTS = ["gateway", "ideas", "voting", "followup"]


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if hasattr(route, "original_router"):  # a router included in the app (FastAPI keeps it whole)
            yield from _routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def _sync_functions(dependant: Dependant) -> Iterator[str]:
    for dep in dependant.dependencies:
        call = dep.call
        if inspect.isclass(call) or not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)):
            yield f"{getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', call)}"
        yield from _sync_functions(dep)


@pytest.mark.parametrize("part", PARTS)
def test_every_dependency_of_every_route_is_async(part, request):
    app = request.getfixturevalue(f"{part}_app").app
    app = app.app if part == "gateway" else app
    found = {
        f"{name} <- {sorted(route.methods)[0]} {route.path}"
        for route in _routes(app.routes)
        for name in _sync_functions(route.dependant)
    }
    assert found == set()
