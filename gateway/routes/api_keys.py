"""API keys for automation (a manager's reporting script, a council's own systems).

Creating one honours Idempotency-Key like every creating POST, with one difference: the key itself is
never stored in clear, so the answer kept for a retry holds the new key's record without its secret.
A retry gets that record back (the same id, never a second key) with `key` null."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from gateway.deps import AuthVersionsDep
from gateway.domain import identity
from gateway.models import ApiKey
from gateway.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/api-keys", tags=["API keys"])


def _require_person(principal) -> None:
    if principal.kind != "person":
        raise Problem(403, "API keys are managed by people, not by other API keys.")


def _may_hold_keys(principal) -> bool:
    return principal.has("organiser", "manager", "admin")


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create an API key for your council (shown once; honours Idempotency-Key: a retry makes no second key)",
    responses=responses(401, 403, 409, 422),
)
async def create_key(
    body: ApiKeyCreate, principal: CurrentPrincipal, session: SessionDep, idem: IdempotentCreateDep
) -> JSONResponse:
    """Creates an API key for automation (a reporting script, a council's own systems), acting for your council with
    the roles you choose, never more than your own. The key is answered once: store it safely, it is kept only as
    a digest. Only organisers, managers and admins signed in as themselves may (403), and a key stops working
    when its creator no longer holds its roles. A retry with the same `Idempotency-Key` gets the same key's
    record with `key` null, never a second key."""
    _require_person(principal)
    if not _may_hold_keys(principal):
        raise Problem(403, "Only organisers, managers and admins can make API keys.")

    async def make() -> Created:
        api_key, key = await identity.create_api_key(session, creator=principal, name=body.name, roles=list(body.roles))
        record = ApiKeyPublic.model_validate(api_key, from_attributes=True).model_dump()
        # The secret is never kept, even for a retry.
        return Created(ApiKeyCreated(**record, key=key), kept=ApiKeyCreated(**record, key=None))

    return await idem.create(body, make)


@router.get(
    "",
    response_model=list[ApiKeyPublic],
    summary="API keys of your council (admins: all; anyone else: the keys they made)",
    responses=responses(401, 403),
)
async def list_keys(principal: CurrentPrincipal, session: SessionDep) -> list[ApiKey]:
    """Lists API keys, never their secrets: organisers and managers see their council's keys and the ones they made,
    anyone else only the keys they made (so they can always revoke them), admins every key. For people signed in
    as themselves; an API key is refused (403)."""
    _require_person(principal)
    query = select(ApiKey).order_by(col(ApiKey.created_at)).limit(500)
    if not principal.is_admin:
        # Whatever their roles now, a person sees the keys they made, so they can always revoke them.
        mine = ApiKey.created_by == principal.person_id
        query = query.where((ApiKey.council_id == principal.council_id) | mine if _may_hold_keys(principal) else mine)
    return list((await session.exec(query)).all())


@router.delete(
    "/{key_id}",
    status_code=204,
    summary="Revoke an API key (your own always; your council's as an organiser or manager)",
    responses=responses(401, 403, 404, 422),
)
async def revoke_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, versions: AuthVersionsDep
) -> Response:
    """Revokes an API key: it and every token exchanged for it stop working from the next request. You may always
    revoke the keys you made; organisers and managers also their council's, admins any. For people signed in as
    themselves (403 for an API key); a key you may not revoke is a 404, as if it did not exist."""
    _require_person(principal)
    api_key = await session.get(ApiKey, key_id)
    allowed = api_key is not None and (
        principal.is_admin
        or api_key.created_by == principal.person_id
        or (_may_hold_keys(principal) and api_key.council_id == principal.council_id)
    )
    if api_key is None or not allowed:
        raise Problem(404, f"No API key with id {key_id}.")
    await identity.revoke_api_key(session, versions, api_key=api_key)
    return Response(status_code=204)
