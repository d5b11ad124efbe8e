"""Dependencies declared once: the app's state, the signed-in person with their API, the checked form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from asgi_correlation_id import correlation_id
from fastapi import Depends, Request
from starlette.datastructures import FormData

from platform_core.auth import Principal
from platform_core.problems import Problem
from web.clients.gateway import PersonApi
from web.roster import MAX_ROWS
from web.sessions import CSRF_FIELD, Session
from web.state import WebState


class SignInRequired(Exception):
    """No session, or its token has expired: sign in, then come back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Forbidden(Exception):
    """The person is signed in but this page is not for them (e.g. staff on an organiser page)."""


class FormExpired(Exception):
    """The form's CSRF token is missing, forged or too old."""


def get_state(request: Request) -> WebState:
    return request.app.state.web


StateDep = Annotated[WebState, Depends(get_state)]


@dataclass
class SignedIn:
    person: Principal
    session: Session
    api: PersonApi

    @property
    def is_organiser(self) -> bool:
        return self.person.has("organiser", "admin")


def where_from(request: Request) -> str:
    """The page to come back to after signing in: this one (a form's own page, for a POST)."""
    query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
    return request.url.path + query


async def signed_in(request: Request, state: StateDep) -> SignedIn:
    session = state.cookies.read(request)
    if session is None:
        raise SignInRequired(where_from(request))
    try:
        person = state.verifier.verify(session.access_token)
    except Problem:
        # Expired. A refresh token, once the gateway issues them, gets a new access token here.
        refreshed = await refresh(request, state, session)
        if refreshed is None:
            raise SignInRequired(where_from(request)) from None
        session, person = refreshed
    request.state.person = person
    return SignedIn(
        person=person, session=session, api=state.gateway.as_person(session.access_token, correlation_id.get())
    )


async def refresh(request: Request, state: StateDep, session: Session) -> tuple[Session, Principal] | None:
    if not session.refresh_token:
        return None
    from web.clients.gateway import ApiError

    try:
        answer = await state.gateway.refresh(session.refresh_token, correlation_id.get())
        fresh = state.cookies.new(answer["access_token"], answer.get("refresh_token") or session.refresh_token)
        person = state.verifier.verify(fresh.access_token)
    except (ApiError, KeyError, Problem):
        return None
    request.state.refreshed_session = fresh  # written into the answer's cookie by the app's middleware
    return fresh, person


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


async def organiser(who: SignedInDep) -> SignedIn:
    if not who.is_organiser:
        raise Forbidden
    return who


OrganiserDep = Annotated[SignedIn, Depends(organiser)]


# A roster's "Add N people" form carries each person's name and email (roster.MAX_ROWS of them), far past
# Starlette's default of 1000 fields; the body's size limit still bounds every form.
FORM_FIELDS_MAX = 2 * MAX_ROWS + 100


async def checked_form(request: Request, state: StateDep) -> FormData:
    form = await request.form(max_fields=FORM_FIELDS_MAX)
    token = form.get(CSRF_FIELD)
    if not state.cookies.csrf_ok(request, token if isinstance(token, str) else None):
        raise FormExpired
    return form


FormDep = Annotated[FormData, Depends(checked_form)]
