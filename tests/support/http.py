"""Assertions on the gateway's answers, shared by every part's tests."""

from __future__ import annotations

from typing import Any

import httpx

from platform_core.problem_types import type_uri


def ok(response: httpx.Response, status: int = 200) -> Any:
    """Assert the status; return the JSON body (None for an empty one)."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def problem(response: httpx.Response, status: int, field: str | None = None) -> dict:
    """Assert an RFC 9457 problem with `status`, naming `field` if given; return its body."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status and body["detail"], body
    assert body["type"] == type_uri(status), body  # the page of its kind (platform_core/problem_types.py)
    if field is not None:
        fields = [e["field"] for e in body.get("errors") or []]
        assert field in fields, f"{field!r} not named in {fields}: {body}"
    return body


def service_headers(platform, service: str = "voting") -> dict[str, str]:
    """A service's own background credential (role "service", no council), naming the service."""
    import uuid

    token = platform.issuer.issue(
        subject=uuid.uuid4(), council_id=None, council_name="", roles=["service"], name=service, service=service
    )
    return {"Authorization": f"Bearer {token}"}
