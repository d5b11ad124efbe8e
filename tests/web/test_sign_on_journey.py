"""Signing in with one's council's own identity provider, in a real browser: the sign-in page's
"Sign in with <council>" button, the provider's own pages (a real OpenID provider, oidc-provider, on
this machine), and back to the platform signed in. axe-core on the platform's pages of the journey
(the provider's pages are the council's, not ours)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.platform.test_sign_on import CALLBACK, connect, domain_of, people_of
from tests.support.actors import unique
from tests.support.oidc import OpenIdProvider, openid_provider


@pytest.fixture(scope="module")
def provider(platform) -> Iterator[OpenIdProvider]:
    with openid_provider([platform.gateway_url + CALLBACK], platform.runner.data_dir / "logs") as running:
        yield running


def test_a_person_signs_in_with_their_council_s_provider_and_lands_signed_in(pages, axe, provider, admin, new_council):
    council = new_council()
    connect(admin, council, provider)
    email = f"grace.hopper-{unique('p')}@{domain_of(council)}"

    page = pages.open()
    page.goto("/sign-in")
    button = page.get_by_role("button", name=f"Sign in with {council.name}")
    axe(page, "the sign-in page with the council's button")
    button.click()

    # The council's provider: its own sign-in form, then its consent page.
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill("whatever the council's password is")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(pages.base + "/hack-days")
    assert page.get_by_role("button", name="Sign out").is_visible()
    axe(page, "signed in, on the hack days")
    page.goto("/account/mail")
    assert page.url == pages.base + "/account/mail"  # a page only the signed in reach
    [person] = people_of(admin, council)
    assert person["email"] == email and person["roles"] == ["staff"] and person["name"].startswith("Grace Hopper")
