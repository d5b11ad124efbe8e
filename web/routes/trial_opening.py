"""Opening a trial of an idea from the idea's page: a manager presses "Open a trial" and is taken to it.

The follow-up API decides (`POST /api/followup/trials`): only managers of the idea's own council, and only
for an idea still in play (not withdrawn, hidden or a duplicate). An idea that has a trial already (a
vote opens one for each idea it selects) is answered that trial, so the button never makes a second; the
form's key, sent as Idempotency-Key, makes a double click one call."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web import forms
from web.clients.gateway import ApiError
from web.deps import FormDep, SignedIn, SignedInDep
from web.rendering import render

router = APIRouter(include_in_schema=False)

# The follow-up API's IDEAS_OUT_OF_PLAY: a trial of these is refused, so the button is not offered.
OUT_OF_PLAY = ("withdrawn", "hidden", "duplicate")


def offered(who: SignedIn, idea: dict[str, Any]) -> bool:
    """Whether the idea's page shows "Open a trial" (the API still decides when it is pressed)."""
    return who.person.has("manager") and idea.get("status") not in OUT_OF_PLAY


@router.post("/ideas/{idea_id}/trial")
async def open_trial(request: Request, idea_id: uuid.UUID, who: SignedInDep, form: FormDep) -> Response:
    try:
        trial = await who.api.open_trial(idea_id, forms.form_key(form))
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        reason = next((e["message"] for e in exc.errors if e.get("field") == "idea_id"), None) or exc.detail
        reason = reason[:1].upper() + reason[1:]
        context = {
            "title": "The trial was not opened",
            "idea_id": idea_id,
            "reason": reason,
            **forms.error_context({"reason": reason}),
        }
        return render(request, "trials/not_opened.html", context, status_code=400)
    return RedirectResponse(f"/trials/{trial['id']}?done=opened", status_code=303)
