"""An admin in a real browser through the gateway: a council's people, its contact address and adding a
person (their invitation code shown once), deactivating a leaver (confirmed with what it does) whose own
signed-in session and API key stop on their next request, and API keys (made and shown once, revoked
after a confirmation); axe-core on every state, 320 px."""

from __future__ import annotations

import uuid

from tests.support.actors import login
from tests.web.conftest import PASSWORD, no_horizontal_scroll


def _sign_in(page, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_an_admin_deactivates_a_leaver_whose_session_and_key_stop_on_their_next_request(
    pages, axe, admin, anonymous, new_council, person_with_password
):
    council = new_council()
    leaver = person_with_password(council, "manager", "staff")
    admin_email = f"web-admin-{uuid.uuid4().hex[:8]}@example.org"
    made = admin.post(
        "/api/people", json={"email": admin_email, "name": "Ada Admin", "roles": ["admin"], "password": PASSWORD}
    )
    assert made.status_code == 201, made.text
    # The leaver has an API key for a reporting script, made with their own sign-in.
    as_leaver = login(anonymous, leaver["email"], PASSWORD)
    key = as_leaver.post("/api/api-keys", json={"name": "Trial report script", "roles": ["manager"]}).json()["key"]
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": key}).status_code == 200

    theirs = pages.open()
    theirs.goto("/hack-days")
    _sign_in(theirs, leaver["email"])
    assert theirs.url.endswith("/hack-days")

    page = pages.open(width=320)
    page.goto("/admin")
    _sign_in(page, admin_email)
    assert page.url.endswith("/admin")
    axe(page, "councils")
    no_horizontal_scroll(page)
    page.get_by_role("link", name=council.name).click()
    axe(page, "a council's people")
    no_horizontal_scroll(page)
    # Whom other councils ask about its trials: refused when not an address (said at the field), then saved.
    page.get_by_label("Contact email address").fill("hackday at kirkby")
    page.get_by_role("button", name="Save the contact").click()
    assert "Enter an email address" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Contact email address").input_value() == "hackday at kirkby"
    axe(page, "a council's contact refused")
    page.get_by_label("Contact email address").fill("hackday@example.org")
    page.get_by_role("button", name="Save the contact").click()
    assert "The contact address was saved" in page.locator(".govuk-notification-banner").inner_text()
    axe(page, "a council's contact saved")
    no_horizontal_scroll(page)
    assert anonymous.get(f"/api/councils/{council.id}/contact").json()["contact_email"] == "hackday@example.org"

    # Adding a person: errors named at their fields first, then the invitation code shown once.
    newcomer = f"web-new-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label("Work email address").fill("sam at kirkby")
    page.get_by_label("Staff: submit ideas and vote").uncheck()
    page.get_by_role("button", name="Add the person").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter their full name" in summary and "Choose at least one role" in summary
    assert page.get_by_label("Work email address").input_value() == "sam at kirkby"
    axe(page, "adding a person, with errors")
    page.get_by_label("Full name").fill("Sam Newcomer")
    page.get_by_label("Manager: run trials").check()
    page.get_by_role("button", name="Add the person").click()
    assert "Enter an email address in the right form" in page.locator("#email-error").inner_text()
    page.get_by_label("Work email address").fill(newcomer)
    page.get_by_role("button", name="Add the person").click()
    code = page.locator("#invitation-code").inner_text()
    assert code and code not in page.url
    assert "Sam Newcomer" in page.locator(".govuk-table").inner_text()
    axe(page, "a person added, their code shown once")
    no_horizontal_scroll(page)
    page.goto(f"/admin/councils/{council.id}")
    assert code not in page.content()
    accepted = anonymous.post("/api/auth/invitations/accept", json={"code": code, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    page.get_by_role("link", name="Priya Patel").click()
    assert "Active" in page.locator(".govuk-summary-list").inner_text()
    axe(page, "a person")
    no_horizontal_scroll(page)

    page.get_by_role("button", name="Deactivate a leaver").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Deactivate Priya Patel?"
    effects = page.locator(".app-effects").inner_text()
    assert "their next page or API request is refused" in effects and "Every API key they made is revoked" in effects
    axe(page, "the deactivation's confirmation")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Yes, deactivate Priya Patel").click()
    assert "They were deactivated" in page.locator(".govuk-notification-banner").inner_text()
    assert "Deactivated" in page.locator(".govuk-summary-list").inner_text()
    assert page.get_by_role("button", name="Reactivate").is_visible()
    axe(page, "a deactivated person")

    # The leaver's next request: their page sends them to sign in, and their key is refused.
    theirs.reload()
    assert "/sign-in?next=/hack-days" in theirs.url
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": key}).status_code == 401

    page.get_by_role("link", name="API keys").click()
    axe(page, "API keys")
    page.get_by_label("What the key is for").fill("Nightly library import")
    page.get_by_label("Organiser: run hack days").check()
    page.get_by_role("button", name="Make the key").click()
    shown = page.locator("#new-key").inner_text()
    assert shown.startswith("hk")
    assert shown not in page.url
    axe(page, "a key shown once")
    no_horizontal_scroll(page)
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": shown}).status_code == 200
    page.get_by_role("button", name="Revoke Nightly library import").click()
    assert "The key stops working" in page.locator(".app-effects").inner_text()
    axe(page, "a key's revocation confirmation")
    page.get_by_role("button", name="Yes, revoke the key").click()
    assert "The key was revoked" in page.locator(".govuk-notification-banner").inner_text()
    assert anonymous.post("/api/auth/token", headers={"X-API-Key": shown}).status_code == 401
