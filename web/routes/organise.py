"""Organiser pages: a hack day's dashboard (phases, roster, ideas queue, rounds) and the projector view."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.deps import OrganiserDep
from web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/organise")
async def organise(request: Request, who: OrganiserDep) -> Response:
    days = await who.api.hack_days()
    return render(request, "organise/index.html", {"title": "Organise", "hack_days": days})
