"""What the app makes at start-up, held in one typed object (read through `deps.StateDep`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from platform_core.auth import TokenVerifier
from web.assets import Assets
from web.clients.gateway import Gateway
from web.sessions import SessionCookies
from web.settings import WebSettings


@dataclass
class WebState:
    settings: WebSettings
    gateway: Gateway
    cookies: SessionCookies
    assets: Assets
    templates: Environment
    # Reads the claims of the person's token (name, council, roles) for the pages' own use: what to
    # link to. The API still checks the token, and decides, on every call.
    verifier: TokenVerifier
    # The ideas service's fixed lists (service areas, benefit units), fetched once on first use.
    vocabulary: dict[str, Any] | None = None
    # Follow-up's fixed lists (units, reasons, evidence levels), likewise.
    followup_vocabulary: dict[str, Any] | None = None
