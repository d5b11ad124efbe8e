"""The staff roster: an organiser uploads HR's CSV of names and emails, sees a preview with what is
wrong on each row, adds the people (the API in batches), and downloads the invitation codes as a file
to hand out while the platform sends no email. The codes are never stored by web: they travel in the
answer page's hidden fields, back to the person who was shown them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from web import forms, roster
from web.deps import FormDep, OrganiserDep
from web.rendering import render

router = APIRouter(include_in_schema=False)
BATCH = 1000  # the API's most people a call


def _page(request: Request, **context) -> Response:
    errors = context.pop("errors", None)
    status = 400 if errors else 200
    return render(
        request,
        "organise/staff.html",
        {"title": "Add staff", **context, **forms.error_context(errors or {})},
        status_code=status,
    )


@router.get("/organise/staff")
async def staff_form(request: Request, who: OrganiserDep) -> Response:
    return _page(request)


@router.post("/organise/staff")
async def staff_upload(request: Request, who: OrganiserDep, form: FormDep) -> Response:
    if form.get("action") == "add":
        return await _add(request, who, form)
    upload = form.get("roster")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, errors={"roster": "Choose the CSV file exported from HR"})
    if not upload.filename.lower().endswith((".csv", ".txt")):
        return _page(request, errors={"roster": "The file must be a CSV: in Excel, “Save as” CSV UTF-8"})
    read = roster.read(await upload.read())
    if read.error:
        return _page(request, errors={"roster": read.error})
    return _page(request, preview=read, filename=upload.filename)


async def _add(request: Request, who, form) -> Response:
    names = [n for n in form.getlist("name") if isinstance(n, str)]
    emails = [e for e in form.getlist("email") if isinstance(e, str)]
    people = [{"name": n, "email": e} for n, e in zip(names, emails, strict=False) if n.strip() and e.strip()]
    if not people:
        return _page(request, errors={"roster": "Nobody to add: upload the roster again"})
    council = who.person.council_id
    created, existing = [], []
    for start in range(0, len(people), BATCH):  # each batch is all or nothing; the API skips who exists
        answer = await who.api.add_staff(council, people[start : start + BATCH])
        created += answer["created"]
        existing += answer["already_registered"]
    codes = [{"name": p["name"], "email": p["email"], "code": p.get("invitation_code") or ""} for p in created]
    return _page(
        request,
        added=codes,
        emailed=bool(created) and not any(c["code"] for c in codes),
        existing=existing,
        batches=(len(people) + BATCH - 1) // BATCH,
    )


@router.post("/organise/staff/invitation-codes.csv")
async def codes_file(request: Request, who: OrganiserDep, form: FormDep) -> Response:
    names, emails, codes = (form.getlist(k) for k in ("name", "email", "code"))
    people = [{"name": str(n), "email": str(e), "code": str(c)} for n, e, c in zip(names, emails, codes, strict=False)]
    return Response(
        roster.codes_csv(people),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="invitation-codes.csv"',
            "Cache-Control": "no-store",  # codes let people into the platform: not kept by any cache
        },
    )
