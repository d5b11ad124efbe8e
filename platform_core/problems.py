"""Every error is application/problem+json (RFC 9457): a type, a title, a status and a specific detail.

Domain code raises `Problem` (or FastAPI's HTTPException); validation errors name the field.
Nothing here ever puts a stack trace in a response.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from platform_core.problem_types import KINDS, type_uri

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("platform.errors")

_TITLES = {kind.status: kind.title for kind in KINDS}


class FieldError(BaseModel):
    field: str = Field(description="The field, parameter or header at fault; dotted for a nested field.")
    message: str = Field(description="What is wrong with it, in words a person can act on.")


class ProblemDetail(BaseModel):
    """The body of every error answer (RFC 9457), documented under application/problem+json for every route."""

    type: str = Field(
        default="about:blank",
        description="The kind of problem: a URI reference to a page that explains it and what to do, one per "
        "status (resolved against the address you called: /problems/not-found through the gateway). "
        "The pages are listed at /problems.",
        json_schema_extra={"format": "uri-reference"},
        examples=["/problems/invalid-input"],
    )
    title: str = Field(description="The kind of problem in a few words; the same for every problem of a type.")
    status: int = Field(description="The HTTP status, repeated.", examples=[422])
    detail: str | None = Field(
        default=None,
        description="What exactly was wrong with this request.",
        examples=["date: is not a date: use YYYY-MM-DD, e.g. 2027-04-01"],
    )
    instance: str | None = Field(default=None, description="The path the request was sent to.")
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid input: every field at fault, each with its problem."
    )


class Problem(Exception):
    """An error a person can act on. `detail` says exactly what was wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.type = type_ or type_uri(status)
        self.errors = errors
        self.headers = headers or {}


def problem_body(
    status: int,
    detail: str | None,
    *,
    title: str | None = None,
    type_: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_ or type_uri(status),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


# Every 401 says how to authenticate (RFC 9110 11.6.1; the Bearer scheme of RFC 6750). An API key is
# exchanged for such a token at the gateway (POST /api/auth/token) or sent as X-API-Key.
WWW_AUTHENTICATE = 'Bearer realm="council-hackday"'


def problem_response(
    status: int, detail: str | None, *, headers: dict[str, str] | None = None, **kw: Any
) -> JSONResponse:
    if status == 401 and not any(name.lower() == "www-authenticate" for name in headers or {}):
        headers = {**(headers or {}), "WWW-Authenticate": WWW_AUTHENTICATE}
    return JSONResponse(
        problem_body(status, detail, **kw), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "title") -> "title"; ("query", "limit") -> "limit"; nested -> "expected_benefit.unit"
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


# Pydantic's own words for a malformed date ("input is too short", "invalid character in year") do not
# say what to write; these do.
_DATE = "is not a date: use YYYY-MM-DD, e.g. 2027-04-01"
_DATETIME = "is not a date and time: use ISO 8601 with a time zone, e.g. 2027-04-01T09:30:00Z"
_DATE_ERRORS = {
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "is a date and time: give the date alone, as YYYY-MM-DD, e.g. 2027-04-01",
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
}


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        msg = err.get("msg", "is invalid")
        field = _field_name(err.get("loc", ()))
        if err.get("type") == "extra_forbidden":
            msg = "is not a field that can be set here"
        elif err.get("type") in _DATE_ERRORS:
            msg = _DATE_ERRORS[err["type"]]
        elif err.get("type") == "json_invalid":
            # FastAPI locates a JSON syntax error by character offset ("body", 17): name the body.
            field, msg = "body", f"is not valid JSON ({err.get('ctx', {}).get('error', msg)})"
        out.append({"field": field, "message": msg})
    return out


async def _on_problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(
        exc.status,
        exc.detail,
        title=exc.title,
        type_=exc.type,
        errors=exc.errors,
        instance=request.url.path,
        headers=exc.headers,
    )


# FastAPI answers a bare 400 with this detail when a body cannot even be decoded (bytes that are not
# UTF-8, say). It is invalid input like any other, so it becomes the documented 422 naming the body.
_UNPARSABLE_BODY = "There was an error parsing the body"
_HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})


def _path_methods(app: Any) -> list[tuple[re.Pattern[str], list[str]]]:
    """(path pattern, methods) for every path of the app's OpenAPI document, compiled once."""
    table = getattr(app.state, "allowed_methods_table", None)
    if table is None:
        table = []
        for path, item in app.openapi().get("paths", {}).items():
            pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")
            table.append((pattern, sorted(m.upper() for m in item if m.upper() in _HTTP_METHODS)))
        app.state.allowed_methods_table = table
    return table


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents at this path. Starlette's own 405 names only the methods of
    the first route that matched, though a GET and a POST on one path are two routes."""
    try:
        table = _path_methods(request.app)
    except Exception:
        return []
    methods: set[str] = set()
    for pattern, path_methods in table:
        if pattern.match(request.url.path):
            methods.update(path_methods)
    return sorted(methods)


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 400 and detail == _UNPARSABLE_BODY:
        return problem_response(
            422,
            "body: is not valid JSON text (UTF-8)",
            instance=request.url.path,
            errors=[{"field": "body", "message": "is not valid JSON text (UTF-8)"}],
        )
    if exc.status_code == 404 and detail in (None, "Not Found"):
        detail = f"There is nothing at {request.url.path}."
    elif exc.status_code == 405:
        if detail in (None, "Method Not Allowed"):
            detail = f"{request.method} is not allowed on {request.url.path}."
        methods = allowed_methods(request)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers or None)


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response(422, detail, errors=errors, instance=request.url.path)


def _is_unavailable(exc: BaseException) -> bool:
    """The database (or another dependency) is unreachable: a 503 to retry, not a 500."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError)


def _is_nul_in_text(exc: BaseException) -> bool:
    """PostgreSQL refuses text holding NUL characters ("invalid byte sequence ... 0x00"). That is bad
    input the route did not catch, so a 422 (naming the body, since the field is not known here)
    rather than a 500; routes should still refuse NUL themselves and name the field."""
    from sqlalchemy.exc import DBAPIError, StatementError

    return isinstance(exc, (DBAPIError, StatementError, ValueError)) and "0x00" in str(getattr(exc, "orig", exc))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if _is_nul_in_text(exc):
        log.warning("text with a NUL character reached the database on %s %s", request.method, request.url.path)
        return problem_response(
            422,
            "body: text must not contain NUL (\\u0000) characters",
            instance=request.url.path,
            errors=[{"field": "body", "message": "text must not contain NUL (\\u0000) characters"}],
        )
    if _is_unavailable(exc):
        log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            503,
            "The database is not reachable just now; nothing was saved. Try again shortly.",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "Something went wrong on our side; it has been logged.", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    document_problems(app)
    app.add_exception_handler(Problem, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer, so the spec tells the truth.

    A route that reads If-Match (412, 428) also answers 400 for a header that is not a list of ETags
    (platform_core.etag), so those bring 400 with them: one rule, not one list per route."""
    if (412 in statuses or 428 in statuses) and 400 not in statuses:
        statuses = (400, *statuses)
    return {
        s: {"model": ProblemDetail, "content": {PROBLEM_JSON: {}}, "description": _TITLES.get(s, "Error")}
        for s in statuses
    }


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def _problem_json_only(doc: dict[str, Any]) -> dict[str, Any]:
    """Every error answer documented as what it is: application/problem+json with the ProblemDetail
    schema (FastAPI files a response model under application/json, and adds its own 422 schema to
    routes that do not document one), and a 415 on every operation that reads a JSON body
    (platform_core.json_bodies)."""
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = operation["responses"]
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body and "415" not in answers:
                answers["415"] = {"description": _TITLES[415]}
            for status, answer in answers.items():
                if not status.isdigit() or int(status) < 400:
                    continue
                content = answer.get("content", {})
                json_schema = content.get("application/json", {}).get("schema", {})
                if PROBLEM_JSON in content or int(status) == 415 or json_schema.get("$ref") == _VALIDATION_REF:
                    answer["content"] = {PROBLEM_JSON: {"schema": dict(_PROBLEM_REF)}}
                    if json_schema.get("$ref") == _VALIDATION_REF:
                        answer["description"] = _TITLES[int(status)]
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    if not any(_VALIDATION_REF in str(item) for item in doc.get("paths", {}).values()):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return doc


def document_problems(app: FastAPI) -> None:
    """The app's OpenAPI document shows its errors as problem+json (see `_problem_json_only`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = generate()  # FastAPI's own, which keeps it as app.openapi_schema: changed in place
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for model in (ProblemDetail, FieldError):  # referenced even where no route names the model
                schemas.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
            _problem_json_only(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
