"""Ranked ballots counted by instant runoff, run to the end so that every idea gets a place.

Each round, every ballot counts for its highest-ranked idea still in the count; a ballot with none
left is exhausted. The idea with the fewest votes is eliminated. When several share the fewest, the
tie is broken backwards: keep those with the fewest votes in the previous round, then the round
before, and so on; the ones still level after round 1 are eliminated together. The count ends when
one idea is left (it wins) or when the ideas still level are all the ideas left (they share first
place). The ranking is the reverse order of elimination; ideas eliminated together share a rank.
"""

from __future__ import annotations

import numpy as np

from voting.tally.ranked import RankedBallots
from voting.tally.standings import standings


def count_instant_runoff(candidates: list[str], ballots: RankedBallots, tie_seed: str) -> tuple:
    history, rounds, eliminated_in, winners, majority_round = _eliminate(candidates, ballots)
    n = len(candidates)
    winner_set = set(winners.tolist())
    # An idea's votes in the last round it was in (its count only grows while it is in).
    final_votes = [int(history[(eliminated_in[i] or len(history)) - 1][i]) for i in range(n)]
    position = {idea: i for i, idea in enumerate(candidates)}
    last_round = len(history) + 1

    def key(idea: str) -> int:
        i = position[idea]
        return last_round if i in winner_set else eliminated_in[i]

    def figures(idea: str) -> dict:
        i = position[idea]
        return {
            "first_preferences": int(history[0][i]),
            "votes": final_votes[i],
            "eliminated_in_round": None if i in winner_set else eliminated_in[i],
        }

    ranking, ties = standings(candidates, key=key, figures=figures, tie_seed=tie_seed)
    # Ideas named together in a round are listed in the ranking's order (the tie order inside a tie).
    ranking_order = {entry["idea_id"]: at for at, entry in enumerate(ranking)}
    for record in rounds:
        record["eliminated"].sort(key=ranking_order.__getitem__)
        record["tied_for_fewest"].sort(key=ranking_order.__getitem__)
    detail = {
        "count": "instant_runoff",
        "rounds": rounds,
        "majority_round": majority_round,
        "winners": [entry["idea_id"] for entry in ranking if entry["rank"] == 1],
    }
    return ranking, ties, detail


def _eliminate(candidates: list[str], ballots: RankedBallots) -> tuple:
    """Run the rounds: (counts per round, round records, round each idea went out (0: never), winners,
    first round with a majority)."""
    n, voters = ballots.candidates, ballots.voters
    # choice[v][i] = the idea ballot v ranks in place i; -1 past the end (one spare column for every ballot).
    width = int(ballots.lengths.max(initial=0)) + 1
    choice = np.full((voters, width), -1, dtype=np.intp)
    choice[ballots.rows(), ballots.places()] = ballots.ideas
    place = np.zeros(voters, dtype=np.intp)  # how far down its ranking each ballot has moved
    current = choice[:, 0].copy()  # the idea each ballot counts for now, -1 if exhausted
    # in_count[-1], a spare slot, stays True so that an exhausted ballot (-1) never looks further.
    in_count = np.ones(n + 1, dtype=bool)

    history: list[np.ndarray] = []
    rounds: list[dict] = []
    eliminated_in = [0] * n
    majority_round = None
    while True:
        live = current >= 0
        counts = np.bincount(current[live], minlength=n)
        continuing = int(live.sum())
        left = np.flatnonzero(in_count[:n])
        fewest = left[counts[left] == counts[left].min()]
        out = fewest
        for earlier in reversed(history):
            if out.size == 1:
                break
            out = out[earlier[out] == earlier[out].min()]
        history.append(counts)
        if majority_round is None and 2 * int(counts[left].max(initial=0)) > continuing:
            majority_round = len(history)

        order = sorted(left.tolist(), key=lambda i: (-int(counts[i]), i))
        record = {
            "round": len(history),
            "counts": {candidates[i]: int(counts[i]) for i in order},
            "continuing_ballots": continuing,
            "exhausted_ballots": voters - continuing,
            "tied_for_fewest": [candidates[i] for i in fewest] if fewest.size > 1 else [],
            "eliminated": [],
        }
        rounds.append(record)
        if out.size == left.size:
            winners = out
            break

        record["eliminated"] = [candidates[i] for i in out]
        in_count[out] = False
        for i in out.tolist():
            eliminated_in[i] = len(history)
        if left.size - out.size == 1:  # the one idea left wins; its ballots need no further round
            winners = np.setdiff1d(left, out)
            break
        _transfer(choice, place, current, in_count)

    return history, rounds, eliminated_in, winners, majority_round


def _transfer(choice: np.ndarray, place: np.ndarray, current: np.ndarray, in_count: np.ndarray) -> None:
    """Move every ballot whose idea was just eliminated down its ranking to its next idea still in."""
    moving = np.flatnonzero(~in_count[current])
    while moving.size:
        place[moving] += 1
        current[moving] = choice[moving, place[moving]]
        moving = moving[~in_count[current[moving]]]
