"""Forms: what a person typed, the errors to show next to each field and in the summary, and the
per-form key that makes a form sent twice (double click, reload) create one object."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.datastructures import FormData

FORM_KEY = "form_key"


def new_form_key() -> str:
    return uuid.uuid4().hex


def form_key(form: FormData) -> str | None:
    """The key sent with the form, used as the API's Idempotency-Key; None if missing or malformed."""
    value = form.get(FORM_KEY)
    if isinstance(value, str) and 16 <= len(value) <= 64 and value.isalnum():
        return value
    return None


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def values(form: FormData) -> dict[str, Any]:
    """Everything typed, kept to fill the form again (files left out)."""
    out: dict[str, Any] = {}
    for key in form.keys():
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = items if len(items) > 1 else (items[0] if items else "")
    return out


def error_context(errors: dict[str, str]) -> dict[str, Any]:
    """`errors` {field: message} for the fields, and the error summary's list linking to each field."""
    return {"errors": errors, "error_list": [{"text": m, "href": f"#{f}"} for f, m in errors.items()]}


def api_errors(errors: list[dict[str, Any]], fields: dict[str, str], fallback: str, detail: str) -> dict[str, str]:
    """The API's field errors mapped onto the form's fields (`fields`: API field -> form field)."""
    out: dict[str, str] = {}
    for err in errors:
        api_field = str(err.get("field", ""))
        target = fields.get(api_field) or next((f for a, f in fields.items() if api_field.startswith(a + ".")), None)
        message = str(err.get("message", "is not valid"))
        out.setdefault(target or fallback, message[0].upper() + message[1:])
    if not out:
        out[fallback] = detail
    return out
