"""API schemas of the gateway's own routes: what clients send (unknown fields refused, on
`platform_core.schemas.Input`) and what they get back. The tables are in models.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, StringConstraints
from pydantic import Field as PField

from gateway.models import RoleName
from platform_core.schemas import Input, examples

# A name is trimmed and must hold more than spaces (said in the schema too, so clients know).
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")]
# A password is taken exactly as typed: never trimmed (Input trims every other text).
NewPassword = Annotated[str, StringConstraints(strip_whitespace=False, min_length=12, max_length=200, pattern=r"\S")]
TypedPassword = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=200, pattern=r"\S")]


class CouncilCreate(Input):
    model_config = examples({"name": "Anytown Council", "slug": "anytown"})

    name: Annotated[Name, StringConstraints(min_length=2)]
    slug: str = PField(min_length=2, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CouncilUpdate(Input):
    """A change to a council (admin, with If-Match): only the fields sent are changed."""

    model_config = examples({"contact_email": "hackday@anytown.gov.uk"})

    contact_email: EmailStr | None = PField(
        default=None,
        description="Whom another council writes to about this council's published trials (shown in the open "
        "library); null to remove it.",
    )


class CouncilPublic(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    contact_email: str | None = PField(
        default=None, description="Whom another council writes to about its published trials."
    )
    version: int = PField(description='Also the ETag ("<version>"): send it as If-Match to change the council.')
    created_at: datetime


class CouncilContact(BaseModel):
    """What anyone may read of a council (no sign-in): whom to ask about its published trials."""

    id: uuid.UUID
    name: str
    contact_email: str | None


def _staff_only() -> list[RoleName]:
    return ["staff"]


class PersonCreate(Input):
    model_config = examples(
        {
            "email": "priya.shah@anytown.gov.uk",
            "name": "Priya Shah",
            "council_id": "7c1e3a5b-9d2f-4b6a-8c0e-1f3a5c7e9b2d",
            "roles": ["staff", "organiser"],
        }
    )

    email: EmailStr
    name: Name
    council_id: uuid.UUID | None = None
    roles: list[RoleName] = PField(default_factory=_staff_only, min_length=1, max_length=5)
    password: NewPassword | None = None


class StaffMember(Input):
    email: EmailStr
    name: Name


class StaffBulkCreate(Input):
    model_config = examples(
        {
            "people": [
                {"email": "priya.shah@anytown.gov.uk", "name": "Priya Shah"},
                {"email": "sam.okoro@anytown.gov.uk", "name": "Sam Okoro"},
            ]
        }
    )

    people: list[StaffMember] = PField(min_length=1, max_length=1000)


class PersonPublic(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    council_id: uuid.UUID | None
    roles: list[str]
    active: bool
    news_mail: bool = PField(default=True, description="Receives hack-day news by email (voting open, results).")
    version: int = PField(description='Also the ETag ("<version>"): send it as If-Match to change their roles.')
    created_at: datetime


class InvitedPerson(PersonPublic):
    invitation_code: str | None = PField(
        default=None,
        description="One-time code to set a password; shown once, never stored in clear. Null when it was "
        "emailed to the person, and in a replayed answer (Idempotent-Replayed: true), which never holds a "
        "secret: send a new invitation (POST /api/people/{id}/invitation) if the first answer was lost.",
    )


class StaffBulkResult(BaseModel):
    created: list[InvitedPerson]
    already_registered: list[str] = PField(
        description="Emails already registered in this council. An address registered in another council is "
        "neither created nor listed (which council holds an address is not told): an admin can move the person."
    )


class RolesUpdate(Input):
    model_config = examples({"roles": ["staff", "manager"]})

    roles: list[RoleName] = PField(min_length=1, max_length=5)


class Login(Input):
    model_config = examples({"email": "priya.shah@anytown.gov.uk", "password": "correct horse battery staple"})

    email: EmailStr
    password: TypedPassword


class AcceptInvitation(Input):
    model_config = examples({"code": "q3Zt8LkP0wXbN5vR2mYc", "password": "a long passphrase of my own"})

    code: str = PField(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    password: NewPassword


class TokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str | None = PField(
        default=None,
        description="Send to POST /api/auth/refresh for a new access token (and a new refresh token: each "
        "is used once). None for API keys.",
    )
    refresh_expires_in: int | None = None
    person: PersonPublic


class RefreshRequest(Input):
    model_config = examples({"refresh_token": "hV2kQ9xLp4TzW7bNc1RmF6sJd8GyA3uE"})

    refresh_token: str = PField(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


class MailPreferences(Input):
    model_config = examples({"news_mail": False})
    news_mail: bool = PField(description="Hack-day news by email: voting is open, results are published.")


class PasswordResetRequest(Input):
    model_config = examples({"email": "priya.shah@anytown.gov.uk"})

    email: EmailStr


class PasswordResetComplete(Input):
    model_config = examples({"code": "Xy7Rk2PqL9mWz4Tn8Vb1", "password": "a new long passphrase"})

    code: str = PField(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    password: NewPassword


class Accepted(BaseModel):
    detail: str


class InvitationIssued(BaseModel):
    person_id: uuid.UUID
    emailed: bool = PField(description="True when the invitation went by email (the code is then never shown).")
    invitation_code: str | None = PField(default=None, description="Only when the platform sends no mail.")


class PasswordChange(Input):
    model_config = examples(
        {"current_password": "correct horse battery staple", "new_password": "a new long passphrase"}
    )

    current_password: TypedPassword
    new_password: NewPassword


class AccountEventPublic(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    by: uuid.UUID | None
    detail: dict
    at: datetime


class ApiKeyCreate(Input):
    model_config = examples({"name": "Nightly export to the data warehouse", "roles": ["manager"]})

    name: Name
    roles: list[RoleName] = PField(min_length=1, max_length=5)


class ApiKeyPublic(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    council_id: uuid.UUID | None
    roles: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str | None = PField(
        description="The key itself: shown once, store it safely. Null in a replayed answer (a retry with the "
        "same Idempotency-Key, Idempotent-Replayed: true): the key is never stored in clear, so a retry "
        "gets the same key's record but not its secret; revoke it and make another if the first answer was lost."
    )


# ---- single sign-on ------------------------------------------------------------------------------

Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=253,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
    ),
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500, pattern=r"^https?://\S+$")]
ClaimName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


class SignOnSettings(Input):
    model_config = examples(
        {
            "issuer": "https://login.microsoftonline.com/0b5c7e0e-6a1f-4d8e-9a3c-2f1d4e5b6c7a/v2.0",
            "client_id": "5f2d9c1e-8b7a-4e3f-a1d2-c3b4a5968778",
            "client_secret": "the-secret-entra-gave",
            "email_domains": ["anytown.gov.uk"],
            "email_claim": "preferred_username",
        }
    )
    issuer: Url = PField(description="The provider's issuer, exactly as its discovery document names it.")
    client_id: str = PField(min_length=1, max_length=500)
    client_secret: str = PField(min_length=1, max_length=1000, description="Kept, never shown again.")
    email_domains: list[Domain] = PField(min_length=1, max_length=50)
    email_claim: ClaimName = "email"
    name_claim: ClaimName = "name"
    redirect_uris: list[Url] = PField(default_factory=list, max_length=10)


class SignOnPublic(BaseModel):
    council_id: uuid.UUID
    issuer: str
    client_id: str
    email_domains: list[str]
    email_claim: str
    name_claim: str
    redirect_uris: list[str]
    callback_url: str = PField(description="The redirect URI to register with the provider for the pages.")
    updated_at: datetime
    version: int = PField(description="Raised by each change; sent as the ETag, wanted back as If-Match.")


class SignOnCouncil(BaseModel):
    slug: str
    name: str


class SignOnStart(Input):
    model_config = examples({"council": "anytown"})
    council: str = PField(min_length=2, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", description="slug")
    redirect_uri: Url | None = PField(
        default=None, description="Where the provider sends the person back; the pages' callback when left out."
    )


class SignOnStarted(BaseModel):
    authorization_url: str = PField(description="Send the person's browser here.")
    state: str


class SignOnComplete(Input):
    model_config = examples(
        {
            "state": "Jx1c4Qw8VbN2kLm5PzR7tY9uE3oI6aS0dF4gH8jK2lZ",
            "code": "the-code-the-provider-sent-back",
            "iss": "https://login.microsoftonline.com/0b5c7e0e-6a1f-4d8e-9a3c-2f1d4e5b6c7a/v2.0",
        }
    )
    state: str = PField(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    code: str = PField(min_length=1, max_length=2000, pattern=r"^[\x21-\x7e]+$")
    iss: str | None = PField(
        default=None,
        max_length=500,
        description="The `iss` the provider sent back with the code (RFC 9207), when it sends one: checked.",
    )
