"""Every public request body in the API document has an example, and each example is valid by the body's schema.

The examples are what Swagger's "Try it out" starts from (platform_core.schemas.examples on the input
schema, or one per case on the route, as the ballot has one per voting method)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from platform_core.service_auth import is_internal_path

PARTS = ["gateway", "ideas", "voting", "followup"]


def _document(part: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    app = request.getfixturevalue(f"{part}_app").app
    return (app.app if part == "gateway" else app).openapi()


def _bodies(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], list[Any]]]:
    """(operation, schema, examples) of every public operation that reads a JSON body."""
    schemas = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        if is_internal_path(path):
            continue
        for method, operation in item.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            schema = media.get("schema", {})
            # A body that may be left out is documented as anyOf [the schema, null].
            refs = [s.get("$ref", "") for s in [schema, *schema.get("anyOf", [])]]
            named = next((schemas[r.rsplit("/", 1)[-1]] for r in refs if r), schema)
            given = [e["value"] for e in media.get("examples", {}).values()] or named.get("examples", [])
            found.append((f"{method.upper()} {path}", schema, given))
    return found


@pytest.mark.parametrize("part", PARTS)
def test_every_request_body_has_an_example_valid_by_its_schema(part, request):
    document = _document(part, request)
    bodies = _bodies(document)
    assert bodies, part
    missing = [operation for operation, _, given in bodies if not given]
    assert missing == [], f"request bodies without an example: {missing}"
    for operation, schema, given in bodies:
        root = {"components": document["components"], "allOf": [schema]}  # so that "#/components/..." resolves
        for example in given:
            errors = [e.message for e in jsonschema.Draft202012Validator(root).iter_errors(example)]
            assert errors == [], f"{operation}: example {example} is not valid: {errors}"


def test_the_check_can_fail(ideas_app):
    document = ideas_app.app.openapi()
    schema = {"$ref": "#/components/schemas/HackDayCreate"}
    root = {"components": document["components"], "allOf": [schema]}
    assert list(jsonschema.Draft202012Validator(root).iter_errors({"name": "Spring hack day"}))  # no date
    assert document["components"]["schemas"]["HackDayCreate"]["examples"]


SCHEMA_MODULES = [
    "ideas.schemas",
    "voting.schemas",
    "followup.schemas",
    "followup.routes.trials",
    "gateway.schemas",
    "gateway.routes.journeys",
]


@pytest.mark.parametrize("module", SCHEMA_MODULES)
def test_every_example_passes_the_rules_of_its_schema_too(module):
    """The JSON Schema misses some rules (an e-mail address, a period that ends before it starts)."""
    import importlib
    import inspect

    from pydantic import BaseModel

    checked = 0
    for cls in vars(importlib.import_module(module)).values():
        if inspect.isclass(cls) and issubclass(cls, BaseModel) and cls.__module__ == module:
            extra = cls.model_config.get("json_schema_extra")
            for example in extra.get("examples", []) if isinstance(extra, dict) else []:
                cls.model_validate(example)
                checked += 1
    assert checked, module
