"""The base of every input schema and the text rules, the same in every part.

`Input`: unknown fields are refused (a client never sets an author, a council, a status or a
computed field), surrounding white space is stripped from text, NaN and infinite numbers are
refused, and so is a NUL character anywhere in the body's text (PostgreSQL cannot store one), with
an error naming the field. A field that must keep its spaces (a password) says so itself:
`Annotated[str, StringConstraints(strip_whitespace=False)]`.

`Annotated[str, Text(n, at_least=k)]`: a text field of at most n characters with at least k that are not white
space, published as a pattern so that the OpenAPI document says exactly what is accepted, and
checked with a plain message rather than a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

NUL_MESSAGE = "must not contain NUL characters"
NO_NUL = r"^[^\x00]*$"


def visible(n: int) -> str:
    """Pattern: no NUL, and at least `n` characters that are not white space."""
    return rf"^[^\x00]*(?:[^\s\x00][^\x00]*){{{n}}}$"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds_nul(v) for v in value)
    return False


class Input(BaseModel):
    """Base of every schema a client sends (see the module's docstring for the rules)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # Nested schemas check their own fields; this covers text, lists and maps of text.
        if _holds_nul(value):
            raise PydanticCustomError("text", NUL_MESSAGE)
        return value


def examples(*bodies: dict[str, Any]) -> ConfigDict:
    """An input schema's example bodies, for the API document: `model_config = examples({...})`.
    Swagger's "Try it out" starts from the first; tests/inprocess/test_request_examples.py checks
    that every request body has one and that each is valid by its schema."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


def text_rule(pattern: str, message: str) -> AfterValidator:
    """A validator that checks `pattern` and answers `message` (and the NUL message for a NUL)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if "\x00" in value:
            raise PydanticCustomError("text", NUL_MESSAGE)
        if not compiled.fullmatch(value):
            raise PydanticCustomError("text", message)
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """A text field's rule, used as `Annotated[str, Text(200, at_least=3)]` (a type mypy understands):
    at most `max_length` characters, at least `at_least` of them not white space, no NUL. A field
    with a rule of its own gives its `pattern` and the `message` a person reads when it fails."""

    max_length: int
    at_least: int = 0
    pattern: str | None = None
    message: str = ""
    min_length: int | None = None

    def __iter__(self) -> Iterator[Any]:
        if self.pattern is not None:
            pattern, message = self.pattern, self.message or "is not in the expected form"
        elif self.at_least == 0:
            pattern, message = NO_NUL, NUL_MESSAGE
        elif self.at_least == 1:
            pattern, message = visible(1), "must not be blank"
        else:
            pattern, message = (
                visible(self.at_least),
                f"must have at least {self.at_least} characters that are not spaces",
            )
        shortest = self.at_least if self.min_length is None else self.min_length
        yield Field(min_length=shortest, max_length=self.max_length, json_schema_extra={"pattern": pattern})
        yield text_rule(pattern, message)
