"""Request bodies are JSON: a body sent as anything else is a 415 that says what to send, on every part.

FastAPI reads a body declared otherwise (a form, plain text, no Content-Type) as raw bytes and answers
"Input should be a valid dictionary", a 422 that does not say the body was fine but mislabelled. This
app-wide dependency (`create_service_app` and the gateway install it) runs before the body is
validated, only for routes that read a JSON body, and only when a body was sent.
"""

from __future__ import annotations

import email.message
import functools

from fastapi import Request, params
from fastapi.routing import APIRoute

from platform_core.problems import Problem

EXPECTED = "application/json"


@functools.lru_cache(maxsize=256)
def is_json(content_type: str) -> bool:
    """`application/json`, or any `application/...+json`, with or without parameters (charset).

    Remembered: parsing a header with `email` costs tens of µs, and clients send a handful of spellings."""
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def _reads_json_body(route: object) -> bool:
    if not isinstance(route, APIRoute) or route.body_field is None:
        return False
    return not isinstance(route.body_field.field_info, params.Form)


async def json_bodies_only(request: Request) -> None:
    """415 for a body that is not declared as JSON, on a route that reads a JSON body."""
    if request.method not in ("POST", "PUT", "PATCH") or not _reads_json_body(request.scope.get("route")):
        return
    if not await request.body():  # already read by FastAPI: no second read
        return
    sent = request.headers.get("content-type", "")
    if is_json(sent):
        return
    said = f"it said '{sent[:100]}'" if sent else "it had no Content-Type"
    raise Problem(
        415,
        f"The body must be JSON, declared with the header 'Content-Type: {EXPECTED}' ({said}).",
        errors=[{"field": "Content-Type", "message": f"must be {EXPECTED} ({said})"}],
    )
