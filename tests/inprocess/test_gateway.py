"""The gateway's own routes and its typed state, in-process (tests/support/inprocess.py)."""

from __future__ import annotations

import uuid

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from gateway.state import GatewayState
from tests.support.http import ok, problem


def test_councils_are_listed_in_the_one_page_envelope(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    slug = f"council-{uuid.uuid4().hex[:8]}"
    ok(admin.post("/api/councils", json={"name": f"{slug} Council", "slug": slug}), 201)
    page = ok(admin.get("/api/councils", params={"limit": 1, "offset": 0}))
    assert set(page) == {"items", "total", "limit", "offset", "next_offset"}
    assert page["limit"] == 1 and page["offset"] == 0 and len(page["items"]) == 1
    problem(admin.get("/api/councils", params={"limit": 201}), 422, "limit")


def test_a_council_name_with_nul_or_an_unknown_field_is_refused(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    problem(admin.post("/api/councils", json={"name": "Bad\x00name", "slug": "bad-name"}), 422, "name")
    problem(admin.post("/api/councils", json={"name": "Good name", "slug": "good-name", "id": "x"}), 422, "id")


def test_only_admins_create_councils(gateway_app):
    staff = gateway_app.person(roles=["staff"])
    problem(staff.post("/api/councils", json={"name": "Mine Council", "slug": "mine"}), 403)


def test_the_application_state_is_one_typed_object(gateway_app):
    held = vars(gateway_app.app.app.state)["_state"]
    assert isinstance(held["platform"], GatewayState)
    assert set(held) <= {"platform", "allowed_methods_table"}, set(held)


def test_the_gateways_creating_posts_declare_idempotency_key(gateway_app):
    paths = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]
    for path in ("/api/councils", "/api/people", "/api/councils/{council_id}/staff", "/api/api-keys"):
        headers = {p["name"] for p in paths[path]["post"].get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path


def test_a_change_of_roles_declares_if_match_and_its_refusals(gateway_app):
    operation = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]["/api/people/{person_id}/roles"]["put"]
    assert "If-Match" in {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    assert {"400", "412", "428"} <= set(operation["responses"])


def test_a_change_of_council_declares_if_match_and_its_contact_is_an_open_read(gateway_app):
    paths = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]
    change = paths["/api/councils/{council_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in change.get("parameters", []) if p["in"] == "header"}
    assert {"400", "412", "428"} <= set(change["responses"])
    assert paths["/api/councils/{council_id}/contact"]["get"]["security"] == []


def test_a_council_contact_must_be_an_email_address_and_nothing_else_is_changed(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    slug = f"council-{uuid.uuid4().hex[:8]}"
    made = ok(admin.post("/api/councils", json={"name": f"{slug} Council", "slug": slug}), 201)
    path = f"/api/councils/{made['id']}"
    etag = admin.get(path).headers["ETag"]
    problem(admin.patch(path, json={"contact_email": "nobody"}, headers={"If-Match": etag}), 422, "contact_email")
    problem(admin.patch(path, json={"name": "Renamed", "contact_email": None}, headers={"If-Match": etag}), 422, "name")
    problem(admin.patch(path, json={"contact_email": "a@example.org"}, headers={"If-Match": "v1"}), 400, "If-Match")
    changed = ok(admin.patch(path, json={"contact_email": " a@example.org "}, headers={"If-Match": etag}))
    assert changed["contact_email"] == "a@example.org" and changed["name"] == made["name"]
    # An empty body changes no field, and still needs the version.
    assert (
        ok(admin.patch(path, json={}, headers={"If-Match": f'"{changed["version"]}"'}))["contact_email"]
        == "a@example.org"
    )


def test_production_needs_the_key_that_encrypts_single_sign_on_secrets():
    base = {
        "environment": "production",
        "database_url": "postgresql://gateway@127.0.0.1:5432/gateway",
        "jwt_private_key": "a signing key",
    }
    with pytest.raises(ValidationError, match="GATEWAY_SIGN_ON_SECRET_KEYS must be set in production"):
        GatewaySettings(**base)
    with pytest.raises(ValidationError, match="GATEWAY_SIGN_ON_SECRET_KEYS must be one or more Fernet keys"):
        GatewaySettings(**base, sign_on_secret_keys="REPLACE with a Fernet key")
    newest, older = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert GatewaySettings(**base, sign_on_secret_keys=f"{newest},{older}").sign_on_keys() == f"{newest},{older}"
