"""Turns per-idea figures into a ranking with honest ties and a reproducible display order.

Every method ends the same way: each idea gets a sort key (larger is better); ideas with equal keys
are tied and share a rank; ranks are "standard competition" ranks (1, 1, 3: an idea's rank is one
more than the number of ideas strictly ahead of it). Inside a tie the display order, and so which
idea comes first when a fixed number must be selected, is ascending
``sha256(tie_seed + idea_id)`` (UTF-8, hex digest), where tie_seed is the round's id. Nobody can
choose it once the round exists, and anybody can recompute it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

TIE_BREAK = (
    "Ideas with equal figures are tied and share a rank (ranks 1, 1, 3, ...). Inside a tie the "
    "display order, and so which idea comes first when a fixed number must be selected, is "
    "ascending SHA-256 hex digest of the UTF-8 text tie_seed + idea_id, where tie_seed is the round id."
)


def tie_order(tie_seed: str, idea_id: str) -> str:
    """The key that orders tied ideas: ascending sha256(tie_seed + idea_id)."""
    return hashlib.sha256((tie_seed + idea_id).encode("utf-8")).hexdigest()


def standings(
    candidates: Iterable[str],
    key: Callable[[str], Any],
    figures: Callable[[str], dict],
    tie_seed: str,
) -> tuple[list[dict], list[list[str]]]:
    """Rank ideas by `key` (larger is better): the ranking entries and the groups that share a rank.

    `key` values must be comparable with each other; ideas are tied exactly when their keys are equal.
    """
    ordered = sorted(candidates, key=lambda idea: tie_order(tie_seed, idea))
    # Python's sort is stable, so the tie order survives the sort by key.
    ordered.sort(key=key, reverse=True)

    groups: list[list[str]] = []
    for idea in ordered:
        if groups and key(groups[-1][0]) == key(idea):
            groups[-1].append(idea)
        else:
            groups.append([idea])

    ranking: list[dict] = []
    for group in groups:
        rank = len(ranking) + 1
        for idea in group:
            ranking.append({"idea_id": idea, "rank": rank, "tied": len(group) > 1, **figures(idea)})
    ties = [group for group in groups if len(group) > 1]
    return ranking, ties
