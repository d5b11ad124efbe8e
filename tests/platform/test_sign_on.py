"""Single sign-on with a council's own OpenID provider: a real one (oidc-provider on Node, OpenID
Certified) runs beside the platform; the tests do a browser's part over HTTP (redirects, the provider's
sign-in form, consent) and the API client's part through the gateway."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.actors import unique
from tests.support.http import ok, problem
from tests.support.oidc import OpenIdProvider, openid_provider, sign_in_at_provider
from tools.platform_runner import free_port

CALLBACK = "/sign-in/sso/callback"


@pytest.fixture(scope="module")
def provider(platform) -> Iterator[OpenIdProvider]:
    with openid_provider([platform.gateway_url + CALLBACK], platform.runner.data_dir / "logs") as running:
        yield running


def connect(admin, council, provider: OpenIdProvider, *, client_id: str = "hackday", issuer: str | None = None):
    """The admin connects the council's provider, allowing the council's own email domain."""
    body = {
        "issuer": issuer or provider.issuer,
        "client_id": client_id,
        "client_secret": f"{client_id}-secret",
        "email_domains": [domain_of(council)],
    }
    return ok(admin.put(f"/api/councils/{council.id}/sign-on", json=body))


def domain_of(council) -> str:
    return f"{council.slug}.gov.uk"


def at_provider(platform, anonymous, council, login: str, *, tamper=None) -> dict[str, str]:
    """Start through the API, sign in at the provider as `login` in a fresh browser; the code and state
    the provider sent back."""
    started = ok(anonymous.post("/api/auth/sign-on/start", json={"council": council.slug}))
    url = tamper(started["authorization_url"]) if tamper else started["authorization_url"]
    with httpx.Client(timeout=30) as browser:
        back = sign_in_at_provider(browser, url, login, platform.gateway_url + CALLBACK)
    answer = {k: v[0] for k, v in parse_qs(urlsplit(str(back)).query).items()}
    assert answer["state"] == started["state"]
    return answer


def people_of(admin, council) -> list[dict]:
    return ok(admin.get(f"/api/councils/{council.id}/people"))["items"]


def test_a_first_sign_in_makes_the_person_staff_of_the_council_and_gives_the_platform_s_tokens(
    platform, provider, admin, anonymous, new_council
):
    council = new_council()
    settings = connect(admin, council, provider)
    assert "client_secret" not in settings and settings["callback_url"] == platform.gateway_url + CALLBACK
    started = ok(anonymous.post("/api/auth/sign-on/start", json={"council": council.slug}))
    asked = parse_qs(urlsplit(started["authorization_url"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"] == [started["state"]]
    assert asked["redirect_uri"] == [platform.gateway_url + CALLBACK] and asked["client_id"] == ["hackday"]

    email = f"ada.lovelace-{unique('p')}@{domain_of(council)}"
    back = at_provider(platform, anonymous, council, email)
    signed_in = ok(anonymous.post("/api/auth/sign-on/complete", json=back))
    person = signed_in["person"]
    assert person["email"] == email and person["council_id"] == council.id and person["roles"] == ["staff"]
    assert person["name"].startswith("Ada Lovelace")
    headers = {"Authorization": f"Bearer {signed_in['access_token']}"}
    assert ok(anonymous.get("/api/auth/me", headers=headers))["id"] == person["id"]
    assert ok(anonymous.post("/api/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}))["access_token"]

    # The same state (and so its nonce) never works twice.
    problem(anonymous.post("/api/auth/sign-on/complete", json=back), 400, "state")
    # Signing in again is the same person, not a second one.
    again = ok(anonymous.post("/api/auth/sign-on/complete", json=at_provider(platform, anonymous, council, email)))
    assert again["person"]["id"] == person["id"]
    assert [p["email"] for p in people_of(admin, council)] == [email]


def test_the_client_secret_is_kept_encrypted_and_never_answered(platform, admin, new_council):
    """What an admin sends as the client secret is stored only encrypted with the gateway's key (a copy
    of the database alone does not give it away) and never comes back through the API. (That the
    gateway still authenticates to the provider with it is every sign-in test here: the provider
    checks the secret at its token endpoint.)"""
    from gateway.domain.sign_on_secrets import unseal
    from gateway.settings import GatewaySettings

    council = new_council()
    secret = f"entra-secret-{unique('s')}"
    body = {
        "issuer": "https://login.example.org/tenant",
        "client_id": "hackday",
        "client_secret": secret,
        "email_domains": [domain_of(council)],
    }
    path = f"/api/councils/{council.id}/sign-on"
    answers = [admin.put(path, json=body), admin.get(path)]
    assert all(a.status_code == 200 and secret not in a.text and "secret" not in a.json() for a in answers)

    engine = create_engine(platform.runner.database_urls["gateway"].replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as db:
            row = (
                db.execute(
                    text("SELECT * FROM council_sign_ons WHERE council_id = :id"),
                    {"id": council.id if engine.dialect.name == "postgresql" else council.id.replace("-", "")},
                )
                .mappings()
                .one()
            )
    finally:
        engine.dispose()
    assert secret not in str(dict(row)) and "client_secret" not in row
    # The platform's gateway runs without GATEWAY_SIGN_ON_SECRET_KEYS, as in development: its key is the
    # one derived from the signing key.
    keys = GatewaySettings(
        environment="test", database_url="sqlite://", jwt_private_key=platform.runner.private_key_file.read_text()
    ).sign_on_keys()
    assert unseal(row["client_secret_encrypted"], keys=keys) == secret


def test_someone_already_registered_keeps_the_roles_the_platform_gave_them(
    platform, provider, admin, anonymous, new_council
):
    council = new_council()
    connect(admin, council, provider)
    email = f"org-{unique('p')}@{domain_of(council)}"
    made = ok(
        admin.post(
            "/api/people",
            json={"email": email, "name": "Olu Organiser", "council_id": council.id, "roles": ["organiser"]},
        ),
        201,
    )
    signed_in = ok(anonymous.post("/api/auth/sign-on/complete", json=at_provider(platform, anonymous, council, email)))
    assert signed_in["person"]["id"] == made["id"] and signed_in["person"]["roles"] == ["organiser"]


def test_an_address_outside_the_council_s_domains_is_refused_and_nobody_is_made(
    platform, provider, admin, anonymous, new_council
):
    council = new_council()
    connect(admin, council, provider)
    back = at_provider(platform, anonymous, council, "eve@elsewhere.example")
    refused = problem(anonymous.post("/api/auth/sign-on/complete", json=back), 403)
    assert "eve@elsewhere.example" in refused["detail"] and domain_of(council) in refused["detail"]
    assert people_of(admin, council) == []


def test_an_id_token_with_another_nonce_is_refused(platform, provider, admin, anonymous, new_council):
    council = new_council()
    connect(admin, council, provider)

    def other_nonce(url: str) -> str:
        query = parse_qs(urlsplit(url).query)
        return url.replace(f"nonce={query['nonce'][0]}", "nonce=a-nonce-this-sign-in-never-sent")

    back = at_provider(platform, anonymous, council, f"nina-{unique('p')}@{domain_of(council)}", tamper=other_nonce)
    refused = problem(anonymous.post("/api/auth/sign-on/complete", json=back), 401)
    assert "nonce" in refused["detail"]
    assert people_of(admin, council) == []


def test_an_expired_id_token_is_refused(platform, provider, admin, anonymous, new_council):
    council = new_council()
    # This client's ID tokens come from a provider whose clock runs two hours behind: expired on arrival.
    connect(admin, council, provider, client_id="clock-behind")
    back = at_provider(platform, anonymous, council, f"kit-{unique('p')}@{domain_of(council)}")
    refused = problem(anonymous.post("/api/auth/sign-on/complete", json=back), 401)
    assert "expired" in refused["detail"]
    assert people_of(admin, council) == []


def test_an_id_token_with_a_forged_signature_is_refused(platform, provider, admin, anonymous, new_council):
    council = new_council()
    # This client's ID tokens are re-signed on the way out with a key the provider never published
    # (under the key id of the one it did), as someone in the middle forging a token would.
    connect(admin, council, provider, client_id="forged-signature")
    back = at_provider(platform, anonymous, council, f"mal-{unique('p')}@{domain_of(council)}")
    refused = problem(anonymous.post("/api/auth/sign-on/complete", json=back), 401)
    assert "signature does not match the provider's published keys" in refused["detail"], refused
    assert council.name in refused["detail"] and "access_token" not in refused
    assert people_of(admin, council) == []


def test_an_id_token_meant_for_another_client_is_refused(platform, provider, admin, anonymous, new_council):
    council = new_council()
    # Signed with the provider's own published key, but its audience is another relying party: a token
    # stolen from another site must not sign anyone in here.
    connect(admin, council, provider, client_id="wrong-audience")
    back = at_provider(platform, anonymous, council, f"oscar-{unique('p')}@{domain_of(council)}")
    refused = problem(anonymous.post("/api/auth/sign-on/complete", json=back), 401)
    assert "another-relying-party" in refused["detail"] and "'wrong-audience'" in refused["detail"], refused
    assert "access_token" not in refused
    assert people_of(admin, council) == []


def test_a_deactivated_person_cannot_sign_in_with_the_provider(platform, provider, admin, anonymous, new_council):
    council = new_council()
    connect(admin, council, provider)
    email = f"leaver-{unique('p')}@{domain_of(council)}"
    first = ok(anonymous.post("/api/auth/sign-on/complete", json=at_provider(platform, anonymous, council, email)))
    ok(admin.post(f"/api/people/{first['person']['id']}/deactivate"))
    refused = problem(
        anonymous.post("/api/auth/sign-on/complete", json=at_provider(platform, anonymous, council, email)), 403
    )
    assert "deactivated" in refused["detail"]


def test_a_provider_naming_another_issuer_or_not_answering_is_a_clear_error_with_nothing_made(
    provider, admin, anonymous, new_council
):
    wrong = new_council()
    # The same provider reached by another name: its discovery document names its real issuer.
    connect(admin, wrong, provider, issuer=f"http://localhost:{provider.port}")
    refused = problem(anonymous.post("/api/auth/sign-on/start", json={"council": wrong.slug}), 502)
    assert provider.issuer in refused["detail"] and "issuer" in refused["detail"]

    down = new_council()
    connect(admin, down, provider, issuer=f"http://127.0.0.1:{free_port()}")
    refused = problem(anonymous.post("/api/auth/sign-on/start", json={"council": down.slug}), 503)
    assert "could not be reached" in refused["detail"] and down.name in refused["detail"]
    assert people_of(admin, down) == []


def test_only_registered_redirect_uris_and_councils_with_sign_on_are_accepted(provider, admin, anonymous, new_council):
    council = new_council()
    problem(anonymous.post("/api/auth/sign-on/start", json={"council": council.slug}), 404, "council")
    connect(admin, council, provider)
    assert {"slug": council.slug, "name": council.name} in ok(anonymous.get("/api/auth/sign-on"))
    problem(
        anonymous.post(
            "/api/auth/sign-on/start", json={"council": council.slug, "redirect_uri": "https://evil.example/catch"}
        ),
        422,
        "redirect_uri",
    )
    ok(admin.delete(f"/api/councils/{council.id}/sign-on"), 204)
    assert {"slug": council.slug, "name": council.name} not in ok(anonymous.get("/api/auth/sign-on"))


def test_two_first_sign_ins_of_one_person_at_once_both_succeed_and_make_one_person(
    platform, provider, admin, anonymous, new_council
):
    """Two tabs, or a double click: the same new person completes two sign-ins at the same moment.
    Both are signed in, as the one person the first of them made (never a 500, never two people)."""
    council = new_council()
    connect(admin, council, provider)
    emails = [f"twin-{n}-{unique('p')}@{domain_of(council)}" for n in range(3)]
    for email in emails:
        answers = [at_provider(platform, anonymous, council, email) for _ in range(2)]
        together = threading.Barrier(len(answers))

        def complete(answer: dict[str, str], together: threading.Barrier = together) -> httpx.Response:
            with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
                together.wait()
                return browser.post("/api/auth/sign-on/complete", json=answer)

        with ThreadPoolExecutor(len(answers)) as pool:
            done = list(pool.map(complete, answers))
        assert [r.status_code for r in done] == [200, 200], [r.text for r in done]
        assert len({r.json()["person"]["id"] for r in done}) == 1
        assert all(r.json()["person"]["roles"] == ["staff"] for r in done)
    assert sorted(p["email"] for p in people_of(admin, council)) == sorted(emails)


def test_changing_a_council_s_sign_on_needs_the_version_the_admin_read(admin, new_council):
    """Two admins editing one council's provider: the second, holding the old ETag, is told (412),
    instead of silently undoing the first's new secret or domain; as every admin write does."""
    council = new_council()
    path = f"/api/councils/{council.id}/sign-on"
    body = {
        "issuer": "https://login.example.org/tenant",
        "client_id": "hackday",
        "client_secret": "first-secret",
        "email_domains": [domain_of(council)],
    }
    made = admin.put(path, json=body)  # connecting the first time: nothing to match yet
    assert made.status_code == 200 and made.headers["etag"] == '"1"' and made.json()["version"] == 1
    read = admin.get(path)
    assert read.headers["etag"] == '"1"'

    problem(admin.put(path, json={**body, "client_secret": "no-version"}), 428, "If-Match")
    problem(admin.put(path, json=body, headers={"If-Match": "1"}), 400, "If-Match")
    first = admin.put(path, json={**body, "client_secret": "second"}, headers={"If-Match": read.headers["etag"]})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = problem(
        admin.put(path, json={**body, "email_domains": ["elsewhere.gov.uk"]}, headers={"If-Match": '"1"'}), 412
    )
    assert "If-Match" in str(stale)
    assert ok(admin.get(path))["email_domains"] == [domain_of(council)]
    # A stale removal is refused too; with the current version (or none) it goes.
    problem(admin.delete(path, headers={"If-Match": '"1"'}), 412)
    ok(admin.delete(path, headers={"If-Match": '"2"'}), 204)
    # Removed since it was read: an If-Match has nothing to match (412); without one it connects anew.
    problem(admin.put(path, json=body, headers={"If-Match": '"2"'}), 412, "If-Match")
    assert ok(admin.put(path, json=body))["version"] == 1


# ---- the pages: a "Sign in with <council>" button, through the gateway as a browser goes ----------


def test_the_sign_in_page_s_council_button_signs_a_person_in(platform, provider, admin, new_council):
    council = new_council()
    connect(admin, council, provider)
    email = f"page-{unique('p')}@{domain_of(council)}"
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
        page = browser.get("/sign-in")
        assert f"Sign in with {council.name}" in page.text and f'href="/sign-in/with/{council.slug}"' in page.text
        started = browser.get(f"/sign-in/with/{council.slug}")
        assert started.status_code == 303 and started.headers["location"].startswith(provider.issuer + "/auth?")
        back = sign_in_at_provider(browser, started.headers["location"], email, platform.gateway_url + CALLBACK)
        landed = browser.get(str(back))
        assert landed.status_code == 303 and landed.headers["location"] == "/hack-days", landed.text
        home = browser.get("/hack-days")
        assert home.status_code == 200 and "Sign out" in home.text
        # The same callback again (a copied link, the back button) signs nobody in a second time.
        again = browser.get(str(back))
        assert again.status_code == 400 and "You could not be signed in" in again.text
    assert [p["email"] for p in people_of(admin, council)] == [email]


def test_the_pages_say_clearly_why_a_sign_in_failed(platform, provider, admin, new_council):
    council = new_council()
    connect(admin, council, provider)
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
        started = browser.get(f"/sign-in/with/{council.slug}")
        back = sign_in_at_provider(
            browser, started.headers["location"], "eve@elsewhere.example", platform.gateway_url + CALLBACK
        )
        refused = browser.get(str(back))
        assert refused.status_code == 403 and "eve@elsewhere.example" in refused.text
        assert "Go back to sign in" in refused.text and "hackday_session" not in str(refused.headers)
    # A code and state sent to someone else's browser (no cookie of the sign-in it started) are refused.
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
        started = browser.get(f"/sign-in/with/{council.slug}")
        back = sign_in_at_provider(
            browser, started.headers["location"], f"x@{domain_of(council)}", platform.gateway_url + CALLBACK
        )
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as victim:
        refused = victim.get(str(back))
        assert refused.status_code == 400 and "another browser" in refused.text
    assert people_of(admin, council) == []

    down = new_council()
    connect(admin, down, provider, issuer=f"http://127.0.0.1:{free_port()}")
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as browser:
        page = browser.get(f"/sign-in/with/{down.slug}")
        assert page.status_code == 503 and "could not be reached" in page.text
