"""The gateway's sign-in throttle counts failures per account and client address; pages sign in through
web, so without care every browser would be one client (web's address). With web configured as a
trusted proxy of the gateway (and the gateway as web's), each browser is counted by its own address,
and an X-Forwarded-For written by a client that is not a trusted proxy changes nothing.

Browsers at different addresses are real connections from 127.0.0.2, .3 and .4 (all loopback on Linux);
web and the gateway talk from 127.0.0.1, the only trusted address."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tools.platform_runner import free_port

TOO_MANY = "Too many failed sign-ins"


@pytest.fixture(scope="module")
def front(platform):
    """A gateway and a web of their own, each trusting the other's address (127.0.0.1) only, in front
    of the platform's services and database; a failure is throttled from the first one."""
    from tests.support.processes import another

    if platform.backend != "sqlite":
        pytest.skip("the addresses are the pages' and the gateway's concern, not the database's")
    gateway_port, web_port = free_port(), free_port()
    with (
        another(
            platform.runner,
            "web",
            port=web_port,
            start_within=90,
            WEB_GATEWAY_URL=f"http://127.0.0.1:{gateway_port}",
            WEB_TRUSTED_PROXIES="127.0.0.1",
        ),
        another(
            platform.runner,
            "gateway",
            port=gateway_port,
            start_within=90,
            GATEWAY_WEB_URL=f"http://127.0.0.1:{web_port}",
            GATEWAY_TRUSTED_PROXIES="127.0.0.1",
            GATEWAY_SIGN_IN_FREE_FAILURES="1",
        ),
    ):
        yield f"http://127.0.0.1:{gateway_port}"


def browser_at(address: str, base: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, transport=httpx.HTTPTransport(local_address=address), timeout=30, follow_redirects=False
    )


def wrong_sign_in(browser: httpx.Client, email: str, forged: str | None = None) -> str:
    """Sign in with a wrong password on the page, as a browser does; the page's error message."""
    form = browser.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    headers = {"X-Forwarded-For": forged} if forged else {}
    answer = browser.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": "not the password"}, headers=headers
    )
    assert answer.status_code == 400, answer.text[:500]
    return re.search(r'<p id="email-error"[^>]*>(.*?)</p>', answer.text, re.S).group(1)


def throttled_within(browser: httpx.Client, email: str, attempts: int = 6, forge: bool = False) -> bool:
    for n in range(attempts):
        if TOO_MANY in wrong_sign_in(browser, email, forged=f"10.9.8.{n}" if forge else None):
            return True
    return False


def test_two_browsers_at_different_addresses_are_throttled_apart(front):
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    with browser_at("127.0.0.2", front) as first, browser_at("127.0.0.3", front) as second:
        assert throttled_within(first, email)
        # The same account from another address: a plain refusal, not a wait imposed by the first.
        assert TOO_MANY not in wrong_sign_in(second, email)


def test_a_forged_x_forwarded_for_from_a_browser_changes_nothing(front):
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    with browser_at("127.0.0.4", front) as forger:
        # A new address in every attempt: were it believed, each attempt would be a first failure.
        assert throttled_within(forger, email, forge=True)
    with browser_at("127.0.0.5", front) as direct:
        for n in range(6):
            answer = direct.post(
                "/api/auth/login",
                json={"email": email, "password": "not the password"},
                headers={"X-Forwarded-For": f"10.7.6.{n}"},
            )
            if answer.status_code == 429:
                break
        assert answer.status_code == 429, answer.text
