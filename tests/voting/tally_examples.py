"""The worked examples of docs/voting-methods.md, as data, for the counting tests and the HTTP tests.

Ideas are labelled "A", "B", ...; a test that runs an example through the API creates one idea per
label (titles below), maps labels to the real idea ids, casts `ballots_for(example, ids)` (one
ballot per voter) and checks the published result with `check(example, result, ids)`, which
returns [] when everything matches. Orders inside ties depend on the round id, so expectations
are per idea, never by position.
"""

from __future__ import annotations

from copy import deepcopy

TITLES = {
    "A": "Text reminders for bin collections",
    "B": "One form for all housing repairs",
    "C": "Shared pool cars for home visits",
    "D": "Paperless committee packs",
    "E": "Chatbot for council tax questions",
}


def _times(groups: list[tuple[int, dict]]) -> list[dict]:
    """Ballots written as (how many voters, choices), expanded to one ballot per voter."""
    return [deepcopy(choices) for voters, choices in groups for _ in range(voters)]


def _entry(idea: str, rank: int, tied: bool = False, **figures) -> dict:
    return {"idea": idea, "rank": rank, "tied": tied, **figures}


EXAMPLES: list[dict] = [
    {
        "name": "dot voting",
        "method": "dot_voting",
        "rules": {"dots_per_voter": 5, "max_dots_per_idea": 3},
        "candidates": ["A", "B", "C", "D"],
        "ballots": _times(
            [
                (1, {"dots": {"A": 3, "B": 2}}),
                (1, {"dots": {"B": 3, "C": 1, "D": 1}}),
                (1, {"dots": {"A": 2, "C": 3}}),
                (1, {"dots": {"B": 1, "D": 2}}),  # spends 3 of 5 dots: allowed
            ]
        ),
        "expected": {
            "ranking": [
                _entry("B", 1, dots=6, voters=3),
                _entry("A", 2, dots=5, voters=2),
                _entry("C", 3, dots=4, voters=2),
                _entry("D", 4, dots=3, voters=2),
            ],
            "ties": [],
            "detail": {"dots_cast": 18},
        },
    },
    {
        "name": "approval with a tie",
        "method": "approval",
        "rules": {"max_approvals": 2},
        "candidates": ["A", "B", "C", "D"],
        "ballots": _times(
            [
                (1, {"approve": ["A", "B"]}),
                (1, {"approve": ["A"]}),
                (1, {"approve": ["B", "C"]}),
                (1, {"approve": ["A", "C"]}),
                (1, {"approve": ["D"]}),
            ]
        ),
        "expected": {
            "ranking": [
                _entry("A", 1, approvals=3),
                _entry("B", 2, True, approvals=2),
                _entry("C", 2, True, approvals=2),
                _entry("D", 4, approvals=1),
            ],
            "ties": [["B", "C"]],
            "detail": {"approvals_cast": 8},
        },
    },
    {
        "name": "ranked, Schulze",
        "method": "ranked",
        "rules": {"count": "schulze"},
        "candidates": ["A", "B", "C", "D"],
        "ballots": _times(
            [
                (3, {"ranking": ["A", "B", "C"]}),
                (2, {"ranking": ["B", "C", "A"]}),
                (2, {"ranking": ["C", "A", "B"]}),
                (2, {"ranking": ["D"]}),
            ]
        ),
        "expected": {
            "ranking": [
                _entry("A", 1, wins=3),
                _entry("B", 2, wins=2),
                _entry("C", 3, wins=1),
                _entry("D", 4, wins=0),
            ],
            "ties": [],
            "detail": {
                "count": "schulze",
                "pairwise": {
                    "A": {"B": 5, "C": 3, "D": 7},
                    "B": {"A": 2, "C": 5, "D": 7},
                    "C": {"A": 4, "B": 2, "D": 7},
                    "D": {"A": 2, "B": 2, "C": 2},
                },
                "strongest_paths": {
                    "A": {"B": 5, "C": 5, "D": 7},
                    "B": {"A": 4, "C": 5, "D": 7},
                    "C": {"A": 4, "B": 4, "D": 7},
                    "D": {"A": 0, "B": 0, "C": 0},
                },
            },
        },
    },
    {
        "name": "ranked, Schulze, tied",
        "method": "ranked",
        "rules": {"count": "schulze"},
        "candidates": ["A", "B", "C"],
        "ballots": _times([(1, {"ranking": ["A", "B", "C"]}), (1, {"ranking": ["B", "A"]})]),
        "expected": {
            "ranking": [_entry("A", 1, True, wins=1), _entry("B", 1, True, wins=1), _entry("C", 3, wins=0)],
            "ties": [["A", "B"]],
            "detail": {
                "count": "schulze",
                "pairwise": {"A": {"B": 1, "C": 2}, "B": {"A": 1, "C": 2}, "C": {"A": 0, "B": 0}},
                "strongest_paths": {"A": {"B": 0, "C": 2}, "B": {"A": 0, "C": 2}, "C": {"A": 0, "B": 0}},
            },
        },
    },
    {
        "name": "ranked, instant runoff",
        "method": "ranked",
        "rules": {"count": "instant_runoff"},
        "candidates": ["A", "B", "C", "D"],
        "ballots": _times(
            [
                (4, {"ranking": ["A"]}),
                (3, {"ranking": ["B", "A"]}),
                (2, {"ranking": ["C", "B"]}),
                (1, {"ranking": ["D", "C"]}),
            ]
        ),
        "expected": {
            "ranking": [
                _entry("B", 1, first_preferences=3, votes=5, eliminated_in_round=None),
                _entry("A", 2, first_preferences=4, votes=4, eliminated_in_round=3),
                _entry("C", 3, first_preferences=2, votes=3, eliminated_in_round=2),
                _entry("D", 4, first_preferences=1, votes=1, eliminated_in_round=1),
            ],
            "ties": [],
            "detail": {
                "count": "instant_runoff",
                "rounds": [
                    {
                        "round": 1,
                        "counts": {"A": 4, "B": 3, "C": 2, "D": 1},
                        "continuing_ballots": 10,
                        "exhausted_ballots": 0,
                        "tied_for_fewest": [],
                        "eliminated": ["D"],
                    },
                    {
                        "round": 2,
                        "counts": {"A": 4, "B": 3, "C": 3},
                        "continuing_ballots": 10,
                        "exhausted_ballots": 0,
                        "tied_for_fewest": ["B", "C"],
                        "eliminated": ["C"],
                    },
                    {
                        "round": 3,
                        "counts": {"A": 4, "B": 5},
                        "continuing_ballots": 9,
                        "exhausted_ballots": 1,
                        "tied_for_fewest": [],
                        "eliminated": ["A"],
                    },
                ],
                "majority_round": 3,
                "winners": ["B"],
            },
        },
    },
    {
        "name": "ranked, instant runoff, eliminated together",
        "method": "ranked",
        "rules": {"count": "instant_runoff"},
        "candidates": ["A", "B", "C", "D"],
        "ballots": _times(
            [
                (4, {"ranking": ["A", "B"]}),
                (3, {"ranking": ["B", "C"]}),
                (2, {"ranking": ["C", "B"]}),
                (2, {"ranking": ["D", "C"]}),
            ]
        ),
        "expected": {
            "ranking": [
                _entry("B", 1, first_preferences=3, votes=5, eliminated_in_round=None),
                _entry("A", 2, first_preferences=4, votes=4, eliminated_in_round=2),
                _entry("C", 3, True, first_preferences=2, votes=2, eliminated_in_round=1),
                _entry("D", 3, True, first_preferences=2, votes=2, eliminated_in_round=1),
            ],
            "ties": [["C", "D"]],
            "detail": {
                "count": "instant_runoff",
                "rounds": [
                    {
                        "round": 1,
                        "counts": {"A": 4, "B": 3, "C": 2, "D": 2},
                        "continuing_ballots": 11,
                        "exhausted_ballots": 0,
                        "tied_for_fewest": ["C", "D"],
                        "eliminated": ["C", "D"],
                    },
                    {
                        "round": 2,
                        "counts": {"A": 4, "B": 5},
                        "continuing_ballots": 9,
                        "exhausted_ballots": 2,
                        "tied_for_fewest": [],
                        "eliminated": ["A"],
                    },
                ],
                "majority_round": 2,
                "winners": ["B"],
            },
        },
    },
    {
        "name": "score with a minimum number of votes",
        "method": "score",
        "rules": {"min_votes": 3},
        "candidates": ["A", "B", "C", "D", "E"],
        "ballots": _times(
            [
                (1, {"scores": {"A": 5, "B": 4, "C": 5}}),
                (1, {"scores": {"A": 3, "B": 4}}),
                (1, {"scores": {"A": 4, "B": 4, "D": 2}}),
                (1, {"scores": {"B": 3, "C": 5}}),
            ]
        ),
        "expected": {
            "ranking": [
                _entry("A", 1, mean=4.0, votes=3, total=12, meets_min_votes=True),
                _entry("B", 2, mean=3.75, votes=4, total=15, meets_min_votes=True),
                _entry("C", 3, mean=5.0, votes=2, total=10, meets_min_votes=False),
                _entry("D", 4, mean=2.0, votes=1, total=2, meets_min_votes=False),
                _entry("E", 5, mean=None, votes=0, total=0, meets_min_votes=False),
            ],
            "ties": [],
            "detail": {"min_votes": 3, "scores_cast": 10},
        },
    },
]


def example(name: str) -> dict:
    """One example by name."""
    return next(e for e in EXAMPLES if e["name"] == name)


def _relabel(value, names: dict[str, str]):
    """`value` with every idea id (as a string or a key) replaced through `names`."""
    if isinstance(value, dict):
        return {names.get(key, key): _relabel(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_relabel(item, names) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def ballots_for(example: dict, ids: dict[str, str] | None = None) -> list[dict]:
    """The example's ballots (one per voter) with labels replaced by real idea ids."""
    return _relabel(example["ballots"], ids or {})


def _sorted_lists(value):
    """Lists of idea labels sorted, so that orders inside ties (which depend on the round) do not matter."""
    if isinstance(value, dict):
        return {key: _sorted_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_lists(item) for item in value]
        return sorted(items) if all(isinstance(item, str) for item in items) else items
    return value


def check(example: dict, result: dict, ids: dict[str, str] | None = None) -> list[str]:
    """What in `result` (a count of the example, with real idea ids `ids`) differs from the example."""
    labels = {idea_id: label for label, idea_id in (ids or {}).items()}
    got = _relabel(result, labels)
    expected = example["expected"]
    problems = []
    if got.get("method") != example["method"]:
        problems.append(f"method is {got.get('method')!r}, expected {example['method']!r}")
    cast = len(example["ballots"])
    if got.get("ballots_counted") != cast:
        problems.append(f"ballots_counted is {got.get('ballots_counted')}, expected {cast}")

    entries = {entry["idea_id"]: entry for entry in got.get("ranking", [])}
    ranks = [entry["rank"] for entry in got.get("ranking", [])]
    if ranks != sorted(ranks):
        problems.append(f"ranking is not in rank order: {ranks}")
    for want in expected["ranking"]:
        entry = entries.get(want["idea"])
        if entry is None:
            problems.append(f"idea {want['idea']} is missing from the ranking")
            continue
        for field, value in want.items():
            if field != "idea" and entry.get(field) != value:
                problems.append(f"idea {want['idea']}: {field} is {entry.get(field)!r}, expected {value!r}")
    if len(entries) != len(expected["ranking"]):
        problems.append(f"ranking has {len(entries)} ideas, expected {len(expected['ranking'])}")

    if sorted(sorted(group) for group in got.get("ties", [])) != sorted(expected["ties"]):
        problems.append(f"ties are {got.get('ties')}, expected {expected['ties']}")
    for key, value in expected["detail"].items():
        if _sorted_lists(got.get("detail", {}).get(key)) != _sorted_lists(value):
            problems.append(f"detail.{key} is {got.get('detail', {}).get(key)!r}, expected {value!r}")
    return problems
