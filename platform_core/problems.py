"""Every error is application/problem+json (RFC 9457): a type, a title, a status and a specific detail.

Domain code raises `Problem` (or FastAPI's HTTPException); validation errors name the field.
Nothing here ever puts a stack trace in a response.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("platform.errors")

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class FieldError(BaseModel):
    field: str
    message: str


class ProblemDetail(BaseModel):
    """The body of every error answer (documented in OpenAPI for every route)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error a person can act on. `detail` says exactly what was wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.type = type_
        self.errors = errors
        self.headers = headers or {}


def problem_body(
    status: int,
    detail: str | None,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_,
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


def problem_response(
    status: int, detail: str | None, *, headers: dict[str, str] | None = None, **kw: Any
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, **kw), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "title") -> "title"; ("query", "limit") -> "limit"; nested -> "expected_benefit.unit"
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        msg = err.get("msg", "is invalid")
        if err.get("type") == "extra_forbidden":
            msg = "is not a field that can be set here"
        out.append({"field": _field_name(err.get("loc", ())), "message": msg})
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


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail in (None, "Not Found"):
        detail = f"There is nothing at {request.url.path}."
    elif exc.status_code == 405 and detail in (None, "Method Not Allowed"):
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(
        exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None)
    )


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


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if _is_unavailable(exc):
        log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            503,
            "The database is not reachable just now; nothing was saved. Try again shortly.",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500, "Something went wrong on our side; it has been logged.", instance=request.url.path
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer, so the spec tells the truth."""
    return {
        s: {"model": ProblemDetail, "content": {PROBLEM_JSON: {}}, "description": _TITLES.get(s, "Error")}
        for s in statuses
    }
