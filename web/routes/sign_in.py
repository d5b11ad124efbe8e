"""Signing in (email and password, or a first time with an invitation code) and signing out.

The gateway checks the password and answers with the person's token; the token goes into the
encrypted session cookie (web/sessions.py), and the person returns to the page they were on. When the
gateway adds single sign-on or refresh tokens, they arrive here the same way: a token answer kept in
the cookie.
"""

from __future__ import annotations

import hmac

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError
from web.deps import FormDep, StateDep
from web.rendering import render

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site, never another site (an open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/hack-days"


@router.get("/")
async def home(request: Request, state: StateDep) -> Response:
    if state.cookies.read(request) is not None:
        return RedirectResponse("/hack-days", status_code=303)
    return RedirectResponse("/sign-in", status_code=303)


async def _sign_on_councils(state) -> list[dict]:
    """The "Sign in with <council>" buttons; none when the gateway cannot say (the password form still works)."""
    try:
        return await state.gateway.sign_on_councils(correlation_id.get())
    except ApiError:
        return []


@router.get("/sign-in")
async def sign_in_page(request: Request, state: StateDep, next: str | None = None) -> Response:
    context = {"title": "Sign in", "next": safe_next(next), "values": {}, "councils": await _sign_on_councils(state)}
    return render(request, "sign_in/sign_in.html", context)


# ---- single sign-on with the council's identity provider (gateway/domain/sso.py) --------------------------
# A link, not a form: the page's Content-Security-Policy lets forms go to this site only, and browsers
# apply that to a form's redirect too. The state also goes into a short-lived cookie of this browser,
# and the callback must bring back the same one: a sign-in started elsewhere (someone else's code and
# state, sent in a link) cannot sign this browser in as someone else.
SSO_STATE_COOKIE = "hackday_sso"
SSO_COOKIE_SECONDS = 600


def _sign_on_failed(request: Request, detail: str, status: int) -> Response:
    context = {"title": "You could not be signed in", "detail": detail}
    response = render(request, "sign_in/sign_on_failed.html", context, status_code=status)
    response.delete_cookie(SSO_STATE_COOKIE, path="/sign-in/sso")
    return response


@router.get("/sign-in/sso/callback")
async def sign_on_callback(request: Request, state: StateDep) -> Response:
    query = request.query_params
    if query.get("error"):
        said = query.get("error_description") or query["error"]
        return _sign_on_failed(request, f"Your council's sign-in service said: {said[:300]}.", 400)
    kept = request.cookies.get(SSO_STATE_COOKIE, "")
    sent = query.get("state", "")
    if not (kept and sent and query.get("code")) or not hmac.compare_digest(kept.encode(), sent.encode()):
        return _sign_on_failed(
            request,
            "This sign-in was started in another browser, or more than 10 minutes ago. Start again below.",
            400,
        )
    answer = {"state": sent, "code": query["code"]}
    if query.get("iss"):
        answer["iss"] = query["iss"]
    try:
        tokens = await state.gateway.complete_sign_on(answer, correlation_id.get())
    except ApiError as exc:
        return _sign_on_failed(request, exc.detail, exc.status if exc.status in (400, 401, 403, 502, 503) else 400)
    response = _signed_in(state, tokens, "/hack-days")
    response.delete_cookie(SSO_STATE_COOKIE, path="/sign-in/sso")
    return response


@router.get("/sign-in/with/{council}")
async def start_sign_on(request: Request, state: StateDep, council: str) -> Response:
    try:
        started = await state.gateway.start_sign_on(council, correlation_id.get())
    except ApiError as exc:
        if exc.status in (404, 422):
            return _sign_on_failed(request, "This council does not sign its staff in with its own account.", 404)
        return _sign_on_failed(request, exc.detail, exc.status if exc.status in (429, 502, 503) else 503)
    response = RedirectResponse(started["authorization_url"], status_code=303)
    response.set_cookie(
        SSO_STATE_COOKIE,
        started["state"],
        max_age=SSO_COOKIE_SECONDS,
        path="/sign-in/sso",
        httponly=True,
        samesite="lax",  # sent back on the provider's top-level redirect to the callback
        secure=state.cookies.secure,
    )
    return response


def browser_address(request: Request, state) -> str | None:
    """The browser's address, for the gateway's sign-in throttle; None unless web sits behind trusted
    proxies (WEB_TRUSTED_PROXIES: the gateway), whose X-Forwarded-For web's server has resolved into
    `request.client` (platform_core.serving). Without them it is the gateway's own address, which is
    not worth passing on. Only this one resolved address is sent: whatever X-Forwarded-For a browser
    wrote is never forwarded."""
    if not state.settings.trusted_proxies.strip() or request.client is None:
        return None
    return request.client.host


def _signed_in(state, answer: dict, next_path: str) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    state.cookies.write(response, state.cookies.new(answer["access_token"], answer.get("refresh_token")))
    return response


@router.post("/sign-in")
async def sign_in(request: Request, state: StateDep, form: FormDep) -> Response:
    email, password, next_path = forms.text(form, "email"), form.get("password") or "", forms.text(form, "next")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address"
    elif "@" not in email:
        errors["email"] = "Enter an email address in the correct format, like name@council.gov.uk"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        try:
            answer = await state.gateway.sign_in(
                email, str(password), correlation_id.get(), browser_address(request, state)
            )
            return _signed_in(state, answer, next_path)
        except ApiError as exc:
            if exc.status in (401, 422):
                errors["email"] = (
                    "The email address or password is not right, or the account is locked for a few minutes"
                )
            elif exc.status == 429:
                errors["email"] = exc.detail
            else:
                raise
    context = {
        "title": "Sign in",
        "next": safe_next(next_path),
        "values": {"email": email},
        "councils": await _sign_on_councils(state),
        **forms.error_context(errors),
    }
    return render(request, "sign_in/sign_in.html", context, status_code=400)


@router.get("/sign-in/invitation")
async def invitation_page(request: Request) -> Response:
    return render(request, "sign_in/invitation.html", {"title": "Sign in for the first time", "values": {}})


@router.post("/sign-in/invitation")
async def accept_invitation(request: Request, state: StateDep, form: FormDep) -> Response:
    code, password, confirm = forms.text(form, "code"), str(form.get("password") or ""), str(form.get("confirm") or "")
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Enter the invitation code you were given"
    if len(password.strip()) < 12:
        errors["password"] = "Choose a password of 12 characters or more"
    elif password != confirm:
        errors["confirm"] = "The two passwords are not the same"
    if not errors:
        try:
            answer = await state.gateway.accept_invitation(
                code, password, correlation_id.get(), browser_address(request, state)
            )
            return _signed_in(state, answer, "/hack-days")
        except ApiError as exc:
            if exc.status in (400, 404, 422):
                errors["code"] = "The invitation code is not right, or has been used already"
            elif exc.status == 429:
                errors["code"] = exc.detail
            else:
                raise
    context = {"title": "Sign in for the first time", "values": {"code": code}, **forms.error_context(errors)}
    return render(request, "sign_in/invitation.html", context, status_code=400)


@router.post("/sign-out")
async def sign_out(request: Request, state: StateDep, form: FormDep) -> Response:
    session = state.cookies.read(request)
    if session is not None and session.refresh_token:
        try:
            await state.gateway.sign_out(session.refresh_token, correlation_id.get())
        except ApiError:
            pass  # already ended, or the gateway is away: the cookie goes all the same
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    state.cookies.clear(response)
    return response
