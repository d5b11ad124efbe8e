"""The counting engine (voting.tally) and the standalone recount (tools/recount.py), without HTTP.

The worked examples of docs/voting-methods.md, published reference counts, ties, instant-runoff
eliminations, edge cases, ballot validation, and a property test that the engine and the
independent recount agree on random rounds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from voting.tally import count, tie_order, validate_choices, validate_rules
from voting.tally.ranked import read_rankings
from voting.tally.schulze import pairwise

from tests.voting.tally_examples import EXAMPLES, TITLES, ballots_for, check, example

ROOT = Path(__file__).resolve().parents[2]
RECOUNT_SCRIPT = ROOT / "tools" / "recount.py"


def _load_recount():
    """The recount script as a module, loaded from its file as any council would run it."""
    spec = importlib.util.spec_from_file_location("independent_recount", RECOUNT_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recount_script = _load_recount()


def independent(method, candidates, ballots, rules, tie_seed):
    """What tools/recount.py makes of the same round."""
    round_ = {
        "id": tie_seed,
        "title": "round",
        "method": method,
        "rules": rules,
        "candidates": [{"idea_id": idea, "title": idea} for idea in candidates],
    }
    return recount_script.recount(round_, [{"receipt": str(i), "choices": c} for i, c in enumerate(ballots)])


def published(result: dict) -> dict:
    """A result as it comes back from JSON, without the prose tie-break rule."""
    return {k: v for k, v in json.loads(json.dumps(result)).items() if k != "tie_break"}


def by_idea(result: dict) -> dict[str, dict]:
    return {entry["idea_id"]: entry for entry in result["ranking"]}


def ranks(result: dict) -> dict[str, int]:
    return {entry["idea_id"]: entry["rank"] for entry in result["ranking"]}


def expand(groups: list[tuple[int, str]]) -> list[dict]:
    """Ranked ballots written as (voters, "ABC")."""
    return [{"ranking": list(order)} for voters, order in groups for _ in range(voters)]


# ---------------------------------------------------------------- worked examples


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_worked_example_counts_as_documented(ex):
    result = count(ex["method"], ex["candidates"], ex["ballots"], ex["rules"], "round-1")
    assert check(ex, result) == []
    assert result["ballots_counted"] == len(ex["ballots"])
    assert result["rules"] == ex["rules"]


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_worked_example_with_real_ids_and_any_round_id(ex):
    """As the HTTP tests replay them: real idea ids, a random round id, JSON on the way back."""
    ids = {label: str(uuid.uuid4()) for label in ex["candidates"]}
    candidates = [ids[label] for label in ex["candidates"]]
    result = json.loads(
        json.dumps(count(ex["method"], candidates, ballots_for(ex, ids), ex["rules"], str(uuid.uuid4())))
    )
    assert check(ex, result, ids) == []
    assert set(TITLES) >= set(ex["candidates"])


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_recount_agrees_on_worked_example(ex):
    mine = count(ex["method"], ex["candidates"], ex["ballots"], ex["rules"], "round-1")
    assert independent(ex["method"], ex["candidates"], ex["ballots"], ex["rules"], "round-1") == published(mine)


def test_check_reports_a_wrong_result():
    ex = example("approval with a tie")
    result = count(ex["method"], ex["candidates"], ex["ballots"], ex["rules"], "round-1")
    by_idea(result)["A"]["approvals"] = 4
    result["ties"] = []
    problems = check(ex, result)
    assert "idea A: approvals is 4, expected 3" in problems
    assert any(p.startswith("ties are") for p in problems)


# ---------------------------------------------------------------- published reference counts


def test_schulze_matches_the_reference_example():
    """The 45-voter example of Wikipedia's article on the Schulze method: E > A > C > B > D."""
    ballots = expand(
        [
            (5, "ACBED"),
            (5, "ADECB"),
            (8, "BEDAC"),
            (3, "CABED"),
            (7, "CAEBD"),
            (2, "CBADE"),
            (7, "DCEBA"),
            (8, "EBADC"),
        ]
    )
    result = count("ranked", list("ABCDE"), ballots, {"count": "schulze"}, "r")
    assert [e["idea_id"] for e in result["ranking"]] == list("EACBD")
    assert [e["rank"] for e in result["ranking"]] == [1, 2, 3, 4, 5]
    d, p = result["detail"]["pairwise"], result["detail"]["strongest_paths"]
    assert [d["A"][x] for x in "BCDE"] == [20, 26, 30, 22]
    assert [d["E"][x] for x in "ABCD"] == [23, 27, 21, 31]
    expected_paths = {
        "A": [28, 28, 30, 24],
        "B": [25, 28, 33, 24],
        "C": [25, 29, 29, 24],
        "D": [25, 28, 28, 24],
        "E": [25, 28, 28, 31],
    }
    for a, row in expected_paths.items():
        assert [p[a][b] for b in "ABCDE" if b != a] == row


def test_instant_runoff_and_schulze_differ_on_the_tennessee_example():
    """The classic example: instant runoff elects Knoxville, the Condorcet winner is Nashville."""
    ballots = expand([(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")])
    irv = count("ranked", list("MNCK"), ballots, {"count": "instant_runoff"}, "r")
    assert [e["idea_id"] for e in irv["ranking"]] == list("KMNC")
    assert [r["eliminated"] for r in irv["detail"]["rounds"]] == [["C"], ["N"], ["M"]]
    assert irv["detail"]["rounds"][1]["counts"] == {"M": 42, "N": 26, "K": 32}
    assert by_idea(irv)["K"] == {
        "idea_id": "K",
        "rank": 1,
        "tied": False,
        "first_preferences": 17,
        "votes": 58,
        "eliminated_in_round": None,
    }
    assert irv["detail"]["majority_round"] == 3
    schulze = count("ranked", list("MNCK"), ballots, {"count": "schulze"}, "r")
    assert [e["idea_id"] for e in schulze["ranking"]] == list("NCKM")


# ---------------------------------------------------------------- ties


def test_tied_ideas_share_a_rank_and_are_ordered_by_the_round_seed():
    ballots = [{"approve": ["A", "B", "C"]}, {"approve": ["D"]}]
    for seed in ("round-1", "round-2", "round-3", str(uuid.uuid4())):
        result = count("approval", ["D", "C", "B", "A"], ballots, {"max_approvals": 3}, seed)
        tied = [e["idea_id"] for e in result["ranking"] if e["approvals"] == 1]
        assert tied == sorted("ABCD", key=lambda idea: hashlib.sha256((seed + idea).encode()).hexdigest())
        assert result["ties"] == [tied]
        assert all(e["rank"] == 1 and e["tied"] for e in result["ranking"])
        assert tie_order(seed, "A") == hashlib.sha256((seed + "A").encode()).hexdigest()


def test_the_seed_changes_only_the_order_inside_ties():
    ballots = [{"approve": ["A", "B"]}, {"approve": ["C"]}, {"approve": ["D"]}]
    orders = set()
    for n in range(20):
        result = count("approval", list("ABCD"), ballots, {"max_approvals": 2}, f"seed-{n}")
        assert ranks(result) == {"A": 1, "B": 1, "C": 1, "D": 1}
        orders.add(tuple(e["idea_id"] for e in result["ranking"]))
    assert len(orders) > 1


def test_ranks_skip_after_a_tie():
    ballots = [{"dots": {"A": 3}}, {"dots": {"B": 2, "C": 1}}, {"dots": {"C": 1, "D": 1}}]
    result = count("dot_voting", list("ABCD"), ballots, {"dots_per_voter": 3, "max_dots_per_idea": 3}, "r")
    assert ranks(result) == {"A": 1, "B": 2, "C": 2, "D": 4}
    assert [sorted(group) for group in result["ties"]] == [["B", "C"]]
    assert by_idea(result)["C"] == {"idea_id": "C", "rank": 2, "tied": True, "dots": 2, "voters": 2}
    assert not by_idea(result)["A"]["tied"]


def test_schulze_ties_ideas_that_do_not_beat_each_other():
    """A beats B; C is level with both: the unbeaten A and C share first place (Schulze winners)."""
    ballots = expand([(1, "AB"), (1, "C")])
    result = count("ranked", list("ABC"), ballots, {"count": "schulze"}, "r")
    assert ranks(result) == {"A": 1, "C": 1, "B": 3}
    assert sorted(result["ties"][0]) == ["A", "C"]


def test_score_means_are_compared_exactly():
    """1/3 and 2/6 are the same mean: a tie, whatever floating point would say."""
    ballots = [{"scores": {"A": 1, "B": 2}}, {"scores": {"A": 0, "B": 0}}, {"scores": {"A": 0, "B": 0}}]
    ballots += [{"scores": {"B": 0}}] * 3
    result = count("score", ["A", "B"], ballots, {"min_votes": 1}, "r")
    assert ranks(result) == {"A": 1, "B": 1}
    assert by_idea(result)["A"]["mean"] == by_idea(result)["B"]["mean"] == 0.3333


# ---------------------------------------------------------------- instant-runoff eliminations


def test_instant_runoff_breaks_a_tie_for_fewest_by_earlier_rounds():
    result = count(
        "ranked",
        list("ABCD"),
        ballots_for(example("ranked, instant runoff")),
        {"count": "instant_runoff"},
        "r",
    )
    second = result["detail"]["rounds"][1]
    assert second["counts"] == {"A": 4, "B": 3, "C": 3}
    assert sorted(second["tied_for_fewest"]) == ["B", "C"]
    assert second["eliminated"] == ["C"]  # C had 2 to B's 3 in round 1


def test_instant_runoff_eliminates_together_ideas_level_in_every_round():
    result = count(
        "ranked",
        list("ABCD"),
        ballots_for(example("ranked, instant runoff, eliminated together")),
        {"count": "instant_runoff"},
        "r",
    )
    assert sorted(result["detail"]["rounds"][0]["eliminated"]) == ["C", "D"]
    assert ranks(result)["C"] == ranks(result)["D"] == 3
    assert result["detail"]["rounds"][1]["exhausted_ballots"] == 2


def test_instant_runoff_ideas_level_at_the_end_share_first_place():
    ballots = expand([(2, "AC"), (2, "BC"), (1, "C")])
    result = count("ranked", list("ABC"), ballots, {"count": "instant_runoff"}, "r")
    # Round 1: A 2, B 2, C 1 -> C out; round 2: A 2, B 2 (1 exhausted), level in every round.
    assert ranks(result) == {"A": 1, "B": 1, "C": 3}
    assert sorted(result["detail"]["winners"]) == ["A", "B"]
    assert result["detail"]["rounds"][-1]["eliminated"] == []
    assert result["detail"]["rounds"][-1]["exhausted_ballots"] == 1
    assert result["detail"]["majority_round"] is None


def test_instant_runoff_narrows_a_three_way_tie_step_by_step():
    ballots = expand([(9, "A"), (5, "B"), (4, "C"), (3, "D"), (1, "ED"), (1, "FC"), (1, "FD")])
    result = count("ranked", list("ABCDEF"), ballots, {"count": "instant_runoff"}, "r")
    rounds = result["detail"]["rounds"]
    assert [r["counts"] for r in rounds] == [
        {"A": 9, "B": 5, "C": 4, "D": 3, "F": 2, "E": 1},
        {"A": 9, "B": 5, "C": 4, "D": 4, "F": 2},
        {"A": 9, "B": 5, "C": 5, "D": 5},
        {"A": 9, "B": 5, "C": 5},
        {"A": 9, "B": 5},
    ]
    # Round 3: B, C, D level; round 2 keeps C and D (4 each, B had 5); round 1 picks D (3 to C's 4).
    assert sorted(rounds[2]["tied_for_fewest"]) == ["B", "C", "D"]
    assert [r["eliminated"] for r in rounds] == [["E"], ["F"], ["D"], ["C"], ["B"]]
    assert [r["exhausted_ballots"] for r in rounds] == [0, 0, 0, 5, 10]
    assert ranks(result) == {"A": 1, "B": 2, "C": 3, "D": 4, "F": 5, "E": 6}
    assert result["detail"]["majority_round"] == 5  # 9 of 14 continuing ballots


def test_instant_runoff_looks_back_from_the_latest_round_first():
    ballots = expand([(10, "A"), (2, "B"), (3, "C"), (1, "DB"), (1, "EB"), (1, "FC"), (1, "F")])
    result = count("ranked", list("ABCDEF"), ballots, {"count": "instant_runoff"}, "r")
    rounds = result["detail"]["rounds"]
    assert rounds[2]["counts"] == {"A": 10, "B": 4, "C": 4}
    # Round 2 had B 4, C 3, so C goes, although round 1 had B 2, C 3.
    assert rounds[2]["eliminated"] == ["C"]
    assert ranks(result) == {"A": 1, "B": 2, "C": 3, "F": 4, "D": 5, "E": 5}


def test_instant_runoff_counts_exhausted_ballots_and_majority():
    ballots = expand([(3, "A"), (2, "B"), (1, "CB"), (1, "D")])
    result = count("ranked", list("ABCD"), ballots, {"count": "instant_runoff"}, "r")
    first = result["detail"]["rounds"][0]
    assert first["counts"] == {"A": 3, "B": 2, "C": 1, "D": 1}
    assert sorted(first["eliminated"]) == ["C", "D"]  # level, and no earlier round to tell them apart
    second = result["detail"]["rounds"][1]
    assert second == {
        "round": 2,
        "counts": {"A": 3, "B": 3},
        "continuing_ballots": 6,
        "exhausted_ballots": 1,
        "tied_for_fewest": ["A", "B"],
        "eliminated": ["B"],  # B had 2 to A's 3 in round 1
    }
    assert result["detail"]["winners"] == ["A"]
    assert result["detail"]["majority_round"] is None  # A never had more than half the continuing ballots


# ---------------------------------------------------------------- edge cases

RULES = {
    "dot_voting": {"dots_per_voter": 5, "max_dots_per_idea": 3},
    "approval": {"max_approvals": 2},
    "schulze": {"count": "schulze"},
    "instant_runoff": {"count": "instant_runoff"},
    "score": {"min_votes": 2},
}


def _method(kind: str) -> str:
    return "ranked" if kind in ("schulze", "instant_runoff") else kind


@pytest.mark.parametrize("kind", list(RULES))
def test_no_ballots_ties_every_idea_for_first(kind):
    result = count(_method(kind), list("ABC"), [], RULES[kind], "r")
    assert result["ballots_counted"] == 0
    assert ranks(result) == {"A": 1, "B": 1, "C": 1}
    assert sorted(result["ties"][0]) == ["A", "B", "C"] and len(result["ties"]) == 1
    assert independent(_method(kind), list("ABC"), [], RULES[kind], "r") == published(result)


@pytest.mark.parametrize("kind", list(RULES))
def test_one_candidate_is_first_and_not_tied(kind):
    choices = {
        "dot_voting": {"dots": {"A": 2}},
        "approval": {"approve": ["A"]},
        "schulze": {"ranking": ["A"]},
        "instant_runoff": {"ranking": ["A"]},
        "score": {"scores": {"A": 4}},
    }[kind]
    result = count(_method(kind), ["A"], [choices, choices], RULES[kind], "r")
    assert result["ranking"][0]["idea_id"] == "A" and result["ranking"][0]["rank"] == 1
    assert result["ranking"][0]["tied"] is False and result["ties"] == []
    assert independent(_method(kind), ["A"], [choices, choices], RULES[kind], "r") == published(result)


def test_ballots_may_come_as_exported_with_receipts():
    plain = [{"approve": ["A"]}, {"approve": ["A", "B"]}]
    exported = [{"receipt": "R1", "choices": plain[0]}, {"receipt": "R2", "choices": plain[1]}]
    assert count("approval", ["A", "B"], exported, {"max_approvals": 2}, "r") == count(
        "approval", ["A", "B"], plain, {"max_approvals": 2}, "r"
    )


def test_counting_rules_ignore_other_round_rules():
    rules = {"max_approvals": 2, "secret": True, "closes_at": "2026-12-01T17:00:00Z"}
    assert count("approval", ["A"], [{"approve": ["A"]}], rules, "r")["rules"] == {"max_approvals": 2}


def test_unscored_and_too_few_votes_come_last_in_score():
    ballots = [{"scores": {"A": 1, "B": 5}}, {"scores": {"A": 1}}]
    result = count("score", list("ABC"), ballots, {"min_votes": 2}, "r")
    assert [e["idea_id"] for e in result["ranking"]] == ["A", "B", "C"]
    assert by_idea(result)["B"]["meets_min_votes"] is False
    assert by_idea(result)["C"] == {
        "idea_id": "C",
        "rank": 3,
        "tied": False,
        "mean": None,
        "votes": 0,
        "total": 0,
        "meets_min_votes": False,
    }


@pytest.mark.parametrize(
    ("method", "candidates", "ballots", "rules", "message"),
    [
        ("approval", ["A"], [{"approve": ["Z"]}], {"max_approvals": 1}, "'Z', which is not a candidate"),
        ("dot_voting", ["A"], [{"dots": {"Z": 1}}], RULES["dot_voting"], "'Z', which is not a candidate"),
        ("score", ["A"], [{"scores": {"Z": 1}}], RULES["score"], "'Z', which is not a candidate"),
        ("ranked", ["A"], [{"ranking": ["A", "Z"]}], RULES["schulze"], "'Z', which is not a candidate"),
        ("ranked", ["A"], [{"approve": ["A"]}], RULES["schulze"], "ballot 1 has no 'ranking'"),
        ("ranked", ["A", "A"], [], RULES["schulze"], "more than once"),
        ("ranked", [], [], RULES["schulze"], "at least one candidate"),
        ("ranked", ["A"], [], {"count": "borda"}, "rules.count must be one of"),
        ("approval", ["A"], [], {}, "rules.max_approvals is required"),
        ("plurality", ["A"], [], {}, "method must be one of"),
    ],
)
def test_count_refuses_what_it_cannot_count(method, candidates, ballots, rules, message):
    with pytest.raises(ValueError, match=message):
        count(method, candidates, ballots, rules, "r")


def test_pairwise_counts_with_many_ideas_and_many_ballots():
    """Wide places (over 255 ideas) and sums over many chunks of ballots stay exact."""
    rng = random.Random(7)
    ideas = [f"i{n}" for n in range(300)]
    index = {idea: n for n, idea in enumerate(ideas)}
    rankings = [rng.sample(ideas, rng.randint(1, 300)) for _ in range(4)]
    d = pairwise(read_rankings(index, rankings))
    for a, b in [(0, 1), (5, 299), (299, 5), (17, 42)]:
        expected = 0
        for ranking in rankings:
            place = {idea: n for n, idea in enumerate(ranking)}
            expected += place.get(ideas[a], 999) < place.get(ideas[b], 999)
        assert d[a, b] == expected

    many = [rng.sample("ABC", 3) for _ in range(700)]  # > 255 ballots: several uint8 chunks
    d = pairwise(read_rankings({"A": 0, "B": 1, "C": 2}, many))
    assert d[0, 1] == sum(r.index("A") < r.index("B") for r in many)
    assert d[0, 1] + d[1, 0] == 700
    assert np.all(np.diag(d) == 0)


def test_schulze_agrees_with_the_recount_on_forty_ideas():
    rng = random.Random(11)
    ideas = [f"idea-{n}" for n in range(40)]
    ballots = [{"ranking": rng.sample(ideas, rng.randint(1, 40))} for _ in range(300)]
    result = count("ranked", ideas, ballots, {"count": "schulze"}, "seed")
    assert independent("ranked", ideas, ballots, {"count": "schulze"}, "seed") == published(result)


# ---------------------------------------------------------------- ballot validation

CANDIDATES = ["A", "B", "C", "D"]


def fields(method, rules, choices):
    return [e["field"] for e in validate_choices(method, CANDIDATES, rules, choices)]


@pytest.mark.parametrize(
    ("method", "rules", "choices"),
    [
        ("dot_voting", RULES["dot_voting"], {"dots": {"A": 3, "B": 2}}),
        ("dot_voting", RULES["dot_voting"], {"dots": {"A": 1}}),
        ("approval", RULES["approval"], {"approve": ["A", "B"]}),
        ("ranked", RULES["schulze"], {"ranking": ["D", "A", "C", "B"]}),
        ("ranked", RULES["instant_runoff"], {"ranking": ["C"]}),
        ("score", RULES["score"], {"scores": {"A": 0, "B": 5}}),
    ],
)
def test_valid_ballots_pass(method, rules, choices):
    assert validate_choices(method, CANDIDATES, rules, choices) == []


@pytest.mark.parametrize(
    ("method", "rules", "choices", "expected_fields", "message"),
    [
        ("dot_voting", RULES["dot_voting"], {"dots": {}}, ["choices.dots"], "at least one dot"),
        (
            "dot_voting",
            RULES["dot_voting"],
            {"dots": {"A": 3, "B": 3}},
            ["choices.dots"],
            "gives 6 dots in all",
        ),
        (
            "dot_voting",
            RULES["dot_voting"],
            {"dots": {"A": 4}},
            ["choices.dots.A"],
            "at most 3 may go on one idea",
        ),
        ("dot_voting", RULES["dot_voting"], {"dots": {"A": 0}}, ["choices.dots.A"], "at least 1"),
        ("dot_voting", RULES["dot_voting"], {"dots": {"A": 1.5}}, ["choices.dots.A"], "whole number"),
        ("dot_voting", RULES["dot_voting"], {"dots": {"A": True}}, ["choices.dots.A"], "whole number"),
        ("dot_voting", RULES["dot_voting"], {"dots": {"Z": 1}}, ["choices.dots.Z"], "not a candidate"),
        ("dot_voting", RULES["dot_voting"], {"dots": ["A"]}, ["choices.dots"], "must be an object"),
        (
            "dot_voting",
            RULES["dot_voting"],
            {"approve": ["A"]},
            ["choices.approve", "choices.dots"],
            "not part",
        ),
        ("approval", RULES["approval"], {"approve": []}, ["choices.approve"], "approve at least one idea"),
        ("approval", RULES["approval"], {"approve": ["A", "B", "C"]}, ["choices.approve"], "at most 2"),
        ("approval", RULES["approval"], {"approve": ["A", "A"]}, ["choices.approve[1]"], "already listed"),
        ("approval", RULES["approval"], {"approve": ["Z"]}, ["choices.approve[0]"], "not a candidate"),
        ("approval", RULES["approval"], {"approve": [7]}, ["choices.approve[0]"], "must be an idea id"),
        ("approval", RULES["approval"], {"approve": "A"}, ["choices.approve"], "must be a list"),
        ("ranked", RULES["schulze"], {"ranking": []}, ["choices.ranking"], "rank at least one idea"),
        ("ranked", RULES["schulze"], {"ranking": ["A", "B", "A"]}, ["choices.ranking[2]"], "already listed"),
        ("ranked", RULES["schulze"], {"ranking": ["A", "Z"]}, ["choices.ranking[1]"], "not a candidate"),
        ("ranked", RULES["schulze"], {"ranking": None}, ["choices.ranking"], "must be a list"),
        ("ranked", RULES["schulze"], {}, ["choices.ranking"], "is required"),
        ("score", RULES["score"], {"scores": {"A": 6}}, ["choices.scores.A"], "from 0 to 5"),
        ("score", RULES["score"], {"scores": {"A": -1}}, ["choices.scores.A"], "from 0 to 5"),
        ("score", RULES["score"], {"scores": {"A": "5"}}, ["choices.scores.A"], "whole number"),
        ("score", RULES["score"], {"scores": {}}, ["choices.scores"], "score at least one idea"),
        ("score", RULES["score"], {"scores": {"Z": 3}}, ["choices.scores.Z"], "not a candidate"),
        ("score", RULES["score"], ["A"], ["choices"], "must be an object"),
    ],
)
def test_invalid_ballots_name_the_field(method, rules, choices, expected_fields, message):
    errors = validate_choices(method, CANDIDATES, rules, choices)
    assert sorted(e["field"] for e in errors) == sorted(expected_fields)
    assert any(message in e["message"] for e in errors), errors


def test_validation_refuses_a_broken_round():
    with pytest.raises(ValueError, match="rules.dots_per_voter"):
        validate_choices("dot_voting", CANDIDATES, {"max_dots_per_idea": 1}, {"dots": {"A": 1}})


@pytest.mark.parametrize(
    ("method", "rules", "expected_fields"),
    [
        ("dot_voting", {"dots_per_voter": 5, "max_dots_per_idea": 3}, []),
        ("dot_voting", {"dots_per_voter": 2, "max_dots_per_idea": 3}, ["rules.max_dots_per_idea"]),
        (
            "dot_voting",
            {"dots_per_voter": 0, "max_dots_per_idea": "1"},
            ["rules.dots_per_voter", "rules.max_dots_per_idea"],
        ),
        ("approval", {"max_approvals": 3}, []),
        ("approval", {"max_approvals": True}, ["rules.max_approvals"]),
        ("ranked", {"count": "instant_runoff"}, []),
        ("ranked", {}, ["rules.count"]),
        ("score", {"min_votes": 1}, []),
        ("score", {"min_votes": 0}, ["rules.min_votes"]),
        ("score", [], ["rules"]),
        ("borda", {}, ["method"]),
    ],
)
def test_validate_rules(method, rules, expected_fields):
    assert [e["field"] for e in validate_rules(method, rules)] == expected_fields


# ---------------------------------------------------------------- the engine and the recount agree

IDEAS = [f"idea-{n}" for n in range(7)]


@st.composite
def rounds(draw):
    """A random round with valid ballots under its rules."""
    candidates = draw(st.lists(st.sampled_from(IDEAS), min_size=1, max_size=7, unique=True))
    method = draw(st.sampled_from(["dot_voting", "approval", "schulze", "instant_runoff", "score"]))
    subsets = st.lists(st.sampled_from(candidates), min_size=1, unique=True)
    if method == "dot_voting":
        per_voter = draw(st.integers(1, 6))
        rules = {"dots_per_voter": per_voter, "max_dots_per_idea": draw(st.integers(1, per_voter))}

        @st.composite
        def ballot(draw):
            dots, left = {}, per_voter
            for idea in draw(subsets):
                if left == 0:
                    break
                dots[idea] = draw(st.integers(1, min(left, rules["max_dots_per_idea"])))
                left -= dots[idea]
            return {"dots": dots}

        ballots = st.lists(ballot(), max_size=15)
    elif method == "approval":
        rules = {"max_approvals": draw(st.integers(1, len(candidates)))}
        ballots = st.lists(
            st.builds(lambda ideas: {"approve": ideas}, subsets.filter(lambda s: len(s) <= rules["max_approvals"])),
            max_size=15,
        )
    elif method == "score":
        rules = {"min_votes": draw(st.integers(1, 4))}
        ballots = st.lists(
            st.builds(
                lambda scores: {"scores": scores},
                st.dictionaries(st.sampled_from(candidates), st.integers(0, 5), min_size=1),
            ),
            max_size=15,
        )
    else:
        rules = {"count": method}
        method = "ranked"
        ballots = st.lists(
            st.builds(
                lambda ideas: {"ranking": ideas},
                st.permutations(candidates).flatmap(lambda order: st.integers(1, len(order)).map(lambda k: order[:k])),
            ),
            max_size=20,
        )
    drawn = draw(ballots)
    seed = draw(st.sampled_from(["round-a", "round-b", str(uuid.UUID(int=7))]))
    return method, candidates, drawn, rules, seed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_engine_and_independent_recount_agree(round_):
    method, candidates, ballots, rules, seed = round_
    for choices in ballots:
        assert validate_choices(method, candidates, rules, choices) == []
    as_cast = json.dumps(ballots)
    result = count(method, candidates, ballots, rules, seed)
    assert json.dumps(ballots) == as_cast  # counting never changes a ballot
    assert independent(method, candidates, ballots, rules, seed) == published(result)
    # Invariants a reader relies on, whatever the method:
    ranking = result["ranking"]
    assert sorted(e["idea_id"] for e in ranking) == sorted(candidates)
    for entry in ranking:
        level = [e for e in ranking if e["rank"] == entry["rank"]]
        assert entry["rank"] == 1 + sum(1 for e in ranking if e["rank"] < entry["rank"])  # 1, 1, 3
        assert entry["tied"] == (len(level) > 1)
    assert result["ties"] == [
        [e["idea_id"] for e in ranking if e["rank"] == rank]
        for rank in sorted({e["rank"] for e in ranking})
        if sum(1 for e in ranking if e["rank"] == rank) > 1
    ]
    for entry, following in zip(ranking, ranking[1:], strict=False):
        assert following["rank"] >= entry["rank"]
        if following["rank"] == entry["rank"]:
            assert tie_order(seed, entry["idea_id"]) < tie_order(seed, following["idea_id"])


_NAMES = st.sampled_from(["A", "B", "C", "Z"])
_VALUES = st.one_of(st.integers(-1, 7), st.booleans(), st.just(2.0), st.just("3"))


@st.composite
def any_choices(draw):
    """Ballots near the edge of valid: unknown ideas, repeats, out-of-range or mistyped values."""
    method = draw(st.sampled_from(["dot_voting", "approval", "ranked", "score"]))
    right = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}[method]
    key = right if draw(st.integers(0, 9)) else draw(st.sampled_from(["dots", "approve", "ranking", "scores"]))
    names = st.sampled_from(["A", "B", "C"]) if draw(st.integers(0, 3)) else _NAMES
    values = st.integers(0, 3) if draw(st.integers(0, 3)) else _VALUES
    mapping = st.dictionaries(names, values, max_size=3)
    listing = st.lists(names if draw(st.integers(0, 5)) else st.one_of(names, st.integers(0, 3)), max_size=4)
    value = (
        draw(mapping if method in ("dot_voting", "score") else listing)
        if draw(st.integers(0, 9))
        else draw(listing | mapping)
    )
    choices = {key: value}
    if draw(st.integers(0, 19)) == 0:
        choices["extra"] = 1
    return method, choices


@settings(max_examples=200, deadline=None)
@given(any_choices())
def test_engine_and_recount_accept_the_same_ballots(drawn):
    method, choices = drawn
    rules = {"dot_voting": RULES["dot_voting"], "approval": RULES["approval"], "ranked": RULES["schulze"]}
    rules = rules.get(method, RULES["score"])
    accepted = validate_choices(method, ["A", "B", "C"], rules, choices) == []
    problem = recount_script.ballot_problem(method, rules, {"A", "B", "C"}, choices)
    assert accepted == (problem is None), problem


# ---------------------------------------------------------------- the recount command


def _export(tmp_path: Path, ex: dict, *, tamper=None) -> Path:
    round_id = str(uuid.uuid4())
    ids = {label: str(uuid.uuid4()) for label in ex["candidates"]}
    ballots = ballots_for(ex, ids)
    result = count(ex["method"], [ids[label] for label in ex["candidates"]], ballots, ex["rules"], round_id)
    export = {
        "round": {
            "id": round_id,
            "title": f"Hack day vote: {ex['name']}",
            "method": ex["method"],
            "rules": {**ex["rules"], "secret": True},
            "candidates": [{"idea_id": ids[label], "title": TITLES[label]} for label in ex["candidates"]],
        },
        "ballots": [{"ballot_id": f"RCPT-{n:04d}", "choices": choices} for n, choices in enumerate(ballots)],
        "result": json.loads(json.dumps(result)),
        "audit_head": "ab" * 32,
    }
    if tamper:
        tamper(export)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    return path


def _run(*args) -> subprocess.CompletedProcess:
    """Run the recount as a council would: isolated (-I) and without site-packages (-S), so it can
    only work if it needs nothing beyond the standard library and none of our packages."""
    command = [sys.executable, "-I", "-S", str(RECOUNT_SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(
    "name",
    ["dot voting", "ranked, Schulze", "ranked, instant runoff", "score with a minimum number of votes"],
)
def test_recount_command_confirms_a_true_result(tmp_path, name):
    ran = _run(_export(tmp_path, example(name)), "--receipt", "RCPT-0001", "--detail")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "The recount matches the published result." in ran.stdout
    assert "Ballot RCPT-0001 of your receipt is among the" in ran.stdout
    first = example(name)["expected"]["ranking"][0]["idea"]
    assert TITLES[first] in ran.stdout.splitlines()[2]  # the table's first row is the winner


def test_recount_command_catches_a_changed_result(tmp_path):
    def swap_winner(export):
        ranking = export["result"]["ranking"]
        ranking[0]["idea_id"], ranking[1]["idea_id"] = ranking[1]["idea_id"], ranking[0]["idea_id"]

    ran = _run(_export(tmp_path, example("dot voting"), tamper=swap_winner))
    assert ran.returncode == 1
    assert "DOES NOT MATCH" in ran.stdout and "result.ranking[0].idea_id" in ran.stdout


def test_recount_command_catches_a_dropped_ballot(tmp_path):
    ran = _run(_export(tmp_path, example("approval with a tie"), tamper=lambda e: e["ballots"].pop()))
    assert ran.returncode == 1
    assert "result.ballots_counted is 5; the recount gives 4" in ran.stdout


def test_recount_command_reports_a_missing_receipt(tmp_path):
    ran = _run(_export(tmp_path, example("dot voting")), "--receipt", "NOT-MINE")
    assert ran.returncode == 1
    assert "The recount matches the published result." in ran.stdout
    assert "Ballot NOTM-INE of your receipt is NOT among the published ballots." in ran.stdout


def test_recount_command_refuses_a_ballot_that_breaks_the_rules(tmp_path):
    def stuff(export):
        export["ballots"][0]["choices"]["dots"] = {c["idea_id"]: 3 for c in export["round"]["candidates"]}

    ran = _run(_export(tmp_path, example("dot voting"), tamper=stuff))
    assert ran.returncode == 1
    assert "BALLOT RCPT-0000 breaks the round's rules" in ran.stdout


def test_recount_command_explains_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    ran = _run(bad)
    assert ran.returncode == 2 and "Cannot read" in ran.stderr
    assert _run(tmp_path / "missing.json").returncode == 2
