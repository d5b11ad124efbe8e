"""Versions as ETags and the If-Match check every update makes, with one behaviour everywhere.

A read answers `ETag: "<version>"`. An update sends `If-Match` with what it read: a list of ETags
or `*` (any version). Missing: 428 (when the route requires it). Not a list of ETags: 400, naming
the header. No tag matching the current version: 412. A weak tag (`W/"3"`) matches like a strong
one, as every part accepted before this module existed.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Response

from platform_core.problems import Problem

# RFC 9110 entity-tag: optional W/, then a quoted string of visible characters without `"`.
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
IF_MATCH_PATTERN = rf"^\s*(?:\*|{_ENTITY_TAG}(?:\s*,\s*{_ENTITY_TAG})*)\s*$"
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_TAG = re.compile(_ENTITY_TAG)
# What the OpenAPI document promises: a strict subset of the rule above (ASCII tags, spaces and tabs),
# so that every header a schema-driven client makes from it is one this module accepts.
_DOCUMENTED_TAG = r'(?:W/)?"[\x21\x23-\x7e]*"'
DOCUMENTED_IF_MATCH_PATTERN = rf"^[ \t]*(?:\*|{_DOCUMENTED_TAG}(?:[ \t]*,[ \t]*{_DOCUMENTED_TAG})*)[ \t]*$"

# Read as a plain optional header (never a 422): a missing one is the 428 the conventions ask for
# and a malformed one the 400 below, each with its own message.
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag you last read, e.g. "3", a list of them, or * (428 without it where an '
        "update needs it, 400 if it is not an ETag, 412 if the object changed since).",
        json_schema_extra={"pattern": DOCUMENTED_IF_MATCH_PATTERN},
    ),
]


def etag(version: int) -> str:
    """The ETag of a version: `"3"`."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    """Say which version this answer shows, so the next update can send it back in If-Match."""
    response.headers["ETag"] = etag(version)


def if_match_tags(header: str) -> list[str] | None:
    """The tags of an If-Match header without `W/` (`["*"]` for any), or None when it is malformed."""
    if not _IF_MATCH.match(header):
        return None
    if header.strip() == "*":
        return ["*"]
    return [tag.removeprefix("W/") for tag in _TAG.findall(header)]


def check_if_match(header: str | None, version: int, *, required: bool = True) -> None:
    """Refuse an update made without saying which version it edits (428), with a header that is not
    a list of ETags (400), or to a version that has changed since (412)."""
    if header is None or not header.strip():
        if not required:
            return
        raise Problem(
            428,
            "Send If-Match with the ETag you last read, so that nobody's changes are silently overwritten.",
            errors=[{"field": "If-Match", "message": "is required"}],
        )
    tags = if_match_tags(header)
    if tags is None:
        raise Problem(
            400,
            'If-Match must be * or a list of ETags as sent with the object, e.g. "3" or "3", "4".',
            errors=[{"field": "If-Match", "message": 'is not a list of ETags such as "3"'}],
        )
    if "*" in tags or etag(version) in tags:
        return
    raise Problem(
        412,
        f"Someone changed this since you read it (it is now version {version}); "
        "reload, check their changes, and try again.",
        errors=[{"field": "If-Match", "message": f"stale: the current version is {version}"}],
    )
