"""HTTP routes of the ideas service, one module per resource; `router` holds them in match order."""

from fastapi import APIRouter

from ideas.routes import comments, hack_days, ideas, internal, moderation, similar, vocabulary

router = APIRouter()
for part in (hack_days, ideas, moderation, comments, similar, vocabulary, internal):
    router.include_router(part.router)
