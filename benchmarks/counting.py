"""Counting benchmark: how long the voting service takes to count a closed round, by method.

    .venv/bin/python benchmarks/counting.py [--runs 5]

Ballots are random but seeded, with some ideas far more popular than others (as at a real hack
day), and are built before timing. Each case is counted several times; the median wall-clock time
is judged against the target of issue 4 where there is one, and the median CPU time is shown too,
because on a busy machine wall-clock time says more about the neighbours than about the count.
About 20 seconds on an idle 2-core machine. Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services" / "voting"))

from voting.tally import count


class Hall:
    """Ideas and a seeded random source of ballots over them (idea i is picked with weight 1/(i+1))."""

    def __init__(self, ideas: int, seed: int) -> None:
        self.names = [f"idea-{i:04d}" for i in range(ideas)]
        weights = 1 / np.arange(1, ideas + 1)
        self.cdf = np.cumsum(weights) / weights.sum()
        self.rng = np.random.default_rng(seed)

    def picks(self, voters: int, lowest: int, highest: int) -> list[list[str]]:
        """Each voter's lowest..highest distinct ideas, popular ones more often."""
        wanted = self.rng.integers(lowest, highest + 1, size=voters).tolist()
        draws = np.searchsorted(self.cdf, self.rng.random((voters, 3 * highest))).tolist()
        names = self.names
        return [[names[i] for i in dict.fromkeys(row)][:k] for row, k in zip(draws, wanted, strict=True)]

    def full_rankings(self, voters: int) -> list[list[str]]:
        """Every voter ranks every idea, in random order (the worst case for ranked counts)."""
        order = np.argsort(self.rng.random((voters, len(self.names))), axis=1)
        return np.array(self.names, dtype=object)[order].tolist()

    def numbers(self, voters: int, per_ballot: int, low: int, high: int) -> list[list[int]]:
        return self.rng.integers(low, high + 1, size=(voters, per_ballot)).tolist()


def dot_ballots(hall: Hall, voters: int, dots: int, per_idea: int) -> list[dict]:
    """Each voter spends 1..`dots` dots, 1..`per_idea` on each idea they pick."""
    ballots = []
    for ideas, amounts in zip(hall.picks(voters, 1, dots), hall.numbers(voters, dots, 1, per_idea), strict=True):
        given, left = {}, dots
        for idea, amount in zip(ideas, amounts, strict=False):
            if left == 0:
                break
            given[idea] = min(amount, left)
            left -= given[idea]
        ballots.append({"dots": given})
    return ballots


def cases() -> Iterator[tuple]:
    """(name, target seconds or None, method, candidates, ballots, rules)."""
    big, ranked = Hall(500, seed=2026), Hall(200, seed=4)
    yield (
        "approval: 100,000 ballots, 500 ideas, 1-5 approvals each",
        0.1,
        "approval",
        big.names,
        [{"approve": ideas} for ideas in big.picks(100_000, 1, 5)],
        {"max_approvals": 5},
    )
    yield (
        "dot voting: 100,000 ballots, 500 ideas, 5 dots, at most 3 per idea",
        None,
        "dot_voting",
        big.names,
        dot_ballots(big, 100_000, 5, 3),
        {"dots_per_voter": 5, "max_dots_per_idea": 3},
    )
    scores = big.numbers(100_000, 5, 0, 5)
    yield (
        "score: 100,000 ballots, 500 ideas, 1-5 scored each",
        None,
        "score",
        big.names,
        [
            {"scores": dict(zip(ideas, s, strict=False))}
            for ideas, s in zip(big.picks(100_000, 1, 5), scores, strict=True)
        ],
        {"min_votes": 10},
    )
    full = [{"ranking": r} for r in ranked.full_rankings(10_000)]
    yield (
        "Schulze: 10,000 ballots ranking all 200 ideas",
        1.0,
        "ranked",
        ranked.names,
        full,
        {"count": "schulze"},
    )
    yield (
        "Schulze: 10,000 ballots ranking 5-20 of 200 ideas",
        1.0,
        "ranked",
        ranked.names,
        [{"ranking": r} for r in ranked.picks(10_000, 5, 20)],
        {"count": "schulze"},
    )
    yield (
        "instant runoff: 10,000 ballots ranking all 200 ideas",
        None,
        "ranked",
        ranked.names,
        full,
        {"count": "instant_runoff"},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed counts per case (median reported)")
    args = parser.parse_args()

    cores, load = os.cpu_count() or 1, os.getloadavg()[0]
    if load > cores:
        print(f"Note: load average {load:.1f} on {cores} cores; wall-clock times will be inflated.\n")
    missed = 0
    print(f"{'case':<68} {'wall':>8} {'cpu':>8} {'target':>8}  verdict")
    for name, target, method, candidates, ballots, rules in cases():
        count(method, candidates, ballots, rules, "warm-up")
        wall, cpu = [], []
        for run in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            count(method, candidates, ballots, rules, f"benchmark-{run}")
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        median = statistics.median(wall)
        if target is None:
            verdict, shown = "(no target)", "-"
        else:
            verdict, shown = ("met" if median < target else "MISSED"), f"{target:.2f} s"
            missed += median >= target
        print(f"{name:<68} {median:>6.3f} s {statistics.median(cpu):>6.3f} s {shown:>8}  {verdict}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
