"""Browser fixtures: Playwright driving Debian's Chromium (no browser download), through the gateway of
the test platform, with axe-core for accessibility. Without Chromium the browser tests skip with the
reason; in CI (CI=true) they fail instead, as PostgreSQL's do."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.support.actors import Actor, Council

CHROMIUM = os.environ.get("PLATFORM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("PLATFORM_REQUIRE_BROWSER") == "1"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser(platform) -> Iterator:
    """One Chromium per module, closed when the module's tests end: while Playwright's sync API is
    active it holds a running event loop on the main thread, where other tests call asyncio.run."""
    if platform.backend != "sqlite":
        pytest.skip("browser journeys run on the SQLite platform only")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; `make test` does it as root)"
        if BROWSER_REQUIRED:
            pytest.fail(message + "; it is required here (CI=true)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def sqlite_platform(platform):
    """Browser journeys run once, on SQLite: the pages hold no data, and the API under them is tested on
    both databases by the rest of the suite."""
    if platform.backend != "sqlite":
        pytest.skip("browser journeys run on the SQLite platform only")
    return platform


@dataclass
class Pages:
    """Opens browser tabs on the platform's gateway, signed in or not."""

    browser: object
    platform: object

    @property
    def base(self) -> str:
        return self.platform.gateway_url

    def open(self, actor: Actor | None = None, *, width: int = 1280, javascript: bool = True):
        context = self.browser.new_context(
            base_url=self.base, viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        context.set_default_timeout(15_000)
        if actor is not None:
            context.add_cookies([{"name": "hackday_session", "value": self.session_cookie(actor), "url": self.base}])
        page = context.new_page()
        page.javascript = javascript  # axe needs script: a page without it is checked as a copy (below)
        return page

    def session_cookie(self, actor: Actor) -> str:
        """The cookie signing in would set, for the actor's long-lived test token (no Argon2 per test)."""
        from starlette.responses import Response

        from web.sessions import SessionCookies
        from web.settings import WebSettings

        cookies = SessionCookies(WebSettings(environment="test", session_keys=self.platform.runner.session_key()))
        response = Response()
        cookies.write(response, cookies.new(actor.token, None))
        return response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


@pytest.fixture
def pages(browser, sqlite_platform) -> Iterator[Pages]:
    opened = Pages(browser, sqlite_platform)
    yield opened
    for context in browser.contexts:
        context.close()


@pytest.fixture
def axe(browser, pages) -> Iterator[Callable]:
    """Check the page as it is now against WCAG 2.2 A and AA with axe-core; fail naming each violation.

    axe-core runs as a script, which a page opened without JavaScript cannot run: its HTML as it stands
    is checked in a second tab (with the same styles, from the gateway) instead."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()
    copies = []

    def check(page, state: str) -> None:
        target = page
        if not getattr(page, "javascript", True):
            if not copies:
                copies.append(browser.new_context(viewport=page.viewport_size).new_page())
            target = copies[0]
            target.set_viewport_size(page.viewport_size)
            html = page.content().replace("<head>", f'<head><base href="{pages.base}/">', 1)
            target.set_content(html, wait_until="load")
        results = checker.run(target, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, f"{state} ({page.url}):\n{results.generate_report()}"

    yield check
    for copy in copies:
        copy.context.close()


@pytest.fixture
def person_with_password(platform, admin) -> Callable[..., dict]:
    """A person who signs in with the form (Argon2 once): {email, password, id}."""

    def make(council: Council, *roles: str) -> dict:
        email = f"web-{uuid.uuid4().hex[:8]}@example.org"
        response = admin.post(
            "/api/people",
            json={
                "email": email,
                "name": "Priya Patel",
                "council_id": council.id,
                "roles": list(roles or ["staff"]),
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        return {"email": email, "password": PASSWORD, "id": response.json()["id"]}

    return make


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide at {viewport} px"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element is focused, as a keyboard user would (fails if it is never reached)."""
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")
