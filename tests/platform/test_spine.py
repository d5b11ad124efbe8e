"""The spine: four real processes, the gateway in front, tokens checked at the edge and by each service."""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import jwt
import pytest

from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER

SERVICES = ("ideas", "voting", "followup")


def test_sign_in_gives_a_token_that_every_service_accepts(platform, anonymous):
    response = anonymous.post(
        "/api/auth/login", json={"email": platform.admin_email, "password": platform.admin_password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= 900
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA"
    for part in SERVICES:
        routed = anonymous.get(f"/api/{part}/whoami", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert routed.status_code == 200, (part, routed.text)
        assert routed.json()["person_id"] == body["person"]["id"]
        assert routed.json()["roles"] == ["admin"]


def test_wrong_password_is_refused_with_a_problem(platform, anonymous):
    response = anonymous.post("/api/auth/login", json={"email": platform.admin_email, "password": "not-the-password"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Email or password is not right."


def test_a_routed_call_without_a_token_is_refused_at_the_gateway(anonymous):
    for part in SERVICES:
        response = anonymous.get(f"/api/{part}/whoami")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert "Sign in" in response.json()["detail"]


@pytest.mark.parametrize("part", SERVICES)
def test_a_service_called_directly_refuses_forged_and_expired_tokens(platform, part):
    from platform_core.keys import generate_keypair

    now = int(time.time())
    claims = {
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
        "council": None,
    }
    other_private, _ = generate_keypair()
    forged = jwt.encode(claims, other_private, algorithm="EdDSA")
    expired = platform.issuer.issue(
        subject=uuid.uuid4(), council_id=None, council_name="", roles=["admin"], name="x", ttl_seconds=-60
    )
    unsigned = jwt.encode(claims, None, algorithm="none")
    wrong_audience = jwt.encode(
        {**claims, "aud": "someone-else"}, platform.runner.private_key_file.read_text(), algorithm="EdDSA"
    )
    good, tampered = _signed_and_tampered(platform)
    with httpx.Client(base_url=platform.url(part)) as direct:
        assert direct.get(f"/api/{part}/whoami").status_code == 401
        assert direct.get(f"/api/{part}/whoami", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        for name, token in [
            ("forged", forged),
            ("expired", expired),
            ("alg none", unsigned),
            ("wrong audience", wrong_audience),
            ("tampered signature", tampered),
        ]:
            response = direct.get(f"/api/{part}/whoami", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, name
            assert response.headers["content-type"] == "application/problem+json", name
        expired_answer = direct.get(f"/api/{part}/whoami", headers={"Authorization": f"Bearer {expired}"})
        assert "expired" in expired_answer.json()["detail"]


def _signed_and_tampered(platform) -> tuple[str, str]:
    """A token the platform really signed, and the same token with one bit of its signature flipped."""
    good = platform.issuer.issue(
        subject=uuid.uuid4(), council_id=None, council_name="", roles=["admin"], name="x", ttl_seconds=600
    )
    head, payload, signature = good.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 0x01
    return good, ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def test_the_gateway_refuses_the_same_bad_tokens(platform, anonymous):
    from platform_core.keys import generate_keypair

    expired = platform.issuer.issue(
        subject=uuid.uuid4(), council_id=None, council_name="", roles=["admin"], name="x", ttl_seconds=-60
    )
    now = int(time.time())
    forged = jwt.encode(
        {
            "iss": TOKEN_ISSUER,
            "aud": TOKEN_AUDIENCE,
            "sub": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 600,
            "roles": ["admin"],
            "council": None,
        },
        generate_keypair()[0],
        algorithm="EdDSA",
    )
    good, tampered = _signed_and_tampered(platform)
    assert anonymous.get("/api/ideas/whoami", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    for token in [expired, forged, tampered, "not-a-jwt", "a.b.c"]:
        response = anonymous.get("/api/ideas/whoami", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        response = anonymous.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


# (A path outside /api is a page: an unknown one is an HTML 404 page, tests/web/test_gateway_pages.py.)
@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/ideas/no-such-route"])
def test_unknown_routes_are_404_problems(admin, path):
    response = admin.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"


def test_request_id_is_made_echoed_passed_on_and_logged(platform, admin):
    response = admin.get("/api/voting/whoami", headers={"X-Request-ID": "hackday-trace-42"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "hackday-trace-42"
    made = admin.get("/api/ideas/whoami")
    made_id = made.headers["x-request-id"]
    assert len(made_id) == 32
    # An id that is unsafe to log is replaced, not trusted.
    replaced = admin.get("/api/ideas/whoami", headers={"X-Request-ID": "bad id {with} spaces"})
    assert replaced.headers["x-request-id"] != "bad id {with} spaces"
    assert len(replaced.headers["x-request-id"]) == 32

    def lines(part):
        # Complete lines only: the part may be half-way through writing its last one.
        text = platform.log(part)
        # Split on newlines only: a logged path may hold U+2028 or U+0085, which splitlines() splits on.
        return [json.loads(line) for line in text[: text.rfind("\n") + 1].split("\n") if line.startswith("{")]

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        gateway_ids = {line.get("request_id") for line in lines("gateway")}
        voting_ids = {line.get("request_id") for line in lines("voting")}
        ideas_ids = {line.get("request_id") for line in lines("ideas")}
        if {"hackday-trace-42"} <= gateway_ids & voting_ids and made_id in gateway_ids & ideas_ids:
            break
        time.sleep(0.1)
    assert "hackday-trace-42" in gateway_ids and "hackday-trace-42" in voting_ids
    assert made_id in gateway_ids and made_id in ideas_ids


def test_health_readiness_and_metrics(platform, anonymous):
    assert anonymous.get("/healthz").json() == {"status": "ok", "part": "gateway"}
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["parts"] == {
        "gateway": "ready",
        "ideas": "ready",
        "voting": "ready",
        "followup": "ready",
        "web": "ready",
    }
    for part in SERVICES:
        with httpx.Client(base_url=platform.url(part)) as direct:
            assert direct.get("/healthz").status_code == 200
            body = direct.get("/readyz").json()
            own = {"similar-idea index": "ok"} if part == "ideas" else {}
            assert body["checks"] == {"database": "ok", "migrations": "ok", **own}
            # /metrics is on the part's own metrics address (tests/operations/test_observability.py).
            metrics = httpx.get(platform.runner.metrics_url(part))
            assert metrics.status_code == 200 and "http_requests_total" in metrics.text
    assert "http_requests_total" in httpx.get(platform.runner.metrics_url("gateway")).text


def test_one_openapi_document_covers_every_part(anonymous):
    doc = anonymous.get("/openapi.json").json()
    paths = doc["paths"]
    assert "/api/auth/login" in paths
    for part in SERVICES:
        assert any(p.startswith(f"/api/{part}/") for p in paths), part
    assert "/healthz" in paths and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    docs_page = anonymous.get("/docs")
    assert docs_page.status_code == 200 and "swagger" in docs_page.text.lower()


def test_a_killed_service_gives_a_quick_503_and_recovers_without_restarting_the_gateway(platform, admin):
    platform.kill("followup")
    try:
        started = time.monotonic()
        response = admin.get("/api/followup/whoami")
        assert time.monotonic() - started < 3
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "followup" in response.json()["detail"]
        ready = admin.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["parts"]["followup"].startswith("not ready")
        assert ready.json()["parts"]["ideas"] == "ready"
        assert admin.get("/api/ideas/whoami").status_code == 200  # the others keep answering
    finally:
        platform.start("followup")
    assert admin.get("/api/followup/whoami").status_code == 200
    assert admin.get("/readyz").status_code == 200
