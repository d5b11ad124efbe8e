"""Signing in (email and password, or a first time with an invitation code) and signing out.

The gateway checks the password and answers with the person's token; the token goes into the
encrypted session cookie (web/sessions.py), and the person returns to the page they were on. When the
gateway adds single sign-on or refresh tokens, they arrive here the same way: a token answer kept in
the cookie.
"""

from __future__ import annotations

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


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in/sign_in.html", {"title": "Sign in", "next": safe_next(next), "values": {}})


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
