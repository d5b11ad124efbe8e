"""The gateway as the one entry for pages too: everything outside /api and its own paths goes to web/,
an unknown /api path stays problem+json, readiness includes the pages, and assets come cached and gzipped."""

from __future__ import annotations

import re


def test_an_unknown_page_is_an_html_404_and_an_unknown_api_path_stays_problem_json(anonymous):
    page = anonymous.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html") and "Page not found" in page.text
    assert page.headers["x-request-id"]
    api = anonymous.get("/api/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
    assert anonymous.get("/api/ideas/no-such-thing").headers["content-type"].startswith("application/problem+json")


def test_readiness_includes_the_pages(anonymous):
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200 and ready.json()["parts"]["web"] == "ready"


def test_pages_come_through_the_gateway_compressed_with_their_assets_cached_for_a_year(anonymous):
    page = anonymous.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        asset = anonymous.get(url, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable", url
        if url.endswith((".css", ".js")):
            assert asset.headers["content-encoding"] == "gzip", url


def test_swagger_ui_is_served_by_the_platform_not_a_cdn(anonymous):
    docs = anonymous.get("/docs")
    assert docs.status_code == 200 and "cdn." not in docs.text and "https://" not in docs.text.split("<body>")[0]
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', docs.text):
        assert anonymous.get(url).status_code == 200, url


def test_sign_in_posts_are_counted_by_the_gateway_per_client_address(extra_gateway):
    with extra_gateway(GATEWAY_LOGIN_RATE_LIMIT="2/minute") as client:
        answers = [client.post("/sign-in", data={"email": "a@b.org", "password": "x"}).status_code for _ in range(3)]
    assert answers[:2] == [400, 400]  # the form's own answer (its CSRF token is missing)
    assert answers[2] == 429
