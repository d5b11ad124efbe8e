"""The gateway's admin API (councils, people, roles, standing, invitations, API keys), called with the
signed-in admin's own token: the gateway decides every call, the pages only ask."""

from __future__ import annotations

import uuid
from typing import Any

from web.clients.gateway import PersonApi


class AdminApi(PersonApi):
    # ---- councils -----------------------------------------------------------------------------------
    async def councils(self) -> dict[str, Any]:
        return await self._call("GET", "/api/councils", params={"limit": 200})

    async def council(self, council_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/councils/{council_id}")

    async def create_council(self, name: str, slug: str) -> dict[str, Any]:
        return await self._call("POST", "/api/councils", json={"name": name, "slug": slug})

    async def set_council_contact(self, council_id: uuid.UUID, email: str | None, version: str) -> dict[str, Any]:
        """`version`: the council's version the admin saw, so that a change made since is a 412, not lost."""
        headers = {"If-Match": f'"{version}"'} if version.isdigit() else {}
        return await self._call("PATCH", f"/api/councils/{council_id}", json={"contact_email": email}, headers=headers)

    # ---- people -------------------------------------------------------------------------------------
    async def people(self, council_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/councils/{council_id}/people", params={"limit": 200})

    async def add_person(
        self, council_id: uuid.UUID, name: str, email: str, roles: list[str], key: str | None
    ) -> dict[str, Any]:
        """The API's `POST /api/people`: without a password, they get an invitation (emailed, or its code
        answered here once). `key` is the form's, as Idempotency-Key: a form sent twice adds one person."""
        body = {"name": name, "email": email, "council_id": str(council_id), "roles": roles}
        return await self._call("POST", "/api/people", json=body, headers=self._key(key))

    async def person(self, person_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/people/{person_id}")

    async def history(self, person_id: uuid.UUID) -> list[dict[str, Any]]:
        return (await self._call("GET", f"/api/people/{person_id}/history", params={"limit": 20}))["items"]

    async def set_roles(self, person_id: uuid.UUID, roles: list[str], version: str) -> dict[str, Any]:
        """`version`: the person's version the admin saw (their ETag), so that two admins changing the
        same person's roles never silently overwrite each other (412 for the second)."""
        headers = {"If-Match": f'"{version}"'} if version.isdigit() else {}
        return await self._call("PUT", f"/api/people/{person_id}/roles", json={"roles": roles}, headers=headers)

    async def deactivate(self, person_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/people/{person_id}/deactivate", json={})

    async def reactivate(self, person_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/people/{person_id}/reactivate", json={})

    async def reissue_invitation(self, person_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/people/{person_id}/invitation", json={})

    # ---- API keys -----------------------------------------------------------------------------------
    async def api_keys(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/api/api-keys")

    async def create_api_key(self, name: str, roles: list[str]) -> dict[str, Any]:
        return await self._call("POST", "/api/api-keys", json={"name": name, "roles": roles})

    async def revoke_api_key(self, key_id: uuid.UUID) -> None:
        await self._call("DELETE", f"/api/api-keys/{key_id}")
