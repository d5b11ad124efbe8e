"""Sessions and account life: refresh tokens that rotate and detect reuse, signing out (everywhere),
a leaver switched off at once, a new password, and who changed whose roles."""

from __future__ import annotations

from tests.support.actors import Actor, login, set_roles, signed_in_with_password
from tests.support.http import problem

PASSWORD = "a-long-enough-password"


def _refresh(client, token: str):
    return client.post("/api/auth/refresh", json={"refresh_token": token})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_refresh_tokens_rotate_and_a_reused_one_ends_the_session(admin, new_council, anonymous):
    _, answer = signed_in_with_password(admin, anonymous, new_council(), "staff")
    first = answer["refresh_token"]
    assert first and answer["refresh_expires_in"] > 3600
    rotated = _refresh(anonymous, first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    assert anonymous.get("/api/auth/me", headers=_bearer(rotated.json()["access_token"])).status_code == 200
    # The first token again: someone holds a copy, so the whole session ends, the newest token too.
    reused = _refresh(anonymous, first)
    assert reused.status_code == 401 and reused.headers["content-type"] == "application/problem+json"
    assert _refresh(anonymous, second).status_code == 401
    assert _refresh(anonymous, "hr_not-a-real-refresh-token").status_code == 401


def test_signing_out_ends_that_session_only(admin, new_council, anonymous):
    person, here = signed_in_with_password(admin, anonymous, new_council(), "staff")
    there = anonymous.post("/api/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    assert anonymous.post("/api/auth/logout", json={"refresh_token": here["refresh_token"]}).status_code == 204
    assert _refresh(anonymous, here["refresh_token"]).status_code == 401
    assert _refresh(anonymous, there["refresh_token"]).status_code == 200


def test_sign_out_everywhere_stops_every_token_on_the_next_request(admin, new_council, anonymous):
    person, laptop = signed_in_with_password(admin, anonymous, new_council(), "staff")
    phone = anonymous.post("/api/auth/login", json={"email": person.email, "password": PASSWORD}).json()
    for answer in (laptop, phone):
        assert anonymous.get("/api/ideas/whoami", headers=_bearer(answer["access_token"])).status_code == 200
    assert anonymous.post("/api/auth/sign-out-everywhere", headers=_bearer(phone["access_token"])).status_code == 204
    for answer in (laptop, phone):
        assert anonymous.get("/api/ideas/whoami", headers=_bearer(answer["access_token"])).status_code == 401
        assert anonymous.get("/api/auth/me", headers=_bearer(answer["access_token"])).status_code == 401
        assert _refresh(anonymous, answer["refresh_token"]).status_code == 401
    assert login(anonymous, person.email, PASSWORD).id == person.id


def test_a_change_of_roles_takes_effect_on_the_next_request_and_refresh_carries_it(admin, new_council, anonymous):
    council = new_council()
    organiser, answer = signed_in_with_password(admin, anonymous, council, "organiser")
    staff = {"people": [{"email": f"new-{organiser.id[:8]}@example.org", "name": "New Staff"}]}
    assert set_roles(admin, organiser.id, ["staff"]).status_code == 200
    refused = anonymous.post(f"/api/councils/{council.id}/staff", json=staff, headers=_bearer(answer["access_token"]))
    assert refused.status_code == 401
    refreshed = _refresh(anonymous, answer["refresh_token"])
    assert refreshed.status_code == 200 and refreshed.json()["person"]["roles"] == ["staff"]
    now = anonymous.post(
        f"/api/councils/{council.id}/staff", json=staff, headers=_bearer(refreshed.json()["access_token"])
    )
    assert now.status_code == 403


def test_a_leaver_is_switched_off_at_once_and_can_come_back(admin, new_council, anonymous):
    council = new_council()
    organiser = signed_in_with_password(admin, anonymous, council, "organiser")[0]
    leaver, answer = signed_in_with_password(admin, anonymous, council, "manager")
    key = leaver.post("/api/api-keys", json={"name": "reports", "roles": ["manager"]}).json()["key"]
    access, refresh = _bearer(answer["access_token"]), answer["refresh_token"]
    assert anonymous.get("/api/followup/whoami", headers={"X-API-Key": key}).status_code == 200
    assert anonymous.get("/api/followup/whoami", headers=access).status_code == 200

    assert new_council_organiser_cannot(admin, new_council, anonymous, leaver)
    off = organiser.post(f"/api/people/{leaver.id}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False

    assert anonymous.get("/api/followup/whoami", headers=access).status_code == 401
    assert anonymous.get("/api/auth/me", headers=access).status_code == 401
    assert _refresh(anonymous, refresh).status_code == 401
    assert anonymous.get("/api/followup/whoami", headers={"X-API-Key": key}).status_code == 401
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": key}).status_code == 401
    signing_in = anonymous.post("/api/auth/login", json={"email": leaver.email, "password": PASSWORD})
    assert signing_in.status_code == 401

    back = organiser.post(f"/api/people/{leaver.id}/reactivate")
    assert back.status_code == 200 and back.json()["active"] is True
    assert login(anonymous, leaver.email, PASSWORD).id == leaver.id
    # Their old key stays revoked: a returner makes a new one if they need it.
    assert anonymous.get("/api/followup/whoami", headers={"X-API-Key": key}).status_code == 401


def new_council_organiser_cannot(admin, new_council, anonymous, person: Actor) -> bool:
    """Neither an organiser of another council nor a staff member may switch a person off."""
    stranger = signed_in_with_password(admin, anonymous, new_council(), "organiser")[0]
    colleague = signed_in_with_password(admin, anonymous, new_council(), "staff")[0]
    return (
        stranger.post(f"/api/people/{person.id}/deactivate").status_code == 404
        and colleague.post(f"/api/people/{person.id}/deactivate").status_code == 404
    )


def test_changing_ones_own_password_ends_other_sessions(admin, new_council, anonymous):
    person, elsewhere = signed_in_with_password(admin, anonymous, new_council(), "staff")
    wrong = person.put("/api/auth/password", json={"current_password": "not-my-password", "new_password": "x" * 14})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "current_password"
    short = person.put("/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    changed = person.put(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a-brand-new-passphrase"}
    )
    assert changed.status_code == 200, changed.text
    assert anonymous.get("/api/auth/me", headers=_bearer(changed.json()["access_token"])).status_code == 200
    assert _refresh(anonymous, elsewhere["refresh_token"]).status_code == 401
    assert anonymous.get("/api/auth/me", headers=_bearer(elsewhere["access_token"])).status_code == 401
    assert anonymous.post("/api/auth/login", json={"email": person.email, "password": PASSWORD}).status_code == 401
    assert login(anonymous, person.email, "a-brand-new-passphrase").id == person.id


def test_the_history_says_who_changed_whose_roles_and_standing(admin, new_council, anonymous):
    council = new_council()
    organiser = signed_in_with_password(admin, anonymous, council, "organiser")[0]
    person = signed_in_with_password(admin, anonymous, council, "staff")[0]
    assert set_roles(admin, person.id, ["manager", "staff"]).status_code == 200
    assert organiser.post(f"/api/people/{person.id}/deactivate").status_code == 200
    assert organiser.post(f"/api/people/{person.id}/reactivate").status_code == 200
    history = organiser.get(f"/api/people/{person.id}/history")
    assert history.status_code == 200, history.text
    events = [(e["kind"], e["by"], e["detail"]) for e in reversed(history.json()["items"])]
    assert events == [
        ("roles_changed", admin.id, {"from": ["staff"], "to": ["manager", "staff"]}),
        ("deactivated", organiser.id, {}),
        ("reactivated", organiser.id, {}),
    ]
    stranger = signed_in_with_password(admin, anonymous, new_council(), "manager")[0]
    assert stranger.get(f"/api/people/{person.id}/history").status_code == 404


def test_two_admins_changing_one_persons_roles_never_silently_overwrite_each_other(admin, new_council, anonymous):
    council = new_council()
    person = signed_in_with_password(admin, anonymous, council, "staff")[0]
    path = f"/api/people/{person.id}"
    read = admin.get(path)
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'
    seen = read.headers["ETag"]  # what both admins' pages show
    # Without saying which version it changes, a change is refused; so is a header that is no ETag.
    problem(admin.put(f"{path}/roles", json={"roles": ["manager"]}), 428, "If-Match")
    problem(admin.put(f"{path}/roles", json={"roles": ["manager"]}, headers={"If-Match": "3"}), 400, "If-Match")
    first = admin.put(f"{path}/roles", json={"roles": ["manager", "staff"]}, headers={"If-Match": seen})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] != seen and first.headers["ETag"] == admin.get(path).headers["ETag"]
    # The second admin, still holding the old page, is told rather than undoing the first change.
    problem(admin.put(f"{path}/roles", json={"roles": ["organiser"]}, headers={"If-Match": seen}), 412, "If-Match")
    assert admin.get(path).json()["roles"] == ["manager", "staff"]
    # A change of standing is a change too: a page read before a deactivation is stale after it.
    before = admin.get(path).headers["ETag"]
    assert admin.post(f"{path}/deactivate").status_code == 200
    problem(admin.put(f"{path}/roles", json={"roles": ["staff"]}, headers={"If-Match": before}), 412, "If-Match")
    # Deactivating and reactivating take If-Match when sent (optional: each is one step, not an edit).
    problem(admin.post(f"{path}/reactivate", headers={"If-Match": before}), 412, "If-Match")
    current = admin.get(path).headers["ETag"]
    assert admin.post(f"{path}/reactivate", headers={"If-Match": current}).status_code == 200
    assert set_roles(admin, person.id, ["staff"]).status_code == 200
