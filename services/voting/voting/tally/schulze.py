"""Ranked ballots counted by the Schulze method (winning votes), vectorised with numpy.

d[a][b] is the number of ballots ranking a above b (an idea left off a ballot is below every idea
on it, level with the others left off). A link a→b has strength d[a][b] if d[a][b] > d[b][a], else 0.
p[a][b], the strongest path, is the largest over all paths a→…→b of the weakest link on the path
(a widest-path Floyd–Warshall). a beats b when p[a][b] > p[b][a]; this relation is transitive.
The ranking is in tiers: first the ideas no remaining idea beats, then, with those removed, the
ideas no remaining idea beats, and so on. Ideas in one tier are tied (none beats another).
"""

from __future__ import annotations

import numpy as np

from voting.tally.ranked import RankedBallots
from voting.tally.standings import standings

# Comparison cells per chunk of ballots: small enough to stay in cache (about 5 MB), which is faster.
_CHUNK_CELLS = 5_000_000


def pairwise(ballots: RankedBallots) -> np.ndarray:
    """d[a][b]: how many ballots rank a above b."""
    n = ballots.candidates
    place_type = np.uint8 if n <= 255 else np.uint16 if n <= 65_535 else np.uint32
    # place[v][a] = where ballot v put idea a; every idea it left off is at place n, below all it ranked.
    place = np.full((ballots.voters, n), n, dtype=place_type)
    place[ballots.rows(), ballots.ideas] = ballots.places()

    d = np.zeros((n, n), dtype=np.int64)
    # Up to 255 ballots per chunk, so that a chunk's sum fits in uint8 (much faster than wider sums).
    chunk = max(1, min(255, _CHUNK_CELLS // max(1, n * n)))
    for start in range(0, ballots.voters, chunk):
        block = place[start : start + chunk]
        above = block[:, :, None] < block[:, None, :]
        d += np.add.reduce(above.view(np.uint8), axis=0, dtype=np.uint8)
    return d


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """p[a][b]: the strength of the strongest path from a to b (0 on the diagonal)."""
    p = np.where(d > d.T, d, 0)
    for k in range(len(p)):
        # Row k and column k cannot change while k is the via-idea, so updating in place is safe.
        np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]), out=p)
    np.fill_diagonal(p, 0)
    return p


def tiers(beats: np.ndarray) -> np.ndarray:
    """The tier of each idea (0 = best): peel off, again and again, the ideas nobody left beats."""
    n = len(beats)
    tier = np.zeros(n, dtype=np.intp)
    remaining = np.ones(n, dtype=bool)
    level = 0
    while remaining.any():
        left = np.flatnonzero(remaining)
        unbeaten = left[~beats[np.ix_(left, left)].any(axis=0)]
        if unbeaten.size == 0:  # impossible: the Schulze relation is transitive, so it has no cycle
            raise RuntimeError("Schulze relation has a cycle")
        tier[unbeaten] = level
        remaining[unbeaten] = False
        level += 1
    return tier


def count_schulze(candidates: list[str], ballots: RankedBallots, tie_seed: str) -> tuple:
    d = pairwise(ballots)
    p = strongest_paths(d)
    beats = p > p.T
    tier = tiers(beats).tolist()
    wins = beats.sum(axis=1).tolist()
    position = {idea: i for i, idea in enumerate(candidates)}

    ranking, ties = standings(
        candidates,
        key=lambda idea: -tier[position[idea]],
        figures=lambda idea: {"wins": wins[position[idea]]},
        tie_seed=tie_seed,
    )
    detail = {
        "count": "schulze",
        "pairwise": _by_idea(candidates, d),
        "strongest_paths": _by_idea(candidates, p),
    }
    return ranking, ties, detail


def _by_idea(candidates: list[str], matrix: np.ndarray) -> dict[str, dict[str, int]]:
    """A matrix as {a: {b: value}} over ordered pairs of different ideas."""
    rows = matrix.tolist()
    return {
        a: {b: row[j] for j, b in enumerate(candidates) if j != i}
        for i, (a, row) in enumerate(zip(candidates, rows, strict=True))
    }
