"""The pages' own rules, in-process in front of a fake gateway: sessions and CSRF, where a person is
sent, refusals as pages, forms that keep what was typed, idempotent forms, and the assets' caching."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.web.fake import COUNCIL, FakeGateway, csrf, in_own_loop, pages, sign_in, token

DAY = str(uuid.uuid4())
HACK_DAY = {
    "id": DAY,
    "council_id": str(COUNCIL),
    "council_name": "Kirkby Borough Council",
    "name": "Spring hack day",
    "date": "2027-03-14",
    "phase": "open",
    "themes": [],
    "version": 1,
    "created_at": "2027-01-01T00:00:00Z",
    "updated_at": "2027-01-01T00:00:00Z",
}
VOCABULARY = {
    "service_areas": [{"code": "housing", "label": "Housing"}],
    "benefit_units": [{"code": "hours", "label": "Hours"}],
    "beneficiaries": ["staff", "residents", "both"],
    "phases": [],
    "statuses": [],
}


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on(
        "GET", "/api/ideas/hack-days", {"items": [HACK_DAY], "total": 1, "limit": 200, "offset": 0, "next_offset": None}
    )
    fake.on("GET", f"/api/ideas/hack-days/{DAY}", HACK_DAY)
    fake.on("GET", "/api/ideas/vocabulary", VOCABULARY)
    fake.on("GET", "/api/voting/rounds", {"items": [], "total": 0, "limit": 200, "offset": 0, "next_offset": None})
    fake.on("GET", "/api/ideas/ideas", {"items": [], "total": 0, "limit": 200, "offset": 0, "next_offset": None})
    fake.on("POST", "/api/journeys/tried-before", {"items": [], "outcomes_available": True, "notice": None})
    return fake


@in_own_loop
async def test_a_page_without_a_session_sends_the_person_to_sign_in_and_back(fake):
    async with pages(fake) as client:
        answer = await client.get(f"/hack-days/{DAY}?tab=votes")
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/sign-in?next=/hack-days/{DAY}%3Ftab%3Dvotes"
        fake.on("POST", "/api/auth/login", {"access_token": token(), "expires_in": 900, "person": {}})
        form = await csrf(client, answer.headers["location"])
        signed = await client.post(
            "/sign-in",
            data={
                "csrf_token": form,
                "email": "sam@kirkby.gov.uk",
                "password": "pw",
                "next": f"/hack-days/{DAY}?tab=votes",
            },
        )
        assert signed.status_code == 303 and signed.headers["location"] == f"/hack-days/{DAY}?tab=votes"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # only in production, over HTTPS
        assert (await client.get(f"/hack-days/{DAY}")).status_code == 200


@in_own_loop
async def test_an_expired_token_is_a_trip_to_sign_in_not_an_error(fake):
    async with pages(fake) as client:
        sign_in(client, token(ttl=-60))
        answer = await client.get("/hack-days")
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/hack-days"


@in_own_loop
async def test_an_expired_token_is_renewed_with_the_refresh_token_and_sign_out_ends_the_session(fake):
    fresh = token()
    fake.on("POST", "/api/auth/refresh", {"access_token": fresh, "refresh_token": "next-refresh", "expires_in": 900})
    fake.on("POST", "/api/auth/logout", None, status=204)
    async with pages(fake) as client:
        sign_in(client, token(ttl=-60), "first-refresh")
        answer = await client.get("/hack-days")
        assert answer.status_code == 200  # no trip to the sign-in page
        refresh = [c for c in fake.calls if c.url.path == "/api/auth/refresh"]
        assert len(refresh) == 1 and b"first-refresh" in refresh[0].content
        assert "hackday_session=" in answer.headers["set-cookie"]  # the rotated tokens, kept
        client.cookies.set("hackday_session", answer.headers["set-cookie"].split(";")[0].split("=", 1)[1])
        assert (await client.get("/hack-days")).status_code == 200
        assert len([c for c in fake.calls if c.url.path == "/api/auth/refresh"]) == 1  # the new token is used
        form = await csrf(client, "/hack-days")
        out = await client.post("/sign-out", data={"csrf_token": form})
        assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=1"
        logout = [c for c in fake.calls if c.url.path == "/api/auth/logout"]
        assert len(logout) == 1 and b"next-refresh" in logout[0].content


@in_own_loop
async def test_sign_in_goes_back_only_to_a_page_of_this_site(fake):
    fake.on("POST", "/api/auth/login", {"access_token": token(), "expires_in": 900, "person": {}})
    async with pages(fake) as client:
        for next_path in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            form = await csrf(client, "/sign-in")
            answer = await client.post(
                "/sign-in", data={"csrf_token": form, "email": "a@b.gov.uk", "password": "pw", "next": next_path}
            )
            assert answer.headers["location"] == "/hack-days", next_path


@in_own_loop
async def test_a_wrong_password_is_said_next_to_the_field_and_the_email_kept(fake):
    fake.on("POST", "/api/auth/login", {"status": 401, "detail": "Wrong email or password."}, status=401)
    async with pages(fake) as client:
        form = await csrf(client, "/sign-in")
        answer = await client.post("/sign-in", data={"csrf_token": form, "email": "sam@kirkby.gov.uk", "password": "x"})
        assert answer.status_code == 400
        assert "There is a problem" in answer.text and 'href="#email"' in answer.text
        assert 'value="sam@kirkby.gov.uk"' in answer.text
        assert "set-cookie" not in answer.headers or "hackday_session=" not in answer.headers.get("set-cookie", "")


@in_own_loop
async def test_every_form_needs_its_csrf_token(fake):
    async with pages(fake) as client:
        sign_in(client, token())
        await csrf(client, f"/hack-days/{DAY}/ideas/new")  # the CSRF cookie is set
        for data in ({}, {"csrf_token": "forged"}):
            answer = await client.post(f"/hack-days/{DAY}/ideas/new", data={"title": "An idea", **data})
            assert answer.status_code == 400 and "This form has expired" in answer.text
        assert not [c for c in fake.calls if c.method == "POST"]  # nothing reached the API


@in_own_loop
async def test_a_csrf_token_does_not_work_with_another_browsers_cookie(fake):
    async with pages(fake) as one, pages(fake) as other:
        sign_in(other, token())
        stolen = await csrf(one, "/sign-in")
        await csrf(other, "/sign-in")
        answer = await other.post("/sign-out", data={"csrf_token": stolen})
        assert answer.status_code == 400


@in_own_loop
async def test_an_idea_with_errors_keeps_everything_typed_and_names_each_field(fake):
    async with pages(fake) as client:
        sign_in(client, token())
        form = await csrf(client, f"/hack-days/{DAY}/ideas/new")
        typed = {
            "title": "Ok",
            "problem": "",
            "proposal": "Send a text <b>now</b>",
            "tags": "sms, tax",
            "benefit_amount": "lots",
        }
        answer = await client.post(
            f"/hack-days/{DAY}/ideas/new", data={"csrf_token": form, "form_key": "a" * 32, **typed}
        )
        assert answer.status_code == 400
        summary = answer.text.split('class="govuk-error-summary', 1)[1].split("</div>", 3)
        for field in ("title", "problem", "service_area", "benefit_amount", "benefit_unit", "beneficiaries"):
            assert f'href="#{field}"' in answer.text, field
        assert summary
        assert "Send a text &lt;b&gt;now&lt;/b&gt;" in answer.text  # kept, and escaped
        assert 'value="sms, tax"' in answer.text
        assert not [c for c in fake.calls if c.url.path == "/api/ideas/ideas" and c.method == "POST"]


@in_own_loop
async def test_the_apis_refusal_is_put_next_to_its_field(fake):
    fake.on(
        "POST",
        "/api/ideas/ideas",
        {"status": 422, "detail": "title: too long", "errors": [{"field": "title", "message": "is already taken"}]},
        status=422,
    )
    async with pages(fake) as client:
        sign_in(client, token())
        form = await csrf(client, f"/hack-days/{DAY}/ideas/new")
        answer = await client.post(
            f"/hack-days/{DAY}/ideas/new",
            data={
                "csrf_token": form,
                "form_key": "b" * 32,
                "title": "Text reminders",
                "problem": "p",
                "proposal": "q",
                "service_area": "housing",
            },
        )
        assert answer.status_code == 400
        assert re.search(
            r'id="title-error"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span> Is already taken', answer.text
        )


@in_own_loop
async def test_a_form_sent_twice_sends_the_same_idempotency_key(fake):
    created = {"id": str(uuid.uuid4())}
    fake.on("POST", "/api/ideas/ideas", created, status=201)
    async with pages(fake) as client:
        sign_in(client, token())
        form = await csrf(client, f"/hack-days/{DAY}/ideas/new")
        key = re.search(
            r'name="form_key" value="([0-9a-f]{32})"', (await client.get(f"/hack-days/{DAY}/ideas/new")).text
        ).group(1)
        data = {
            "csrf_token": form,
            "form_key": key,
            "title": "Text reminders",
            "problem": "p",
            "proposal": "q",
            "service_area": "housing",
        }
        for _ in range(2):
            answer = await client.post(f"/hack-days/{DAY}/ideas/new", data=data)
            assert answer.status_code == 303 and answer.headers["location"] == f"/ideas/{created['id']}?submitted=1"
        sent = [c for c in fake.calls if c.url.path == "/api/ideas/ideas" and c.method == "POST"]
        assert [c.headers["idempotency-key"] for c in sent] == [key, key]
        assert all(c.headers["authorization"].startswith("Bearer ") for c in sent)


@in_own_loop
async def test_refusals_of_the_api_become_pages(fake):
    other = str(uuid.uuid4())
    fake.on("GET", f"/api/ideas/hack-days/{other}", {"status": 404, "detail": "No such hack day."}, status=404)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fake.on("GET", "/api/voting/rounds/.*", down)
    async with pages(fake) as client:
        sign_in(client, token())
        missing = await client.get(f"/hack-days/{other}")
        assert missing.status_code == 404 and "Page not found" in missing.text
        assert (await client.get("/hack-days/not-a-uuid")).status_code == 404
        assert (await client.get("/no/such/page")).status_code == 404
        down = await client.get(f"/rounds/{uuid.uuid4()}")
        assert down.status_code == 503 and "problem with the service" in down.text
        assert "Traceback" not in down.text


@in_own_loop
async def test_staff_get_a_403_page_on_organiser_pages(fake):
    async with pages(fake) as client:
        sign_in(client, token("staff"))
        answer = await client.get("/organise")
        assert answer.status_code == 403 and "This page is for the hack day" in answer.text
        sign_in(client, token("organiser"))
        assert (await client.get("/organise")).status_code == 200


@in_own_loop
async def test_pages_carry_a_nonce_csp_and_are_not_cached(fake):
    async with pages(fake) as client:
        answer = await client.get("/sign-in")
        csp = answer.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert f'nonce="{nonce}"' in answer.text and "frame-ancestors 'none'" in csp
        assert answer.headers["cache-control"] == "no-store"
        assert "GDS Transport" not in answer.text and "govuk-header__logo" not in answer.text  # no GOV.UK brand


@in_own_loop
async def test_assets_are_fingerprinted_cached_for_a_year_and_gzipped(fake):
    async with pages(fake) as client:
        html = (await client.get("/sign-in")).text
        css = re.search(r'href="(/static/vendor/govuk-frontend/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', html).group(1)
        answer = await client.get(css, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-encoding"] == "gzip"
        assert "GDS Transport" not in answer.text and '--govuk-frontend-version:"6.3.0"' in answer.text
        again = await client.get(css, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304
        assert (
            await client.get("/static/vendor/govuk-frontend/govuk-frontend.min.0123456789ab.css")
        ).status_code == 404
        plain = await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
        assert plain.status_code == 200 and plain.headers["cache-control"] == "public, max-age=86400"


@in_own_loop
async def test_govuk_frontend_is_the_release_the_pinned_macros_target():
    from pathlib import Path

    requirements = (Path(__file__).resolve().parents[2] / "requirements.txt").read_text()
    assert "govuk-frontend-jinja==4.1.0" in requirements  # its README: 4.1.0 targets GOV.UK Frontend 6.3.0
    css = (Path(__file__).resolve().parents[2] / "web/static/vendor/govuk-frontend/govuk-frontend.min.css").read_text()
    assert '--govuk-frontend-version:"6.3.0"' in css
