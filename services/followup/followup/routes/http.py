"""Answers the route modules shape the same way: a body with its ETag and Location, a conditional read."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def answer(body: BaseModel, status: int, version: int | None = None, location: str | None = None) -> JSONResponse:
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    return JSONResponse(dump(body), status_code=status, headers=headers)


def _matches(if_none_match: str, tag: str) -> bool:
    wanted = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in wanted or tag in wanted


def conditional(
    request: Request,
    content: bytes,
    media_type: str,
    *,
    tag_of: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A read answered with a strong ETag (a hash of what it says), or 304 Not Modified with no body
    when `If-None-Match` names that tag (RFC 9110 13.1.2); `tag_of` is hashed instead of `content`
    when the answer carries something that changes on every call (the time it was generated)."""
    tag = '"' + hashlib.sha256(tag_of if tag_of is not None else content).hexdigest()[:32] + '"'
    cache = {"ETag": tag, "Cache-Control": "public, max-age=60"}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and _matches(if_none_match, tag):
        return Response(status_code=304, headers=cache)
    return Response(content, media_type=media_type, headers={**cache, **(headers or {})})
