"""The one clock: timezone-aware UTC, so no naive datetime is ever stored or compared."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, with its zone (the database column type refuses a naive datetime)."""
    return datetime.now(UTC)
