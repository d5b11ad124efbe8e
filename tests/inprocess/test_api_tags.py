"""Every tag of the public API document has a description, in each part's document and in the gateway's merge."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.routes.openapi import merge

PARTS = ["gateway", "ideas", "voting", "followup"]


def _document(part: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    app = request.getfixturevalue(f"{part}_app").app
    return (app.app if part == "gateway" else app).openapi()


def _undescribed(document: dict[str, Any]) -> set[str]:
    used = {tag for item in document["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    described = {tag["name"] for tag in document.get("tags", []) if len(tag.get("description", "")) > 20}
    return used - described


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
