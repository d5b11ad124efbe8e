"""Pages from templates: the Jinja environment (ours first, then GOV.UK Frontend's macros), the context
every page gets, and the headers every page carries (a per-request CSP nonce, no caching of personal pages).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from web import labels
from web.assets import Assets

# What a plain dict has as attributes: `d.items` in a template is the method, as Jinja has it.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PagesEnvironment(Environment):
    """Jinja with `x.name` on the API's answers (plain dicts) read as the key first. Jinja tries the
    attribute first, and on a dict that fails with an AttributeError raised and caught at every `x.name`
    of every page: measured the largest single cost of rendering a trial's page. A dict's own attributes
    (`items`, `get`...) are left to Jinja, so every template reads exactly what it read before."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@cache
def make_environment(assets: Assets) -> Environment:
    """One per process (compiled templates are kept): the app's lifespan asks for it."""
    env = PagesEnvironment(
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


def _page(request: Request, context: dict[str, Any] | None, nonce: str) -> dict[str, Any]:
    return {
        "request": request,
        "person": getattr(request.state, "person", None),
        "csrf_token": request.app.state.web.cookies.csrf_token(request),
        "csp_nonce": nonce,
        "path": request.url.path,
        **(context or {}),
    }


def _page_headers(request: Request, response: Response, nonce: str) -> None:
    response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    request.app.state.web.cookies.set_csrf_cookie(request, response)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = request.app.state.web.templates.get_template(template).render(_page(request, context, nonce))
    response = HTMLResponse(html, status_code=status_code)
    _page_headers(request, response, nonce)
    return response


def render_part(request: Request, template: str, context: dict[str, Any] | None = None) -> str:
    """A piece of a page (no layout), with what every page's context has: for a page sent in parts."""
    return request.app.state.web.templates.get_template(template).render(_page(request, context, ""))


STREAMED = "<!--streamed-->"


def render_streamed(
    request: Request, template: str, context: dict[str, Any], parts: AsyncIterator[str]
) -> StreamingResponse:
    """A page sent as it is made, for work that takes a while: the template up to its `{{ streamed }}`,
    then each part as `parts` yields it, then the rest. The browser shows each part as it arrives, with or
    without JavaScript, and nothing is kept between requests. The status is 200 before the work is done,
    so a failure is said in a part."""
    nonce = secrets.token_urlsafe(16)
    context = {**context, "streamed": Markup(STREAMED)}
    html = request.app.state.web.templates.get_template(template).render(_page(request, context, nonce))
    head, _, tail = html.partition(STREAMED)

    async def page() -> AsyncIterator[str]:
        yield head
        async for part in parts:
            yield part
        yield tail

    response = StreamingResponse(page(), media_type="text/html; charset=utf-8")
    _page_headers(request, response, nonce)
    # A buffering proxy in front (nginx's default) would hold every part until the end.
    response.headers["X-Accel-Buffering"] = "no"
    return response
