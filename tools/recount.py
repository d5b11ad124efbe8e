#!/usr/bin/env python3
"""Recount a voting round from its published ballots, independently of the platform.

    python tools/recount.py export.json [--receipt CODE] [--detail]

`export.json` is what GET /api/voting/rounds/{id}/ballots gives once a round's result is published:
{"round": {"id", "title", "method", "rules", "candidates": [{"idea_id", "title"}]},
 "ballots": [{"ballot_id", "choices"}], "result": {...}, "audit_head": "..."}.

The script checks every ballot against the round's rules, counts them again, prints the ranking and
says whether it matches the published result. With --receipt it also checks that your receipt's
ballot (its first four groups are the ballot id) is among the ballots. Exit code 0: everything
checked out; 1: a mismatch, a broken ballot or a missing receipt; 2: the file could not be read.

It uses only the Python standard library and none of the platform's code, on purpose: it is a second,
plain implementation of the counting rules in docs/voting-methods.md, written to be read and
trusted rather than to be fast (a few hundred voters and a few dozen ideas take well under a second).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from fractions import Fraction

RULE_KEYS = {
    "dot_voting": ["dots_per_voter", "max_dots_per_idea"],
    "approval": ["max_approvals"],
    "ranked": ["count"],
    "score": ["min_votes"],
}
BALLOT_KEY = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}


# What each method's count gives: the ranking, the groups of tied ideas, the method's own figures.
Counted = tuple[list[dict], list[list[str]], dict]

# ---------------------------------------------------------------- ties and ranks


def tie_key(tie_seed, idea) -> str:
    """Tied ideas are shown in ascending order of sha256(tie_seed + idea id)."""
    return hashlib.sha256((tie_seed + idea).encode("utf-8")).hexdigest()


def rank_ideas(ideas, value, figures, tie_seed) -> tuple[list[dict], list[list[str]]]:
    """Rank by value (higher is better). Equal values share a rank: 1, 1, 3, ..."""
    ranking, ties = [], []
    for level in sorted(set(value.values()), reverse=True):
        group = sorted([idea for idea in ideas if value[idea] == level], key=lambda idea: tie_key(tie_seed, idea))
        rank = len(ranking) + 1
        for idea in group:
            ranking.append({"idea_id": idea, "rank": rank, "tied": len(group) > 1, **figures[idea]})
        if len(group) > 1:
            ties.append(group)
    return ranking, ties


# ---------------------------------------------------------------- the four methods


def count_dots(ideas, ballots, rules, tie_seed) -> Counted:
    dots = {idea: 0 for idea in ideas}
    voters = {idea: 0 for idea in ideas}
    for ballot in ballots:
        for idea, given in ballot["dots"].items():
            dots[idea] += given
            voters[idea] += 1
    figures = {idea: {"dots": dots[idea], "voters": voters[idea]} for idea in ideas}
    ranking, ties = rank_ideas(ideas, dots, figures, tie_seed)
    return ranking, ties, {"dots_cast": sum(dots.values())}


def count_approval(ideas, ballots, rules, tie_seed) -> Counted:
    approvals = {idea: 0 for idea in ideas}
    for ballot in ballots:
        for idea in ballot["approve"]:
            approvals[idea] += 1
    figures = {idea: {"approvals": approvals[idea]} for idea in ideas}
    ranking, ties = rank_ideas(ideas, approvals, figures, tie_seed)
    return ranking, ties, {"approvals_cast": sum(approvals.values())}


def count_score(ideas, ballots, rules, tie_seed) -> Counted:
    min_votes = rules["min_votes"]
    scores = {idea: [] for idea in ideas}
    for ballot in ballots:
        for idea, score in ballot["scores"].items():
            scores[idea].append(score)
    value, figures = {}, {}
    for idea in ideas:
        given = scores[idea]
        if not given:
            value[idea] = (0, Fraction(0))  # nobody scored it: last, level with the others nobody scored
        elif len(given) >= min_votes:
            value[idea] = (2, Fraction(sum(given), len(given)))
        else:
            value[idea] = (
                1,
                Fraction(sum(given), len(given)),
            )  # too few scores: after every idea with enough
        figures[idea] = {
            "mean": round(sum(given) / len(given), 4) if given else None,
            "votes": len(given),
            "total": sum(given),
            "meets_min_votes": len(given) >= min_votes,
        }
    ranking, ties = rank_ideas(ideas, value, figures, tie_seed)
    return ranking, ties, {"min_votes": min_votes, "scores_cast": sum(len(s) for s in scores.values())}


def count_schulze(ideas, ballots, tie_seed) -> Counted:
    # d[a][b]: how many ballots rank a above b. Ideas a ballot leaves out are below all it ranks.
    d = {a: {b: 0 for b in ideas if b != a} for a in ideas}
    for ballot in ballots:
        place = {idea: i for i, idea in enumerate(ballot["ranking"])}
        for a in ballot["ranking"]:
            for b in ideas:
                if b != a and place.get(b, len(ideas)) > place[a]:
                    d[a][b] += 1
    # Strongest paths (widest paths), as in Schulze's paper: links only where a beats b head to head.
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in ideas if b != a} for a in ideas}
    for via in ideas:
        for a in ideas:
            if a == via:
                continue
            for b in ideas:
                if b != a and b != via:
                    p[a][b] = max(p[a][b], min(p[a][via], p[via][b]))
    beaten_by = {b: [a for a in ideas if a != b and p[a][b] > p[b][a]] for b in ideas}

    tier = {}

    def tier_of(idea):
        # 0 if nobody beats it, else one below the lowest tier of those that beat it.
        if idea not in tier:
            tier[idea] = max((tier_of(a) + 1 for a in beaten_by[idea]), default=0)
        return tier[idea]

    value = {idea: -tier_of(idea) for idea in ideas}
    figures = {a: {"wins": sum(1 for b in ideas if a != b and p[a][b] > p[b][a])} for a in ideas}
    ranking, ties = rank_ideas(ideas, value, figures, tie_seed)
    return ranking, ties, {"count": "schulze", "pairwise": d, "strongest_paths": p}


def count_instant_runoff(ideas, ballots, tie_seed) -> Counted:
    still_in = list(ideas)
    rounds, history, out_in_round = [], [], {}
    while True:
        counts = {idea: 0 for idea in still_in}
        exhausted = 0
        for ballot in ballots:
            top = next((idea for idea in ballot["ranking"] if idea in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        continuing = len(ballots) - exhausted
        fewest = [idea for idea in still_in if counts[idea] == min(counts.values())]
        # Break a tie for fewest backwards: fewest in the previous round, then the one before, ...
        out = list(fewest)
        for earlier in reversed(history):
            if len(out) == 1:
                break
            out = [idea for idea in out if earlier[idea] == min(earlier[i] for i in out)]
        history.append(counts)
        record = {
            "round": len(history),
            "counts": counts,
            "continuing_ballots": continuing,
            "exhausted_ballots": exhausted,
            "tied_for_fewest": fewest if len(fewest) > 1 else [],
            "eliminated": [],
        }
        rounds.append(record)
        if len(out) == len(still_in):
            winners = out  # everyone left is level: they share first place
            break
        record["eliminated"] = out
        for idea in out:
            out_in_round[idea] = len(history)
        still_in = [idea for idea in still_in if idea not in out]
        if len(still_in) == 1:
            winners = still_in  # the last idea left wins
            break

    majority_round = next(
        (r["round"] for r in rounds if any(2 * votes > r["continuing_ballots"] for votes in r["counts"].values())),
        None,
    )
    last = len(history)
    value = {idea: out_in_round.get(idea, last + 1) for idea in ideas}
    figures = {
        idea: {
            "first_preferences": history[0][idea],
            "votes": history[out_in_round.get(idea, last) - 1][idea],
            "eliminated_in_round": out_in_round.get(idea),
        }
        for idea in ideas
    }
    ranking, ties = rank_ideas(ideas, value, figures, tie_seed)
    shown_order = [entry["idea_id"] for entry in ranking]
    for record in rounds:
        record["tied_for_fewest"].sort(key=shown_order.index)
        record["eliminated"].sort(key=shown_order.index)
    detail = {
        "count": "instant_runoff",
        "rounds": rounds,
        "majority_round": majority_round,
        "winners": [idea for idea in shown_order if idea in winners],
    }
    return ranking, ties, detail


def recount(round_, ballots) -> dict:
    """The result the platform should have published for these ballots."""
    method = round_["method"]
    rules = {key: round_["rules"][key] for key in RULE_KEYS[method]}
    ideas = [candidate["idea_id"] for candidate in round_["candidates"]]
    choices = [ballot["choices"] for ballot in ballots]
    tie_seed = round_["id"]
    if method == "dot_voting":
        ranking, ties, detail = count_dots(ideas, choices, rules, tie_seed)
    elif method == "approval":
        ranking, ties, detail = count_approval(ideas, choices, rules, tie_seed)
    elif method == "score":
        ranking, ties, detail = count_score(ideas, choices, rules, tie_seed)
    elif rules["count"] == "schulze":
        ranking, ties, detail = count_schulze(ideas, choices, tie_seed)
    else:
        ranking, ties, detail = count_instant_runoff(ideas, choices, tie_seed)
    return {
        "method": method,
        "rules": rules,
        "tie_seed": tie_seed,
        "ballots_counted": len(choices),
        "ranking": ranking,
        "ties": ties,
        "detail": detail,
    }


# ---------------------------------------------------------------- checks


def whole(value, low, high=None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


def ballot_problem(method, rules, ideas, choices) -> str | None:
    """What is wrong with one ballot under the round's rules, or None."""
    if not isinstance(choices, dict) or list(choices) != [BALLOT_KEY[method]]:
        return f"its choices must be exactly {{'{BALLOT_KEY[method]}': ...}}"
    picked = choices[BALLOT_KEY[method]]
    wanted = list if method in ("approval", "ranked") else dict
    if not isinstance(picked, wanted):
        return f"its {BALLOT_KEY[method]} must be a {'list' if wanted is list else 'mapping'}"
    named = list(picked)
    if not named:
        return "it is empty"
    if any(idea not in ideas for idea in named):
        return "it names an idea that is not a candidate"
    if len(set(named)) != len(named):
        return "it names an idea twice"
    if method == "dot_voting":
        if not all(whole(n, 1, rules["max_dots_per_idea"]) for n in picked.values()):
            return f"each idea must get 1 to {rules['max_dots_per_idea']} dots"
        if sum(picked.values()) > rules["dots_per_voter"]:
            return f"it spends more than {rules['dots_per_voter']} dots"
    if method == "approval" and len(named) > rules["max_approvals"]:
        return f"it approves more than {rules['max_approvals']} ideas"
    if method == "score" and not all(whole(s, 0, 5) for s in picked.values()):
        return "scores must be whole numbers from 0 to 5"
    return None


def differences(expected, published, path="result") -> list[str]:
    """Where two JSON values differ, as readable paths."""
    if isinstance(expected, dict) and isinstance(published, dict):
        found = []
        for key in list(expected) + [k for k in published if k not in expected]:
            if key not in published:
                found.append(f"{path}.{key} is missing from the published result")
            elif key not in expected:
                found.append(f"{path}.{key} is published but not part of a count")
            else:
                found += differences(expected[key], published[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(published, list):
        if len(expected) != len(published):
            return [f"{path} has {len(published)} entries; the recount has {len(expected)}"]
        found = []
        for i, (mine, theirs) in enumerate(zip(expected, published, strict=True)):
            found += differences(mine, theirs, f"{path}[{i}]")
        return found
    if expected != published or type(expected) is not type(published):
        return [f"{path} is {json.dumps(published)}; the recount gives {json.dumps(expected)}"]
    return []


# ---------------------------------------------------------------- printing


def print_ranking(round_, result) -> None:
    titles = {c["idea_id"]: c["title"] for c in round_["candidates"]}
    figure_names = (
        [k for k in result["ranking"][0] if k not in ("idea_id", "rank", "tied")] if result["ranking"] else []
    )
    width = max([len(titles[e["idea_id"]]) for e in result["ranking"]] + [4])
    print(f"{round_['title']} ({result['method']}, {result['ballots_counted']} ballots)")
    print(f"  {'rank':<6} {'idea':<{width}}  " + "  ".join(figure_names))
    for entry in result["ranking"]:
        rank = f"{entry['rank']}{'=' if entry['tied'] else ''}"
        values = "  ".join(f"{json.dumps(entry[name]):>{len(name)}}" for name in figure_names)
        print(f"  {rank:<6} {titles[entry['idea_id']]:<{width}}  {values}")
    if result["ties"]:
        print("  '=' marks a tie; tied ideas are listed in ascending sha256(round id + idea id).")


def print_detail(round_, result) -> None:
    titles = {c["idea_id"]: c["title"] for c in round_["candidates"]}
    detail = result["detail"]
    if detail.get("count") == "schulze":
        order = [e["idea_id"] for e in result["ranking"]]
        for name in ("pairwise", "strongest_paths"):
            print(f"\n{name} (row idea over column idea):")
            for number, a in enumerate(order, start=1):
                cells = "".join(f"{'-' if a == b else detail[name][a][b]:>6}" for b in order)
                print(f"  {number:>3} {cells}   {titles[a]}")
    elif detail.get("count") == "instant_runoff":
        print("\nrounds:")
        for r in detail["rounds"]:
            counts = ", ".join(f"{titles[i]} {v}" for i, v in r["counts"].items())
            out = ", ".join(titles[i] for i in r["eliminated"]) or "nobody"
            print(f"  {r['round']}: {counts}; exhausted {r['exhausted_ballots']}; eliminated {out}")
    else:
        print(f"\ndetail: {json.dumps(detail)}")


def ballot_id_of(ballot: dict) -> str | None:
    """A published ballot's id (exports made before receipts had two halves called it "receipt")."""
    return ballot.get("ballot_id") or ballot.get("receipt")


def ballot_id_from_receipt(text: str) -> str:
    """The ballot id in a receipt as typed: its first 16 letters and digits, in groups of four."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())[:16]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Recount a published voting round from its exported ballots.")
    parser.add_argument("export", help="the JSON file exported from GET /api/voting/rounds/{id}/ballots")
    parser.add_argument("--receipt", help="also check that this receipt's ballot is among the ballots")
    parser.add_argument("--detail", action="store_true", help="also print the pairwise matrix or the rounds")
    args = parser.parse_args(argv)

    try:
        with open(args.export, encoding="utf-8") as handle:
            export = json.load(handle)
        round_, ballots, published = export["round"], export["ballots"], export.get("result")
        method = round_["method"]
        if method not in RULE_KEYS:
            raise ValueError(f"unknown method {method!r}")
        rules = {key: round_["rules"][key] for key in RULE_KEYS[method]}
        if method == "ranked" and rules["count"] not in ("schulze", "instant_runoff"):
            raise ValueError(f"unknown ranked count {rules['count']!r}")
        if not all(isinstance(ballot, dict) for ballot in ballots):
            raise ValueError("every ballot must be an object with a ballot_id and choices")
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"Cannot read {args.export}: {error}", file=sys.stderr)
        return 2

    ok = True
    ideas = {c["idea_id"] for c in round_["candidates"]}
    for ballot in ballots:
        problem = ballot_problem(method, rules, ideas, ballot.get("choices"))
        if problem:
            print(f"BALLOT {ballot_id_of(ballot)} breaks the round's rules: {problem}")
            ok = False
    if not ok:
        print("The published ballots include ballots the rules do not allow; they are not recounted.")
        return 1

    result = recount(round_, ballots)
    print_ranking(round_, result)
    if args.detail:
        print_detail(round_, result)

    if published is None:
        print("\nNo published result in the file to compare with.")
        ok = False
    else:
        published = {key: value for key, value in published.items() if key != "tie_break"}
        found = differences(result, published)
        if found:
            print("\nThe recount DOES NOT MATCH the published result:")
            for line in found[:20]:
                print(f"  {line}")
            if len(found) > 20:
                print(f"  ... and {len(found) - 20} more differences")
            ok = False
        else:
            print("\nThe recount matches the published result.")

    if args.receipt is not None:
        mine = ballot_id_from_receipt(args.receipt)
        if any(ballot_id_of(ballot) == mine for ballot in ballots):
            print(f"Ballot {mine} of your receipt is among the {len(ballots)} ballots counted.")
        else:
            print(f"Ballot {mine} of your receipt is NOT among the published ballots.")
            ok = False
    print(f"Audit chain head published with the result: {export.get('audit_head')}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
