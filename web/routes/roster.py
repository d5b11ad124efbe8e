"""The staff roster: an organiser uploads HR's CSV of names and emails, sees a preview with what is
wrong on each row, adds the people (the API in batches, the page sent as each batch is added so that a
long roster shows how far it got), and downloads the invitation codes as a file to hand out while the
platform sends no email. The codes are never stored by web: they travel in the answer page's hidden
fields, back to the person who was shown them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from web import forms, roster
from web.clients.gateway import ApiError
from web.deps import FormDep, OrganiserDep
from web.rendering import render, render_part, render_streamed

router = APIRouter(include_in_schema=False)
# People a call: the API takes up to 1000, but the page says how far it got after each call, so a large
# roster (5000 at most) moves in ten steps rather than five.
BATCH = 500


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
    batches = (len(people) + BATCH - 1) // BATCH

    async def progress() -> AsyncIterator[str]:
        """A line as each batch is added, then what was added (with the codes), or where it stopped."""
        created: list[dict[str, Any]] = []
        existing: list[str] = []
        failed = None
        for number, start in enumerate(range(0, len(people), BATCH), start=1):
            try:  # each batch is all or nothing; the API skips who exists, so a file sent again adds no one twice
                answer = await who.api.add_staff(who.person.council_id, people[start : start + BATCH])
            except ApiError as exc:
                failed = exc.detail
                break
            created += answer["created"]
            existing += answer["already_registered"]
            done = min(start + BATCH, len(people))
            yield render_part(
                request,
                "organise/_staff_progress.html",
                {"number": number, "batches": batches, "done": done, "total": len(people)},
            )
        codes = [{"name": p["name"], "email": p["email"], "code": p.get("invitation_code") or ""} for p in created]
        context = {
            "added": codes,
            "emailed": bool(created) and not any(c["code"] for c in codes),
            "existing": existing,
            "failed": failed,
            "total": len(people),
        }
        yield render_part(request, "organise/_staff_added.html", context)

    context = {"title": "Adding staff", "total": len(people), "batches": batches, "batch": BATCH}
    return render_streamed(request, "organise/staff_adding.html", context, progress())


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
