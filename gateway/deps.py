"""Dependencies of the gateway's own routes, declared once (async: FastAPI runs a plain `def`
dependency in a worker thread)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.domain.auth_versions import AuthVersions
from gateway.domain.sign_in_throttle import SignInThrottle
from gateway.domain.tokens import TokenIssuer
from gateway.settings import GatewaySettings
from gateway.state import GATEWAY, GatewayState


async def get_issuer(request: Request) -> TokenIssuer:
    return GATEWAY.of(request).issuer


async def get_gateway_settings(request: Request) -> GatewaySettings:
    return GATEWAY.of(request).settings


async def get_auth_versions(request: Request) -> AuthVersions:
    return GATEWAY.of(request).auth_versions


async def get_sign_in_throttle(request: Request) -> SignInThrottle:
    return GATEWAY.of(request).sign_in_throttle


StateDep = Annotated[GatewayState, Depends(GATEWAY.dependency)]
IssuerDep = Annotated[TokenIssuer, Depends(get_issuer)]
SettingsDep = Annotated[GatewaySettings, Depends(get_gateway_settings)]
AuthVersionsDep = Annotated[AuthVersions, Depends(get_auth_versions)]
SignInThrottleDep = Annotated[SignInThrottle, Depends(get_sign_in_throttle)]
