"""HTTP routes of the gateway's own API, one module per resource; `router` holds them in match order."""

from fastapi import APIRouter

from gateway.routes import (
    api_keys,
    auth,
    journeys,
    news,
    openapi,
    people,
    problem_pages,
    readiness,
    review_digest,
    sign_on,
)

router = APIRouter()
for part in (readiness, auth, sign_on, people, api_keys, journeys, openapi, problem_pages, news, review_digest):
    router.include_router(part.router)
