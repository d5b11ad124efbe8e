"""Pages of a list, one way everywhere: `limit` and `offset` in, `{items, total, limit, offset,
next_offset}` out, with one maximum page size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

PAGE_DEFAULT = 50
PAGE_MAX = 200
# Far past any real list; keeps a silly offset inside a database integer.
OFFSET_MAX = 1_000_000

T = TypeVar("T")


class PageParams(BaseModel):
    """Which page a client asked for."""

    limit: int
    offset: int

    def next_offset(self, total: int) -> int | None:
        """Where the next page starts, or None on the last page."""
        return self.offset + self.limit if self.offset + self.limit < total else None


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=PAGE_MAX, description=f"Page size: 1 to {PAGE_MAX} (default {PAGE_DEFAULT}).")
    ] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="How many items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list: `next_offset` is where the next page starts (null on the last page)."""

    items: list[T]
    total: int = Field(description="How many items the whole list holds.")
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, items: Sequence[T], total: int, params: PageParams) -> Page[T]:
        """The page `params` asked for, holding `items` out of `total`."""
        return cls(
            items=list(items),
            total=total,
            limit=params.limit,
            offset=params.offset,
            next_offset=params.next_offset(total),
        )
