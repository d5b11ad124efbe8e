"""Every tag and every public operation of the API document has a description, in each part's document and in
the gateway's merge (the one document GET /openapi.json answers)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.routes.openapi import merge
from platform_core.service_auth import is_internal_path

PARTS = ["gateway", "ideas", "voting", "followup"]
# A description says what the operation does for the caller, who may call it and what it refuses: more than
# a summary's few words.
SHORTEST_DESCRIPTION = 80


def _document(part: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    app = request.getfixturevalue(f"{part}_app").app
    return (app.app if part == "gateway" else app).openapi()


def _undescribed(document: dict[str, Any]) -> set[str]:
    used = {tag for item in document["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    described = {tag["name"] for tag in document.get("tags", []) if len(tag.get("description", "")) > 20}
    return used - described


def _operations_undescribed(document: dict[str, Any]) -> list[str]:
    """The operations other than internal ones (which the gateway refuses) without a description of their own."""
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if not is_internal_path(path)
        for method, operation in item.items()
        if len(operation.get("description", "").strip()) < SHORTEST_DESCRIPTION
    )


@pytest.mark.parametrize("part", PARTS)
def test_every_tag_a_part_uses_is_described(part, request):
    assert _undescribed(_document(part, request)) == set()


def test_the_merged_document_keeps_the_descriptions_of_the_tags_it_uses(request):
    documents = {part: _document(part, request) for part in PARTS}
    merged = merge(documents.pop("gateway"), documents)
    assert _undescribed(merged) == set()
    names = [tag["name"] for tag in merged["tags"]]
    assert len(names) == len(set(names)) and "internal" not in names  # the gateway refuses internal routes
    assert {"trials", "voting", "ideas", "sign-in"} <= set(names)


@pytest.mark.parametrize("part", PARTS)
def test_every_public_operation_of_a_part_is_described(part, request):
    document = _document(part, request)
    assert document["paths"]
    assert _operations_undescribed(document) == []


def test_every_operation_of_the_merged_document_is_described(request):
    documents = {part: _document(part, request) for part in PARTS}
    merged = merge(documents.pop("gateway"), documents)
    operations = [op for item in merged["paths"].values() for op in item.values()]
    assert len(operations) > 100  # every part's public operations are in it
    assert _operations_undescribed(merged) == []
    assert all(op.get("summary") for op in operations)  # the one-line summary stays beside the description
