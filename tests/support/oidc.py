"""A real OpenID provider for the single sign-on tests (oidc-provider on Node, tests/support/oidc_provider/),
and a browser's part of signing in there, done over HTTP: follow the redirects, fill in its sign-in
form, agree to share the email and name, and stop where the provider sends the person back."""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tools.platform_runner import free_port

HERE = Path(__file__).resolve().parent / "oidc_provider"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


class OpenIdProvider:
    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port, self.process, self.log = port, process, log
        self.issuer = f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def openid_provider(redirect_uris: list[str], log_dir: Path) -> Iterator[OpenIdProvider]:
    """Start the provider on a free port (skipped, or failed in CI, when Node or its packages are missing:
    `make install-dev` runs `npm ci` there)."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").exists():
        message = "the test OpenID provider needs Node and `npm ci` in tests/support/oidc_provider (make install-dev)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    log = log_dir / f"oidc-provider-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [node, "provider.mjs"],
            cwd=HERE,
            env={**os.environ, "PORT": str(port), "REDIRECT_URIS": ",".join(redirect_uris)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    provider = OpenIdProvider(port, process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(provider.issuer + "/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"the OpenID provider did not start: {log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_provider(browser: httpx.Client, authorization_url: str, login: str, back_to: str) -> httpx.URL:
    """What a person does at their council's provider: sign in as `login`, agree, and be sent back.
    Answers the URL the provider sent the browser back to (under `back_to`), without following it."""
    response = browser.get(authorization_url)
    for _ in range(12):
        if response.is_redirect:
            target = response.next_request.url if response.next_request else None
            assert target is not None
            if str(target).startswith(back_to):
                return target
            response = browser.get(target)
            continue
        assert response.status_code == 200, response.text
        action = FORM_ACTION.search(response.text)
        assert action, response.text
        form = (
            {"prompt": "consent"}
            if 'value="consent"' in response.text
            else {
                "prompt": "login",
                "login": login,
                "password": "any password: the development form takes any",
            }
        )
        response = browser.post(httpx.URL(str(response.url)).join(html.unescape(action.group(1))), data=form)
    raise AssertionError("the provider never sent the browser back")
