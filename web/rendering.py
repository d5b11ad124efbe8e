"""Pages from templates: the Jinja environment (ours first, then GOV.UK Frontend's macros), the context
every page gets, and the headers every page carries (a per-request CSP nonce, no caching of personal pages).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web import labels
from web.assets import Assets


@cache
def make_environment(assets: Assets) -> Environment:
    """One per process (compiled templates are kept): the app's lifespan asks for it."""
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("web", "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["asset"] = assets.url
    env.globals["label"] = labels.label
    env.globals["phase_tag"] = labels.phase_tag
    env.globals["status_tag"] = labels.status_tag
    env.filters["day"] = _day
    env.filters["when"] = _when
    env.filters["number"] = _number
    return env


def _day(value: str | date | None) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{d.day} {d:%B %Y}"


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _when(value: str | datetime | None) -> str:
    if not value:
        return ""
    d = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {d:%B %Y} at {d:%H:%M} UTC"


# Whatever is not named here is refused: scripts only from this origin (plus the two inline scripts
# carrying the page's nonce), no framing, forms only back to this origin.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    state = request.app.state.web
    nonce = secrets.token_urlsafe(16)
    page = {
        "request": request,
        "person": getattr(request.state, "person", None),
        "csrf_token": state.cookies.csrf_token(request),
        "csp_nonce": nonce,
        "path": request.url.path,
        **(context or {}),
    }
    html = state.templates.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    state.cookies.set_csrf_cookie(request, response)
    return response
