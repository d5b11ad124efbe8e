"""The ideas service's client of follow-up: is a trial's outcome really published?

A published outcome opens an idea to every council, so the ideas service does not take the event's
word for it: before acting it asks follow-up's library, with its own service credential, for the
idea's published entries and looks for the trial and verdict the event names. Events are rare (one
per published verdict), so each check makes its own short-lived connection.
"""

from __future__ import annotations

import uuid

import httpx

from platform_core.problems import Problem
from platform_core.service_auth import ServiceCredential
from platform_core.settings import PartSettings

TIMEOUT_SECONDS = 5.0


async def outcome_is_published(
    settings: PartSettings, *, idea_id: uuid.UUID, trial_id: uuid.UUID, verdict: str
) -> bool:
    """True if follow-up's library holds a published verdict `verdict` of trial `trial_id` for this idea;
    a Problem(503) if follow-up could not be asked (the sender's relay then tries again later)."""
    followup = str(getattr(settings, "followup_url", "")).rstrip("/")  # IdeasSettings.followup_url
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, trust_env=False) as client:
            credential = ServiceCredential(settings.gateway_url, settings.service_api_key, client)
            response = await client.get(
                f"{followup}/api/followup/library",
                params={"idea_id": str(idea_id), "limit": 200},
                headers=await credential.headers(),
            )
            response.raise_for_status()
            entries = response.json()["items"]
    except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
        raise Problem(
            503,
            "The follow-up service could not confirm that the outcome is published; try again shortly.",
            headers={"Retry-After": "5"},
        ) from exc
    return any(e.get("trial_id") == str(trial_id) and e.get("outcome") == verdict for e in entries)
