"""Mail backends on their own (each test starts a gateway of its own, and no other mail-sending gateway
runs meanwhile, since any running relay may take any queued message): mail waits while the SMTP
server is down, and GOV.UK Notify (a local stand-in of its HTTP API) sends the same mail."""

from __future__ import annotations

import re

from tests.support.actors import signed_in_with_password, unique
from tests.support.mailboxes import NotifyStandIn, SmtpMailbox
from tests.support.processes import another

CODE = re.compile(r"\b(inv_[A-Za-z0-9_-]{20,})\b")
PASSWORD = "a-long-enough-password"


def _gateway(platform, **settings: str):
    return another(platform.runner, "gateway", start_within=90, **settings)


def _code(text: str) -> str:
    found = CODE.search(text)
    assert found, text
    return found.group(1)


def smtp_settings(box: SmtpMailbox) -> dict[str, str]:
    return {
        "GATEWAY_MAIL_BACKEND": "smtp",
        "GATEWAY_SMTP_HOST": "127.0.0.1",
        "GATEWAY_SMTP_PORT": str(box.port),
        "GATEWAY_SMTP_SECURITY": "none",
        "GATEWAY_MAIL_FROM": "hackday@council.example",
    }


def test_mail_waits_in_the_outbox_while_the_mail_server_is_down(platform, admin, new_council):
    box = SmtpMailbox()  # not started yet: the server is down
    council = new_council()
    with _gateway(platform, **smtp_settings(box)) as gateway:
        organiser, _ = signed_in_with_password(admin, gateway, council, "organiser")
        email = f"{unique('patient')}@example.org"
        added = organiser.post(f"/api/councils/{council.id}/staff", json={"people": [{"email": email, "name": "P"}]})
        assert added.status_code == 201
        box.start()
        try:
            assert len(box.wait_for(email, within=30)) == 1
        finally:
            box.stop()


def test_gov_uk_notify_sends_the_same_mail(platform, admin, new_council):
    notify = NotifyStandIn().start()
    notify.fail_next = 1  # Notify has a bad moment: the message is retried, not lost
    council = new_council()
    try:
        with _gateway(
            platform,
            GATEWAY_MAIL_BACKEND="notify",
            GATEWAY_NOTIFY_API_KEY=NotifyStandIn.API_KEY,
            GATEWAY_NOTIFY_TEMPLATE_ID="f33517ff-2a88-4f6e-b855-c550268ce08a",
            GATEWAY_NOTIFY_BASE_URL=notify.url,
            GATEWAY_PUBLIC_URL="https://hackday.council.example",
        ) as gateway:
            organiser, _ = signed_in_with_password(admin, gateway, council, "organiser")
            email = f"{unique('notified')}@example.org"
            added = organiser.post(
                f"/api/councils/{council.id}/staff", json={"people": [{"email": email, "name": "N"}]}
            )
            assert added.status_code == 201
            sent = notify.wait_for(email, within=30)
            assert len(sent) == 1
            assert sent[0]["template_id"] == "f33517ff-2a88-4f6e-b855-c550268ce08a"
            assert council.name in sent[0]["personalisation"]["subject"]
            code = _code(sent[0]["personalisation"]["body"])
            assert (
                gateway.post("/api/auth/invitations/accept", json={"code": code, "password": PASSWORD}).status_code
                == 200
            )
    finally:
        notify.stop()
