"""The gateway behind a reverse proxy: X-Forwarded-For is believed only from the proxies it trusts."""

from __future__ import annotations

import pytest

WRONG = {"email": "nobody@example.org", "password": "not-the-password"}


def _sign_ins(gateway, address: str, times: int) -> list[int]:
    headers = {"X-Forwarded-For": address}
    return [gateway.post("/api/auth/login", json=WRONG, headers=headers).status_code for _ in range(times)]


def _once(platform) -> None:
    if platform.backend != "sqlite":
        pytest.skip("the gateway's reading of X-Forwarded-For does not depend on the database: run once, on SQLite")


def test_behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_budget(platform, extra_gateway):
    _once(platform)
    # The test talks to the gateway from 127.0.0.1, as the proxy would.
    with extra_gateway(GATEWAY_LOGIN_RATE_LIMIT="3/minute", GATEWAY_TRUSTED_PROXIES="127.0.0.1") as gateway:
        assert _sign_ins(gateway, "203.0.113.7", 4)[-1] == 429
        # Another person behind the same proxy is not held back by the first one's attempts.
        assert _sign_ins(gateway, "198.51.100.23", 1) == [401]
        # A client cannot pick a fresh address by putting one in front of the proxy's: the right-most
        # address the proxy did not add is the one counted.
        assert _sign_ins(gateway, "192.0.2.1, 203.0.113.7", 1) == [429]


def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(platform, extra_gateway):
    _once(platform)
    with extra_gateway(GATEWAY_LOGIN_RATE_LIMIT="3/minute", GATEWAY_TRUSTED_PROXIES="10.0.0.0/8") as gateway:
        assert _sign_ins(gateway, "203.0.113.7", 3) == [401, 401, 401]
        # Claiming another address changes nothing: the limit counts the peer (127.0.0.1).
        assert _sign_ins(gateway, "198.51.100.23", 1) == [429]
