"""The follow-up service's routers, in the order they are matched (`/whoami` and health come from
platform_core)."""

from followup.routes import federation, internal, library, measurements, metrics, partners, reports, trials, verdicts

ROUTERS = [
    trials.router,
    metrics.router,
    measurements.router,
    verdicts.router,
    library.router,
    federation.router,
    partners.router,
    reports.router,
    internal.router,
]
