"""Sign-in throttling that slows a guesser without locking the owner out or telling who is registered
(OWASP's Authentication Cheat Sheet), and separate budgets for sign-ins and invitation accepts."""

from __future__ import annotations

import httpx

from tests.support.actors import unique

PASSWORD = "the-right-password"


def _registered(admin, new_council) -> str:
    email = f"{unique('owner')}@example.org"
    council = new_council()
    created = admin.post(
        "/api/people", json={"email": email, "name": "Owner", "council_id": council.id, "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    return email


def _from(platform, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (another office, to the gateway)."""
    return platform.client(transport=httpx.HTTPTransport(local_address=address))


def _answers(client: httpx.Client, email: str, times: int) -> list[tuple[int, dict, str | None]]:
    answers = []
    for _ in range(times):
        response = client.post("/api/auth/login", json={"email": email, "password": "a-wrong-password"})
        answers.append((response.status_code, response.json(), response.headers.get("retry-after")))
    return answers


def test_known_and_unknown_emails_get_identical_answers(admin, new_council, anonymous):
    known = _registered(admin, new_council)
    unknown = f"{unique('nobody')}@example.org"
    for_known, for_unknown = _answers(anonymous, known, 7), _answers(anonymous, unknown, 7)
    assert for_known == for_unknown
    assert [status for status, _, _ in for_known] == [401] * 5 + [429] * 2
    assert for_known[5][2] is not None and int(for_known[5][2]) >= 1


def test_a_guesser_is_slowed_but_the_owner_still_signs_in(admin, new_council, platform, anonymous):
    email = _registered(admin, new_council)
    attacker = _answers(anonymous, email, 8)  # from 127.0.0.1
    assert [status for status, _, _ in attacker][-2:] == [429, 429]
    # The right password from the guesser's address waits too (nothing is tried while throttled) ...
    assert anonymous.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 429
    # ... but the owner, from their own address, is not locked out.
    with _from(platform, "127.0.0.2") as owner:
        signed_in = owner.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text


def test_junk_invitation_accepts_do_not_block_colleagues_sign_ins(extra_gateway, platform):
    with extra_gateway(GATEWAY_LOGIN_RATE_LIMIT="5/minute", GATEWAY_ACCEPT_RATE_LIMIT="5/minute") as gateway:
        junk = [
            gateway.post(
                "/api/auth/invitations/accept", json={"code": f"inv_{unique('junk')}", "password": "x" * 12}
            ).status_code
            for _ in range(7)
        ]
        assert junk == [400] * 5 + [429] * 2
        colleague = gateway.post(
            "/api/auth/login", json={"email": platform.admin_email, "password": platform.admin_password}
        )
        assert colleague.status_code == 200, colleague.text
