"""The hack days open to me, and one hack day's page: what I can do on it now."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.deps import SignedInDep
from web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/hack-days")
async def hack_days(request: Request, who: SignedInDep) -> Response:
    days = await who.api.hack_days()
    if not who.is_organiser:
        days = [d for d in days if d["phase"] != "draft"]  # a draft is the organisers' until it opens
    return render(request, "hack_days/list.html", {"title": "Hack days", "hack_days": days})


@router.get("/hack-days/{hack_day_id}")
async def hack_day(request: Request, hack_day_id: uuid.UUID, who: SignedInDep) -> Response:
    day = await who.api.hack_day(hack_day_id)
    rounds = [r for r in await who.api.rounds(hack_day_id) if who.is_organiser or r["phase"] != "draft"]
    mine = (await who.api.ideas(hack_day_id=hack_day_id, mine="true"))["items"]
    return render(
        request,
        "hack_days/hack_day.html",
        {"title": day["name"], "day": day, "rounds": rounds, "mine": mine, "is_organiser": who.is_organiser},
    )
