"""Mail through the outbox: invitations the organiser never handles, re-issued invitations and password
resets, read from a real SMTP server's mailbox (the backends on their own: test_mail_backends.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.actors import signed_in_with_password, unique
from tests.support.mailboxes import SmtpMailbox, html_of, text_of
from tests.support.processes import another

CODE = re.compile(r"\b(inv_[A-Za-z0-9_-]{20,}|pwr_[A-Za-z0-9_-]{20,})\b")
PASSWORD = "a-long-enough-password"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpMailbox]:
    box = SmtpMailbox().start()
    yield box
    box.stop()


def _gateway(platform, **settings: str):
    """One more gateway with these mail settings (generous time to start: the machine may be busy)."""
    return another(platform.runner, "gateway", start_within=90, **settings)


@pytest.fixture(scope="module")
def smtp_gateway(platform, mailbox) -> Iterator[httpx.Client]:
    with _gateway(platform, **smtp_settings(mailbox)) as gateway:
        yield gateway


def smtp_settings(box: SmtpMailbox) -> dict[str, str]:
    return {
        "GATEWAY_MAIL_BACKEND": "smtp",
        "GATEWAY_SMTP_HOST": "127.0.0.1",
        "GATEWAY_SMTP_PORT": str(box.port),
        "GATEWAY_SMTP_SECURITY": "none",
        "GATEWAY_MAIL_FROM": "hackday@council.example",
        "GATEWAY_PUBLIC_URL": "https://hackday.council.example",
    }


def _code(text: str) -> str:
    found = CODE.search(text)
    assert found, text
    return found.group(1)


def test_staff_get_their_invitations_by_email_and_the_organiser_never_sees_a_code(
    admin, new_council, mailbox, smtp_gateway
):
    council = new_council()
    gateway = smtp_gateway
    organiser, _ = signed_in_with_password(admin, gateway, council, "organiser")
    emails = [f"{unique('staff')}@example.org" for _ in range(3)]
    added = organiser.post(
        f"/api/councils/{council.id}/staff", json={"people": [{"email": e, "name": "Staff"} for e in emails]}
    )
    assert added.status_code == 201, added.text
    assert all(p["invitation_code"] is None for p in added.json()["created"])
    message = mailbox.wait_for(emails[0])[0]
    assert message["From"] == "Council hack day <hackday@council.example>"
    assert council.name in message["Subject"]
    text, page = text_of(message), html_of(message)
    code = _code(text)
    assert code in page and "https://hackday.council.example/" in text
    accepted = gateway.post("/api/auth/invitations/accept", json={"code": code, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["person"]["email"] == emails[0]
    for email in emails[1:]:
        mailbox.wait_for(email)
    # Sent exactly once each, however often the relay has looked since.
    assert [len(mailbox.to(e)) for e in emails] == [1, 1, 1]


def test_a_lost_invitation_is_issued_again_and_the_old_code_stops(admin, new_council, mailbox, smtp_gateway):
    council = new_council()
    gateway = smtp_gateway
    organiser, _ = signed_in_with_password(admin, gateway, council, "organiser")
    email = f"{unique('lost')}@example.org"
    person = organiser.post(
        f"/api/councils/{council.id}/staff", json={"people": [{"email": email, "name": "Lost"}]}
    ).json()["created"][0]
    first = _code(text_of(mailbox.wait_for(email)[0]))
    again = organiser.post(f"/api/people/{person['id']}/invitation")
    assert again.status_code == 200, again.text
    assert again.json() == {"person_id": person["id"], "emailed": True, "invitation_code": None}
    second = _code(text_of(mailbox.wait_for(email, count=2)[1]))
    assert second != first
    assert gateway.post("/api/auth/invitations/accept", json={"code": first, "password": PASSWORD}).status_code == 400
    assert gateway.post("/api/auth/invitations/accept", json={"code": second, "password": PASSWORD}).status_code == 200
    # Once they have a password, an invitation is not what they need.
    assert organiser.post(f"/api/people/{person['id']}/invitation").status_code == 409


def test_a_password_reset_is_single_use_and_says_nothing_about_unknown_emails(
    admin, new_council, mailbox, smtp_gateway
):
    council = new_council()
    gateway = smtp_gateway
    person, elsewhere = signed_in_with_password(admin, gateway, council, "staff")
    unknown = f"{unique('nobody')}@example.org"
    asked = gateway.post("/api/auth/password-reset", json={"email": person.email})
    not_known = gateway.post("/api/auth/password-reset", json={"email": unknown})
    assert asked.status_code == not_known.status_code == 202
    assert asked.json() == not_known.json()
    message = mailbox.wait_for(person.email)[0]
    code = _code(text_of(message))
    done = gateway.post("/api/auth/password-reset/complete", json={"code": code, "password": "a-new-long-passphrase"})
    assert done.status_code == 200, done.text
    again = gateway.post("/api/auth/password-reset/complete", json={"code": code, "password": "yet-another-passphrase"})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "code"
    # The old password and the sessions made with it are over.
    assert gateway.post("/api/auth/login", json={"email": person.email, "password": PASSWORD}).status_code == 401
    assert gateway.post("/api/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}).status_code == 401
    assert (
        gateway.post("/api/auth/login", json={"email": person.email, "password": "a-new-long-passphrase"}).status_code
        == 200
    )
    assert mailbox.to(unknown) == []
