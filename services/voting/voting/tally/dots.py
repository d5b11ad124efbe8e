"""Dot voting: each voter spreads up to N dots, at most M on one idea; ideas rank by dots received."""

from __future__ import annotations

from voting.tally.standings import standings


def count_dots(candidates: list[str], index: dict[str, int], choices: list[dict], tie_seed: str) -> tuple:
    dots = dict.fromkeys(candidates, 0)
    voters = dict.fromkeys(candidates, 0)
    for ballot in choices:
        for idea, given in ballot.items():
            if idea not in index:
                raise ValueError(f"a ballot names {idea!r}, which is not a candidate in this round")
            dots[idea] += given
            voters[idea] += 1
    ranking, ties = standings(
        candidates,
        key=dots.__getitem__,
        figures=lambda idea: {"dots": dots[idea], "voters": voters[idea]},
        tie_seed=tie_seed,
    )
    return ranking, ties, {"dots_cast": sum(dots.values())}
