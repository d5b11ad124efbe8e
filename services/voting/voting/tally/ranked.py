"""Reads ranked ballots into numpy arrays shared by the Schulze and instant-runoff counts."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np


@dataclass(frozen=True)
class RankedBallots:
    """Ranked ballots as arrays: ballot v ranks idea `ideas[starts[v] + i]` in place i (0 = best)."""

    voters: int
    candidates: int
    ideas: np.ndarray  # every ballot's ranked idea indices, ballot after ballot
    lengths: np.ndarray  # how many ideas each ballot ranks
    starts: np.ndarray  # where each ballot begins in `ideas`

    def rows(self) -> np.ndarray:
        """The ballot of each entry of `ideas`."""
        return np.repeat(np.arange(self.voters), self.lengths)

    def places(self) -> np.ndarray:
        """The place (0 = best) of each entry of `ideas` on its ballot."""
        return np.arange(self.ideas.size) - np.repeat(self.starts, self.lengths)


def read_rankings(index: dict[str, int], rankings: list[list[str]]) -> RankedBallots:
    lengths = np.fromiter(map(len, rankings), dtype=np.intp, count=len(rankings))
    flat = chain.from_iterable(rankings)
    try:
        ideas = np.fromiter(map(index.__getitem__, flat), dtype=np.intp, count=int(lengths.sum()))
    except KeyError as unknown:
        raise ValueError(f"a ballot names {unknown.args[0]!r}, which is not a candidate in this round") from None
    starts = np.cumsum(lengths) - lengths
    return RankedBallots(len(rankings), len(index), ideas, lengths, starts)
