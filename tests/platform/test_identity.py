"""Identity at the gateway: councils, people, bulk staff for a hack day, invitations, API keys, sign-in."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.actors import login, unique
from tests.support.http import problem


def test_admin_creates_councils_and_clashes_are_named(admin, anonymous):
    slug = unique("bristol")
    created = admin.post("/api/councils", json={"name": f"Bristol {slug}", "slug": slug})
    assert created.status_code == 201
    # Times are UTC with their offset, whatever the database (SQLite drops the zone when it stores).
    assert created.json()["created_at"].endswith(("Z", "+00:00"))
    again = admin.get(f"/api/councils/{created.json()['id']}").json()
    assert again["created_at"].endswith(("Z", "+00:00"))
    clash = admin.post("/api/councils", json={"name": "Another name", "slug": slug})
    assert clash.status_code == 409
    assert clash.json()["errors"] == [{"field": "slug", "message": "already taken"}]
    bad = admin.post("/api/councils", json={"name": "X Council", "slug": "Not A Slug!"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "slug"
    extra = admin.post("/api/councils", json={"name": "Y Council", "slug": unique("y"), "id": "mine"})
    assert extra.status_code == 422
    assert extra.json()["errors"] == [{"field": "id", "message": "is not a field that can be set here"}]
    listed = admin.get("/api/councils", params={"limit": 200})
    assert any(c["slug"] == slug for c in listed.json()["items"])
    assert admin.get("/api/councils", params={"limit": 201}).status_code == 422


def test_only_admins_create_councils_and_people(new_council, new_person):
    council = new_council()
    for role in ("staff", "organiser", "manager"):
        person = new_person(council, role)
        assert person.post("/api/councils", json={"name": unique("c"), "slug": unique("c")}).status_code == 403
        response = person.post(
            "/api/people", json={"email": f"{unique('p')}@example.org", "name": "P", "council_id": council.id}
        )
        assert response.status_code == 403


def test_a_person_who_is_not_an_admin_needs_a_council(admin):
    response = admin.post("/api/people", json={"email": f"{unique('p')}@example.org", "name": "No Council"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "council_id"


def test_an_organiser_registers_a_few_hundred_staff_at_once(new_council, new_person, anonymous):
    council = new_council()
    organiser = new_person(council, "organiser")
    people = [{"email": f"{unique('staff')}@example.org", "name": f"Staff Member {i}"} for i in range(300)]
    started = time.monotonic()
    response = organiser.post(f"/api/councils/{council.id}/staff", json={"people": people})
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["created"]) == 300 and body["already_registered"] == []
    assert all(p["roles"] == ["staff"] and p["council_id"] == council.id for p in body["created"])
    assert len({p["invitation_code"] for p in body["created"]}) == 300
    assert elapsed < 10, f"bulk registration took {elapsed:.1f} s"

    again = organiser.post(f"/api/councils/{council.id}/staff", json={"people": people[:2]})
    assert again.status_code == 201
    assert again.json()["created"] == []
    assert sorted(again.json()["already_registered"]) == sorted(p["email"] for p in people[:2])

    listed = organiser.get(f"/api/councils/{council.id}/people", params={"limit": 200})
    assert listed.json()["total"] == 301  # the staff and the organiser

    # A staff member chooses a password with their code and can then sign in.
    first = body["created"][0]
    accepted = anonymous.post(
        "/api/auth/invitations/accept", json={"code": first["invitation_code"], "password": "a-long-enough-password"}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["person"]["email"] == first["email"]
    reused = anonymous.post(
        "/api/auth/invitations/accept", json={"code": first["invitation_code"], "password": "another-long-password"}
    )
    assert reused.status_code == 400
    me = login(anonymous, first["email"], "a-long-enough-password")
    assert me.get("/api/auth/me").json()["council_id"] == council.id


def test_only_organisers_of_that_council_add_its_staff(new_council, new_person):
    council, other = new_council(), new_council()
    people = {"people": [{"email": f"{unique('s')}@example.org", "name": "S"}]}
    assert new_person(council, "staff").post(f"/api/councils/{council.id}/staff", json=people).status_code == 403
    assert new_person(council, "manager").post(f"/api/councils/{council.id}/staff", json=people).status_code == 403
    assert new_person(other, "organiser").post(f"/api/councils/{council.id}/staff", json=people).status_code == 403
    too_many = {"people": [{"email": f"s{i}@example.org", "name": "S"} for i in range(1001)]}
    response = new_person(council, "organiser").post(f"/api/councils/{council.id}/staff", json=too_many)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "people"


def test_people_of_another_council_are_not_visible(new_council, new_person):
    council, other = new_council(), new_council()
    stranger = new_person(other, "organiser")
    person = new_person(council, "staff")
    assert stranger.get(f"/api/people/{person.id}").status_code == 404
    assert stranger.get(f"/api/councils/{council.id}/people").status_code == 403
    assert new_person(council, "organiser").get(f"/api/people/{person.id}").status_code == 200
    assert person.get(f"/api/people/{person.id}").status_code == 200


def test_api_keys_act_for_their_council_with_at_most_their_creators_roles(new_council, new_person, anonymous):
    council = new_council()
    manager = new_person(council, "manager")
    assert manager.post("/api/api-keys", json={"name": "too much", "roles": ["admin"]}).status_code == 403
    created = manager.post("/api/api-keys", json={"name": "portfolio script", "roles": ["manager"]})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("hk_") and created.json()["council_id"] == council.id

    for part in ("ideas", "voting", "followup"):
        seen = anonymous.get(f"/api/{part}/whoami", headers={"X-API-Key": key})
        assert seen.status_code == 200, seen.text
        assert seen.json()["kind"] == "api_key" and seen.json()["council_id"] == council.id
        assert seen.json()["roles"] == ["manager"]
    exchanged = anonymous.post("/api/auth/token", headers={"X-API-Key": key})
    assert exchanged.status_code == 200

    elsewhere = new_person(new_council(), "manager").get("/api/api-keys").json()
    assert all(k["name"] != "portfolio script" for k in elsewhere)
    key_id = created.json()["id"]
    assert new_person(new_council(), "manager").delete(f"/api/api-keys/{key_id}").status_code == 404
    assert manager.delete(f"/api/api-keys/{key_id}").status_code == 204
    # Revocation is immediate where the key is checked against the database; the edge's short cache
    # (documented: at most 60 s) is covered by this exchange answering 401 at once.
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": key}).status_code == 401
    assert anonymous.get("/api/ideas/whoami", headers={"X-API-Key": "hk_not-a-real-key"}).status_code == 401


def test_staff_cannot_hold_api_keys(new_council, new_person):
    staff = new_person(new_council(), "staff")
    assert staff.post("/api/api-keys", json={"name": "x", "roles": ["staff"]}).status_code == 403


def test_sign_in_and_writes_are_rate_limited_with_retry_after(extra_gateway, platform, admin):
    with extra_gateway(GATEWAY_LOGIN_RATE_LIMIT="3/minute", GATEWAY_WRITE_RATE_LIMIT="4/minute") as gateway:
        codes = [
            gateway.post("/api/auth/login", json={"email": "nobody@example.org", "password": "x"}).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        limited = gateway.post(
            "/api/auth/login", json={"email": platform.admin_email, "password": platform.admin_password}
        )
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1

        headers = admin.headers
        writes = [gateway.post("/api/ideas/whoami", headers=headers).status_code for _ in range(5)]
        assert writes[:4] == [405, 405, 405, 405] and writes[4] == 429
        assert gateway.get("/api/ideas/whoami", headers=headers).status_code == 200  # reads are not limited


def test_bodies_over_the_limit_are_refused(admin):
    big = "x" * (1_048_576 + 10)
    response = admin.post("/api/ideas/whoami", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    response = admin.post("/api/councils", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/councils", "/api/api-keys"])
def test_gateway_routes_need_a_token(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_each_service_has_its_own_credential_for_background_work(platform, anonymous):
    keys = platform.runner.service_keys
    assert set(keys) == {"ideas", "voting", "followup"} and len(set(keys.values())) == 3
    exchanged = anonymous.post("/api/auth/token", headers={"X-API-Key": keys["voting"]})
    assert exchanged.status_code == 200
    token = exchanged.json()["access_token"]
    with httpx.Client(base_url=platform.url("followup"), timeout=30) as direct:
        seen = direct.get("/api/followup/whoami", headers={"Authorization": f"Bearer {token}"})
    assert seen.json()["roles"] == ["service"] and seen.json()["council_id"] is None
    # Between services only: the public gateway refuses a service's credential on every service route.
    problem(anonymous.get("/api/followup/whoami", headers={"Authorization": f"Bearer {token}"}), 403)


def test_a_retried_council_person_or_staff_list_is_created_once(admin, new_council, new_person):
    """A retry with the same Idempotency-Key (the answer was lost on the way) gets the first answer,
    never a second object; the same key with another body is refused, naming the header."""
    slug = unique("retry")
    council_body = {"name": f"Retry {slug}", "slug": slug}
    key = {"Idempotency-Key": unique("council")}
    first = admin.post("/api/councils", json=council_body, headers=key)
    again = admin.post("/api/councils", json=council_body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    problem(admin.post("/api/councils", json={**council_body, "name": "Another"}, headers=key), 422, "Idempotency-Key")
    listed = admin.get("/api/councils", params={"limit": 200}).json()["items"]
    assert [c["id"] for c in listed if c["slug"] == slug] == [first.json()["id"]]

    council = new_council()
    person_body = {"email": f"{unique('p')}@example.org", "name": "Pat Retry", "council_id": council.id}
    key = {"Idempotency-Key": unique("person")}
    first = admin.post("/api/people", json=person_body, headers=key)
    again = admin.post("/api/people", json=person_body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    # An invitation code is a password in all but name: never kept in clear, so never replayed.
    assert again.json()["invitation_code"] is None

    organiser = new_person(council, "organiser")
    staff_body = {"people": [{"email": f"{unique('s')}@example.org", "name": f"Staff {i}"} for i in range(3)]}
    key = {"Idempotency-Key": unique("staff")}
    first = organiser.post(f"/api/councils/{council.id}/staff", json=staff_body, headers=key)
    again = organiser.post(f"/api/councils/{council.id}/staff", json=staff_body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert [p["id"] for p in again.json()["created"]] == [p["id"] for p in first.json()["created"]]
    assert len(again.json()["created"]) == 3 and again.json()["already_registered"] == []
    assert all(p["invitation_code"] is None for p in again.json()["created"])
    # The organiser, Pat and the three staff: nobody twice.
    assert organiser.get(f"/api/councils/{council.id}/people").json()["total"] == 5


def test_an_admin_gives_a_council_a_contact_address_that_anyone_reads_beside_its_trials(
    admin, new_council, new_person, anonymous
):
    council = new_council()
    path = f"/api/councils/{council.id}"
    read = admin.get(path)
    assert read.json()["contact_email"] is None
    etag = read.headers["ETag"]
    assert etag == f'"{read.json()["version"]}"'
    problem(admin.patch(path, json={"contact_email": "hackday@example.org"}), 428, "If-Match")
    problem(
        admin.patch(path, json={"contact_email": "not an address"}, headers={"If-Match": etag}), 422, "contact_email"
    )
    changed = admin.patch(path, json={"contact_email": "hackday@example.org"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["contact_email"] == "hackday@example.org"
    assert changed.headers["ETag"] != etag
    # A second admin still holding the first version is told, not silently obeyed.
    problem(admin.patch(path, json={"contact_email": "someone@example.org"}, headers={"If-Match": etag}), 412)
    manager = new_person(council, "manager")
    assert manager.patch(path, json={"contact_email": "x@example.org"}, headers={"If-Match": "*"}).status_code == 403
    # Read without signing in, as the open library's reader does.
    contact = anonymous.get(f"{path}/contact")
    assert contact.status_code == 200, contact.text
    assert contact.json() == {"id": council.id, "name": council.name, "contact_email": "hackday@example.org"}
    removed = admin.patch(path, json={"contact_email": None}, headers={"If-Match": changed.headers["ETag"]})
    assert removed.json()["contact_email"] is None
    assert anonymous.get(f"{path}/contact").json()["contact_email"] is None
    assert anonymous.get("/api/councils/00000000-0000-0000-0000-000000000000/contact").status_code == 404


def test_a_councils_contact_read_without_sign_in_counts_in_the_anonymous_budget(platform, new_council, admin):
    from tests.support.processes import another

    contact = f"/api/councils/{new_council().id}/contact"
    # A gateway of its own may take more than 30 s to start on a loaded machine (load 21 here once).
    limited = {"GATEWAY_ANONYMOUS_READ_RATE_LIMIT": "3/minute"}
    with another(platform.runner, "gateway", ready="/readyz", start_within=90, **limited) as gw:
        assert [gw.get(contact).status_code for _ in range(3)] == [200, 200, 200]
        refused = problem(gw.get(contact), 429)
        assert "sign in" in refused["detail"]
        # A signed-in reader is not counted against the anonymous limit.
        assert gw.get(contact, headers=dict(admin.headers)).status_code == 200
