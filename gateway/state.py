"""The gateway's typed application state: what its lifespan makes, read through `deps` and the edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from platform_core.state import AppState, PlatformState

if TYPE_CHECKING:
    from gateway.domain.auth_versions import AuthVersions
    from gateway.domain.sign_in_throttle import SignInThrottle
    from gateway.domain.tokens import TokenIssuer
    from gateway.edge.front import ApiKeyExchange
    from gateway.edge.proxy import Upstream
    from gateway.edge.ratelimit import RateLimits
    from gateway.mail import Mailer
    from gateway.settings import GatewaySettings


@dataclass
class GatewayState(PlatformState):
    """platform_core's state (settings, database, token checks) and the gateway's own."""

    settings: GatewaySettings
    issuer: TokenIssuer
    api_keys: ApiKeyExchange
    rate_limits: RateLimits
    # One kept-alive connection pool per service, by name (ideas, voting, followup).
    upstreams: dict[str, Upstream]
    # The auth version of every subject whose version was raised (gateway/domain/auth_versions.py).
    auth_versions: AuthVersions
    # Failed sign-ins per email and address (gateway/domain/sign_in_throttle.py).
    sign_in_throttle: SignInThrottle
    # The pages (web/): every path outside /api and the gateway's own goes there (gateway/edge/pages.py).
    web: Upstream
    # The merged OpenAPI document, kept once every service has answered (gateway/routes/openapi.py).
    openapi_merged: dict[str, Any] | None = field(default=None)
    # Composes and queues mail; None when the platform sends none (GATEWAY_MAIL_BACKEND=none).
    mailer: Mailer | None = field(default=None)


# The same slot as platform_core's PLATFORM: SessionDep and the token checks read it too.
GATEWAY = AppState[GatewayState]("platform")
