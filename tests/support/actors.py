"""People acting through the gateway, as a browser or a script would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx


@dataclass
class Council:
    id: str
    name: str
    slug: str


@dataclass
class Actor:
    """A signed-in person (or API key) talking to the gateway over HTTP."""

    client: httpx.Client
    token: str
    id: str
    email: str = ""
    name: str = ""
    council_id: str | None = None
    roles: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.request("DELETE", path, **kw)


def login(client: httpx.Client, email: str, password: str) -> Actor:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    person = body["person"]
    return Actor(
        client=client,
        token=body["access_token"],
        id=person["id"],
        email=person["email"],
        name=person["name"],
        council_id=person["council_id"],
        roles=person["roles"],
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def signed_in_with_password(
    admin: Actor, client: httpx.Client, council: Council, *roles: str, password: str = "a-long-enough-password"
) -> tuple[Actor, dict]:
    """A person registered with a password who signs in with it: the actor and the whole sign-in answer
    (which holds the refresh token)."""
    email = f"{unique('member')}@example.org"
    created = admin.post(
        "/api/people",
        json={"email": email, "name": "Member", "council_id": council.id, "roles": list(roles), "password": password},
    )
    assert created.status_code == 201, created.text
    answer = client.post("/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    person = body["person"]
    actor = Actor(
        client=client,
        token=body["access_token"],
        id=person["id"],
        email=email,
        name=person["name"],
        council_id=person["council_id"],
        roles=person["roles"],
    )
    return actor, body


def set_roles(admin: Actor, person_id: str, roles: list[str]) -> httpx.Response:
    """Change a person's roles as an admin does: read the person, then send back the ETag read."""
    read = admin.get(f"/api/people/{person_id}")
    assert read.status_code == 200, read.text
    return admin.put(
        f"/api/people/{person_id}/roles", json={"roles": roles}, headers={"If-Match": read.headers["ETag"]}
    )
