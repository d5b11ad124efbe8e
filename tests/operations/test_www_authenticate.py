"""Every 401, wherever it is answered, says how to authenticate (WWW-Authenticate, RFC 9110 11.6.1)."""

from __future__ import annotations

import httpx
import pytest

from platform_core.problems import WWW_AUTHENTICATE

THROUGH_THE_GATEWAY = [
    ("GET", "/api/ideas/whoami", {}),  # the edge: no credential for a service's path
    ("GET", "/api/voting/rounds", {"Authorization": "Bearer not-a-token"}),  # the edge: a bad token
    ("GET", "/api/followup/trials", {"X-API-Key": "not-a-key"}),  # the edge: a bad API key
    ("GET", "/api/auth/me", {}),  # the gateway's own routes
    ("GET", "/api/councils", {"Authorization": "Bearer not-a-token"}),
]


@pytest.mark.parametrize(("method", "path", "headers"), THROUGH_THE_GATEWAY)
def test_401_through_the_gateway_carries_a_bearer_challenge(anonymous, method, path, headers):
    response = anonymous.request(method, path, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("part", ["ideas", "voting", "followup"])
def test_401_from_a_service_called_directly_carries_it_too(platform, part):
    response = httpx.get(f"{platform.url(part)}/api/{part}/whoami")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


def test_a_wrong_password_is_a_401_with_the_challenge(anonymous):
    response = anonymous.post("/api/auth/login", json={"email": "nobody@example.org", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE
