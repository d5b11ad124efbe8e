"""Dependencies of the gateway's own routes, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.settings import GatewaySettings
from gateway.state import GATEWAY, GatewayState
from gateway.tokens import TokenIssuer


def get_issuer(request: Request) -> TokenIssuer:
    return GATEWAY.of(request).issuer


def get_gateway_settings(request: Request) -> GatewaySettings:
    return GATEWAY.of(request).settings


StateDep = Annotated[GatewayState, Depends(GATEWAY.of)]
IssuerDep = Annotated[TokenIssuer, Depends(get_issuer)]
SettingsDep = Annotated[GatewaySettings, Depends(get_gateway_settings)]
