"""Score: each voter gives some or all ideas 0 to 5; ideas rank by mean score, with a minimum-votes rule.

An idea's mean is over the ballots that scored it (an idea left out of a ballot is not a 0). Ideas
scored by at least min_votes ballots come first, by mean; then ideas scored by fewer, by mean;
last, tied, the ideas nobody scored. Equal means (compared exactly, as fractions) are ties.
"""

from __future__ import annotations

from fractions import Fraction

from voting.tally.standings import standings


def count_scores(
    candidates: list[str], index: dict[str, int], choices: list[dict], min_votes: int, tie_seed: str
) -> tuple:
    total = dict.fromkeys(candidates, 0)
    votes = dict.fromkeys(candidates, 0)
    for ballot in choices:
        for idea, score in ballot.items():
            if idea not in index:
                raise ValueError(f"a ballot names {idea!r}, which is not a candidate in this round")
            total[idea] += score
            votes[idea] += 1

    def key(idea: str) -> tuple[int, Fraction]:
        if votes[idea] == 0:
            return (0, Fraction(0))
        tier = 2 if votes[idea] >= min_votes else 1
        return (tier, Fraction(total[idea], votes[idea]))

    def figures(idea: str) -> dict:
        return {
            "mean": round(total[idea] / votes[idea], 4) if votes[idea] else None,
            "votes": votes[idea],
            "total": total[idea],
            "meets_min_votes": votes[idea] >= min_votes,
        }

    ranking, ties = standings(candidates, key=key, figures=figures, tie_seed=tie_seed)
    return ranking, ties, {"min_votes": min_votes, "scores_cast": sum(votes.values())}
