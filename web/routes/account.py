"""A person's own account: whether hack-day news comes by email (mail about the account always does)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web.deps import FormDep, SignedInDep
from web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/account/mail")
async def mail_page(request: Request, who: SignedInDep) -> Response:
    me = await who.api.me()
    context = {"title": "Email from the platform", "news_mail": me.get("news_mail", True)}
    return render(request, "account/mail.html", context)


@router.post("/account/mail")
async def set_mail(request: Request, who: SignedInDep, form: FormDep) -> Response:
    await who.api.set_news_mail(form.get("news_mail") == "yes")
    return RedirectResponse("/account/mail?saved=1", status_code=303)
