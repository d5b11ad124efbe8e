"""The gateway's tables: councils, people, invitations, API keys, sessions, sign-on and outgoing mail
(its API schemas are in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_core.clock import utcnow
from platform_core.db import UTCDateTime, attach, new_metadata
from platform_core.idempotency import IdempotentRequest
from platform_core.inbox import InboxEvent
from platform_core.outbox import OutboxEvent

# This part's own tables, apart from every other part's (all parts' models import into one process).
metadata = new_metadata()
attach(metadata, OutboxEvent)  # outgoing mail waits here until sent (gateway/mail.py)
attach(metadata, InboxEvent)  # the voting service's news, acted on once (gateway/routes/news.py)
attach(metadata, IdempotentRequest)  # Idempotency-Key of the creating POSTs (councils, people, staff, API keys)


class GatewayTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of the gateway's tables."""


# `champion`: a collaboration champion, who looks after the council's map of partners (follow-up).
RoleName = Literal["staff", "organiser", "manager", "champion", "admin"]


def _ts() -> Column:
    return Column(UTCDateTime(), nullable=False)


class Council(GatewayTable, table=True):
    __tablename__ = "councils"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    slug: str = Field(max_length=80, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Whom another council writes to about this council's published trials (shown in the open library).
    contact_email: str | None = Field(default=None, max_length=320)
    # Raised by every change, so two admins editing one council never silently overwrite each other.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Person(GatewayTable, table=True):
    __tablename__ = "people"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    council_id: uuid.UUID | None = Field(default=None, foreign_key="councils.id", index=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    # Raised whenever what the person's tokens claim stops being true (roles changed, deactivated,
    # signed out everywhere): a token carrying an older version is refused at the edge.
    auth_version: int = 0
    # Hack-day news by email ("voting is open", "results are published"): the person may turn it off.
    # Mail about their own account (invitations, password resets) is always sent.
    news_mail: bool = True
    # Raised by every change an admin or organiser makes to what PersonPublic shows (roles, standing):
    # the ETag of a person, which a change must send back as If-Match (platform_core/etag.py).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Invitation(GatewayTable, table=True):
    """A one-time code that lets a person set their password (bulk-added staff get one each)."""

    __tablename__ = "invitations"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ApiKey(GatewayTable, table=True):
    """A key for automation: acts for one council with the roles given, never more than its creator."""

    __tablename__ = "api_keys"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    council_id: uuid.UUID | None = Field(default=None, foreign_key="councils.id")
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="people.id")  # None: made by command
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Raised on revocation and whenever the creator's roles or standing change (see Person).
    auth_version: int = 0


class AuthChange(GatewayTable, table=True):
    """One raised auth version, in order: every gateway replica reads the new ones every second or so,
    so a change made through one replica is enforced by all of them."""

    __tablename__ = "auth_changes"
    id: int | None = Field(default=None, primary_key=True)
    subject_id: uuid.UUID
    auth_version: int
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))


class RefreshToken(GatewayTable, table=True):
    """One refresh token of a signed-in session, stored as its SHA-256 digest.

    Each use rotates it: the token is marked used and a new one of the same family is issued. A used
    token presented again means it was copied, so the whole family (the session) is revoked.
    """

    __tablename__ = "refresh_tokens"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(index=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    session_ends_at: datetime = Field(sa_column=_ts())  # the family's absolute end, whatever the rotations
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PasswordReset(GatewayTable, table=True):
    """A one-time code, sent by email, to choose a new password: short-lived and used once."""

    __tablename__ = "password_resets"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AccountEvent(GatewayTable, table=True):
    """The audit trail of a person's account: who changed their roles or standing, and when."""

    __tablename__ = "account_events"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True)
    kind: str = Field(max_length=40)  # roles_changed, deactivated, reactivated, password_changed, signed_out_everywhere
    by: uuid.UUID | None = Field(default=None)  # who did it (None: by command)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class CouncilSignOn(GatewayTable, table=True):
    """A council's own identity provider (OpenID Connect), through which its staff sign in (gateway/domain/sso.py)."""

    __tablename__ = "council_sign_ons"
    council_id: uuid.UUID = Field(foreign_key="councils.id", primary_key=True)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=500)
    # Kept to authenticate to the provider's token endpoint, encrypted with GATEWAY_SIGN_ON_SECRET_KEYS
    # (gateway/domain/sign_on_secrets.py); never answered by the API.
    client_secret_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    # Only people whose email ends in one of these (lower case, no @) may sign in this way.
    email_domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Which ID token claims hold the person's email and name (Entra ID puts the sign-in name in
    # `preferred_username` when `email` is not released).
    email_claim: str = Field(default="email", max_length=100)
    name_claim: str = Field(default="name", max_length=100)
    # Redirect URIs registered with the provider for API clients (a native app's loopback address),
    # besides the pages' own callback, which is always allowed.
    redirect_uris: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Raised by each change: two admins editing the settings never silently overwrite each other (If-Match).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class SignOnIdentity(GatewayTable, table=True):
    """Who a provider's subject is here: found again by (issuer, subject), whatever their email becomes."""

    __tablename__ = "sign_on_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SignOnAttempt(GatewayTable, table=True):
    """One started single sign-on: its state (stored as a digest), nonce and PKCE verifier, used once."""

    __tablename__ = "sign_on_attempts"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    council_id: uuid.UUID = Field(foreign_key="councils.id")
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=200)
    redirect_uri: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
