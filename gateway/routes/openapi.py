"""One OpenAPI document for the whole public API: the gateway's own routes plus each service's."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.edge.front import open_read
from gateway.state import GATEWAY
from platform_core.service_auth import is_internal_path

router = APIRouter(include_in_schema=False)
PUBLIC_OPERATIONS = {
    ("/api/auth/login", "post"),
    ("/api/auth/invitations/accept", "post"),
    ("/api/auth/token", "post"),
    ("/api/auth/refresh", "post"),
    ("/api/auth/logout", "post"),
    ("/api/auth/password-reset", "post"),
    ("/api/auth/password-reset/complete", "post"),
    ("/api/auth/sign-on", "get"),
    ("/api/auth/sign-on/start", "post"),
    ("/api/auth/sign-on/complete", "post"),
    ("/api/councils/{council_id}/contact", "get"),
    ("/healthz", "get"),
    ("/readyz", "get"),
}
SERVICE_ONLY_PATHS = ("/healthz", "/readyz", "/metrics")


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/schemas/"):
                name = v.rsplit("/", 1)[1]
                out[k] = f"#/components/schemas/{renames.get(name, name)}"
            else:
                out[k] = _rename_refs(v, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merge(own: dict[str, Any], services: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    doc = copy.deepcopy(own)
    doc["info"] = {
        "title": "Council hack-day platform",
        "version": own.get("info", {}).get("version", "1.0.0"),
        "description": (
            "The whole public API, through the gateway: identity (this gateway), ideas, voting and "
            "follow-up. Sign in with POST /api/auth/login and send `Authorization: Bearer <token>`, "
            "or send an API key as `X-API-Key`. Errors are application/problem+json (RFC 9457)."
        ),
    }
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    missing = []
    for name, sdoc in services.items():
        if sdoc is None:
            missing.append(name)
            continue
        renames: dict[str, str] = {}
        for sname, schema in sdoc.get("components", {}).get("schemas", {}).items():
            if sname in schemas and json.dumps(schemas[sname], sort_keys=True) != json.dumps(
                _rename_refs(schema, {}), sort_keys=True
            ):
                renames[sname] = f"{name.capitalize()}{sname}"
        sdoc = _rename_refs(sdoc, renames)
        for sname, schema in sdoc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(sname, sname), schema)
        for path, item in sdoc.get("paths", {}).items():
            if path in SERVICE_ONLY_PATHS or is_internal_path(path):
                continue  # not public: the edge refuses internal routes
            doc.setdefault("paths", {})[path] = item
    doc["tags"] = _used_tags(doc, [own, *(sdoc for sdoc in services.values() if sdoc)])
    doc["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    doc["security"] = [{"bearer": []}, {"apiKey": []}]
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            if (path, method) in PUBLIC_OPERATIONS:
                op["security"] = []
            elif open_read(method.upper(), path):
                # Open data: anonymous reads are answered, and a caller may still sign in.
                op["security"] = [{}, {"bearer": []}, {"apiKey": []}]
    if missing:
        doc["info"]["description"] += f"\n\nNot included just now (service unreachable): {', '.join(missing)}."
    return doc


def _used_tags(doc: dict[str, Any], sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each part's tag descriptions, for the tags the public document's operations use (the internal and
    service-only operations it leaves out take theirs with them)."""
    used = {tag for item in doc.get("paths", {}).values() for op in item.values() for tag in op.get("tags", [])}
    described: dict[str, dict[str, Any]] = {}
    for source in sources:
        for tag in source.get("tags", []):
            if tag["name"] in used:
                described.setdefault(tag["name"], tag)
    return list(described.values())


# A service builds its document on the first request for it (follow-up: about 1 s of CPU on a quiet
# machine, several times that on a loaded one); a shorter wait left a whole service out of the
# merged document. It is asked for rarely, and cached once every service has answered.
SERVICE_DOCUMENT_TIMEOUT = 15.0


async def _fetch(client: httpx.AsyncClient) -> dict[str, Any] | None:
    try:
        response = await client.get("/openapi.json", timeout=SERVICE_DOCUMENT_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError):
        return None


async def merged_document(app: FastAPI) -> dict[str, Any]:
    """Cached once every service has answered; fetched again while any is missing."""
    state = GATEWAY.of_app(app)
    if state.openapi_merged is not None:
        return state.openapi_merged
    upstreams = state.upstreams
    fetched = await asyncio.gather(*(_fetch(u.client) for u in upstreams.values()))
    services = dict(zip(upstreams, fetched, strict=True))
    doc = merge(app.openapi(), services)
    if all(v is not None for v in services.values()):
        state.openapi_merged = doc
    return doc


@router.get("/openapi.json")
async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(await merged_document(request.app))


# Swagger UI's files are served by the platform itself (the web part's fingerprinted assets, vendored by
# tools/update_govuk_assets.sh), never a CDN: council networks often block them.
SWAGGER_JS = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "/static/vendor/swagger-ui/swagger-ui.css"


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Council hack-day platform API",
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url="/static/favicon.svg",
    )
