"""API keys follow their creator: never more than the creator's current roles, always revocable by
them, and a revoked key (with every token exchanged for it) refused on the next request."""

from __future__ import annotations

import time

from tests.support.actors import Actor, login, set_roles, signed_in_with_password, unique

PASSWORD = "a-long-enough-password"


def _person_with_password(admin: Actor, anonymous, council, *roles: str) -> Actor:
    return signed_in_with_password(admin, anonymous, council, *roles, password=PASSWORD)[0]


def _staff_list() -> dict:
    return {"people": [{"email": f"{unique('s')}@example.org", "name": "New Staff"}]}


def test_a_demoted_organisers_key_loses_organiser_powers_at_once(admin, new_council, anonymous):
    council = new_council()
    organiser = _person_with_password(admin, anonymous, council, "organiser", "manager")
    created = organiser.post("/api/api-keys", json={"name": "hack day script", "roles": ["organiser", "manager"]})
    assert created.status_code == 201, created.text
    key = {"X-API-Key": created.json()["key"]}
    # Before: the key registers staff, and its tokens (at the edge and exchanged) say organiser.
    assert anonymous.post(f"/api/councils/{council.id}/staff", json=_staff_list(), headers=key).status_code == 201
    assert anonymous.get("/api/ideas/whoami", headers=key).json()["roles"] == ["manager", "organiser"]
    exchanged = anonymous.post("/api/auth/token", headers=key).json()["access_token"]
    bearer = {"Authorization": f"Bearer {exchanged}"}
    assert anonymous.get("/api/ideas/whoami", headers=bearer).status_code == 200

    assert set_roles(admin, organiser.id, ["manager"]).status_code == 200

    # At once: the key holds only what its creator still holds, wherever it is used.
    refused = anonymous.post(f"/api/councils/{council.id}/staff", json=_staff_list(), headers=key)
    assert refused.status_code == 403, refused.text
    assert anonymous.get("/api/ideas/whoami", headers=key).json()["roles"] == ["manager"]
    again = anonymous.post("/api/auth/token", headers=key)
    assert again.status_code == 200 and again.json()["person"]["roles"] == ["manager"]
    # A token exchanged before the change is refused: it claims roles the creator no longer has.
    stale = anonymous.get("/api/ideas/whoami", headers=bearer)
    assert stale.status_code == 401 and stale.headers["content-type"] == "application/problem+json"
    # So is the person's own token from before the change; signing in again gives the new roles.
    assert organiser.get("/api/auth/me").status_code == 401
    assert login(anonymous, organiser.email, PASSWORD).roles == ["manager"]

    # Down to staff: nothing of the key's roles is left, so the key no longer works at all.
    assert set_roles(admin, organiser.id, ["staff"]).status_code == 200
    assert anonymous.get("/api/ideas/whoami", headers=key).status_code == 401
    assert anonymous.post("/api/auth/token", headers=key).status_code == 401


def test_a_person_can_always_revoke_their_own_keys(admin, new_council, anonymous):
    council = new_council()
    organiser = _person_with_password(admin, anonymous, council, "organiser")
    created = organiser.post("/api/api-keys", json={"name": "old script", "roles": ["organiser"]}).json()
    assert set_roles(admin, organiser.id, ["staff"]).status_code == 200
    demoted = login(anonymous, organiser.email, PASSWORD)
    mine = demoted.get("/api/api-keys")
    assert mine.status_code == 200, mine.text
    assert [k["id"] for k in mine.json()] == [created["id"]]
    assert demoted.delete(f"/api/api-keys/{created['id']}").status_code == 204
    assert demoted.get("/api/api-keys").json()[0]["revoked_at"] is not None
    # Staff still cannot make keys, nor see or revoke other people's.
    assert demoted.post("/api/api-keys", json={"name": "x", "roles": ["staff"]}).status_code == 403
    other = new_council()
    stranger_key = _person_with_password(admin, anonymous, other, "manager").post(
        "/api/api-keys", json={"name": "theirs", "roles": ["manager"]}
    )
    assert demoted.delete(f"/api/api-keys/{stranger_key.json()['id']}").status_code == 404


def test_a_revoked_key_and_its_tokens_stop_at_once(admin, new_council, anonymous):
    council = new_council()
    manager = _person_with_password(admin, anonymous, council, "manager")
    created = manager.post("/api/api-keys", json={"name": "reporting", "roles": ["manager"]}).json()
    key = {"X-API-Key": created["key"]}
    token = anonymous.post("/api/auth/token", headers=key).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    # Used once each, so the edge has the key's exchange cached and the token verified.
    assert anonymous.get("/api/followup/whoami", headers=key).status_code == 200
    assert anonymous.get("/api/followup/whoami", headers=bearer).status_code == 200
    assert anonymous.get("/api/councils", headers=bearer).status_code == 200

    assert manager.delete(f"/api/api-keys/{created['id']}").status_code == 204

    assert anonymous.get("/api/followup/whoami", headers=key).status_code == 401
    assert anonymous.get("/api/followup/whoami", headers=bearer).status_code == 401
    assert anonymous.get("/api/councils", headers=bearer).status_code == 401
    assert anonymous.post("/api/auth/token", headers=key).status_code == 401


def test_another_gateway_replica_refuses_a_revoked_key_within_seconds(admin, new_council, anonymous, extra_gateway):
    council = new_council()
    manager = _person_with_password(admin, anonymous, council, "manager")
    created = manager.post("/api/api-keys", json={"name": "replicated", "roles": ["manager"]}).json()
    key = {"X-API-Key": created["key"]}
    token = anonymous.post("/api/auth/token", headers=key).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    with extra_gateway() as replica:
        assert replica.get("/api/ideas/whoami", headers=key).status_code == 200
        assert replica.get("/api/ideas/whoami", headers=bearer).status_code == 200
        assert manager.delete(f"/api/api-keys/{created['id']}").status_code == 204  # through the first gateway
        deadline = time.monotonic() + 10
        codes: tuple[int, int] = (200, 200)
        while time.monotonic() < deadline:
            codes = (
                replica.get("/api/ideas/whoami", headers=key).status_code,
                replica.get("/api/ideas/whoami", headers=bearer).status_code,
            )
            if codes == (401, 401):
                break
            time.sleep(0.1)
        assert codes == (401, 401)


def test_a_retried_key_creation_makes_no_second_key_and_never_replays_the_secret(admin, new_council, anonymous):
    council = new_council()
    organiser = _person_with_password(admin, anonymous, council, "organiser")
    body = {"name": "nightly export", "roles": ["organiser"]}
    key = {"Idempotency-Key": "create-nightly-export"}
    first = organiser.post("/api/api-keys", json=body, headers=key)
    again = organiser.post("/api/api-keys", json=body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same key's record, without its secret: the secret is stored only as a hash, even for a retry.
    assert again.json() == {**first.json(), "key": None}
    assert first.json()["key"] not in again.text
    mine = organiser.get("/api/api-keys").json()
    assert [k["id"] for k in mine if k["name"] == "nightly export"] == [first.json()["id"]]
    assert anonymous.get("/api/ideas/whoami", headers={"X-API-Key": first.json()["key"]}).status_code == 200
    # The same Idempotency-Key for another key is a mistake, named; another person's key is their own.
    reused = organiser.post("/api/api-keys", json={**body, "name": "another"}, headers=key)
    assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "Idempotency-Key"
    colleague = _person_with_password(admin, anonymous, council, "organiser")
    theirs = colleague.post("/api/api-keys", json=body, headers=key)
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"] and theirs.json()["key"]
