"""Each part in this process, once per test session (tests/support/inprocess.py): about a second a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.inprocess import InProcessPart


def _part(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    part = InProcessPart.start(name, tmp_path_factory.mktemp(f"inprocess-{name}"))
    try:
        yield part
    finally:
        part.stop()


@pytest.fixture(scope="session")
def gateway_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    yield from _part("gateway", tmp_path_factory)


@pytest.fixture(scope="session")
def ideas_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    yield from _part("ideas", tmp_path_factory)


@pytest.fixture(scope="session")
def voting_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    yield from _part("voting", tmp_path_factory)


@pytest.fixture(scope="session")
def followup_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessPart]:
    yield from _part("followup", tmp_path_factory)
