"""Tables and API schemas of the ideas service."""

from sqlmodel import SQLModel

from platform_core.idempotency import IdempotentRequest  # noqa: F401 - its table is ours too
from platform_core.migrations import NAMING_CONVENTION

metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION
