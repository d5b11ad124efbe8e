"""Secrets of the voting service have no working default in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from voting.settings import DEV_AUDIT_KEY, DEV_BALLOT_SECRET, VotingSettings

STRONG_A = "a" * 40
STRONG_B = "b" * 40


@pytest.mark.parametrize(
    "audit_key, ballot_secret, field",
    [
        (DEV_AUDIT_KEY, STRONG_B, "AUDIT_KEY"),
        (STRONG_A, DEV_BALLOT_SECRET, "BALLOT_SECRET"),
        ("short", STRONG_B, "AUDIT_KEY"),
        (STRONG_A, STRONG_A, "must differ"),
    ],
)
def test_production_refuses_development_short_or_shared_secrets(audit_key, ballot_secret, field):
    with pytest.raises(ValidationError, match=field):
        VotingSettings(
            environment="production",
            database_url="postgresql://db/voting",
            audit_key=audit_key,
            ballot_secret=ballot_secret,
        )


def test_production_starts_with_its_own_secrets_and_development_with_the_defaults():
    good = VotingSettings(
        environment="production", database_url="postgresql://db/voting", audit_key=STRONG_A, ballot_secret=STRONG_B
    )
    assert (good.audit_key, good.ballot_secret) == (STRONG_A, STRONG_B)
    dev = VotingSettings(environment="development", database_url="sqlite:///x.db")
    assert (dev.audit_key, dev.ballot_secret) == (DEV_AUDIT_KEY, DEV_BALLOT_SECRET)
